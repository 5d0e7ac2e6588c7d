"""Reference data shared by every app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LocalGovernment(models.Model):
    """A prefecture or municipality, identified by its 全国地方公共団体コード (6 digits with check digit)."""

    class Kind(models.TextChoices):
        PREFECTURE = "prefecture", _("都道府県")
        CITY = "city", _("市")
        DESIGNATED_CITY = "designated_city", _("政令指定都市")
        WARD = "ward", _("行政区")
        SPECIAL_WARD = "special_ward", _("特別区")
        TOWN = "town", _("町")
        VILLAGE = "village", _("村")

    code = models.CharField(max_length=6, primary_key=True)
    prefecture_code = models.CharField(max_length=2, db_index=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField(max_length=50)
    name_kana = models.CharField(max_length=100, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("地方公共団体")
        verbose_name_plural = _("地方公共団体")

    def __str__(self) -> str:
        if self.kind == self.Kind.PREFECTURE or self.parent is None:
            return self.name
        return f"{self.parent.name}{self.name}" if self.kind == self.Kind.WARD else self.name

    @property
    def prefecture_lgcode(self) -> str:
        from tsunagari.core.lgcode import prefecture_lgcode

        return prefecture_lgcode(self.prefecture_code)
