from django.apps import AppConfig


class HelplineConfig(AppConfig):
    name = "tsunagari.helpline"
    label = "helpline"
    verbose_name = "Unified consultation line #9999"
