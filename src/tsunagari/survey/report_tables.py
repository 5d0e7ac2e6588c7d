"""The report's tables, built from the published figures or from a wave's weighted estimates (pure).

A :class:`ReportTable` is what the staff page, the charts and the three exports (PDF, Excel, e‑Stat
CSV) all show, so they cannot disagree:

* :func:`published_tables` — every distribution and by‑group table of
  :mod:`tsunagari.survey.published`, years newest first as in the national report. A cell carries the
  year‑on‑year flag of :func:`tsunagari.survey.report.year_on_year_changes`: ``"increase"`` or
  ``"decrease"`` when the pooled z‑test of the change *into* that year is significant at 95 %, else
  None. A figure the seeds do not print is an empty cell (None), never filled in.
* :func:`estimated_tables` — a wave's own figures from its submitted answers: the direct question
  and the UCLA bands overall, by age band and by sex × age band (when the instrument asks them),
  weighted shares in percent with SEs and 95 % logit intervals (:mod:`batch_estimation`). The design
  is a stratified sample of the frame: strata = the sample's strata, weight = stratum size in the
  frame ÷ respondents of the stratum (non‑response adjusted within stratum), no calibration; a
  stratum with a single respondent is handled with R's ``lonely.psu="adjust"``; a stratum without
  any respondent is not represented (the shares are those of the strata that answered).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from tsunagari.survey import batch_estimation, scoring
from tsunagari.survey.design import make_design
from tsunagari.survey.published import NationalResults, national_results
from tsunagari.survey.report import year_on_year_changes

AGE_BANDS = {
    "16-19": "16～19歳",
    "20-29": "20～29歳",
    "30-39": "30～39歳",
    "40-49": "40～49歳",
    "50-59": "50～59歳",
    "60-69": "60～69歳",
    "70-79": "70～79歳",
    "80+": "80歳以上",
}
SEXES = {"male": "男性", "female": "女性"}


@dataclass(frozen=True)
class Cell:
    """A percentage (None = not printed / no respondents); ``se``, ``ci_low``, ``ci_high`` in
    percentage points for estimates; ``flag`` the significant year‑on‑year direction."""

    percent: float | None
    flag: str | None = None
    se: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None


@dataclass(frozen=True)
class Row:
    label: str
    n: int | None
    cells: tuple[Cell, ...]
    code: str = ""


@dataclass(frozen=True)
class ReportTable:
    """``stacked``: the categories add up to 100 % per row (a stacked bar); otherwise one share per
    category (plain bars). ``columns`` are (code, label) pairs; ``time`` says whether rows are years."""

    id: str
    title: str
    columns: tuple[tuple[str, str], ...]
    rows: tuple[Row, ...]
    stacked: bool
    source: str = ""
    notes: tuple[str, ...] = ()
    estimated: bool = False
    time: bool = True
    row_heading: str = "調査年"
    years: tuple[int, ...] = field(default=())


def _flags(results: NationalResults) -> dict[tuple[str, str, int], str]:
    return {
        (c.table, c.category, c.year_to): c.test.direction
        for c in year_on_year_changes(results)
        if c.test.significant
    }


def published_tables(results: NationalResults | None = None) -> list[ReportTable]:
    """The published figures as report tables (see the module docstring)."""
    results = results or national_results()
    flags = _flags(results)
    out = []
    for table in results.tables.values():
        if table.kind == "multiple_answer":
            continue
        columns = tuple(table.categories.items())
        series = sorted((s for s in table.series if s.group is None), key=lambda s: -s.year)
        rows = []
        for s in series:
            if not s.values:
                continue
            cells = tuple(
                Cell(s.values.get(code), flags.get((table.id, code, s.year))) for code, _ in columns
            )
            rows.append(Row(results.years[s.year].label, s.n, cells, code=str(s.year)))
        if not rows:
            continue
        sources = dict.fromkeys(f"{s.source.seed_file}: {s.source.where}" for s in series)
        notes = tuple(n for n in (table.note, *(s.note for s in series)) if n)
        out.append(
            ReportTable(
                id=table.id,
                title=table.title,
                columns=columns,
                rows=tuple(rows),
                stacked=table.kind == "distribution",
                source="; ".join(sources),
                notes=notes,
                years=tuple(int(r.code) for r in rows),
            )
        )
    return out


def _answers_column(answers: Sequence[Mapping], key: str) -> list[object]:
    return [a.get(key) for a in answers]


def estimated_tables(
    answers: Sequence[Mapping[str, object]],
    strata: Sequence[str],
    stratum_sizes: Mapping[str, int],
    *,
    wave_label: str = "",
) -> list[ReportTable]:
    """A wave's weighted tables from its submitted answers (one mapping per respondent, keyed by
    question code) and each respondent's stratum; ``stratum_sizes`` from the sample frame.

    Raises ValueError when there are fewer than two respondents, a stratum is not in the frame, or an
    answer is not a valid option code (scoring's message names the question).
    """
    if len(answers) < 2:
        raise ValueError("at least two submitted responses are needed for estimates")
    if len(strata) != len(answers):
        raise ValueError(f"{len(strata)} strata for {len(answers)} responses")
    counts: dict[str, int] = {}
    for s in strata:
        counts[s or ""] = counts.get(s or "", 0) + 1
    weights = []
    for s in strata:
        size = stratum_sizes.get(s or "")
        if size is None:
            raise ValueError(f"stratum {s!r} is not in the sample frame")
        weights.append(size / counts[s or ""])
    design = make_design(weights=weights, strata=[s or "-" for s in strata], lonely_psu="adjust")
    direct = [scoring.direct_category(a.get("direct")).code for a in answers]
    ucla = [scoring.ucla_category([a.get("ucla_1"), a.get("ucla_2"), a.get("ucla_3")]).code for a in answers]
    age = _answers_column(answers, "age_band")
    sex = _answers_column(answers, "sex")
    direct_columns = tuple((c.code, c.label) for c in scoring.DIRECT_CATEGORIES)
    ucla_columns = tuple((c.code, c.label) for c in scoring.UCLA_BANDS)
    note = (
        "重み付き推定（層＝抽出の層、重み＝層の母集団数÷層の回答数）。"
        "括弧内は標準誤差（ポイント）、95％信頼区間はロジット法。"
    )
    prefix = f"{wave_label} " if wave_label else ""
    tables = []
    for table_id, title, codes, columns in (
        ("wave_direct", "孤独の状況（直接質問）", direct, direct_columns),
        ("wave_ucla", "孤独の状況（間接質問、UCLA孤独感尺度３項目短縮版の合計スコア）", ucla, ucla_columns),
    ):
        overall = _rows(design, codes, columns, None, {"": "全体"}, counts_total=len(answers))
        tables.append(_estimated(f"{table_id}", prefix + title, columns, overall, note, "区分"))
        if any(a is not None for a in age):
            rows = _rows(design, codes, columns, age, AGE_BANDS)
            tables.append(
                _estimated(
                    f"{table_id}_by_age", prefix + title + "（年齢階級別）", columns, rows, note, "年齢階級"
                )
            )
        if any(a is not None for a in age) and any(s is not None for s in sex):
            groups = [
                f"{s}|{a}" if s is not None and a is not None else None
                for s, a in zip(sex, age, strict=False)
            ]
            labels = {f"{s}|{a}": f"{sl} {al}" for s, sl in SEXES.items() for a, al in AGE_BANDS.items()}
            rows = _rows(design, codes, columns, groups, labels)
            tables.append(
                _estimated(
                    f"{table_id}_by_sex_age",
                    prefix + title + "（男女・年齢階級別）",
                    columns,
                    rows,
                    note,
                    "男女・年齢階級",
                )
            )
    return tables


def _estimated(table_id, title, columns, rows, note, heading) -> ReportTable:
    return ReportTable(
        id=table_id,
        title=title,
        columns=columns,
        rows=tuple(rows),
        stacked=True,
        source="この調査回の回答",
        notes=(note,),
        estimated=True,
        time=False,
        row_heading=heading,
    )


def _rows(design, codes, columns, groups, labels, counts_total=None) -> list[Row]:
    categories = [code for code, _ in columns]
    cells = batch_estimation.distribution(design, codes, categories, groups)
    n_by_group: dict[str | None, int] = {}
    if groups is not None:
        for g in groups:
            if g is not None:
                n_by_group[str(g)] = n_by_group.get(str(g), 0) + 1
    by_group: dict[str | None, list] = {}
    for cell in cells:
        by_group.setdefault(cell.group, []).append(cell)
    order = list(labels) if groups is not None else [None]
    rows = []
    for key in order:
        if key not in by_group:
            continue
        row_cells = tuple(
            Cell(100 * c.estimate, None, 100 * c.se, 100 * c.ci_low, 100 * c.ci_high) for c in by_group[key]
        )
        label = labels.get(key, key) if key is not None else labels[""]
        n = counts_total if key is None else n_by_group.get(key)
        rows.append(Row(label, n, row_cells, code=key or "total"))
    return rows
