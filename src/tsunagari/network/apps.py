from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "tsunagari.network"
    label = "network"
    verbose_name = "Network (platforms, members, events)"
