"""A URL conf that prefixes the default language too (the case core.path_locale does not reproduce)."""

from django.conf.urls.i18n import i18n_patterns
from django.http import HttpResponse
from django.urls import path

urlpatterns = i18n_patterns(path("navi/", lambda request: HttpResponse("x")), prefix_default_language=True)
