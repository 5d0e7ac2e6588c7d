"""Admin for the plan's staff: yearly KPI values and the yearly evaluation text are entered here.
Measures and KPIs themselves come from the plan file (``tsunagari plan load``) and are read-only."""

from __future__ import annotations

from django.contrib import admin

from tsunagari.plan.models import Evaluation, Kpi, KpiValue, Measure

PLAN_FIELDS_MEASURE = (
    "code",
    "policy_code",
    "policy_title",
    "title",
    "ministry",
    "gaps",
    "source",
    "source_text",
)
PLAN_FIELDS_KPI = (
    "code",
    "measure",
    "name",
    "unit",
    "direction",
    "indicator_code",
    "baseline_value",
    "baseline_year",
    "baseline_source",
    "target_value",
    "target_year",
    "target_source",
    "gaps",
    "note",
)


class KpiValueInline(admin.TabularInline):
    model = KpiValue
    fields = ("year", "value", "origin", "source")
    readonly_fields = ("origin",)
    extra = 1


class EvaluationInline(admin.StackedInline):
    model = Evaluation
    fields = ("year", "text")
    extra = 1


def _stamp_user(formset, user, field_name: str) -> None:
    """Saved rows record who wrote them; a value staff add or change becomes an entered value."""
    for obj in formset.save(commit=False):
        setattr(obj, field_name, user)
        if isinstance(obj, KpiValue):
            obj.origin = KpiValue.Origin.ENTERED
        obj.save()
    for obj in formset.deleted_objects:
        obj.delete()


@admin.register(Kpi)
class KpiAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "measure", "unit", "direction", "baseline_value", "baseline_year")
    readonly_fields = PLAN_FIELDS_KPI
    fields = PLAN_FIELDS_KPI
    inlines = [KpiValueInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_formset(self, request, form, formset, change):
        _stamp_user(formset, request.user, "entered_by")


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "policy_code", "ministry")
    readonly_fields = PLAN_FIELDS_MEASURE
    fields = PLAN_FIELDS_MEASURE
    inlines = [EvaluationInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_formset(self, request, form, formset, change):
        _stamp_user(formset, request.user, "updated_by")


@admin.register(KpiValue)
class KpiValueAdmin(admin.ModelAdmin):
    list_display = ("kpi", "year", "value", "origin", "source", "updated_at")
    list_filter = ("origin", "kpi")
    fields = ("kpi", "year", "value", "origin", "source")
    readonly_fields = ("origin",)

    def save_model(self, request, obj, form, change):
        obj.origin = KpiValue.Origin.ENTERED
        obj.entered_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):
    list_display = ("measure", "year", "updated_at")
    list_filter = ("year",)
    fields = ("measure", "year", "text")

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
