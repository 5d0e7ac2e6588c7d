"""Sharing a case with a regional council: the person's consent and the shares themselves.

A ``CaseShare`` names the council, the sections explicitly chosen (``CaseShareSection``) and its
legal basis: a ``Consent`` the person gave for that council and purpose, or an override by a role
holding ``cases.override_consent`` with a written reason (encrypted: it describes the person's
situation). A share is in force while ``ended_at`` is empty; withdrawing the consent or revoking the
share sets it, and members lose access at once (``cases.policy`` checks it on every read). Writes go
through ``cases.sharing_services`` (audited)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tsunagari.core.encrypted_fields import EncryptedTextField


class Consent(models.Model):
    """The person's consent to share their case with one council for one purpose."""

    class GivenBy(models.TextChoices):
        PERSON = "person", _("本人")
        REPRESENTATIVE = "representative", _("法定代理人等")

    class RecordedHow(models.TextChoices):
        WRITTEN = "written", _("書面（署名）")
        VERBAL = "verbal", _("口頭（記録者が記録）")
        ELECTRONIC = "electronic", _("電子的な同意")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="consents")
    council = models.ForeignKey("cases.Council", on_delete=models.PROTECT, related_name="+")
    purpose = EncryptedTextField(_("共有の目的"))
    given_by = models.CharField(_("同意した人"), max_length=20, choices=GivenBy.choices)
    given_at = models.DateTimeField(_("同意の日時"))
    recorded_how = models.CharField(_("記録の方法"), max_length=20, choices=RecordedHow.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("撤回の日時"), null=True, blank=True)
    withdrawn_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-given_at"]
        verbose_name = _("情報共有への同意")
        verbose_name_plural = _("情報共有への同意")

    def __str__(self) -> str:
        return f"{_('同意')} {self.given_at:%Y-%m-%d}"

    @property
    def in_force(self) -> bool:
        return self.withdrawn_at is None


class CaseShare(models.Model):
    class Basis(models.TextChoices):
        CONSENT = "consent", _("本人の同意")
        OVERRIDE = "override", _("同意によらない共有（権限者の判断）")

    class EndReason(models.TextChoices):
        REVOKED = "revoked", _("共有の取り消し")
        CONSENT_WITHDRAWN = "consent_withdrawn", _("同意の撤回")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="shares")
    council = models.ForeignKey("cases.Council", on_delete=models.PROTECT, related_name="shares")
    basis = models.CharField(_("共有の根拠"), max_length=10, choices=Basis.choices)
    consent = models.ForeignKey(
        Consent, null=True, blank=True, on_delete=models.CASCADE, related_name="shares"
    )
    override_reason = EncryptedTextField(_("同意によらない理由"), blank=True, default="")
    sections = models.ManyToManyField(
        "cases.Section", through="CaseShareSection", related_name="shares", verbose_name=_("共有する記録")
    )
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    shared_at = models.DateTimeField(_("共有の日時"))
    ended_at = models.DateTimeField(_("終了の日時"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    end_reason = models.CharField(
        _("終了の理由"), max_length=20, choices=EndReason.choices, blank=True, default=""
    )

    class Meta:
        ordering = ["-shared_at"]
        indexes = [models.Index(fields=["council", "ended_at"], name="cases_caseshare_council_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(basis="override") | models.Q(consent__isnull=False),
                name="cases_caseshare_consent_basis",
            )
        ]
        permissions = [
            ("override_consent", _("本人の同意によらずに協議会へ共有する")),
            ("view_shared_sections", _("所属する協議会に共有された記録を見る")),
        ]
        verbose_name = _("協議会への共有")
        verbose_name_plural = _("協議会への共有")

    def __str__(self) -> str:
        return f"{self.council} ← {str(self.case_id)[:8]}"

    @property
    def in_force(self) -> bool:
        return self.ended_at is None


class CaseShareSection(models.Model):
    share = models.ForeignKey(CaseShare, on_delete=models.CASCADE, related_name="+")
    section = models.ForeignKey("cases.Section", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["share", "section"], name="cases_casesharesection_unique")
        ]

    def __str__(self) -> str:
        return f"{self.share_id} / {self.section_id}"
