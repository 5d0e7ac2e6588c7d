"""Navigator data kept on the server: procedure link templates and anonymous usage counts.

Nothing here identifies a person: conversations live in the page (see ``conversation``).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from tsunagari.navigator.procedure_links import TemplateError, validate_template


def _validate_url_template(value: str) -> None:
    try:
        validate_template(value)
    except TemplateError as exc:
        raise ValidationError(str(exc)) from None


class ProcedureLink(models.Model):
    """Where a result links for a municipality's procedures: one default (no service) and optional
    per-service templates that override it."""

    service = models.OneToOneField(
        "directory.Service",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="procedure_link",
        help_text=_("空欄: すべての相談先に使う既定のリンク"),
    )
    url_template = models.CharField(
        _("URLテンプレート"),
        max_length=500,
        validators=[_validate_url_template],
        help_text=_(
            "{municipality_code}（6桁）、{municipality_code5}（5桁）、{prefecture_code}（2桁）が使えます"
        ),
    )
    label = models.CharField(
        _("リンクの文言"),
        max_length=200,
        blank=True,
        help_text=_("空欄: 「市区町村の手続きを調べる」（各言語に翻訳）"),
    )
    source = models.CharField(_("出典"), max_length=500, blank=True)
    last_verified = models.DateField(_("最終確認日"), null=True, blank=True)

    class Meta:
        verbose_name = _("手続き情報へのリンク")
        verbose_name_plural = _("手続き情報へのリンク")
        constraints = [
            # One default: service NULL counts as the same value.
            models.UniqueConstraint(
                Coalesce("service", models.Value("")), name="navigator_one_procedure_link"
            )
        ]

    def __str__(self) -> str:
        return f"{self.service or _('既定')}: {self.url_template}"


class UsageCount(models.Model):
    """How many conversations reached something on a day: anonymous, aggregated counts only.

    ``dimension`` is one of ``DIMENSIONS``; ``value`` a step id, language code, topic code or "yes".
    """

    DIMENSIONS = ("step", "language", "topic", "crisis_shown")

    day = models.DateField()
    dimension = models.CharField(max_length=20)
    value = models.CharField(max_length=40)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("利用件数（匿名）")
        verbose_name_plural = _("利用件数（匿名）")
        constraints = [
            models.UniqueConstraint(fields=["day", "dimension", "value"], name="navigator_usage_unique")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.dimension}={self.value}: {self.count}"
