"""Root URL configuration.

Pages are under language prefixes (``/en/navi/``); Japanese, the default, has none (``/navi/``).
The API and the admin are not translated paths; the helpline's webhooks and console are not either,
but its public web chat is (``/helpline/chat/``, ``/en/helpline/chat/``).
"""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/", include("tsunagari.directory.api.urls")),
    path("helpline/", include("tsunagari.helpline.urls")),
    *i18n_patterns(
        path("navi/", include("tsunagari.navigator.urls")),
        path("helpline/chat/", include("tsunagari.helpline.chat_urls")),
        path("", include("tsunagari.directory.urls")),
        prefix_default_language=False,
    ),
]
