"""The national report's statements, reproduced from the published figures (pure).

The report judges a year‑on‑year change 「比率の差の検定を行い、統計学的に有意差（信頼度95％）が認められる
場合にのみ」 (seed 000). From :mod:`tsunagari.survey.published`:

* :func:`year_on_year_changes` runs the pooled z‑test on every category printed for two consecutive
  years of a distribution table (counts reconstructed as percentage × n). When a figure prints no n
  but covers all respondents, the year's valid respondents are used and ``n_assumed`` says so.
* :func:`check_claims` tests each change the seed states (e.g. 「時々ある」15.8 % → 14.8 %, 縮小) and
  says whether the test reproduces it, or why it cannot be checked (a figure the seeds do not print).
* :func:`unclaimed_significant_changes` lists significant changes the seed does not mention.
* :func:`event_differences` recomputes figure 6 (the top‑ten differences between the relatively
  lonely and the others) from figure 5 and compares it with the printed ranking.
* :func:`statements` phrases the results in the report's Japanese.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from tsunagari.survey.published import Claim, NationalResults, Series, Table, national_results
from tsunagari.survey.tests_of_difference import DifferenceTest, pooled_z_test


@dataclass(frozen=True)
class Change:
    """A category's change between two years, with the pooled z‑test."""

    table: str
    category: str
    label: str
    year_from: int
    year_to: int
    percent_from: float
    percent_to: float
    n_from: int
    n_to: int
    n_assumed: bool
    test: DifferenceTest


@dataclass(frozen=True)
class ClaimCheck:
    """``status`` is ``"reproduced"``, ``"not_reproduced"`` or ``"not_checkable"`` (see ``reason``)."""

    table: str
    claim: Claim
    status: str
    change: Change | None = None
    reason: str | None = None


def _n(results: NationalResults, table: Table, series: Series) -> tuple[int | None, bool]:
    if series.n is not None:
        return series.n, False
    if table.base == "all_respondents":
        return results.years[series.year].valid, True
    return None, False


def _change(
    results: NationalResults, table: Table, category: str, year_from: int, year_to: int
) -> Change | str:
    """The tested change, or the reason it cannot be tested."""
    first, second = table.series_for(year_from), table.series_for(year_to)
    for year, series in ((year_from, first), (year_to, second)):
        if series is None or category not in series.values:
            return f"the {year} figure for 「{table.categories[category]}」 is not printed in the seeds"
    n_from, assumed_from = _n(results, table, first)
    n_to, assumed_to = _n(results, table, second)
    if n_from is None or n_to is None:
        return "the number of respondents behind the figure is not printed in the seeds"
    p_from, p_to = first.values[category], second.values[category]
    return Change(
        table=table.id,
        category=category,
        label=table.categories[category],
        year_from=year_from,
        year_to=year_to,
        percent_from=p_from,
        percent_to=p_to,
        n_from=n_from,
        n_to=n_to,
        n_assumed=assumed_from or assumed_to,
        test=pooled_z_test(p_from / 100, n_from, p_to / 100, n_to),
    )


def year_on_year_changes(results: NationalResults | None = None) -> list[Change]:
    """Every testable change between consecutive years in the distribution tables."""
    results = results or national_results()
    out = []
    for table in results.tables.values():
        if table.kind != "distribution":
            continue
        years = sorted(results.years)  # consecutive survey years only
        for year_from, year_to in itertools.pairwise(years):
            for category in table.categories:
                change = _change(results, table, category, year_from, year_to)
                if isinstance(change, Change):
                    out.append(change)
    return out


def check_claims(results: NationalResults | None = None) -> list[ClaimCheck]:
    """Each change the seed states, tested."""
    results = results or national_results()
    out = []
    for table in results.tables.values():
        for claim in table.claims:
            change = _change(results, table, claim.category, claim.year_from, claim.year_to)
            if isinstance(change, str):
                out.append(ClaimCheck(table.id, claim, "not_checkable", reason=change))
                continue
            status = "reproduced" if change.test.direction == claim.direction else "not_reproduced"
            out.append(ClaimCheck(table.id, claim, status, change=change))
    return out


def unclaimed_significant_changes(results: NationalResults | None = None) -> list[Change]:
    """Significant changes into a year for which the seed states changes, that no claim covers."""
    results = results or national_results()
    claimed = {(t.id, c.category, c.year_from, c.year_to) for t in results.tables.values() for c in t.claims}
    claimed_periods = {(t.id, c.year_from, c.year_to) for t in results.tables.values() for c in t.claims}
    return [
        change
        for change in year_on_year_changes(results)
        if change.test.significant
        and (change.table, change.year_from, change.year_to) in claimed_periods
        and (change.table, change.category, change.year_from, change.year_to) not in claimed
    ]


@dataclass(frozen=True)
class EventDifference:
    rank: int
    category: str
    label: str
    computed_points: float
    printed_points: float | None


def event_differences(results: NationalResults | None = None, top: int = 10) -> list[EventDifference]:
    """Figure 6 recomputed from figure 5: relatively lonely minus the others, in points."""
    results = results or national_results()
    table = results.tables["events"]
    year = table.printed_differences["year"]
    high, low = table.series_for(year, "relatively_high"), table.series_for(year, "low")
    printed = {row["category"]: row["points"] for row in table.printed_differences["ranking"]}
    events = [c for c in table.categories if c not in ("none", "no_answer", "other")]
    # Rounded to 0.1 point first, as printed; ties keep figure 5's order.
    points = [
        (round(high.values[c] - low.values[c], 1), c) for c in events if c in high.values and c in low.values
    ]
    ranked = sorted(points, key=lambda item: -item[0])[:top]
    return [
        EventDifference(rank, c, table.categories[c], p, printed.get(c))
        for rank, (p, c) in enumerate(ranked, 1)
    ]


def _era(results: NationalResults, year: int) -> str:
    return results.years[year].label


def statements(results: NationalResults | None = None) -> list[str]:
    """The report's year‑on‑year judgements, in Japanese, one line per tested change."""
    results = results or national_results()
    lines = []
    for change in year_on_year_changes(results):
        test = change.test
        verdict = {"increase": "有意に拡大", "decrease": "有意に縮小"}.get(test.direction, "有意差なし")
        note = "（n は調査全体の有効回答数）" if change.n_assumed else ""
        lines.append(
            f"{results.tables[change.table].title}「{change.label}」: "
            f"{_era(results, change.year_from)} {change.percent_from:.1f}％ → "
            f"{_era(results, change.year_to)} {change.percent_to:.1f}％、{verdict}"
            f"（z = {test.z:.2f}, p = {test.p_value:.3g}）{note}"
        )
    return lines
