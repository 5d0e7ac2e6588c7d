"""The 孤独・孤立対策強化月間 (every May, seed 001) campaign pages and tagged entry links.

A ``Campaign`` has a period and pages; a page holds items — messages, Q&A and expert tips, the
"contents that make it easier to raise one's voice" of seed 002 — all written in the admin.

An ``EntryTag`` is the code in a push-outreach link (``/network/c/<code>/``, e.g. in a carrier's
SMS). ``EntryVisitCount`` counts visits per tag per day (Tokyo date) and nothing else: there is no
row per visit and no field that could hold anything about a visitor. Visits with a code that is not
a tag are counted in the row whose ``tag`` is empty ("unknown").
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

CODE_PATTERN = r"^[a-z0-9][a-z0-9-]{0,39}$"
code_validator = RegexValidator(
    CODE_PATTERN, _("半角英小文字・数字・ハイフンで40文字まで（先頭は英数字）にしてください。")
)


class Campaign(models.Model):
    slug = models.SlugField(_("URL名"), max_length=60, unique=True, validators=[code_validator])
    title = models.CharField(_("名称"), max_length=200)
    lead = models.TextField(_("リード文"), blank=True)
    starts_on = models.DateField(_("開始日"))
    ends_on = models.DateField(_("終了日"))
    is_published = models.BooleanField(_("公開"), default=False)

    class Meta:
        ordering = ["-starts_on", "id"]
        verbose_name = _("キャンペーン（強化月間）")
        verbose_name_plural = _("キャンペーン（強化月間）")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="network_campaign_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title


class CampaignPage(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="pages")
    slug = models.SlugField(_("URL名"), max_length=60, validators=[code_validator])
    title = models.CharField(_("見出し"), max_length=200)
    intro = models.TextField(_("導入文"), blank=True)
    order = models.PositiveSmallIntegerField(_("表示順"), default=0)
    is_published = models.BooleanField(_("公開"), default=True)

    class Meta:
        ordering = ["campaign", "order", "id"]
        verbose_name = _("キャンペーンのページ")
        verbose_name_plural = _("キャンペーンのページ")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "slug"], name="network_campaign_page_slug")
        ]

    def __str__(self) -> str:
        return self.title


class CampaignItem(models.Model):
    class Kind(models.TextChoices):
        MESSAGE = "message", _("メッセージ")
        QA = "qa", _("Q&A")
        TIP = "tip", _("専門家からのヒント")

    page = models.ForeignKey(CampaignPage, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("種類"), max_length=10, choices=Kind.choices)
    heading = models.CharField(_("見出し・質問"), max_length=300)
    body = models.TextField(_("本文・回答"))
    attribution = models.CharField(
        _("執筆者"), max_length=200, blank=True, help_text=_("専門家のヒントでは氏名と所属を書きます。")
    )
    order = models.PositiveSmallIntegerField(_("表示順"), default=0)

    class Meta:
        ordering = ["page", "order", "id"]
        verbose_name = _("キャンペーンの記事")
        verbose_name_plural = _("キャンペーンの記事")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="tip") | ~Q(attribution=""), name="network_campaign_tip_has_attribution"
            )
        ]

    def __str__(self) -> str:
        return self.heading


class EntryTag(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="tags")
    code = models.CharField(_("タグ"), max_length=40, unique=True, validators=[code_validator])
    label = models.CharField(_("説明"), max_length=200, help_text=_("例: 携帯電話会社のSMS（5月1日配信）"))
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["campaign", "code"]
        verbose_name = _("入口リンクのタグ")
        verbose_name_plural = _("入口リンクのタグ")

    def __str__(self) -> str:
        return self.code


class EntryVisitCount(models.Model):
    """Visits through entry links on one day; ``tag`` empty: a code that was not a tag."""

    tag = models.ForeignKey(EntryTag, null=True, blank=True, on_delete=models.PROTECT, related_name="counts")
    day = models.DateField(_("日付"))
    visits = models.PositiveBigIntegerField(_("訪問数"), default=0)

    class Meta:
        ordering = ["day", "tag"]
        verbose_name = _("入口リンクの訪問数")
        verbose_name_plural = _("入口リンクの訪問数")
        constraints = [
            models.UniqueConstraint(fields=["tag", "day"], name="network_entry_visits_per_tag_day"),
            models.UniqueConstraint(
                fields=["day"], condition=Q(tag__isnull=True), name="network_entry_visits_unknown_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tag or '(unknown)'} {self.day}: {self.visits}"
