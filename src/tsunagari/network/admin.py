"""Admin for the platform secretariat and, scoped to their platforms by ``admin_scope`` (which asks
``network.policy``), the local platform officers: memberships, committees and seats, events with
materials and registrations, newsletters and issues; platforms and member bodies read-only.
Saves of member bodies go through ``services.save_body`` (normalised keys, topic and
corporate-number checks); committee seats are checked with ``services.check_seat``; the database
constraints guard memberships."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tsunagari.cases import audit
from tsunagari.network import event_services, newsletter_services, services, training_services
from tsunagari.network.admin_scope import PlatformScopedAdmin
from tsunagari.network.models import (
    Campaign,
    CampaignItem,
    CampaignPage,
    Certificate,
    Committee,
    CommitteeSeat,
    ContactPerson,
    Course,
    CoursePart,
    EntryTag,
    Event,
    EventMaterial,
    Issue,
    MemberBody,
    MemberBodyTopic,
    Membership,
    Newsletter,
    Platform,
    Registration,
    Subscriber,
    TrainingSession,
)


@admin.register(Platform)
class PlatformAdmin(PlatformScopedAdmin, admin.ModelAdmin):
    list_display = ("name", "scope", "established_on")
    list_filter = ("scope",)
    search_fields = ("name",)
    raw_id_fields = ("local_governments",)


class TopicInline(admin.TabularInline):
    model = MemberBodyTopic
    extra = 0


class ContactInline(admin.StackedInline):
    model = ContactPerson
    extra = 0


class MembershipInline(PlatformScopedAdmin, admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("platform", "member_class", "joined_on", "left_on", "listed_publicly")


class BodyForm(forms.ModelForm):
    class Meta:
        model = MemberBody
        fields = (
            "name", "name_kana", "corporate_number", "address", "website", "description", "nationwide",
            "areas", "local_government", "organization",
        )  # fmt: skip

    def clean(self):
        data = super().clean()
        try:
            services.check_body_fields(data.get("corporate_number") or "", ())
        except services.NetworkRuleError as exc:
            raise ValidationError({"corporate_number": str(exc)}) from exc
        return data


@admin.register(MemberBody)
class MemberBodyAdmin(PlatformScopedAdmin, admin.ModelAdmin):
    form = BodyForm
    list_display = ("name", "corporate_number", "address", "nationwide")
    search_fields = ("name", "name_kana", "corporate_number", "address")
    raw_id_fields = ("areas", "local_government", "organization")
    inlines = (TopicInline, ContactInline, MembershipInline)

    def save_model(self, request, obj, form, change):
        services.save_body(obj)


@admin.register(Membership)
class MembershipAdmin(PlatformScopedAdmin, admin.ModelAdmin):
    list_display = ("body", "platform", "member_class", "joined_on", "left_on", "listed_publicly")
    list_filter = ("platform", "member_class", "listed_publicly")
    search_fields = ("body__name",)
    autocomplete_fields = ("body",)


class SeatForm(forms.ModelForm):
    class Meta:
        model = CommitteeSeat
        fields = ("committee", "membership", "role", "started_on", "ended_on")

    def clean(self):
        data = super().clean()
        committee = data.get("committee") or getattr(self.instance, "committee", None)
        if committee and data.get("membership") and not data.get("ended_on"):
            try:
                services.check_seat(committee, data["membership"])
            except services.NetworkRuleError as exc:
                raise ValidationError(str(exc)) from exc
        return data


class SeatInline(PlatformScopedAdmin, admin.TabularInline):
    model = CommitteeSeat
    form = SeatForm
    extra = 0
    raw_id_fields = ("membership",)


@admin.register(Committee)
class CommitteeAdmin(PlatformScopedAdmin, admin.ModelAdmin):
    list_display = ("name", "platform", "kind", "fiscal_year")
    list_filter = ("platform", "kind")
    inlines = (SeatInline,)


class RegistrationInline(PlatformScopedAdmin, admin.TabularInline):
    """Registrations are made and cancelled through the services (seat rules); here the
    secretariat sees them and records attendance."""

    model = Registration
    extra = 0
    can_delete = False
    fields = ("name", "email", "status", "registered_at", "promoted_at", "cancelled_at", "attended")
    readonly_fields = ("name", "email", "status", "registered_at", "promoted_at", "cancelled_at")

    def has_add_permission(self, request, obj=None):
        return False


class EventForm(forms.ModelForm):
    class Meta:
        model = Event
        fields = (
            "platform", "committee", "kind", "title", "description", "starts_at", "ends_at", "venue",
            "online_url", "capacity", "registration_closes_at", "is_public", "cancelled",
        )  # fmt: skip

    def clean(self):
        data = super().clean()
        if not self.errors:
            try:
                event_services.check_event(Event(**data))
            except services.NetworkRuleError as exc:
                raise ValidationError(str(exc)) from exc
        return data


class MaterialInline(PlatformScopedAdmin, admin.TabularInline):
    model = EventMaterial
    extra = 0


@admin.register(Event)
class EventAdmin(PlatformScopedAdmin, admin.ModelAdmin):
    form = EventForm
    list_display = ("title", "kind", "platform", "starts_at", "capacity", "is_public", "cancelled")
    list_filter = ("kind", "platform", "is_public", "cancelled")
    search_fields = ("title",)
    inlines = (MaterialInline, RegistrationInline)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The registrations inline shows participants' names and e-mail addresses: recorded in the
        audit log when the page is served to a user who may see them."""
        response = super().change_view(request, object_id, form_url, extra_context)
        if (
            response.status_code == 200
            and str(object_id).isdigit()
            and request.user.has_perm("network.view_registration")
        ):
            audit.record(
                audit.actor_of(request.user), audit.READ, "network.event_registrations", object_id,
                ["name", "email"],
            )  # fmt: skip
        return response

    def save_model(self, request, obj, form, change):
        if not change:
            event_services.check_event(obj)
            obj.save()
            return
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        event_services.update_event(Event.objects.get(pk=obj.pk), **fields)


