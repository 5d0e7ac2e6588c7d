"""Exports of the report's tables: PDF (WeasyPrint), Excel (openpyxl) and an e‑Stat‑style CSV.

All three take the same :class:`~tsunagari.survey.report_tables.ReportTable` list the staff page
shows, and hold aggregates only. Nothing is written to disk.

**PDF** — ``survey/report_pdf.html`` with ``survey/static/survey/report_pdf.css``; text in Noto Sans CJK
JP, which WeasyPrint embeds as a subset (as :mod:`tsunagari.navigator.pdf`); charts are the page's
inline SVG.

**Excel** — one sheet per table: title, header row (区分, n, categories), one row per year or group;
percentages as numbers (empty cell where the seeds print no figure), standard errors in a second
block for estimated tables, the year‑on‑year flags (▲/▼) in a third, notes and source below.

**CSV (e‑Stat style)** — the long layout of the e‑Stat API's statistical‑data CSV (API 3.0,
``getSimpleStatsData``, as described in its specification https://www.e-stat.go.jp/api/api-info/e-stat-manual3-0;
not validated against an e‑Stat import): one observation per line, each dimension (表章項目 ``tab``,
分類事項 ``cat01``… , 地域 ``area``, 時間軸 ``time``) as a code column followed by its label column,
then ``unit``, ``value`` and ``annotation``. Columns::

    tab_code, 表章項目, cat01_code, 集計表, cat02_code, 区分, cat03_code, 回答, area_code, 地域,
    time_code, 時間軸（年次）, unit, value, annotation

``tab_code`` is ``100`` 割合 (percent), ``110`` 標準誤差 (percentage points, estimates only) or
``120`` 回答者数 (persons); ``time_code`` follows e‑Stat's ten‑digit yearly code (``2023000000``);
``area_code`` is ``00000`` 全国 for the national figures. A figure the seeds do not print is left out
(no line) rather than written as a symbol, and a significant year‑on‑year change is written in
``annotation`` (``前回から有意に拡大`` / ``前回から有意に縮小``). A wave's own estimates have an empty
``area_code`` and 地域 「調査回」, and their groups in ``cat02``. UTF‑8 with a byte‑order mark and CRLF
line ends, so that spreadsheet software opens the Japanese text correctly.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from django.template.loader import render_to_string
from openpyxl import Workbook
from openpyxl.styles import Font
from weasyprint import CSS, HTML

from tsunagari.survey.report_tables import ReportTable

PDF_CSS = Path(__file__).parent / "static" / "survey" / "report_pdf.css"
CSV_HEADER = [
    "tab_code",
    "表章項目",
    "cat01_code",
    "集計表",
    "cat02_code",
    "区分",
    "cat03_code",
    "回答",
    "area_code",
    "地域",
    "time_code",
    "時間軸（年次）",
    "unit",
    "value",
    "annotation",
]
FLAG_TEXT = {"increase": "前回から有意に拡大", "decrease": "前回から有意に縮小"}
FLAG_MARK = {"increase": "▲", "decrease": "▼"}


def report_pdf(context: dict) -> bytes:
    """PDF bytes of ``survey/report_pdf.html`` rendered with ``context``."""
    html = render_to_string("survey/report_pdf.html", context)
    return HTML(string=html).write_pdf(stylesheets=[CSS(filename=str(PDF_CSS))])


def _sheet_title(table: ReportTable, used: set[str]) -> str:
    base = table.id[:28]
    title, k = base, 1
    while title in used:
        k += 1
        title = f"{base[:26]}_{k}"
    used.add(title)
    return title


def report_xlsx(tables: list[ReportTable]) -> bytes:
    """An .xlsx workbook with one sheet per table (see the module docstring)."""
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    bold = Font(bold=True)
    for table in tables:
        sheet = book.create_sheet(_sheet_title(table, used))
        sheet.append([table.title])
        sheet["A1"].font = bold
        header = [table.row_heading, "n", *(label for _, label in table.columns)]
        sheet.append(["割合（％）"])
        sheet.append(header)
        for row in table.rows:
            sheet.append([row.label, row.n, *(c.percent for c in row.cells)])
        if table.estimated:
            sheet.append([])
            sheet.append(["標準誤差（ポイント）"])
            sheet.append(header)
            for row in table.rows:
                sheet.append([row.label, row.n, *(c.se for c in row.cells)])
        if any(c.flag for row in table.rows for c in row.cells):
            sheet.append([])
            sheet.append(["前回からの有意な変化（信頼度95％）：▲拡大 ▼縮小"])
            sheet.append(header)
            for row in table.rows:
                sheet.append([row.label, row.n, *(FLAG_MARK.get(c.flag or "", "") for c in row.cells)])
        sheet.append([])
        for note in table.notes:
            sheet.append([f"注: {note}"])
        if table.source:
            sheet.append([f"出典: {table.source}"])
        sheet.column_dimensions["A"].width = 22
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _time(table: ReportTable, row) -> tuple[str, str]:
    if table.time and row.code.isdigit():
        return f"{row.code}000000", f"{row.code}年"
    return "", ""


def report_csv(tables: list[ReportTable]) -> str:
    """The e‑Stat‑style long CSV text (see the module docstring), with a BOM."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for table in tables:
        for row in table.rows:
            time_code, time_label = _time(table, row)
            group_code, group_label = ("", "") if table.time else (row.code, row.label)
            place = ["00000", "全国"] if not table.estimated else ["", "調査回"]
            head = [table.id, table.title, group_code, group_label]
            if row.n:
                writer.writerow(
                    ["120", "回答者数", *head, "total", "計", *place, time_code, time_label, "人", row.n, ""]
                )
            for (code, label), cell in zip(table.columns, row.cells, strict=False):
                if cell.percent is None:
                    continue
                writer.writerow(
                    ["100", "割合", *head, code, label, *place, time_code, time_label, "%",
                     _number(cell.percent), FLAG_TEXT.get(cell.flag or "", "")]
                )  # fmt: skip
                if cell.se is not None:
                    writer.writerow(
                        ["110", "標準誤差", *head, code, label, *place, time_code, time_label, "ポイント",
                         _number(cell.se, 4), ""]
                    )  # fmt: skip
    return out.getvalue()


def _number(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}"
