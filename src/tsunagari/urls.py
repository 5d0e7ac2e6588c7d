"""Root URL configuration.

Pages are under language prefixes (``/en/navi/``); Japanese, the default, has none (``/navi/``).
The API, the admin, the helpline (webhooks, console, and for now its web chat, whose counsellors
answer in Japanese and whose text is not translated yet) and, until their text is translated, the
network's pages are not translated paths.
"""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    # The navigator first: its conversation turns are the busiest requests, and Django tries the
    # patterns in order (no other pattern matches a path under navi/, so the order changes nothing else).
    *i18n_patterns(path("navi/", include("tsunagari.navigator.urls")), prefix_default_language=False),
    path("admin/", admin.site.urls),
    path("accounts/two-factor/", include("tsunagari.core.two_factor_urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/", include("tsunagari.directory.api.urls")),
    path("helpline/chat/", include("tsunagari.helpline.chat_urls")),
    path("network/", include("tsunagari.network.urls")),
    path("helpline/", include("tsunagari.helpline.urls")),
    path("cases/", include("tsunagari.cases.urls")),
    path("survey/report/", include("tsunagari.survey.report_urls")),
    path("plan/", include("tsunagari.plan.urls")),
    *i18n_patterns(
        path("survey/", include("tsunagari.survey.urls")),
        path("", include("tsunagari.directory.urls")),
        prefix_default_language=False,
    ),
]
