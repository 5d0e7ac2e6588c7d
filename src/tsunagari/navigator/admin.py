"""Admin for the navigator: procedure link templates (editable) and usage counts (read only)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tsunagari.navigator.models import ProcedureLink, UsageCount


@admin.register(ProcedureLink)
class ProcedureLinkAdmin(admin.ModelAdmin):
    list_display = ("scope", "url_template", "label", "last_verified")
    autocomplete_fields = ("service",)
    search_fields = ("service__name", "url_template")

    @admin.display(description=_("対象"))
    def scope(self, link: ProcedureLink) -> str:
        return str(link.service) if link.service_id else str(_("既定（すべての相談先）"))


@admin.register(UsageCount)
class UsageCountAdmin(admin.ModelAdmin):
    list_display = ("day", "dimension", "value", "count")
    list_filter = ("dimension", "day")
    ordering = ("-day", "dimension", "-count")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
