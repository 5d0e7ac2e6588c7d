"""URLs of the unified line: provider webhooks (no language prefix, signed requests only), the
counsellor and coordinator console, and the statistics pages (staff only)."""

from django.urls import include, path

from tsunagari.helpline.coverage_views import coverage_page

app_name = "helpline"
urlpatterns = [
    path("hooks/", include("tsunagari.helpline.webhook_urls")),
    path("console/", include("tsunagari.helpline.console_urls")),
    path("stats/", include("tsunagari.helpline.stats_urls")),
    path("coverage/", coverage_page, name="coverage"),
]
