from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tsunagari.core"
    label = "core"
    verbose_name = "Core"
