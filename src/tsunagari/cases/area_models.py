"""Staff areas: the local governments a staff user works for (a municipal officer's 担当地域).

``cases.policy`` scopes regional councils by area with them: a council belongs to the local
governments that set it up, and an officer may set one up, and run it, only within their area. A
prefecture covers its municipalities, a designated city its wards. Holders of ``cases.all_areas``
(the national office, system administrators) are not limited.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StaffArea(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("職員")
    )
    local_government = models.ForeignKey(
        "core.LocalGovernment",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("担当する地方公共団体"),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "local_government"], name="cases_staffarea_unique")
        ]
        permissions = [("all_areas", _("すべての地域の協議会を扱える"))]
        verbose_name = _("担当地域")
        verbose_name_plural = _("担当地域")

    def __str__(self) -> str:
        return f"{self.user} — {self.local_government_id}"
