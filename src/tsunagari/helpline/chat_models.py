"""Counsellor chats (web and LINE), the LINE channel's server-side state, and staff memberships.

Loaded by ``helpline.models`` (imported at its end), so these are ordinary models of the app.

- ``StaffMembership``: a staff user works for a partner body (need-to-know: a counsellor sees the
  contacts of their own bodies only; see :mod:`.access`). The ``view_all_bodies`` permission
  (supervisors) lifts that limit.
- ``ChatSession``: a chat with a counsellor, one per ``Contact`` (channel ``web`` or ``line``). Its
  lifecycle is written as the usual append-only ``ContactEvent`` rows (offered, menu_choice, queued,
  answered, abandoned, completed); the session row holds what the chat needs to run: status, the
  field it is queued under, the crisis flag, the body and counsellor who took it, and how to reach
  the visitor while it is open.
- ``ChatMessage``: the transcript. Consultation content: deleted ``TSUNAGARI_CHAT_TRANSCRIPT_DAYS``
  after the chat closed (``tsunagari helpline chat-purge``); the contact, its events and the
  consultation record stay.
- ``LineConversation``: the navigator state of one LINE user, keyed by a pseudonym (HMAC of the
  LINE userId under SECRET_KEY); it expires after ``line_state.MAX_AGE`` (2 h) without activity,
  like the web navigator's signed state.
- ``LineWebhookEvent``: the ``webhookEventId`` of every accepted LINE event, until it expires, so a
  redelivered or replayed event is a no-op.
- ``LineOutbox``: messages to send through LINE's Reply or Push API (see :mod:`.line_sender`).

Privacy: the raw LINE userId is never a key and never logged. It is held only where a push needs
it: on an open LINE chat (cleared when the chat closes) and on a pending push message (cleared once
sent or given up). Web visitors are known by the SHA-256 of a random cookie token only.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# Related models by name: ``helpline.models`` imports this module at its end, so no import back.
CONTACT, FIELD, PARTNER_BODY = "helpline.Contact", "helpline.Field", "helpline.PartnerBody"


class StaffMembership(models.Model):
    """A staff user works for a partner body (a user may work for several)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="helpline_memberships"
    )
    body = models.ForeignKey(PARTNER_BODY, on_delete=models.CASCADE, related_name="memberships")

    class Meta:
        ordering = ["body", "user"]
        constraints = [models.UniqueConstraint(fields=["user", "body"], name="helpline_membership_unique")]
        permissions = [("view_all_bodies", _("すべての連携団体の相談を見る"))]
        verbose_name = _("所属（連携団体）")
        verbose_name_plural = _("所属（連携団体）")

    def __str__(self) -> str:
        return f"{self.user} @ {self.body}"


class ChatSession(models.Model):
    """A chat with a counsellor (web chat or a LINE conversation handed over)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("待ち")
        ACTIVE = "active", _("対応中")
        CLOSED = "closed", _("終了")

    contact = models.OneToOneField(CONTACT, on_delete=models.PROTECT, primary_key=True, related_name="chat")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    field = models.ForeignKey(FIELD, on_delete=models.PROTECT, related_name="+")
    crisis = models.BooleanField(_("いのちの危機のサイン"), default=False)
    body = models.ForeignKey(PARTNER_BODY, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # web: SHA-256 of the visitor's cookie token; line: the pseudonym of the LINE user.
    visitor_key = models.CharField(max_length=64, db_index=True)
    line_user_id = models.CharField(max_length=64, blank=True)  # LINE only, only while open (push)
    crisis_lines_sent = models.BooleanField(default=False)
    queued_at = models.DateTimeField(db_index=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    visitor_seen_at = models.DateTimeField()
    transcript_purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["queued_at"]
        indexes = [models.Index(fields=["status", "queued_at"])]
        verbose_name = _("チャット")
        verbose_name_plural = _("チャット")

    def __str__(self) -> str:
        return f"{self.contact} — {self.get_status_display()}"

    @property
    def channel(self) -> str:
        return self.contact.channel


class ChatMessage(models.Model):
    """One message of a chat transcript (consultation content; see the retention rule above)."""

    class Author(models.TextChoices):
        VISITOR = "visitor", _("相談者")
        COUNSELLOR = "counsellor", _("相談員")
        SYSTEM = "system", _("お知らせ")

    session = models.ForeignKey(ChatSession, on_delete=models.CASCADE, related_name="messages")
    author = models.CharField(max_length=10, choices=Author.choices)
    counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("チャットのメッセージ")
        verbose_name_plural = _("チャットのメッセージ")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_author_display()}"


class LineConversation(models.Model):
    """The navigator state of one LINE user (answers, topics found, crisis flag — never their words)."""

    key = models.CharField(max_length=64, primary_key=True)  # pseudonym of the LINE userId
    state = models.JSONField(default=dict)
    updated_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("LINEの案内の状態")
        verbose_name_plural = _("LINEの案内の状態")

    def __str__(self) -> str:
        return f"{self.key[:8]}… {self.updated_at:%Y-%m-%d %H:%M}"


class LineWebhookEvent(models.Model):
    """An accepted LINE webhook event id (``webhookEventId``), kept until ``expires_at``."""

    event_id = models.CharField(max_length=100, unique=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("受け付けたLINEのイベント")
        verbose_name_plural = _("受け付けたLINEのイベント")

    def __str__(self) -> str:
        return self.event_id


class LineOutbox(models.Model):
    """A message to send through LINE's Reply API (``reply_token``) or Push API (``recipient``).

    ``messages`` are LINE message objects. Once sent or given up, the token, the recipient and the
    messages are cleared; the row stays (status, attempts, last HTTP status) until purged."""

    class Kind(models.TextChoices):
        REPLY = "reply", _("応答")
        PUSH = "push", _("プッシュ")

    class Status(models.TextChoices):
        PENDING = "pending", _("送信待ち")
        SENT = "sent", _("送信済み")
        FAILED = "failed", _("送信失敗")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    reply_token = models.CharField(max_length=255, blank=True)
    recipient = models.CharField(max_length=64, blank=True)
    messages = models.JSONField(default=list)
    retry_key = models.UUIDField(default=uuid.uuid4, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)
    next_attempt_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        verbose_name = _("LINEの送信待ち")
        verbose_name_plural = _("LINEの送信待ち")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M:%S} {self.get_status_display()}"
