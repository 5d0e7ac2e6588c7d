"""The dashboard's figures as table rows (CSV) and as an Excel workbook (openpyxl).

One row per figure: each KPI's baseline, every yearly value and its target (or a row saying there is
none), with the measure, unit, status and source. Text a spreadsheet would run as a formula is
prefixed with ``'``. A second sheet holds the evaluation texts.
"""

from __future__ import annotations

import io
from decimal import Decimal

from tsunagari.plan.numbers import plain
from tsunagari.plan.selectors import MeasureRow

STATUS_LABELS = {
    "achieved": "達成",
    "on_track": "順調",
    "behind": "遅れ",
    "no_data": "判定不可（データなし）",
}
HEADER = [
    "施策コード",
    "施策",
    "所管府省庁",
    "KPIコード",
    "指標",
    "単位",
    "方向",
    "区分",
    "年",
    "値",
    "出典",
    "状況",
]


def safe_text(value):
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def rows(measures: list[MeasureRow]) -> tuple[list[str], list[list]]:
    out = []
    for m in measures:
        measure = m.measure
        for row in m.kpis:
            kpi = row.kpi
            lead = [
                measure.code,
                measure.title,
                measure.ministry or "（資料に記載なし）",
                kpi.code,
                kpi.name,
                kpi.unit,
                kpi.get_direction_display(),
            ]
            status = row.status.label
            out.append(
                [*lead, "基準値", kpi.baseline_year, plain(kpi.baseline_value), kpi.baseline_source, status]
            )
            for point in row.points:
                out.append([*lead, point.origin_label, point.year, plain(point.value), point.source, status])
            if kpi.target_value is None:
                out.append([*lead, "目標値", "", "", "資料に記載なし", status])
            else:
                out.append(
                    [*lead, "目標値", kpi.target_year, plain(kpi.target_value), kpi.target_source, status]
                )
    return HEADER, [[safe_text(v) for v in r] for r in out]


def workbook(measures: list[MeasureRow]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "KPI"
    header, body = rows(measures)
    sheet.append(header)
    for r in body:
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in r])
    sheet.freeze_panes = "A2"
    evaluations = book.create_sheet("評価・検証")
    evaluations.append(["施策コード", "施策", "年度", "評価・検証"])
    for m in measures:
        for e in m.evaluations:
            evaluations.append([m.measure.code, safe_text(m.measure.title), e.year, safe_text(e.text)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
