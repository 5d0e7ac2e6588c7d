from django.apps import AppConfig


class HelplineConfig(AppConfig):
    name = "tsunagari.helpline"
    label = "helpline"
    verbose_name = "Unified consultation line #9999"

    def ready(self) -> None:
        from tsunagari.helpline import config

        config.connect_signals()  # a configuration write empties this process's cached configuration
