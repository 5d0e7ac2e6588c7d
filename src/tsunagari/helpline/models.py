"""The unified line's configuration, contacts and records.

Configuration (admin + data): fields (分野), menu versions valid for a period (digit → field,
greeting and prompts in Japanese and for the foreign-language option), partner bodies, their lines per
field, weekly shifts with dated exceptions, and each field's overflow policy (validated by
``routing.OverflowPolicy.from_data``).

Contacts: a ``Contact`` is created once per call or chat (keyed by the provider's id); what happens
to it is recorded as append-only ``ContactEvent`` rows, each with a provider event key that makes a
repeated callback a no-op. ``LineState`` is the lines' current state, derived from the events.

Privacy: no caller number is stored, only a keyed hash (``caller_key``) to count repeat callers.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from tsunagari.helpline.routing import OverflowPolicy as PolicyData


class Field(models.Model):
    """A consultation field of the menu (分野), e.g. 18歳以下, 孤独・孤立, 死にたい・消えたい."""

    code = models.SlugField(primary_key=True, max_length=40)
    name = models.CharField(_("名称"), max_length=100)
    crisis = models.BooleanField(_("いのちの危機の分野"), default=False)
    general = models.BooleanField(_("総合（孤独・孤立）の分野"), default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("分野")
        verbose_name_plural = _("分野")

    def __str__(self) -> str:
        return self.name


class MenuVersion(models.Model):
    """The voice menu valid from ``valid_from`` until ``valid_until`` (exclusive; open-ended if empty)."""

    name = models.CharField(_("名称"), max_length=100)
    valid_from = models.DateTimeField(_("開始"))
    valid_until = models.DateTimeField(_("終了"), null=True, blank=True)
    greeting_ja = models.TextField(_("あいさつ（日本語）"))
    greeting_foreign = models.TextField(_("あいさつ（外国語）"), blank=True)
    foreign_language = models.CharField(_("外国語の言語タグ"), max_length=10, default="en-US")
    foreign_digit = models.CharField(_("外国語案内の番号"), max_length=1, blank=True)

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("音声メニューの版")
        verbose_name_plural = _("音声メニューの版")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.valid_until and self.valid_until <= self.valid_from:
            raise ValidationError({"valid_until": _("終了は開始より後にしてください。")})


class MenuOption(models.Model):
    """Digit → field in one menu version, with its prompt."""

    menu = models.ForeignKey(MenuVersion, on_delete=models.CASCADE, related_name="options")
    digit = models.CharField(_("番号"), max_length=1)
    field = models.ForeignKey(Field, on_delete=models.PROTECT)
    prompt_ja = models.CharField(_("案内（日本語）"), max_length=300)
    prompt_foreign = models.CharField(_("案内（外国語）"), max_length=300, blank=True)

    class Meta:
        ordering = ["menu", "digit"]
        constraints = [models.UniqueConstraint(fields=["menu", "digit"], name="helpline_menu_digit_unique")]
        verbose_name = _("メニューの選択肢")
        verbose_name_plural = _("メニューの選択肢")

    def __str__(self) -> str:
        return f"{self.digit}: {self.field}"

    def clean(self) -> None:
        if not (self.digit.isdigit() or self.digit in "*#"):
            raise ValidationError({"digit": _("0〜9、* または # を指定してください。")})


class PartnerBody(models.Model):
    """A partner organisation (NPO etc.) that answers the line."""

    name = models.CharField(_("名称"), max_length=200, unique=True)
    organization = models.ForeignKey(
        "directory.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("連携団体")
        verbose_name_plural = _("連携団体")

    def __str__(self) -> str:
        return self.name


class Line(models.Model):
    """A partner body's line: where calls of its fields are connected (``dial`` number, E.164)."""

    body = models.ForeignKey(PartnerBody, on_delete=models.PROTECT, related_name="lines")
    name = models.CharField(_("名称"), max_length=100)
    dial = models.CharField(_("接続先番号（E.164）"), max_length=20)
    fields = models.ManyToManyField(Field, related_name="lines")
    accepts_crisis = models.BooleanField(_("いのちの危機の電話も受ける"), default=False)
    active = models.BooleanField(_("使用中"), default=True)

    class Meta:
        ordering = ["body", "name"]
        verbose_name = _("回線")
        verbose_name_plural = _("回線")

    def __str__(self) -> str:
        return f"{self.body} / {self.name}"

    def clean(self) -> None:
        from tsunagari.helpline.twiml import check_e164

        try:
            check_e164(self.dial)
        except ValueError as exc:
            raise ValidationError({"dial": str(exc)}) from None


