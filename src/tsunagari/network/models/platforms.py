"""Platforms, their member bodies, memberships, contact people and committees.

A body exists once (``MemberBody``) and may belong to several platforms (``Membership``, one row per
period of membership, with its class and whether the body agreed to be listed publicly). Board and
subcommittee seats hang on a membership, so a body that leaves loses nothing of its history.
Write through ``tsunagari.network.services``; the rules (board from 会員 only, one open membership
per platform, topic codes) are enforced there and, where a database can, by constraints here.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tsunagari.core.vocabulary import TOPICS
from tsunagari.network.classes import COOPERATING, MEMBER, SUPPORTING

#: Literal labels so ``makemessages`` finds them; a test checks they match ``classes.MEMBER_CLASSES``.
MEMBER_CLASS_CHOICES = [(MEMBER, _("会員")), (COOPERATING, _("協力会員")), (SUPPORTING, _("賛助会員"))]


class Platform(models.Model):
    """A public–private platform: the national one, or a local one run by one or several (joint)
    local governments."""

    class Scope(models.TextChoices):
        NATIONAL = "national", _("全国")
        LOCAL = "local", _("地方版")

    name = models.CharField(_("名称"), max_length=200)
    scope = models.CharField(_("範囲"), max_length=10, choices=Scope.choices)
    local_governments = models.ManyToManyField(
        "core.LocalGovernment", blank=True, related_name="platforms", verbose_name=_("設置自治体")
    )
    established_on = models.DateField(_("設立日"), null=True, blank=True)
    secretariat = models.CharField(_("事務局"), max_length=200, blank=True)
    description = models.TextField(_("説明"), blank=True)
    website = models.URLField(_("ウェブサイト"), max_length=500, blank=True)

    class Meta:
        ordering = ["scope", "name"]
        verbose_name = _("プラットフォーム")
        verbose_name_plural = _("プラットフォーム")

    def __str__(self) -> str:
        return self.name


class MemberBody(models.Model):
    """An organisation that is (or was) a member of one or more platforms.

    ``corporate_number`` is the 13-digit 法人番号 when the body has one; it identifies the body
    across imports. ``name_key`` and ``address_key`` are the NFKC-normalised forms used to find
    duplicates (see ``tsunagari.network.dedupe``), kept by the write services."""

    name = models.CharField(_("名称"), max_length=300)
    name_kana = models.CharField(_("名称（かな）"), max_length=300, blank=True)
    corporate_number = models.CharField(_("法人番号"), max_length=13, blank=True, db_index=True)
    address = models.CharField(_("所在地"), max_length=300, blank=True)
    website = models.URLField(_("ウェブサイト"), max_length=500, blank=True)
    description = models.TextField(_("活動内容"), blank=True)
    nationwide = models.BooleanField(_("全国で活動"), default=False)
    areas = models.ManyToManyField(
        "core.LocalGovernment", blank=True, related_name="+", verbose_name=_("活動地域")
    )
    local_government = models.OneToOneField(
        "core.LocalGovernment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="member_body",
        help_text=_("この団体が地方公共団体そのものである場合"),
    )
    organization = models.ForeignKey(
        "directory.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member_bodies",
        verbose_name=_("支援窓口さがしの団体"),
    )
    name_key = models.CharField(max_length=300, editable=False, db_index=True)
    address_key = models.CharField(max_length=300, editable=False, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name_key", "id"]
        verbose_name = _("会員団体")
        verbose_name_plural = _("会員団体")
        constraints = [
            models.UniqueConstraint(
                fields=["corporate_number"],
                condition=~Q(corporate_number=""),
                name="network_body_unique_corporate_number",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MemberBodyTopic(models.Model):
    """A topic (``tsunagari.core.vocabulary.TOPICS`` code) a body works on."""

    body = models.ForeignKey(MemberBody, on_delete=models.CASCADE, related_name="topics")
    code = models.CharField(_("分野"), max_length=40, choices=[(c, _(label)) for c, label in TOPICS.items()])

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["body", "code"], name="network_body_topic_once")]

    def __str__(self) -> str:
        return self.code


class ContactPerson(models.Model):
    """Someone the secretariat contacts at a body. Personal data: never shown on public pages."""

    body = models.ForeignKey(MemberBody, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("氏名"), max_length=100)
    department = models.CharField(_("部署・役職"), max_length=200, blank=True)
    email = models.EmailField(_("メールアドレス"), blank=True)
    phone = models.CharField(_("電話番号"), max_length=30, blank=True)
    is_primary = models.BooleanField(_("主担当"), default=False)

    class Meta:
        ordering = ["-is_primary", "id"]
        verbose_name = _("担当者")
        verbose_name_plural = _("担当者")

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """One period of a body's membership of a platform, in one class.

    Open while ``left_on`` is empty; a body has at most one open membership per platform. A change
    of class closes the period and opens a new one, so counts by class on any date stay right."""

    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="memberships")
    body = models.ForeignKey(MemberBody, on_delete=models.PROTECT, related_name="memberships")
    member_class = models.CharField(_("会員種別"), max_length=20, choices=MEMBER_CLASS_CHOICES)
    joined_on = models.DateField(_("入会日"))
    left_on = models.DateField(_("退会日"), null=True, blank=True)
    listed_publicly = models.BooleanField(
        _("会員一覧への掲載に同意"),
        default=False,
        help_text=_("同意した団体だけが公開の会員一覧に載ります。"),
    )

    class Meta:
        ordering = ["platform", "body__name_key", "joined_on"]
        verbose_name = _("会員資格")
        verbose_name_plural = _("会員資格")
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "body"],
                condition=Q(left_on__isnull=True),
                name="network_one_open_membership",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                name="network_membership_left_after_joined",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.body} / {self.platform} ({self.member_class})"

    @property
    def is_open(self) -> bool:
        return self.left_on is None


class Committee(models.Model):
    """The board (幹事会) or a subcommittee (分科会) of a platform, with its theme and goals."""

    class Kind(models.TextChoices):
        BOARD = "board", _("幹事会")
        SUBCOMMITTEE = "subcommittee", _("分科会")

    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="committees")
    kind = models.CharField(_("種類"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=300)
    theme = models.TextField(_("テーマ"), blank=True)
    goals = models.TextField(_("目標"), blank=True)
    fiscal_year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)

    class Meta:
        ordering = ["platform", "kind", "fiscal_year", "name"]
        verbose_name = _("幹事会・分科会")
        verbose_name_plural = _("幹事会・分科会")

    def __str__(self) -> str:
        return self.name


class CommitteeSeat(models.Model):
    """A member body's seat on a committee for a period (``ended_on`` empty: current)."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("座長・代表")
        MEMBER = "member", _("構成員")

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="seats")
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="seats")
    role = models.CharField(_("役割"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    started_on = models.DateField(_("開始日"))
    ended_on = models.DateField(_("終了日"), null=True, blank=True)

    class Meta:
        ordering = ["committee", "role", "started_on"]
        verbose_name = _("幹事会・分科会の構成")
        verbose_name_plural = _("幹事会・分科会の構成")
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "membership"],
                condition=Q(ended_on__isnull=True),
                name="network_one_open_seat",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.membership.body} @ {self.committee}"
