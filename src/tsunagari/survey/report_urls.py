"""Staff report pages (Japanese only, outside the language prefixes): mounted at ``survey/report/``."""

from django.urls import path

from tsunagari.survey import report_views

app_name = "survey_report"
urlpatterns = [
    path("", report_views.report_page, name="report"),
    path("export.pdf", report_views.report_export, {"fmt": "pdf"}, name="export_pdf"),
    path("export.xlsx", report_views.report_export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("export.csv", report_views.report_export, {"fmt": "csv"}, name="export_csv"),
]
