from django.apps import AppConfig


class PlanConfig(AppConfig):
    name = "tsunagari.plan"
    label = "plan"
    verbose_name = "Priority plan (measures, KPIs, evaluation)"
