"""Chart geometry for the report's tables: inline SVG drawn by templates, no script (pure).

:func:`chart_for` returns a plain dict that ``survey/report_chart.html`` draws: for a table whose
categories add up to 100 % (``stacked``), one horizontal bar per row (year or group) split into the
categories, like the national report's 図１・図２ (stacked horizontal bars per year); for a by‑group
table, one bar per category and year on a common scale. Colours are SVG presentation attributes
(``fill``), so the same markup renders in the browser under a strict CSP and in WeasyPrint's PDF.
Every chart has a ``<title>`` and ``<desc>``; the template puts the same figures in a table.
"""

from __future__ import annotations

from tsunagari.survey.report_tables import ReportTable

#: Fills of the categories, loneliest first (dark to light), 無回答 grey; text colour on each.
PALETTE = ("#7a1f3d", "#b5475f", "#e38b6f", "#f3c7a1", "#dfe7ee", "#9aa3ad", "#c4cdd6", "#5a6572")
TEXT_ON = ("#ffffff", "#ffffff", "#1d2630", "#1d2630", "#1d2630", "#1d2630", "#1d2630", "#ffffff")
YEAR_FILLS = ("#1b6b5a", "#5b9e8e", "#a8cfc5", "#5a6572")
WIDTH = 720
LABEL_W = 150
ROW_H = 26
MIN_LABEL_W = 26  # segment width (px) under which its value is not written inside it


def _fmt(value: float) -> str:
    return f"{value:.1f}"


def chart_for(table: ReportTable, chart_id: str | None = None) -> dict | None:
    """The geometry of ``table``'s chart, or None when it has nothing to draw."""
    chart_id = chart_id or f"chart-{table.id}"
    if table.stacked:
        return _stacked(table, chart_id)
    return _bars(table, chart_id)


def _stacked(table: ReportTable, chart_id: str) -> dict | None:
    plot_w = WIDTH - LABEL_W - 72  # room on the right for 「※一部未掲載」
    legend_rows = (len(table.columns) + 3) // 4
    top = 8 + 18 * legend_rows
    rows, legend = [], []
    for k, (_, label) in enumerate(table.columns):
        legend.append(
            {
                "x": 8 + (k % 4) * 178,
                "y": 8 + (k // 4) * 18,
                "ty": 8 + (k // 4) * 18 + 10,
                "fill": PALETTE[k % len(PALETTE)],
                "name": label,
            }
        )
    for i, row in enumerate(table.rows):
        y = top + i * ROW_H
        x = LABEL_W
        segments = []
        for k, ((_, label), cell) in enumerate(zip(table.columns, row.cells, strict=False)):
            if cell.percent is None or cell.percent <= 0:
                continue
            w = plot_w * min(cell.percent, 100) / 100
            segments.append(
                {
                    "x": round(x, 2),
                    "w": round(w, 2),
                    "fill": PALETTE[k % len(PALETTE)],
                    "text_fill": TEXT_ON[k % len(TEXT_ON)],
                    "tx": round(x + w / 2, 2),
                    "text": _fmt(cell.percent) if w >= MIN_LABEL_W else "",
                    "tip": f"{row.label} {label}: {_fmt(cell.percent)}%" + (_flag_text(cell.flag)),
                }
            )
            x += w
        missing = sum(1 for c in row.cells if c.percent is None)
        rows.append(
            {
                "y": y,
                "bar_y": y + 3,
                "text_y": y + ROW_H / 2 + 4,
                "label": row.label + (f"（n={row.n:,}）" if row.n else ""),
                "segments": segments,
                "note": "※一部未掲載" if missing else "",
                "end_x": round(x + 4, 2),
            }
        )
    if not rows:
        return None
    height = top + len(rows) * ROW_H + 8
    return {
        "id": chart_id,
        "kind": "stacked",
        "title": table.title,
        "desc": _desc(table),
        "width": WIDTH,
        "height": height,
        "label_w": LABEL_W,
        "plot_w": plot_w,
        "bar_h": ROW_H - 6,
        "rows": rows,
        "legend": legend,
        "grid": [{"x": round(LABEL_W + plot_w * k / 4, 2), "text": f"{25 * k}%"} for k in range(5)],
        "top": top,
        "bottom": height - 8,
    }


def _bars(table: ReportTable, chart_id: str) -> dict | None:
    plot_w = WIDTH - LABEL_W - 60
    values = [c.percent for r in table.rows for c in r.cells if c.percent is not None]
    if not values:
        return None
    top_value = max(10.0, 10 * -(-max(values) // 10))
    bar_h = 12
    items, y = [], 8 + 18
    legend = [
        {"x": 8 + i * 120, "y": 8, "ty": 18, "fill": YEAR_FILLS[i % len(YEAR_FILLS)], "name": row.label}
        for i, row in enumerate(table.rows)
    ]
    for k, (_, label) in enumerate(table.columns):
        group_top = y
        drawn = []
        for i, row in enumerate(table.rows):
            cell = row.cells[k]
            if cell.percent is None:
                continue
            w = plot_w * cell.percent / top_value
            drawn.append(
                {
                    "y": y,
                    "w": round(w, 2),
                    "fill": YEAR_FILLS[i % len(YEAR_FILLS)],
                    "value_x": round(LABEL_W + w + 4, 2),
                    "text_y": y + bar_h - 2,
                    "text": _fmt(cell.percent)
                    + ("▲" if cell.flag == "increase" else "▼" if cell.flag == "decrease" else ""),
                    "tip": f"{label} {row.label}: {_fmt(cell.percent)}%",
                }
            )
            y += bar_h + 2
        if not drawn:
            continue
        items.append({"label": label, "text_y": group_top + (y - group_top) / 2 + 4, "bars": drawn})
        y += 8
    return {
        "id": chart_id,
        "kind": "bars",
        "title": table.title,
        "desc": _desc(table),
        "width": WIDTH,
        "height": y + 4,
        "label_w": LABEL_W,
        "bar_h": bar_h,
        "groups": items,
        "legend": legend,
        "grid": [
            {"x": round(LABEL_W + plot_w * k / 4, 2), "text": f"{top_value * k / 4:g}%"} for k in range(5)
        ],
        "top": 26,
        "bottom": y,
    }


def _flag_text(flag: str | None) -> str:
    return {"increase": "（前回から有意に拡大）", "decrease": "（前回から有意に縮小）"}.get(flag or "", "")


def _desc(table: ReportTable) -> str:
    parts = []
    for row in table.rows:
        shown = [
            f"{label} {_fmt(cell.percent)}%{_flag_text(cell.flag)}"
            for (_, label), cell in zip(table.columns, row.cells, strict=False)
            if cell.percent is not None
        ]
        parts.append(f"{row.label}: " + "、".join(shown))
    return "。".join(parts) + "。同じ数値を下の表に示します。"
