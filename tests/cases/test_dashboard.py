"""cases.dashboard: the coordinators' figures (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tsunagari.cases.dashboard import Handover, age_band, summarise

NOW = datetime(2026, 4, 10, 12, tzinfo=UTC)
H = timedelta(hours=1)


def test_summary_counts_ages_overdue_and_first_response():
    rows = [
        Handover("requested", NOW - 2 * H),
        Handover("requested", NOW - 80 * H),  # overdue, 3–7 days
        Handover("received", NOW - 200 * H, NOW - 190 * H),  # overdue (no answer yet), over 7 days
        Handover("accepted", NOW - 30 * H, NOW - 28 * H),
        Handover("completed", NOW - 100 * H, NOW - 99 * H),
        Handover("rejected", NOW - 10 * H, NOW - 6 * H),
    ]
    summary = summarise(rows, NOW, overdue_after=72 * H)
    assert summary.by_status["requested"] == 2 and summary.by_status["in-progress"] == 0
    assert summary.by_age["requested"] == {"under_1d": 1, "1d_3d": 0, "3d_7d": 1, "over_7d": 0}
    assert summary.by_age["received"]["over_7d"] == 1
    assert summary.overdue == 2
    assert summary.answered == 4
    # waits 1, 2, 4, 10 hours: median (nearest rank) 2, p90 10
    assert (summary.first_response_median_hours, summary.first_response_p90_hours) == (2.0, 10.0)


def test_empty_and_band_edges():
    summary = summarise([], NOW, 72 * H)
    assert summary.answered == 0 and summary.first_response_median_hours is None
    assert age_band(timedelta(0)) == "under_1d"
    assert age_band(timedelta(days=1)) == "1d_3d"
    assert age_band(timedelta(days=7)) == "over_7d"
