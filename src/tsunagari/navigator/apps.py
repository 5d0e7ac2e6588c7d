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

    def warm_up(self) -> None:
        """Load the flow, the triage lexicon and its index, the crisis patterns, SudachiPy's tokenizer
        and the navigator's templates (see :mod:`tsunagari.core.warmup`)."""
        from django.template.loader import get_template

        from tsunagari.navigator.flow import load_flow
        from tsunagari.navigator.ruby import ruby_html
        from tsunagari.navigator.triage import triage

        load_flow()
        # The lexicon, its index, the crisis patterns and this thread's tokenizer, as the pages call it.
        for text in WARM_UP_TEXTS:
            triage(text)
        ruby_html("相談できる窓口")
        for name in WARM_UP_TEMPLATES:
            get_template(name)


#: Messages triaged by the warm-up: Japanese (SudachiPy) and a Latin-script one.
WARM_UP_TEXTS = ("ひとりで眠れない日が続いています", "I feel lonely at night")
#: The navigator's pages (their includes and tag libraries load with them).
WARM_UP_TEMPLATES = ("navigator/step.html", "navigator/result.html", "navigator/result_pdf.html")
