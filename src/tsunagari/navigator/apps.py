from django.apps import AppConfig


class NavigatorConfig(AppConfig):
    name = "tsunagari.navigator"
    label = "navigator"
    verbose_name = "Support navigator"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from tsunagari.core.ttl_cache import clear_all
        from tsunagari.navigator.models import ProcedureLink

        def forget_cached_links(**_kwargs) -> None:
            clear_all()  # this process links to a changed template at once; others within the TTL

        for signal in (post_save, post_delete):
            signal.connect(
                forget_cached_links, sender=ProcedureLink, weak=False, dispatch_uid="ttl-cache-procedurelink"
            )
