"""Geometry of one KPI's line chart (pure; no Django): baseline, yearly values and target line.

:func:`kpi_chart` takes plain numbers and returns a dict the template ``plan/kpi_chart.html`` draws as
inline SVG: points (baseline first) joined by a line, the target as a dashed horizontal line, y-axis
ticks from 0 (or below, for negative values) to a round ceiling above every value, one label per year.
"""

from __future__ import annotations

import math
from decimal import Decimal

WIDTH, HEIGHT = 560, 220
LEFT, RIGHT, TOP, BASE = 56, 540, 24, 190


def _nice_ceiling(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _fmt(value: float) -> str:
    text = f"{value:,.3f}".rstrip("0").rstrip(".")
    return text or "0"


def kpi_chart(
    chart_id: str,
    title: str,
    desc: str,
    *,
    baseline: tuple[int, Decimal],
    values: list[tuple[int, Decimal]],
    target: tuple[int, Decimal] | None,
    unit: str,
) -> dict:
    """``values`` are (year, value) after the baseline year, in year order."""
    points = [baseline, *values]
    years = [y for y, _v in points] + ([target[0]] if target else [])
    first, last = min(years), max(years)
    numbers = [float(v) for _y, v in points] + ([float(target[1])] if target else [])
    top = _nice_ceiling(max(numbers) * 1.1 if max(numbers) > 0 else 1.0)
    bottom = min(0.0, -_nice_ceiling(-min(numbers) * 1.1)) if min(numbers) < 0 else 0.0
    span_years = max(1, last - first)

    def x(year: int) -> float:
        return (
            round(LEFT + (RIGHT - LEFT) * (year - first) / span_years, 1)
            if last > first
            else (LEFT + RIGHT) / 2
        )

    def y(value: float) -> float:
        return round(BASE - (BASE - TOP) * (value - bottom) / (top - bottom), 1)

    marks = [
        {
            "x": x(year),
            "y": y(float(value)),
            "css": "baseline" if i == 0 else "value",
            "tip": f"{year}年: {_fmt(float(value))}{unit}" + ("（基準値）" if i == 0 else ""),
        }
        for i, (year, value) in enumerate(points)
    ]
    ticks = [
        {
            "y": y(bottom + (top - bottom) * i / 4),
            "x": LEFT - 6,
            "text": _fmt(bottom + (top - bottom) * i / 4),
        }
        for i in range(5)
    ]
    label_years = sorted(set(years))
    return {
        "id": chart_id,
        "title": title,
        "desc": desc,
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": RIGHT,
        "base": BASE,
        "ticks": ticks,
        "marks": marks,
        "path": " ".join(f"{m['x']},{m['y']}" for m in marks),
        "target": None
        if target is None
        else {
            "y": y(float(target[1])),
            "x": x(target[0]),
            "text": f"目標 {_fmt(float(target[1]))}{unit}（{target[0]}年）",
        },
        "labels": [{"x": x(year), "y": BASE + 18, "text": str(year)} for year in label_years],
        "unit": unit,
    }