@admin.register(Newsletter)
class NewsletterAdmin(PlatformScopedAdmin, admin.ModelAdmin):
    list_display = ("name", "platform", "from_email")


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ("email", "newsletter", "subscribed_at", "unsubscribed_at")
    list_filter = ("newsletter",)
    search_fields = ("email", "name")
    raw_id_fields = ("membership",)


@admin.register(Issue)
class IssueAdmin(PlatformScopedAdmin, admin.ModelAdmin):
    """Issues are written here; "queue" hands drafts to the sender job
    (``tsunagari network newsletter-send``). A queued issue can no longer be edited."""

    list_display = ("subject", "newsletter", "status", "send_after", "queued_at", "finished_at")
    list_filter = ("newsletter", "status")
    fields = ("newsletter", "subject", "body", "send_after", "status")
    readonly_fields = ("status",)
    actions = ("queue",)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or obj.status == Issue.Status.DRAFT)

    @admin.action(description=_("選んだ下書きを配信する"), permissions=("change",))
    def queue(self, request, queryset):
        for issue in queryset.filter(status=Issue.Status.DRAFT):
            count = newsletter_services.queue_issue(issue)
            self.message_user(request, f"{issue}: {count}")


@admin.register(Registration)
class RegistrationAdmin(PlatformScopedAdmin, admin.ModelAdmin):
    """The secretariat's view of registrations; status changes go through ``event_services``
    (a cancellation promotes the next person waiting and tells them by e-mail)."""

    list_display = ("name", "event", "status", "registered_at", "promoted_at", "attended")
    list_filter = ("status", "event")
    search_fields = ("name", "email")
    readonly_fields = (
        "event",
        "name",
        "email",
        "membership",
        "status",
        "registered_at",
        "promoted_at",
        "cancelled_at",
    )
    fields = (*readonly_fields, "attended")
    actions = ("cancel", "mark_attended", "mark_absent")

    def has_add_permission(self, request):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """Opening a registration (name, e-mail address) is recorded in the audit log."""
        response = super().change_view(request, object_id, form_url, extra_context)
        if response.status_code == 200 and str(object_id).isdigit():
            audit.record(
                audit.actor_of(request.user), audit.READ, "network.registration", object_id, ["name", "email"]
            )
        return response

    @admin.action(description=_("選んだ申込を取り消す（キャンセル待ちを繰り上げ）"), permissions=("change",))
    def cancel(self, request, queryset):
        for registration in queryset.exclude(status=Registration.Status.CANCELLED):
            event_services.cancel_registration(registration)

    @admin.action(description=_("出席にする"), permissions=("change",))
    def mark_attended(self, request, queryset):
        for registration in queryset.filter(status=Registration.Status.CONFIRMED):
            event_services.mark_attendance(registration, True)

    @admin.action(description=_("欠席にする"), permissions=("change",))
    def mark_absent(self, request, queryset):
        for registration in queryset.filter(status=Registration.Status.CONFIRMED):
            event_services.mark_attendance(registration, False)


