"""Coverage of fields by staffed lines, hour by hour."""

from __future__ import annotations

from datetime import date, time

import pytest

from tsunagari.helpline.coverage import LineSpec, coverage

MONDAY = date(2026, 11, 23)


def test_day_and_overnight_shifts_and_gaps():
    lines = [
        LineSpec("L1", frozenset({"lonely"}), ((0, time(9), time(17)),)),
        LineSpec(
            "L2", frozenset({"lonely", "youth"}), ((0, time(22), time(6)),)
        ),  # Monday night into Tuesday
    ]
    result = coverage(lines, MONDAY, days=2)
    assert result.lines(MONDAY, 9, "lonely") == 1 and result.lines(MONDAY, 16, "lonely") == 1
    assert result.lines(MONDAY, 17, "lonely") == 0
    assert result.lines(MONDAY, 23, "youth") == 1
    tuesday = date(2026, 11, 24)
    assert result.lines(tuesday, 5, "lonely") == 1 and result.lines(tuesday, 6, "lonely") == 0
    gaps = result.gaps(["lonely", "youth"])
    assert (MONDAY, 8) in gaps["lonely"] and (MONDAY, 9) not in gaps["lonely"]
    assert len(gaps["youth"]) == 48 - 2 - 6  # Monday 22–24 and Tuesday 0–6 covered


def test_a_shift_from_the_day_before_counts_on_the_first_day():
    lines = [LineSpec("L1", frozenset({"f"}), ((6, time(20), time(2)),))]  # Sunday night
    assert coverage(lines, MONDAY, days=1).lines(MONDAY, 1, "f") == 1


def test_exceptions_replace_the_weekly_shift_that_day():
    weekly = ((0, time(9), time(17)),)
    off = coverage([LineSpec("L1", frozenset({"f"}), weekly, {MONDAY: ()})], MONDAY, days=1)
    assert off.lines(MONDAY, 10, "f") == 0
    moved = coverage(
        [LineSpec("L1", frozenset({"f"}), weekly, {MONDAY: ((time(18), time(20)),)})], MONDAY, days=1
    )
    assert moved.lines(MONDAY, 10, "f") == 0 and moved.lines(MONDAY, 19, "f") == 1


def test_a_line_staffed_only_on_dated_exceptions_counts_for_its_fields():
    special = LineSpec("NY", frozenset({"f"}), (), {MONDAY: ((time(10), time(12)),)})
    result = coverage([special], MONDAY, days=1)
    assert result.lines(MONDAY, 10, "f") == 1 and result.lines(MONDAY, 12, "f") == 0


def test_partial_hours_count_and_bad_input_is_refused():
    lines = [LineSpec("L1", frozenset({"f"}), ((0, time(9, 30), time(10, 15)),))]
    result = coverage(lines, MONDAY, days=1)
    assert result.lines(MONDAY, 9, "f") == 1 and result.lines(MONDAY, 10, "f") == 1
    with pytest.raises(ValueError, match="weekday"):
        LineSpec("L1", frozenset({"f"}), ((7, time(9), time(10)),))
    with pytest.raises(ValueError, match="days"):
        coverage(lines, MONDAY, days=0)


@pytest.mark.django_db
def test_coverage_page_shows_gaps_to_staff_only(client, admin_client):
    from django.utils import timezone

    from tsunagari.helpline.models import Field, Line, PartnerBody, Shift

    field = Field.objects.create(code="lonely", name="孤独・孤立")
    body = PartnerBody.objects.create(name="テスト団体")
    line = Line.objects.create(body=body, name="L1", dial="+810000000001")
    line.fields.add(field)
    today = timezone.localdate()
    Shift.objects.create(line=line, weekday=today.weekday(), start=time(9), end=time(17))
    assert client.get("/helpline/coverage/").status_code == 302  # login first
    html = admin_client.get("/helpline/coverage/").content.decode()
    assert "孤独・孤立" in html
    assert "回線のない時間: 160 時間" in html  # 7 × 24 − 8 staffed hours
