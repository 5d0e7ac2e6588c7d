"""Admin for the line's configuration: fields, menu versions, partner bodies (with their staff
memberships), lines and shifts, overflow policies. Contacts, their events and chats are shown
read-only (events are append-only; chat transcripts are not shown here at all)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tsunagari.helpline.models import (
    ChatSession,
    Contact,
    ContactEvent,
    Field,
    Line,
    MenuOption,
    MenuVersion,
    OverflowPolicy,
    PartnerBody,
    Shift,
    ShiftException,
    StaffMembership,
)


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "crisis", "general", "position")
    list_editable = ("position",)


class MenuOptionInline(admin.TabularInline):
    model = MenuOption
    extra = 0


@admin.register(MenuVersion)
class MenuVersionAdmin(admin.ModelAdmin):
    list_display = ("name", "valid_from", "valid_until")
    inlines = [MenuOptionInline]


class ShiftInline(admin.TabularInline):
    model = Shift
    extra = 0


class ShiftExceptionInline(admin.TabularInline):
    model = ShiftException
    extra = 0


@admin.register(Line)
class LineAdmin(admin.ModelAdmin):
    list_display = ("name", "body", "dial", "accepts_crisis", "active")
    list_filter = ("body", "fields", "active")
    filter_horizontal = ("fields",)
    inlines = [ShiftInline, ShiftExceptionInline]


class StaffMembershipInline(admin.TabularInline):
    model = StaffMembership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(PartnerBody)
class PartnerBodyAdmin(admin.ModelAdmin):
    list_display = ("name", "organization")
    search_fields = ("name",)
    inlines = [StaffMembershipInline]


@admin.register(StaffMembership)
class StaffMembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "body")
    list_filter = ("body",)
    search_fields = ("user__username", "body__name")
    autocomplete_fields = ("user", "body")


@admin.register(OverflowPolicy)
class OverflowPolicyAdmin(admin.ModelAdmin):
    list_display = ("field",)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Contact)
class ContactAdmin(ReadOnlyAdmin):
    list_display = ("started_at", "channel")
    list_filter = ("channel",)
    date_hierarchy = "started_at"


@admin.register(ContactEvent)
class ContactEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "kind", "field", "line", "body", "wait_seconds")
    list_filter = ("kind", "field", "body")
    date_hierarchy = "at"

    @admin.display(description=_("できごと"))
    def kind_label(self, event: ContactEvent) -> str:
        return event.get_kind_display()


@admin.register(ChatSession)
class ChatSessionAdmin(ReadOnlyAdmin):
    list_display = ("queued_at", "channel_label", "status", "field", "crisis", "body", "closed_at")
    list_filter = ("status", "contact__channel", "field", "body")
    date_hierarchy = "queued_at"
    fields = ("status", "field", "crisis", "body", "counsellor", "queued_at", "answered_at", "closed_at")

    @admin.display(description=_("経路"))
    def channel_label(self, session: ChatSession) -> str:
        return session.contact.get_channel_display()
