"""The second login step (``/accounts/two-factor/``): verify a code, enrol a device."""

from django.urls import path

from tsunagari.core import two_factor_views

app_name = "two_factor"

urlpatterns = [
    path("", two_factor_views.verify, name="verify"),
    path("setup/", two_factor_views.setup, name="setup"),
]