# -- つながりサポーター training -----------------------------------------------------------------


class CoursePartInline(admin.TabularInline):
    model = CoursePart
    extra = 0


class TrainingSessionForm(forms.ModelForm):
    class Meta:
        model = TrainingSession
        fields = ("part", "event")

    def clean(self):
        data = super().clean()
        if data.get("part") and data.get("event"):
            try:
                training_services.check_session(data["part"], data["event"])
            except services.NetworkRuleError as exc:
                raise ValidationError(str(exc)) from exc
        return data


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    """Courses and their parts; sessions are events of kind "supporter course" linked to a part
    (below). Attendance, certificates and revocation: the staff pages under /network/training/staff/."""

    list_display = ("title", "curriculum_version", "hours", "platform", "is_active")
    list_filter = ("platform", "is_active")
    search_fields = ("title",)
    inlines = (CoursePartInline,)


@admin.register(TrainingSession)
class TrainingSessionAdmin(admin.ModelAdmin):
    form = TrainingSessionForm
    list_display = ("event", "part")
    list_filter = ("part__course",)
    raw_id_fields = ("event",)


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    """Read-only: certificates are issued and revoked on the staff pages (audited). The list shows
    no names; opening one (which shows the holder's name) is recorded in the audit log."""

    list_display = ("course_title", "completed_on", "issued_at", "revoked_at")
    list_filter = ("course",)
    fields = (
        "course", "code", "holder_name", "course_title", "curriculum_version", "hours", "completed_on",
        "issued_at", "revoked_at", "revoked_reason",
    )  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if response.status_code == 200 and str(object_id).isdigit():
            audit.record(
                audit.actor_of(request.user), audit.READ, "network.certificate", object_id, ["holder_name"]
            )
        return response


# -- 強化月間 campaign ---------------------------------------------------------------------------


class CampaignPageInline(admin.TabularInline):
    model = CampaignPage
    extra = 0
    show_change_link = True


class CampaignItemInline(admin.StackedInline):
    model = CampaignItem
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    """A campaign such as the 孤独・孤立対策強化月間 (every May, seed 001); public at
    /network/campaign/<URL名>/ once published."""

    list_display = ("title", "slug", "starts_on", "ends_on", "is_published")
    inlines = (CampaignPageInline,)


@admin.register(CampaignPage)
class CampaignPageAdmin(admin.ModelAdmin):
    list_display = ("title", "campaign", "order", "is_published")
    list_filter = ("campaign",)
    inlines = (CampaignItemInline,)


@admin.register(EntryTag)
class EntryTagAdmin(admin.ModelAdmin):
    """Tags of entry links (/network/c/<タグ>/) for push outreach; visits are counted per tag and
    day, with nothing about the visitor (see /network/campaign-visits/)."""

    list_display = ("code", "label", "campaign", "created_at")
    list_filter = ("campaign",)
    fields = ("campaign", "code", "label")

    def get_readonly_fields(self, request, obj=None):
        return ("code",) if obj else ()

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj.save()


# -- who manages which platform and edits which body (network.policy; issue 7 roles) ---------------

from tsunagari.network.models import BodyEditor, PlatformOfficer  # noqa: E402


@admin.register(PlatformOfficer)
class PlatformOfficerAdmin(admin.ModelAdmin):
    """A local platform officer's platforms: with the role 地方版の担当者 (local_platform_officer),
    the user manages these platforms' memberships, events and newsletters and edits their member
    bodies on the network's staff pages (/network/bodies/mine/)."""

    list_display = ("user", "platform", "created_at")
    list_filter = ("platform",)
    raw_id_fields = ("user",)


@admin.register(BodyEditor)
class BodyEditorAdmin(admin.ModelAdmin):
    """A member body editor's body: with the role 会員団体の編集者 (member_body_editor), the user edits
    this body's public profile and contact people at /network/bodies/<id>/edit/."""

    list_display = ("user", "body", "created_at")
    raw_id_fields = ("user", "body")
