from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "tsunagari.directory"
    label = "directory"
    verbose_name = "Support directory"

    def ready(self) -> None:
        from django.db.models.signals import pre_delete

        from tsunagari.directory.models import SearchDoc
        from tsunagari.directory.search_index import delete_document_rows

        pre_delete.connect(delete_document_rows, sender=SearchDoc, dispatch_uid="searchdoc-rows")
