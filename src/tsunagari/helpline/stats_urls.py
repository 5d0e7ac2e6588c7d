"""URL patterns of the statistics pages (staff only), under ``/helpline/stats/``."""

from django.urls import path

from tsunagari.helpline import staffing_views, stats_views

urlpatterns = [
    path("", stats_views.stats_page, name="stats"),
    path("export.csv", stats_views.stats_csv, name="stats_csv"),
    path("export.xlsx", stats_views.stats_xlsx, name="stats_xlsx"),
    path("staffing/", staffing_views.trial_staffing_page, name="trial_staffing"),
]