class Shift(models.Model):
    """A weekly shift: the line is staffed on ``weekday`` (0 = Monday) from ``start`` to ``end``
    (``end`` ≤ ``start`` means past midnight)."""

    line = models.ForeignKey(Line, on_delete=models.CASCADE, related_name="shifts")
    weekday = models.PositiveSmallIntegerField(
        _("曜日"), choices=[(i, d) for i, d in enumerate("月火水木金土日")]
    )
    start = models.TimeField(_("開始"))
    end = models.TimeField(_("終了"))

    class Meta:
        ordering = ["line", "weekday", "start"]
        verbose_name = _("シフト（毎週）")
        verbose_name_plural = _("シフト（毎週）")

    def __str__(self) -> str:
        return f"{self.line} {self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class ShiftException(models.Model):
    """A dated exception: on ``date`` the line is staffed from ``start`` to ``end`` (``staffed``) or
    not staffed at all that day (``staffed`` false; times ignored), replacing the weekly shifts."""

    line = models.ForeignKey(Line, on_delete=models.CASCADE, related_name="exceptions")
    date = models.DateField(_("日付"))
    staffed = models.BooleanField(_("稼働する"), default=False)
    start = models.TimeField(_("開始"), null=True, blank=True)
    end = models.TimeField(_("終了"), null=True, blank=True)

    class Meta:
        ordering = ["line", "date", "start"]
        verbose_name = _("シフトの例外（日付）")
        verbose_name_plural = _("シフトの例外（日付）")

    def __str__(self) -> str:
        return f"{self.line} {self.date}"

    def clean(self) -> None:
        if self.staffed and (self.start is None or self.end is None):
            raise ValidationError(_("稼働する日は開始と終了を入れてください。"))


def _validate_policy(value) -> None:
    try:
        PolicyData.from_data("field", value)
    except (ValueError, TypeError) as exc:
        raise ValidationError(str(exc)) from None


class OverflowPolicy(models.Model):
    """What happens when no line of a field is free (steps of ``routing.OverflowPolicy``)."""

    field = models.OneToOneField(Field, on_delete=models.CASCADE, related_name="overflow_policy")
    steps = models.JSONField(_("手順"), validators=[_validate_policy])

    class Meta:
        verbose_name = _("あふれたときの対応")
        verbose_name_plural = _("あふれたときの対応")

    def __str__(self) -> str:
        return f"{self.field}"


class Contact(models.Model):
    """One call or chat, created once per provider id (CallSid, LINE user session, web chat id)."""

    class Channel(models.TextChoices):
        VOICE = "voice", _("電話")
        LINE = "line", "LINE"
        WEB = "web", _("ウェブチャット")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    provider_id = models.CharField(max_length=100)
    caller_key = models.CharField(max_length=64, blank=True)  # keyed hash, never the number
    started_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "provider_id"], name="helpline_contact_provider_unique"
            )
        ]
        verbose_name = _("相談（通話・チャット）")
        verbose_name_plural = _("相談（通話・チャット）")

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.started_at:%Y-%m-%d %H:%M}"


