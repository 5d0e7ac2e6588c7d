"""Who may manage which platform and edit which member body (object-level grants).

The role groups (``tsunagari.network.roles``) give model permissions; these rows say *which*
objects a local platform officer or a member body editor holds them for. ``tsunagari.network.policy``
combines both: an officer needs the role and a ``PlatformOfficer`` row of the platform, an editor the
role and a ``BodyEditor`` row of the body, so taking a user out of the role group ends their access
without deleting the assignments. The secretariat (``manage_all_platforms``) needs no rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PlatformOfficer(models.Model):
    """A user who runs a (local) platform: its memberships, events and newsletters."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="network_platform_roles",
        verbose_name=_("利用者"),
    )
    platform = models.ForeignKey(
        "network.Platform",
        on_delete=models.CASCADE,
        related_name="officers",
        verbose_name=_("プラットフォーム"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["platform", "user"]
        verbose_name = _("プラットフォームの担当者")
        verbose_name_plural = _("プラットフォームの担当者")
        constraints = [
            models.UniqueConstraint(fields=["user", "platform"], name="network_platform_officer_once"),
        ]
        permissions = [
            ("manage_all_platforms", _("すべてのプラットフォームを管理できる（全国事務局）")),
            ("act_as_platform_officer", _("担当するプラットフォームを管理できる（地方版の担当者）")),
        ]

    def __str__(self) -> str:
        return f"{self.user} / {self.platform}"


class BodyEditor(models.Model):
    """A user who edits one member body's public profile and contact people."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="network_body_roles",
        verbose_name=_("利用者"),
    )
    body = models.ForeignKey(
        "network.MemberBody", on_delete=models.CASCADE, related_name="editors", verbose_name=_("会員団体")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["body", "user"]
        verbose_name = _("会員団体の編集者")
        verbose_name_plural = _("会員団体の編集者")
        constraints = [models.UniqueConstraint(fields=["user", "body"], name="network_body_editor_once")]
        permissions = [("edit_own_body", _("担当する会員団体の紹介を編集できる（会員団体の編集者）"))]

    def __str__(self) -> str:
        return f"{self.user} / {self.body}"
