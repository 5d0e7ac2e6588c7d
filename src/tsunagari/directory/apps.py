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

        from django.db.models.signals import post_delete, post_save

        from tsunagari.core.ttl_cache import clear_all
        from tsunagari.directory.models import Phone, Service

        def forget_cached_lists(**_kwargs) -> None:
            clear_all()  # this process shows a changed service at once; others within the TTL

        for model in (Service, Phone, SearchDoc):
            for signal in (post_save, post_delete):
                signal.connect(
                    forget_cached_lists, sender=model, weak=False, dispatch_uid=f"ttl-cache-{model.__name__}"
                )
