from django.apps import AppConfig


class NavigatorConfig(AppConfig):
    name = "tsunagari.navigator"
    label = "navigator"
    verbose_name = "Support navigator"
