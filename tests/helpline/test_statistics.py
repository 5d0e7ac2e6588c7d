"""The pure statistics: rounding as published, aggregation of contact outcomes into breakdowns."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tsunagari.helpline import statistics as st


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        (3823, 14678, "26.0"),  # 第1期 (26.046 %)
        (1998, 10353, "19.3"),  # 第2期 (19.299 %)
        (1165, 26567, "4.4"),  # 年末年始 (4.385 %)
        (489, 813, "60.1"),  # 12/1 (60.147 %)
        (1, 8, "12.5"),
        (1, 16, "6.3"),  # 6.25 → half-up
        (521, 2000, "26.1"),  # 26.05 exactly → half-up (a float would give 26.0)
        (1, 3, "33.3"),
        (2, 3, "66.7"),
        (0, 5, "0.0"),
        (5, 5, "100.0"),
    ],
)
def test_rounded_percent_is_half_up_to_one_decimal(part, whole, expected):
    value = st.rounded_percent(part, whole)
    assert value == Decimal(expected)
    assert str(value) == expected  # one decimal, as published


def test_answer_rate_edges():
    assert st.answer_rate(0, 0) is None
    assert st.rounded_mean(5, 2) == Decimal("2.5")
    assert st.rounded_mean(1, 0) is None
    with pytest.raises(ValueError):
        st.answer_rate(3, 2)
    with pytest.raises(ValueError):
        st.rounded_percent(-1, 2)


D1, D2 = date(2022, 12, 31), date(2023, 1, 1)  # a Saturday and a Sunday


def outcomes():
    outcome = st.ContactOutcome
    return [
        outcome(D1, 23, "under18", 1, connected=True, wait_seconds=30),
        outcome(D1, 23, "under18", 1, connected=False, abandoned=True, wait_seconds=90),
        outcome(D1, 23, "loneliness", 2, connected=False),  # heard the busy message: no wait recorded
        outcome(D2, 0, "loneliness", 2, connected=True, wait_seconds=10),
        outcome(D2, 0, None, None, connected=False),  # hung up in the guidance
    ]


def test_aggregate_every_breakdown():
    report = st.aggregate(
        st.cells_from_outcomes(outcomes()),
        days=[D1, D2],
        field_order=["under18", "suicide", "loneliness"],
        body_order=[2, 1],
    )
    total = report.total
    assert (total.offered, total.connected, total.abandoned, total.not_connected) == (5, 2, 1, 3)
    assert total.answer_rate == Decimal("40.0")
    assert total.average_wait == Decimal("43.3")  # (30 + 90 + 10) / 3
    assert total.average_answer_wait == Decimal("20.0")
    assert total.abandon_rate == Decimal("20.0")
    assert [r.key for r in report.by_field] == ["under18", "suicide", "loneliness", None]
    assert report.field("under18").answer_rate == Decimal("50.0")
    assert report.field("suicide") == st.Figures()  # listed though empty
    assert report.field("suicide").answer_rate is None
    assert report.field(None).offered == 1
    assert [r.key for r in report.by_hour] == list(range(24))
    assert report.hour(23).offered == 3 and report.hour(0).offered == 2 and report.hour(12).offered == 0
    assert [r.key for r in report.by_day] == [D1, D2]
    assert [r.figures.offered for r in report.by_weekday] == [0, 0, 0, 0, 0, 3, 2]
    assert [r.key for r in report.by_body] == [2, 1, None]
    assert report.body(2).offered == 2 and report.body(1).connected == 1
    # every breakdown adds up to the total
    for rows in (report.by_field, report.by_hour, report.by_day, report.by_weekday, report.by_body):
        assert sum(r.figures.offered for r in rows) == total.offered
        assert sum(r.figures.connected for r in rows) == total.connected


def test_aggregate_lists_the_whole_period_and_refuses_cells_outside_it():
    days = st.period_days(date(2022, 12, 30), date(2023, 1, 2))
    report = st.aggregate(st.cells_from_outcomes(outcomes()), days=days)
    assert [r.key for r in report.by_day] == days
    assert report.day(date(2022, 12, 30)).offered == 0
    with pytest.raises(ValueError, match="outside the period"):
        st.aggregate(st.cells_from_outcomes(outcomes()), days=[D1])
    with pytest.raises(ValueError):
        st.period_days(D2, D1)


def test_cells_are_additive_and_validated():
    cells = st.cells_from_outcomes(outcomes())
    assert sum(c.offered for c in cells) == 5
    assert st.aggregate(cells).total == st.aggregate(list(reversed(cells))).total
    with pytest.raises(ValueError):
        st.Cell(D1, 24, None, None, offered=1)
    with pytest.raises(ValueError):
        st.Cell(D1, 1, None, None, offered=1, connected=1, abandoned=1)
    with pytest.raises(ValueError):
        st.cells_from_outcomes([st.ContactOutcome(D1, 1, None, None, connected=True, abandoned=True)])
    with pytest.raises(ValueError):
        st.cells_from_outcomes([st.ContactOutcome(D1, 1, None, None, connected=True, wait_seconds=-1)])


def test_empty_report():
    report = st.aggregate([], days=[D1])
    assert report.total == st.Figures()
    assert report.total.answer_rate is None and report.total.average_wait is None
    assert len(report.by_hour) == 24 and len(report.by_day) == 1 and report.by_field == ()


def test_record_summary_shares():
    summary = st.summarise_records(
        {"40s": 3, "20s": 1, None: 2},
        [
            ["mental_health", "loneliness"],
            ["mental_health", "mental_health"],
            [],
            None,
            ["poverty"],
            ["loneliness"],
        ],
        serious=2,
        coordinated=1,
        band_order=["20s", "30s", "40s"],
    )
    assert summary.records == 6
    assert [(s.key, s.count, s.percent) for s in summary.age_bands] == [
        ("20s", 1, Decimal("25.0")),
        ("40s", 3, Decimal("75.0")),
        (None, 2, None),  # not recorded: counted, no share
    ]
    assert summary.age_share(["40s", "50s"]) == Decimal("75.0")
    # a type counts once per record; shares are of all records, most frequent first
    assert [(s.key, s.count, s.percent) for s in summary.types] == [
        ("loneliness", 2, Decimal("33.3")),
        ("mental_health", 2, Decimal("33.3")),
        ("poverty", 1, Decimal("16.7")),
    ]
    assert (summary.serious, summary.coordinated) == (2, 1)
    with pytest.raises(ValueError):
        st.summarise_records({"40s": 2}, [["x"]])
