"""Writes of the priority plan. :func:`load_plan` is the only writer of measures and KPIs.

``load_plan(path)`` validates the plan file (``plan_data.read_plan``; nothing is written when it is
invalid) and, in one transaction, creates or updates every measure and KPI by code and the published
yearly values; it never deletes. A KPI's survey indicator must be one the survey knows (when the
survey lists its indicators). A published value whose year already has a value entered by staff
is not overwritten: the year is listed in the report's ``conflicts`` for staff to resolve. Measures
or KPIs in the database but no longer in the file are listed in ``not_in_file``. Idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from tsunagari.plan import plan_data, sources
from tsunagari.plan.models import Kpi, KpiValue, Measure


@dataclass
class LoadReport:
    version: int = 1
    measures: int = 0
    kpis: int = 0
    values: int = 0
    conflicts: list[str] = field(default_factory=list)
    not_in_file: list[str] = field(default_factory=list)


def _save(model, lookup: dict, values: dict):
    obj, _created = model.objects.update_or_create(**lookup, defaults=values)
    return obj


@transaction.atomic
def load_plan(path: Path | str = plan_data.DEFAULT_PATH) -> LoadReport:
    data = plan_data.read_plan(path)
    for i, k in enumerate(data.kpis):
        if k.indicator and sources.unknown_indicators([k.indicator]):
            raise plan_data.PlanDataError(f"kpis[{i}].indicator: the survey has no indicator {k.indicator!r}")
    report = LoadReport()
    policies = {p.code: p for p in data.policies}
    measures = {}
    for position, m in enumerate(data.measures):
        measures[m.code] = _save(
            Measure,
            {"code": m.code},
            {
                "policy_code": m.policy,
                "policy_title": policies[m.policy].title,
                "title": m.title,
                "ministry": m.ministry or "",
                "gaps": "\n".join(m.gaps),
                "source": str(m.source),
                "source_text": m.source.text,
                "position": position,
            },
        )
        report.measures += 1
    for position, k in enumerate(data.kpis):
        kpi = _save(
            Kpi,
            {"code": k.code},
            {
                "measure": measures[k.measure],
                "name": k.name,
                "unit": k.unit,
                "direction": k.direction,
                "indicator_code": k.indicator or "",
                "baseline_value": k.baseline.value,
                "baseline_year": k.baseline.year,
                "baseline_source": str(k.baseline.source),
                "target_value": k.target.value if k.target else None,
                "target_year": k.target.year if k.target else None,
                "target_source": str(k.target.source) if k.target else "",
                "gaps": "\n".join(k.gaps),
                "note": k.note,
                "position": position,
            },
        )
        report.kpis += 1
        entered = set(kpi.values.filter(origin=KpiValue.Origin.ENTERED).values_list("year", flat=True))
        for figure in k.values:
            if figure.year in entered:
                report.conflicts.append(f"{k.code} {figure.year}")
                continue
            _save(
                KpiValue,
                {"kpi": kpi, "year": figure.year},
                {"value": figure.value, "origin": KpiValue.Origin.PUBLISHED, "source": str(figure.source)},
            )
            report.values += 1
    report.not_in_file = sorted(
        [f"measure {c}" for c in Measure.objects.exclude(code__in=measures).values_list("code", flat=True)]
        + [
            f"kpi {c}"
            for c in Kpi.objects.exclude(code__in=[k.code for k in data.kpis]).values_list("code", flat=True)
        ]
    )
    return report
