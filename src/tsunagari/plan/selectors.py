"""Read queries of the priority plan: the dashboard's measures with their KPIs' series and status.

A KPI's yearly series is its values in the database (published or entered) and, for the years from
the year after the baseline to ``this_year`` that have none, the survey indicator's value when the
KPI names one and the survey has it (``sources.survey_value``; absent source = no value). Its status
comes from ``kpi_status`` with the newest value of the series.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch

from tsunagari.plan import kpi_status, sources
from tsunagari.plan.models import Evaluation, Kpi, KpiValue, Measure
from tsunagari.plan.numbers import plain

SURVEY = "survey"
ORIGIN_LABELS = {**dict(KpiValue.Origin.choices), SURVEY: "調査の指標"}


@dataclass(frozen=True)
class Point:
    year: int
    value: Decimal
    origin: str
    source: str

    @property
    def value_text(self) -> str:
        return str(plain(self.value))

    @property
    def origin_label(self) -> str:
        return str(ORIGIN_LABELS[self.origin])


@dataclass(frozen=True)
class KpiRow:
    kpi: Kpi
    points: tuple[Point, ...]  # after the baseline year, in year order
    status: kpi_status.KpiStatus

    @property
    def latest(self) -> Point | None:
        return self.points[-1] if self.points else None


@dataclass(frozen=True)
class MeasureRow:
    measure: Measure
    kpis: tuple[KpiRow, ...]
    evaluations: tuple[Evaluation, ...]


def kpi_points(kpi: Kpi, this_year: int) -> tuple[Point, ...]:
    stored = {v.year: Point(v.year, v.value, v.origin, v.source) for v in kpi.values.all()}
    if kpi.indicator_code:
        for year in range(kpi.baseline_year + 1, this_year + 1):
            if year not in stored and (found := sources.survey_value(kpi.indicator_code, year)) is not None:
                stored[year] = Point(year, found.value, SURVEY, found.source)
    return tuple(stored[y] for y in sorted(stored) if y > kpi.baseline_year)


def kpi_row(kpi: Kpi, this_year: int) -> KpiRow:
    points = kpi_points(kpi, this_year)
    status = kpi_status.kpi_status(
        direction=kpi.direction,
        baseline_value=kpi.baseline_value,
        baseline_year=kpi.baseline_year,
        target_value=kpi.target_value,
        deadline_year=kpi.target_year,
        latest=(points[-1].year, points[-1].value) if points else None,
    )
    return KpiRow(kpi, points, status)


def dashboard(this_year: int) -> list[MeasureRow]:
    """Every measure in plan order with its KPIs (series and status) and evaluations (newest first)."""
    measures = Measure.objects.prefetch_related(
        Prefetch("kpis", queryset=Kpi.objects.prefetch_related("values")),
        Prefetch("evaluations", queryset=Evaluation.objects.order_by("-year")),
    )
    return [
        MeasureRow(m, tuple(kpi_row(k, this_year) for k in m.kpis.all()), tuple(m.evaluations.all()))
        for m in measures
    ]
