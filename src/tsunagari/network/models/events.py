"""Events of a platform (symposium, workshop, subcommittee meeting, supporter course) and
registrations with capacity, waiting list and attendance.

``seats_version`` is bumped by every registration decision: that write is what serialises
decisions per event on every database (see ``tsunagari.network.event_services``). ``uid`` never
changes (the iCalendar UID); ``sequence`` counts published revisions.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    class Kind(models.TextChoices):
        SYMPOSIUM = "symposium", _("シンポジウム")
        WORKSHOP = "workshop", _("ワークショップ")
        SUBCOMMITTEE_MEETING = "subcommittee_meeting", _("分科会")
        SUPPORTER_COURSE = "supporter_course", _("つながりサポーター養成講座")

    platform = models.ForeignKey("network.Platform", on_delete=models.PROTECT, related_name="events")
    committee = models.ForeignKey(
        "network.Committee", null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    kind = models.CharField(_("種類"), max_length=30, choices=Kind.choices)
    title = models.CharField(_("名称"), max_length=300)
    description = models.TextField(_("内容"), blank=True)
    starts_at = models.DateTimeField(_("開始日時"))
    ends_at = models.DateTimeField(_("終了日時"))
    venue = models.CharField(_("会場"), max_length=300, blank=True)
    online_url = models.URLField(_("オンライン参加のURL"), max_length=500, blank=True)
    capacity = models.PositiveIntegerField(_("定員"), null=True, blank=True, help_text=_("空欄は定員なし"))
    registration_closes_at = models.DateTimeField(_("申込締切"), null=True, blank=True)
    is_public = models.BooleanField(
        _("公開"), default=True, help_text=_("公開のイベントだけが予定表に載ります。")
    )
    cancelled = models.BooleanField(_("中止"), default=False)
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    seats_version = models.PositiveBigIntegerField(default=0, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("イベント")
        verbose_name_plural = _("イベント")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gte=models.F("starts_at")), name="network_event_ends_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(venue="") | ~Q(online_url=""), name="network_event_has_place_or_url"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_online(self) -> bool:
        return bool(self.online_url)


class Registration(models.Model):
    """A person's registration for an event. Personal data: shown to the secretariat only."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("参加確定")
        WAITLISTED = "waitlisted", _("キャンセル待ち")
        CANCELLED = "cancelled", _("取消")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    name = models.CharField(_("氏名"), max_length=100)
    email = models.EmailField(_("メールアドレス"))
    membership = models.ForeignKey(
        "network.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("状態"), max_length=20, choices=Status.choices)
    registered_at = models.DateTimeField(_("申込日時"))
    promoted_at = models.DateTimeField(_("繰り上げ日時"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消日時"), null=True, blank=True)
    attended = models.BooleanField(_("出席"), null=True, blank=True)

    class Meta:
        ordering = ["event", "registered_at", "id"]
        verbose_name = _("参加申込")
        verbose_name_plural = _("参加申込")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "email"],
                condition=~Q(status="cancelled"),
                name="network_one_live_registration_per_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} / {self.event}"


class EventMaterial(models.Model):
    """A document of an event (slides, report, recording), linked by URL and shown on the
    event's public page once ``is_public`` is set."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(_("資料名"), max_length=300)
    url = models.URLField(_("URL"), max_length=500)
    is_public = models.BooleanField(_("公開"), default=False)
    order = models.PositiveSmallIntegerField(_("表示順"), default=0)

    class Meta:
        ordering = ["event", "order", "id"]
        verbose_name = _("イベント資料")
        verbose_name_plural = _("イベント資料")

    def __str__(self) -> str:
        return self.title
