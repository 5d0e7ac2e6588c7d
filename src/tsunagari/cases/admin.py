"""Admin pages of case records: metadata only, read-only, limited to the user's bodies.
Personal fields (encrypted) are not shown here — they are read through ``cases.selectors``, which
audits every read; records are written and deleted only through ``cases.services`` and the
retention job (audited). The audit log is read-only and visible only with ``cases.view_auditentry``."""

from django.contrib import admin
from django.db.models import Q

from tsunagari.cases.models import AuditEntry, Case, CaseContact, Referral, ReferralEvent, Section, StaffArea
from tsunagari.helpline.access import bodies_of


class _MetadataOnly(admin.ModelAdmin):
    body_paths: tuple[str, ...] = ()
    """Lookups from the model to a ``PartnerBody``; a row is listed when any is one of the user's."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        bodies = bodies_of(request.user)
        if bodies is None:
            return queryset
        scope = Q()
        for path in self.body_paths:
            scope |= Q(**{f"{path}__in": bodies})
        return queryset.filter(scope)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(_MetadataOnly):
    body_paths = ("body",)
    list_display = ("id", "body", "status", "is_serious", "opened_at", "closed_at", "version")
    list_filter = ("status", "is_serious")
    fields = ("id", "body", "status", "is_serious", "opened_at", "closed_at", "updated_at", "version")
    readonly_fields = fields


@admin.register(Section)
class SectionAdmin(_MetadataOnly):
    body_paths = ("case__body",)
    list_display = ("id", "case", "kind", "occurred_at", "form_version", "version")
    list_filter = ("kind",)
    fields = ("id", "case", "kind", "occurred_at", "form_version", "created_at", "updated_at", "version")
    readonly_fields = fields


@admin.register(CaseContact)
class CaseContactAdmin(_MetadataOnly):
    body_paths = ("case__body",)
    list_display = ("case", "contact", "linked_at")
    fields = ("case", "contact", "linked_at")
    readonly_fields = fields


@admin.register(Referral)
class ReferralAdmin(_MetadataOnly):
    body_paths = ("from_body", "to_body")
    list_display = ("id", "kind", "status", "from_body", "to_body", "requested_at", "first_response_at")
    list_filter = ("kind", "status")
    fields = (
        "id",
        "case",
        "kind",
        "status",
        "from_body",
        "to_body",
        "to_user",
        "requested_at",
        "first_response_at",
        "updated_at",
        "version",
    )
    readonly_fields = fields


@admin.register(ReferralEvent)
class ReferralEventAdmin(_MetadataOnly):
    body_paths = ("referral__from_body", "referral__to_body")
    list_display = ("referral", "from_status", "to_status", "party", "at", "seen_at")
    fields = ("referral", "from_status", "to_status", "party", "actor", "at", "seen_at")
    readonly_fields = fields


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("seq", "at", "actor", "action", "object_type", "object_id")
    list_filter = ("action", "object_type")
    search_fields = ("object_id", "actor")
    fields = (
        "seq",
        "at",
        "actor",
        "action",
        "object_type",
        "object_id",
        "fields",
        "reason",
        "prev_hash",
        "hash",
    )
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(StaffArea)
class StaffAreaAdmin(admin.ModelAdmin):
    """Who works for which local government (scopes councils by area, ``cases.policy``); kept by
    system administrators, who hold the model's permissions."""

    list_display = ("user", "local_government")
    search_fields = ("user__username", "local_government__code", "local_government__name")
    autocomplete_fields = ("user",)
    raw_id_fields = ("local_government",)
