"""The iCalendar writer (pure): folding at 75 octets, escaping, UTC times, stable output."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from tsunagari.network.ical import CalendarEvent, calendar, escape_text, fold, utc

JST = timezone(timedelta(hours=9))


def _event(**fields) -> CalendarEvent:
    values = {
        "uid": "0b8e5f9a-1111-4222-8333-944455556666@tsunagari",
        "start": datetime(2022, 6, 21, 14, 0, tzinfo=JST),
        "end": datetime(2022, 6, 21, 16, 0, tzinfo=JST),
        "summary": "シンポジウム",
        "updated": datetime(2022, 6, 1, 3, 4, 5, tzinfo=UTC),
    }
    values.update(fields)
    return CalendarEvent(**values)


def _unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def test_times_are_utc_with_z():
    assert utc(datetime(2022, 6, 21, 14, 0, tzinfo=JST)) == "20220621T050000Z"
    assert utc(datetime(2022, 1, 1, 0, 30, tzinfo=JST)) == "20211231T153000Z"  # the day changes
    with pytest.raises(ValueError, match="naive"):
        utc(datetime(2022, 6, 21, 14, 0))


def test_text_escaping():
    assert escape_text("a;b,c\\d") == "a\\;b\\,c\\\\d"
    assert escape_text("1行目\r\n2行目\n3行目") == "1行目\\n2行目\\n3行目"
    assert escape_text("コロン:はそのまま") == "コロン:はそのまま"


@pytest.mark.parametrize(
    "text", ["x" * 200, "あ" * 100, "ab" + "😀" * 40, "a" * 74 + "あ", "a" * 75, "a" * 76]
)
def test_folding_never_exceeds_75_octets_nor_splits_a_character(text):
    line = "DESCRIPTION:" + text
    folded = fold(line)
    physical = folded.split("\r\n")
    assert all(len(p.encode("utf-8")) <= 75 for p in physical)
    assert all(p.startswith(" ") for p in physical[1:])
    assert folded.replace("\r\n ", "") == line  # unfolding gives the line back, characters intact


def test_short_lines_are_not_folded():
    assert fold("SUMMARY:" + "a" * 67) == "SUMMARY:" + "a" * 67  # exactly 75 octets


def test_calendar_structure_and_crlf():
    text = calendar(
        [_event(description="会場：東京,オンライン;同時配信", location="中央合同庁舎8号館")], name="つながり"
    )
    assert text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")  # no bare LF
    lines = _unfold(text)
    assert lines[:5] == [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//tsunagari//network events//JA",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ]
    assert "UID:0b8e5f9a-1111-4222-8333-944455556666@tsunagari" in lines
    assert "DTSTART:20220621T050000Z" in lines and "DTEND:20220621T070000Z" in lines
    assert "DTSTAMP:20220601T030405Z" in lines
    assert "DESCRIPTION:会場：東京\\,オンライン\\;同時配信" in lines
    assert "STATUS:CONFIRMED" in lines
    assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT") == 1


def test_output_is_stable_and_cancellation_keeps_the_uid():
    event = _event()
    assert calendar([event]) == calendar([event])
    cancelled = calendar([_event(cancelled=True, sequence=1)])
    assert "STATUS:CANCELLED" in cancelled and "SEQUENCE:1" in cancelled
    assert f"UID:{event.uid}" in cancelled


def test_an_event_ending_before_it_starts_is_refused():
    with pytest.raises(ValueError, match="ends before it starts"):
        calendar([_event(end=datetime(2022, 6, 21, 13, 0, tzinfo=JST))])
