"""Referrals, transfers and assignments (one model) and their status changes (the transitions
table). Statuses and allowed moves are ``cases.referral_states``; writes go through
``cases.referrals``."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tsunagari.cases.referral_states import Status
from tsunagari.core.encrypted_fields import EncryptedTextField

STATUS_CHOICES = [
    (Status.REQUESTED.value, _("依頼")),
    (Status.RECEIVED.value, _("受領")),
    (Status.ACCEPTED.value, _("受諾")),
    (Status.REJECTED.value, _("辞退")),
    (Status.IN_PROGRESS.value, _("対応中")),
    (Status.COMPLETED.value, _("完了")),
    (Status.CANCELLED.value, _("取消")),
    (Status.FAILED.value, _("不成立")),
]


class Referral(models.Model):
    class Kind(models.TextChoices):
        REFERRAL = "referral", _("つなぎ（紹介）")
        TRANSFER = "transfer", _("移管")
        ASSIGNMENT = "assignment", _("担当の割り当て")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="referrals")
    kind = models.CharField(_("種類"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("状態"), max_length=20, choices=STATUS_CHOICES, default=Status.REQUESTED.value
    )
    from_body = models.ForeignKey(
        "helpline.PartnerBody", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_body = models.ForeignKey(
        "helpline.PartnerBody", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(_("依頼日時"), db_index=True)
    first_response_at = models.DateTimeField(_("最初の応答"), null=True, blank=True)
    overdue_notified_at = models.DateTimeField(null=True, blank=True)
    reason = EncryptedTextField(_("依頼の理由"), blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["status", "requested_at"], name="cases_referral_status_idx")]
        verbose_name = _("つなぎ・移管")
        verbose_name_plural = _("つなぎ・移管")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.get_status_display()}"


class ReferralEvent(models.Model):
    """One status change, as the sender sees it (closed loop): ``seen_at`` is when the sender
    opened it; ``note`` carries the reason of a rejection or failure, or the closing feedback."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, choices=STATUS_CHOICES, blank=True)
    to_status = models.CharField(max_length=20, choices=STATUS_CHOICES)
    party = models.CharField(max_length=10)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()
    note = EncryptedTextField(_("理由・報告"), blank=True, default="")
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["at"]
        verbose_name = _("つなぎの状態変更")
        verbose_name_plural = _("つなぎの状態変更")

    def __str__(self) -> str:
        return f"{self.from_status or '-'} → {self.to_status}"
