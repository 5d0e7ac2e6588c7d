"""Regional councils (孤独・孤立対策地域協議会, Act on the Promotion of Measures against Loneliness and
Isolation, articles 15–19 — seed 002): a council set up by one local government or jointly by
several, its member bodies (関係機関等) and member people with their role, and its meetings with
minutes. Minutes are narrative and therefore encrypted (UUID primary key, see
``core.encrypted_fields``). Writes go through ``cases.council_services``; reads of minutes through
``cases.council_selectors`` (audited)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tsunagari.core.encrypted_fields import EncryptedTextField


class Council(models.Model):
    """One council; ``local_governments`` has one entry (single) or several (joint, 共同設置)."""

    name = models.CharField(_("名称"), max_length=200, unique=True)
    local_governments = models.ManyToManyField(
        "core.LocalGovernment", related_name="+", verbose_name=_("設置する地方公共団体")
    )
    active = models.BooleanField(_("活動中"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("孤独・孤立対策地域協議会")
        verbose_name_plural = _("孤独・孤立対策地域協議会")

    def __str__(self) -> str:
        return self.name


class CouncilMemberBody(models.Model):
    """A body that belongs to a council (関係機関・団体); ``partner_body`` when it is also one of the
    line's partner bodies."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="member_bodies")
    name = models.CharField(_("名称"), max_length=200)
    partner_body = models.ForeignKey(
        "helpline.PartnerBody", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    joined_at = models.DateField(_("加入日"))
    left_at = models.DateField(_("脱退日"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["council", "name"], name="cases_councilbody_unique")]
        verbose_name = _("協議会の構成機関")
        verbose_name_plural = _("協議会の構成機関")

    def __str__(self) -> str:
        return self.name


class CouncilMember(models.Model):
    """A person (staff user) in a council, in one role. ``left_at`` ends the membership: from then
    on the person sees nothing shared with the council."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("会長")
        SECRETARIAT = "secretariat", _("事務局（調整機関）")
        MEMBER = "member", _("構成員")

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    member_body = models.ForeignKey(
        CouncilMemberBody, null=True, blank=True, on_delete=models.PROTECT, related_name="people"
    )
    role = models.CharField(_("役割"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(_("加入日時"))
    left_at = models.DateTimeField(_("退任日時"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["council", "user"],
                condition=models.Q(left_at__isnull=True),
                name="cases_councilmember_active_unique",
            )
        ]
        verbose_name = _("協議会の構成員")
        verbose_name_plural = _("協議会の構成員")

    def __str__(self) -> str:
        return f"{self.council} / {self.get_role_display()}"


class Meeting(models.Model):
    """A council meeting; ``minutes`` (議事録) may discuss individuals, so it is encrypted."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="meetings")
    held_at = models.DateTimeField(_("開催日時"))
    title = models.CharField(_("会議名"), max_length=200)
    minutes = EncryptedTextField(_("議事録"), blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-held_at"]
        verbose_name = _("協議会の会議")
        verbose_name_plural = _("協議会の会議")

    def __str__(self) -> str:
        return f"{self.title} {self.held_at:%Y-%m-%d}"
