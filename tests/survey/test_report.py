"""The report module reproduces the seed's year-on-year statements from the published figures."""

from __future__ import annotations

from tsunagari.survey import report


def _check(table, category):
    return next(c for c in report.check_claims() if c.table == table and c.claim.category == category)


def test_sometimes_decrease_is_reproduced():
    check = _check("direct_question", "sometimes")
    assert check.status == "reproduced"
    change = check.change
    assert (change.percent_from, change.percent_to, change.n_from, change.n_to) == (15.8, 14.8, 11218, 11141)
    assert change.test.significant and change.test.direction == "decrease"


def test_every_checkable_claim_is_reproduced():
    checks = report.check_claims()
    assert {c.status for c in checks} <= {"reproduced", "not_checkable"}
    reproduced = {(c.table, c.claim.category) for c in checks if c.status == "reproduced"}
    assert {("ucla_bands", "7-9"), ("ucla_bands", "4-6"), ("willingness_to_help", "unknown")} <= reproduced
    unchecked = [c for c in checks if c.status == "not_checkable"]
    assert unchecked and all("not printed in the seeds" in c.reason for c in unchecked)


def test_no_other_direct_question_answer_changed_significantly_except_no_answer():
    changes = [c for c in report.year_on_year_changes() if c.table == "direct_question" and c.year_to == 2023]
    significant = {c.category for c in changes if c.test.significant}
    assert significant == {"sometimes", "no_answer"}
    flagged = {(c.table, c.category) for c in report.unclaimed_significant_changes()}
    assert ("direct_question", "no_answer") in flagged


def test_changes_compare_consecutive_survey_years_only():
    assert all(c.year_to - c.year_from == 1 for c in report.year_on_year_changes())


def test_figure_6_is_recomputed_from_figure_5():
    rows = report.event_differences()
    assert len(rows) == 10
    assert all(row.printed_points == row.computed_points for row in rows)
    assert rows[0].label == "心身の重大なトラブル（病気・怪我等）"


def test_statements_are_in_the_reports_words():
    lines = report.statements()
    assert any("「時々ある」: 令和４年 15.8％ → 令和５年 14.8％、有意に縮小" in line for line in lines)
