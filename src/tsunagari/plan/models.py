"""The priority plan in the database: policies' measures, their KPIs, yearly values and evaluations.

Measures and KPIs are defined by the versioned plan file (``data/priority_plan.yaml``) and written
only by ``services.load_plan``; staff enter yearly values and the evaluation text in the admin.
A yearly value is ``published`` (from the plan file, with its seed source) or ``entered`` (by staff,
with a note on where it comes from); one value per KPI and year.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tsunagari.plan.numbers import plain


class Measure(models.Model):
    code = models.CharField(_("コード"), max_length=40, unique=True)
    policy_code = models.CharField(_("基本方針"), max_length=40)
    policy_title = models.CharField(_("基本方針の名称"), max_length=200)
    title = models.CharField(_("施策"), max_length=200)
    ministry = models.CharField(_("所管府省庁"), max_length=100, blank=True)
    gaps = models.TextField(_("資料に記載のない事項"), blank=True, help_text=_("1行に1件"))
    source = models.CharField(_("出典"), max_length=200)
    source_text = models.TextField(_("出典の記載"))
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("施策")
        verbose_name_plural = _("施策")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def gap_list(self) -> list[str]:
        return [line for line in self.gaps.splitlines() if line.strip()]


class Kpi(models.Model):
    class Direction(models.TextChoices):
        UP = "up", _("高いほどよい")
        DOWN = "down", _("低いほどよい")

    code = models.CharField(_("コード"), max_length=40, unique=True)
    measure = models.ForeignKey(
        Measure, on_delete=models.PROTECT, related_name="kpis", verbose_name=_("施策")
    )
    name = models.CharField(_("指標"), max_length=200)
    unit = models.CharField(_("単位"), max_length=20)
    direction = models.CharField(_("方向"), max_length=4, choices=Direction.choices)
    indicator_code = models.CharField(_("調査の指標コード"), max_length=40, blank=True)
    baseline_value = models.DecimalField(_("基準値"), max_digits=14, decimal_places=3)
    baseline_year = models.PositiveSmallIntegerField(_("基準年"))
    baseline_source = models.CharField(_("基準値の出典"), max_length=200)
    target_value = models.DecimalField(_("目標値"), max_digits=14, decimal_places=3, null=True, blank=True)
    target_year = models.PositiveSmallIntegerField(_("達成期限（年）"), null=True, blank=True)
    target_source = models.CharField(_("目標値の出典"), max_length=200, blank=True)
    gaps = models.TextField(_("資料に記載のない事項"), blank=True, help_text=_("1行に1件"))
    note = models.TextField(_("注記"), blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("KPI")
        verbose_name_plural = _("KPI")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(target_value__isnull=True, target_year__isnull=True)
                | models.Q(target_value__isnull=False, target_year__isnull=False),
                name="plan_kpi_target_with_deadline",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def gap_list(self) -> list[str]:
        return [line for line in self.gaps.splitlines() if line.strip()]

    @property
    def baseline_text(self) -> str:
        return str(plain(self.baseline_value))

    @property
    def target_text(self) -> str:
        return "" if self.target_value is None else str(plain(self.target_value))


class KpiValue(models.Model):
    class Origin(models.TextChoices):
        PUBLISHED = "published", _("公表値")
        ENTERED = "entered", _("入力値")

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="values", verbose_name=_("KPI"))
    year = models.PositiveSmallIntegerField(
        _("年"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    value = models.DecimalField(_("実績値"), max_digits=14, decimal_places=3)
    origin = models.CharField(_("種別"), max_length=10, choices=Origin.choices, default=Origin.ENTERED)
    source = models.CharField(_("出典"), max_length=300, help_text=_("数値の出典（資料名・公表日など）"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kpi", "year"]
        verbose_name = _("KPIの実績値")
        verbose_name_plural = _("KPIの実績値")
        constraints = [models.UniqueConstraint(fields=["kpi", "year"], name="plan_value_once_per_year")]

    def __str__(self) -> str:
        return f"{self.kpi.code} {self.year}: {self.value}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.kpi_id is not None and self.year is not None and self.year <= self.kpi.baseline_year:
            raise ValidationError(
                {
                    "year": _("実績値の年は基準年（%(year)s年）より後にしてください。")
                    % {"year": self.kpi.baseline_year}
                }
            )


class Evaluation(models.Model):
    """The yearly evidence-based evaluation of a measure (推進法・重点計画: 毎年度の評価・検証)."""

    measure = models.ForeignKey(
        Measure, on_delete=models.PROTECT, related_name="evaluations", verbose_name=_("施策")
    )
    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    text = models.TextField(_("評価・検証"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["measure", "-year"]
        verbose_name = _("評価・検証")
        verbose_name_plural = _("評価・検証")
        constraints = [
            models.UniqueConstraint(fields=["measure", "year"], name="plan_evaluation_once_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.measure.code} {self.year}"
