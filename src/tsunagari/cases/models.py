"""Case records: a case groups a person's contacts and sections on a timeline; referrals.

Personal identifiers and narrative text are ``Encrypted*Field`` (see ``core.encrypted_fields``):
their models use UUID primary keys so a value can be bound to its row before the first save.
Every write goes through ``cases.services`` and every read of personal data through
``cases.selectors`` (both audited); the models carry no behaviour beyond their data.
Editable records have a ``version`` column for optimistic locking.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tsunagari.core.encrypted_fields import EncryptedJSONField, EncryptedTextField


class Case(models.Model):
    """One person's support record at one body."""

    class Status(models.TextChoices):
        OPEN = "open", _("対応中")
        CLOSED = "closed", _("終了")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    body = models.ForeignKey(
        "helpline.PartnerBody",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("担当団体"),
    )
    status = models.CharField(_("状態"), max_length=10, choices=Status.choices, default=Status.OPEN)
    is_serious = models.BooleanField(_("重篤"), default=False)
    person_name = EncryptedTextField(_("氏名"), blank=True, default="")
    person_contact = EncryptedTextField(_("連絡先"), blank=True, default="")
    summary = EncryptedTextField(_("概要"), blank=True, default="")
    opened_at = models.DateTimeField(_("開始日時"))
    closed_at = models.DateTimeField(_("終了日時"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-opened_at"]
        indexes = [models.Index(fields=["status", "closed_at"], name="cases_case_status_idx")]
        verbose_name = _("ケース")
        verbose_name_plural = _("ケース")

    def __str__(self) -> str:
        return f"{_('ケース')} {str(self.pk)[:8]}"


class CaseContact(models.Model):
    """A helpline contact (call or chat) that belongs to a case's timeline."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contacts")
    contact = models.ForeignKey("helpline.Contact", on_delete=models.PROTECT, related_name="+")
    linked_at = models.DateTimeField(auto_now_add=True)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "contact"], name="cases_casecontact_unique")]
        verbose_name = _("ケースの相談")
        verbose_name_plural = _("ケースの相談")

    def __str__(self) -> str:
        return f"{self.case} ← {self.contact_id}"


class Section(models.Model):
    """One entry of a case's timeline. ``data`` follows the record form ``form_version``
    (``cases.record_forms``); ``body`` is free narrative."""

    class Kind(models.TextChoices):
        NOTE = "note", _("記録")
        ASSESSMENT = "assessment", _("アセスメント")
        REFERRAL = "referral", _("つなぎ")
        DOCUMENT = "document", _("書類")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sections")
    kind = models.CharField(_("種類"), max_length=20, choices=Kind.choices)
    occurred_at = models.DateTimeField(_("日時"))
    form_version = models.CharField(_("様式の版"), max_length=10, blank=True)
    data = EncryptedJSONField(_("記録票"), null=True, blank=True)
    body = EncryptedTextField(_("本文"), blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["occurred_at", "created_at"]
        indexes = [models.Index(fields=["case", "occurred_at"], name="cases_section_timeline_idx")]
        verbose_name = _("ケースの記録")
        verbose_name_plural = _("ケースの記録")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d}"


# The audit log and referrals live in their own modules (models of this app).
from tsunagari.cases.area_models import StaffArea  # noqa: E402, F401
from tsunagari.cases.audit_models import AuditEntry, AuditHead  # noqa: E402, F401
from tsunagari.cases.council_models import Council, CouncilMember, CouncilMemberBody, Meeting  # noqa: E402, F401
from tsunagari.cases.referral_models import Referral, ReferralEvent  # noqa: E402, F401
from tsunagari.cases.sharing_models import CaseShare, CaseShareSection, Consent  # noqa: E402, F401
