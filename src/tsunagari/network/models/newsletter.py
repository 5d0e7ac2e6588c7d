"""The mail magazine (メールマガジン): newsletters, subscribers, issues and one delivery record per
recipient and issue.

``Delivery`` is the send record: unique per (issue, subscriber), so an issue can never be queued
twice for the same person, and its ``status`` says how far sending got (see
``tsunagari.network.newsletter_sender`` for the transitions).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Newsletter(models.Model):
    platform = models.ForeignKey("network.Platform", on_delete=models.PROTECT, related_name="newsletters")
    name = models.CharField(_("名称"), max_length=200)
    from_email = models.EmailField(_("差出人アドレス"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("メールマガジン")
        verbose_name_plural = _("メールマガジン")

    def __str__(self) -> str:
        return self.name


class Subscriber(models.Model):
    """A recipient. Personal data: the address is used for sending and nothing else."""

    newsletter = models.ForeignKey(Newsletter, on_delete=models.CASCADE, related_name="subscribers")
    email = models.EmailField(_("メールアドレス"))
    name = models.CharField(_("氏名・団体名"), max_length=200, blank=True)
    membership = models.ForeignKey(
        "network.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subscribed_at = models.DateTimeField(_("登録日時"), auto_now_add=True)
    unsubscribed_at = models.DateTimeField(_("配信停止日時"), null=True, blank=True)

    class Meta:
        ordering = ["newsletter", "email"]
        verbose_name = _("購読者")
        verbose_name_plural = _("購読者")
        constraints = [
            models.UniqueConstraint(fields=["newsletter", "email"], name="network_subscriber_once")
        ]

    def __str__(self) -> str:
        return self.email


class Issue(models.Model):
    """One issue, written in the admin as plain text and queued for sending."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("下書き")
        QUEUED = "queued", _("配信中")
        DONE = "done", _("配信済み")

    newsletter = models.ForeignKey(Newsletter, on_delete=models.PROTECT, related_name="issues")
    subject = models.CharField(_("件名"), max_length=200)
    body = models.TextField(_("本文（テキスト）"))
    status = models.CharField(_("状態"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    send_after = models.DateTimeField(_("配信開始日時"), null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("配信号")
        verbose_name_plural = _("配信号")

    def __str__(self) -> str:
        return self.subject


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("未送信")
        SENDING = "sending", _("送信中")
        SENT = "sent", _("送信済み")
        FAILED = "failed", _("送信失敗")
        UNCERTAIN = "uncertain", _("結果不明")
        SKIPPED = "skipped", _("配信停止のため送らず")

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["issue", "id"]
        verbose_name = _("配信記録")
        verbose_name_plural = _("配信記録")
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "subscriber"], name="network_one_delivery_per_recipient"
            ),
        ]
        indexes = [
            models.Index(
                fields=["issue", "next_attempt_at", "id"],
                condition=Q(status="pending"),
                name="network_delivery_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.issue} → {self.subscriber}"
