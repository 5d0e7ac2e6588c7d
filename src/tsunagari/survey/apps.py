from django.apps import AppConfig


class SurveyConfig(AppConfig):
    name = "tsunagari.survey"
    label = "survey"
    verbose_name = "Loneliness and isolation survey"