class ContactEvent(models.Model):
    """Something that happened to a contact. Append-only: rows are never updated or deleted.

    ``event_key`` identifies the provider's event (e.g. CallSid + CallStatus + sequence) so that a
    repeated or replayed callback is recorded once; ``at`` is when it happened (provider time when
    known), so out-of-order callbacks still sort right.
    """

    class Kind(models.TextChoices):
        OFFERED = "offered", _("着信")
        MENU_CHOICE = "menu_choice", _("分野の選択")
        QUEUED = "queued", _("待ち")
        ANSWERED = "answered", _("接続完了")
        ABANDONED = "abandoned", _("放棄")
        TRANSFERRED = "transferred", _("転送")
        NOT_ANSWERED = "not_answered", _("不応答")
        COMPLETED = "completed", _("終了")
        CALLBACK_OFFERED = "callback_offered", _("折り返しの案内")
        CALLBACK_REQUESTED = "callback_requested", _("折り返しの依頼")
        CALLBACK_DECLINED = "callback_declined", _("折り返しの辞退")
        MESSAGE_PLAYED = "message_played", _("案内の再生")

    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    at = models.DateTimeField(db_index=True)
    event_key = models.CharField(max_length=200, unique=True)
    field = models.ForeignKey(Field, null=True, blank=True, on_delete=models.PROTECT)
    line = models.ForeignKey(Line, null=True, blank=True, on_delete=models.PROTECT)
    body = models.ForeignKey(PartnerBody, null=True, blank=True, on_delete=models.PROTECT)
    wait_seconds = models.PositiveIntegerField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)  # e.g. routing reasons; never caller data

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["kind", "at"])]
        verbose_name = _("相談のできごと")
        verbose_name_plural = _("相談のできごと")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("contact events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("contact events are append-only")


class LineState(models.Model):
    """A line's current state (derived from events): busy with a contact, or idle since when."""

    line = models.OneToOneField(Line, on_delete=models.CASCADE, primary_key=True, related_name="state")
    busy_with = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    busy_since = models.DateTimeField(null=True, blank=True)  # when busy_with took the line
    idle_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("回線の状態")
        verbose_name_plural = _("回線の状態")

    def __str__(self) -> str:
        return f"{self.line}: {'busy' if self.busy_with_id else 'idle'}"


class QueuedCall(models.Model):
    """A voice call that has joined a queue and has not ended (derived from the events, like LineState).

    Written in the transaction of the call's ``queued`` event (``queued_at``: the latest time it joined
    a queue) and deleted once its ``completed`` or ``abandoned`` event is written. The calls waiting now
    are among these rows (a call forwarded from its queue stays until it ends), so routing finds them
    without reading every queue event of the last hours; which of them still wait is derived from their
    events (``selectors.waiting_calls``)."""

    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, primary_key=True, related_name="+")
    queued_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("待ちに入った通話")
        verbose_name_plural = _("待ちに入った通話")

    def __str__(self) -> str:
        return f"{self.contact_id} ({self.queued_at:%Y-%m-%d %H:%M})"


class ConsultationRecord(models.Model):
    """The common consultation record of a contact, by a counsellor, in a versioned form.

    ``form_version`` names the form definition (``data/record_forms/*.yaml``) that ``data`` follows,
    so old records stay readable when the form evolves."""

    class Risk(models.TextChoices):
        LOW = "low", _("低")
        MEDIUM = "medium", _("中")
        HIGH = "high", _("高（いのちの危険）")

    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="records")
    counsellor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    form_version = models.CharField(max_length=20)
    data = models.JSONField()
    risk = models.CharField(max_length=10, choices=Risk.choices, default=Risk.LOW)
    serious = models.BooleanField(_("つなぎ支援へ"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        # One common record per contact, enforced by the database too (the console also checks it).
        constraints = [models.UniqueConstraint(fields=["contact"], name="helpline_one_record_per_contact")]
        verbose_name = _("相談記録")
        verbose_name_plural = _("相談記録")

    def __str__(self) -> str:
        return f"{self.contact} ({self.form_version})"


class CoordinationCase(models.Model):
    """A serious case in the coordinators' queue (つなぎ支援)."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("受付待ち")
        IN_PROGRESS = "in_progress", _("対応中")
        CLOSED = "closed", _("終了")

    record = models.OneToOneField(ConsultationRecord, on_delete=models.PROTECT, related_name="coordination")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.WAITING)
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["status", "created_at"]
        verbose_name = _("つなぎ支援の案件")
        verbose_name_plural = _("つなぎ支援の案件")

    def __str__(self) -> str:
        return f"{self.record} — {self.get_status_display()}"


# Callback requests, chats, the LINE channel's state and staff memberships live in their own modules
# (models of this app).
from tsunagari.helpline.callback_models import CallbackRequest  # noqa: E402, F401
from tsunagari.helpline.chat_models import (  # noqa: E402, F401
    ChatMessage,
    ChatSession,
    LineConversation,
    LineOutbox,
    LineWebhookEvent,
    StaffMembership,
)
