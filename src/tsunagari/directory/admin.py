"""Django admin for directory maintainers: edit services, see what is past its review date."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import admin
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagari.directory.hours import ScheduleError, parse_schedule
from tsunagari.directory.models import Organization, Phone, Service, ServiceChange
from tsunagari.directory.services import record_admin_change, snapshot


class StaleFilter(admin.SimpleListFilter):
    """Entries never verified or verified longer ago than TSUNAGARI_STALE_AFTER_DAYS."""

    title = _("確認期限")
    parameter_name = "stale"

    def lookups(self, request, model_admin):
        return [("yes", _("要確認（期限切れ・未確認）")), ("no", _("期限内"))]

    def queryset(self, request, queryset):
        cutoff = timezone.localdate() - timedelta(days=settings.TSUNAGARI_STALE_AFTER_DAYS)
        stale = Q(last_verified__isnull=True) | Q(last_verified__lt=cutoff)
        if self.value() == "yes":
            return queryset.filter(stale)
        if self.value() == "no":
            return queryset.exclude(stale)
        return queryset


class ServiceAdminForm(forms.ModelForm):
    class Meta:
        model = Service
        fields = "__all__"  # noqa: DJ007 - maintainers edit every field

    def clean_schedule_spec(self):
        spec = self.cleaned_data.get("schedule_spec")
        if spec is not None:
            try:
                parse_schedule(spec)
            except ScheduleError as exc:
                raise forms.ValidationError(str(exc)) from None
        return spec

    def clean(self):
        data = super().clean()
        if data.get("crisis_line") and data.get("verification") != Service.Verification.VERIFIED:
            self.add_error("crisis_line", _("確認済みの窓口だけをいのちの危機に対応する窓口にできます。"))
        return data


class PhoneInline(admin.TabularInline):
    model = Phone
    fields = ("number", "description", "type", "position")
    extra = 0


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "organization",
        "status",
        "area_scope",
        "is_24h",
        "crisis_line",
        "verification",
        "last_verified",
    )
    list_filter = (StaleFilter, "status", "verification", "crisis_line", "is_24h", "area_scope")
    search_fields = ("name", "alternate_name", "organization__name", "local_id")
    readonly_fields = ("id", "local_id", "is_24h", "created_at", "updated_at")
    autocomplete_fields = ("organization",)
    raw_id_fields = ("area",)
    form = ServiceAdminForm
    inlines = [PhoneInline]
    ordering = ("last_verified", "name")

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            obj._before = snapshot(obj)
        return obj

    def save_model(self, request, obj, form, change):
        obj.is_24h = obj.schedule_spec is not None and parse_schedule(obj.schedule_spec).is_24h
        obj.area_scope = (
            Service.Scope.NATIONAL
            if obj.area is None
            else Service.Scope.PREFECTURE
            if obj.area.kind == "prefecture"
            else Service.Scope.MUNICIPALITY
        )
        obj.prefecture_code = obj.area.prefecture_code if obj.area else ""
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        record_admin_change(
            form.instance,
            getattr(form.instance, "_before", None),
            request.user,
            "update" if change else "create",
        )

    def delete_model(self, request, obj):
        record_admin_change(obj, snapshot(obj), request.user, "delete")
        super().delete_model(request, obj)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "local_id", "website", "last_verified")
    search_fields = ("name", "local_id")


@admin.register(ServiceChange)
class ServiceChangeAdmin(admin.ModelAdmin):
    list_display = ("changed_at", "service_id_ref", "via", "action", "actor")
    list_filter = ("via", "action")
    search_fields = ("service_id_ref",)
    readonly_fields = ("service_id_ref", "changed_at", "actor", "via", "action", "changes")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
