"""Tests for tsunagari.directory.hours (pure: run with ``-p no:django``)."""

import json
import sys
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import yaml

try:
    import tsunagari  # noqa: F401
except ImportError:  # the package is not installed: use the src layout directly
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))

from tsunagari.directory.hours import (
    TOKYO,
    ScheduleError,
    is_public_holiday,
    parse_schedule,
    parse_text_ja,
)

WEEKDAYS_9_17 = {"rules": [{"days": "weekdays", "opens": "09:00", "closes": "17:00"}]}
YEAR_END = [{"from": "12-29", "to": "01-03"}]


def jst(*args) -> datetime:
    return datetime(*args, tzinfo=TOKYO)


def sched(**data):
    return parse_schedule(data)


# -- open now -------------------------------------------------------------------------------
def test_24h_always_open():
    s = sched(is_24h=True)
    assert s.is_24h
    for h in (0, 3, 12, 23):
        assert s.is_open(jst(2026, 1, 1, h, 59))
    assert s.closes_at(jst(2026, 1, 1, 12)) is None  # no end within the horizon
    assert s.next_opening(jst(2026, 1, 1, 12)) == jst(2026, 1, 1, 12)


def test_24h_with_closures():
    s = sched(is_24h=True, public_holidays="closed", closed_periods=YEAR_END)
    assert s.is_24h  # the flag describes the hours; closures are listed separately
    assert not s.is_open(jst(2026, 11, 23, 12))  # 勤労感謝の日
    assert not s.is_open(jst(2026, 12, 31, 12))
    assert s.is_open(jst(2026, 11, 24, 0, 0))
    assert s.closes_at(jst(2026, 11, 22, 12)) == jst(2026, 11, 23, 0, 0)


@pytest.mark.parametrize(
    ("hour", "minute", "expected"), [(8, 59, False), (9, 0, True), (16, 59, True), (17, 0, False)]
)
def test_weekday_boundaries_closes_exclusive(hour, minute, expected):
    s = parse_schedule(WEEKDAYS_9_17)
    assert s.is_open(jst(2026, 11, 16, hour, minute)) is expected  # a Monday


def test_saturday_closed_and_next_opening():
    s = parse_schedule(WEEKDAYS_9_17)
    assert not s.is_open(jst(2026, 11, 21, 10))  # Saturday
    assert s.next_opening(jst(2026, 11, 21, 10)) == jst(2026, 11, 23, 9, 0)  # holiday open by default
    closed = parse_schedule({**WEEKDAYS_9_17, "public_holidays": "closed"})
    assert closed.next_opening(jst(2026, 11, 21, 10)) == jst(2026, 11, 24, 9, 0)
    assert s.closes_at(jst(2026, 11, 16, 10)) == jst(2026, 11, 16, 17, 0)
    assert s.closes_at(jst(2026, 11, 16, 18)) is None
    assert s.next_opening(jst(2026, 11, 16, 10)) == jst(2026, 11, 16, 10)


@pytest.mark.parametrize("day", [date(2026, 11, 23), date(2026, 1, 12)])  # 勤労感謝の日, 成人の日 (Mondays)
def test_public_holiday_closed_vs_open(day):
    at = jst(day.year, day.month, day.day, 10)
    assert parse_schedule(WEEKDAYS_9_17).is_open(at)  # default "open": rules apply as on Monday
    assert parse_schedule({**WEEKDAYS_9_17, "public_holidays": "open"}).is_open(at)
    assert not parse_schedule({**WEEKDAYS_9_17, "public_holidays": "closed"}).is_open(at)


def test_public_holiday_as_sunday_and_holiday_rule():
    rules = [*WEEKDAYS_9_17["rules"], {"days": ["sun"], "opens": "10:00", "closes": "12:00"}]
    s = sched(rules=rules, public_holidays="sunday")
    assert not s.is_open(jst(2026, 11, 23, 9, 30))
    assert s.is_open(jst(2026, 11, 23, 10, 30))
    assert not s.is_open(jst(2026, 11, 23, 13))
    h = sched(
        rules=[*WEEKDAYS_9_17["rules"], {"days": ["holiday"], "opens": "10:00", "closes": "16:00"}],
        public_holidays="closed",
    )
    assert not h.is_open(jst(2026, 11, 23, 9, 30))
    assert h.is_open(jst(2026, 11, 23, 15, 59))
    assert not h.is_open(jst(2026, 11, 22, 12))  # the holiday rule does not open on plain Sundays


def test_jpholiday_substitute_and_citizens_holiday():
    assert is_public_holiday(date(2026, 5, 6))  # 振替休日 (憲法記念日 5/3 is a Sunday)
    assert is_public_holiday(date(2026, 9, 22))  # 国民の休日 between 敬老の日 and 秋分の日
    assert not is_public_holiday(date(2026, 11, 24))
    s = parse_schedule({**WEEKDAYS_9_17, "public_holidays": "closed"})
    assert not s.is_open(jst(2026, 5, 6, 10))  # Wednesday, 振替休日
    assert not s.is_open(jst(2026, 9, 22, 10))  # Tuesday, 国民の休日
    assert s.is_open(jst(2026, 5, 7, 10))


def test_overnight_period():
    s = sched(rules=[{"days": "daily", "opens": "22:00", "closes": "06:00"}])
    assert s.is_open(jst(2026, 11, 17, 23, 30))
    assert s.is_open(jst(2026, 11, 18, 5, 59))
    assert not s.is_open(jst(2026, 11, 18, 6, 0))
    assert not s.is_open(jst(2026, 11, 18, 21, 59))
    assert s.closes_at(jst(2026, 11, 17, 23, 30)) == jst(2026, 11, 18, 6, 0)
    assert s.next_opening(jst(2026, 11, 18, 6, 0)) == jst(2026, 11, 18, 22, 0)


def test_overnight_period_belongs_to_its_start_day():
    s = sched(rules=[{"days": "daily", "opens": "22:00", "closes": "06:00"}], public_holidays="closed")
    assert s.is_open(jst(2026, 11, 22, 23, 30))  # Sunday night
    assert s.is_open(jst(2026, 11, 23, 5, 59))  # ... runs into the holiday morning
    assert not s.is_open(jst(2026, 11, 23, 23, 30))  # nothing starts on the holiday
    assert not s.is_open(jst(2026, 11, 24, 5, 59))
    assert s.is_open(jst(2026, 11, 24, 22, 0))


def test_year_end_closure_wraps_the_year():
    night = sched(rules=[{"days": "daily", "opens": "17:00", "closes": "08:00"}], closed_periods=YEAR_END)
    assert night.is_open(jst(2026, 12, 28, 23))
    assert night.is_open(jst(2026, 12, 29, 7, 59))  # started on 12-28
    assert not night.is_open(jst(2026, 12, 29, 17))
    assert not night.is_open(jst(2026, 12, 31, 20))
    assert not night.is_open(jst(2027, 1, 3, 20))
    assert not night.is_open(jst(2027, 1, 4, 7, 59))
    assert night.is_open(jst(2027, 1, 4, 17))
    day = parse_schedule({**WEEKDAYS_9_17, "public_holidays": "closed", "closed_periods": YEAR_END})
    assert not day.is_open(jst(2026, 12, 31, 10))
    assert not day.is_open(jst(2027, 1, 1, 10))
    assert day.is_open(jst(2027, 1, 4, 10))  # Monday
    assert day.next_opening(jst(2026, 12, 29, 10)) == jst(2027, 1, 4, 9, 0)


def test_closed_period_within_a_year():
    s = sched(is_24h=True, closed_periods=[{"from": "08-13", "to": "08-15"}])
    assert not s.is_open(jst(2026, 8, 14, 12))
    assert s.is_open(jst(2026, 8, 16, 0, 0))
    assert s.is_open(jst(2026, 12, 31, 12))


def test_days_of_month_24h_from_8():
    s = sched(rules=[{"days_of_month": [10], "opens": "08:00", "closes": "08:00"}])
    assert not s.is_open(jst(2026, 12, 10, 7, 59))
    assert s.is_open(jst(2026, 12, 10, 8, 0))
    assert s.is_open(jst(2026, 12, 11, 7, 59))
    assert not s.is_open(jst(2026, 12, 11, 8, 0))
    assert s.closes_at(jst(2026, 12, 10, 12)) == jst(2026, 12, 11, 8, 0)
    assert s.next_opening(jst(2026, 12, 1)) == jst(2026, 12, 10, 8, 0)
    assert s.next_opening(jst(2026, 12, 11, 9)) is None  # next is 2027-01-10: beyond 14 days
    assert not s.is_24h


def test_naive_datetime_raises():
    s = parse_schedule(WEEKDAYS_9_17)
    for method in (s.is_open, s.next_opening, s.closes_at):
        with pytest.raises(ValueError, match="timezone-aware"):
            method(datetime(2026, 11, 24, 10))


def test_utc_is_converted_to_tokyo():
    s = parse_schedule({**WEEKDAYS_9_17, "public_holidays": "closed"})
    assert s.is_open(datetime(2026, 11, 24, 0, 30, tzinfo=UTC))  # 09:30 JST Tuesday
    assert not s.is_open(datetime(2026, 11, 23, 23, 59, tzinfo=UTC))  # 08:59 JST
    assert not s.is_open(datetime(2026, 11, 23, 1, 0, tzinfo=UTC))  # 10:00 JST on the holiday
    nxt = s.next_opening(datetime(2026, 11, 23, 1, 0, tzinfo=UTC))
    assert nxt == datetime(2026, 11, 24, 0, 0, tzinfo=UTC) and nxt.utcoffset() == timedelta(hours=9)


def test_adjacent_periods_merge_for_closes_at():
    s = sched(
        rules=[
            {"days": "weekdays", "opens": "09:00", "closes": "12:00"},
            {"days": "weekdays", "opens": "12:00", "closes": "17:00"},
        ]
    )
    assert s.closes_at(jst(2026, 11, 16, 10)) == jst(2026, 11, 16, 17, 0)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"rules": [{"days": "daily", "opens": "00:00", "closes": "24:00"}]}, True),
        ({"rules": [{"days": "daily", "opens": "00:00", "closes": "00:00"}]}, True),
        (
            {
                "rules": [
                    {"days": "daily", "opens": "08:00", "closes": "17:00"},
                    {"days": "daily", "opens": "17:00", "closes": "08:00"},
                ]
            },
            True,
        ),
        (
            {"rules": [{"days": "daily", "opens": "00:00", "closes": "24:00"}], "public_holidays": "closed"},
            False,
        ),
        (
            {"rules": [{"days": "daily", "opens": "00:00", "closes": "24:00"}], "closed_periods": YEAR_END},
            False,
        ),
        ({"rules": [{"days": "daily", "opens": "00:00", "closes": "23:59"}]}, False),
        ({"rules": [{"days": "weekdays", "opens": "00:00", "closes": "24:00"}]}, False),
    ],
)
def test_is_24h_property(data, expected):
    assert parse_schedule(data).is_24h is expected


# -- validation -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"rules": [WEEKDAYS_9_17["rules"][0], {"days": "daily", "opens": "25:00", "closes": "26:00"}]},
            "schedule.rules[1].opens: '25:00' is not a time HH:MM",
        ),
        (
            {"rules": [{"days": "daily", "opens": "9:00", "closes": "17:00"}]},
            "schedule.rules[0].opens: '9:00'",
        ),
        (
            {"rules": [{"days": "daily", "opens": "24:00", "closes": "08:00"}]},
            "schedule.rules[0].opens: '24:00'",
        ),
        (
            {"rules": [{"days": "daily", "opens": "09:00", "closes": "24:30"}]},
            "schedule.rules[0].closes: '24:30'",
        ),
        ({"rules": [{"days": "daily", "opens": "09:00"}]}, "schedule.rules[0].closes: required"),
        (
            {"rules": [{"days": ["mon", "fry"], "opens": "09:00", "closes": "17:00"}]},
            "schedule.rules[0].days[1]: ",
        ),
        ({"rules": [{"days": "weekday", "opens": "09:00", "closes": "17:00"}]}, "schedule.rules[0].days: "),
        ({"rules": [{"days": [], "opens": "09:00", "closes": "17:00"}]}, "schedule.rules[0].days: "),
        ({"rules": [{"opens": "09:00", "closes": "17:00"}]}, "schedule.rules[0]: needs exactly one"),
        (
            {"rules": [{"days": "daily", "days_of_month": [1], "opens": "09:00", "closes": "17:00"}]},
            "schedule.rules[0]: needs exactly one",
        ),
        (
            {"rules": [{"days_of_month": [0], "opens": "09:00", "closes": "17:00"}]},
            "rules[0].days_of_month[0]: ",
        ),
        (
            {"rules": [{"days": "daily", "open": "09:00", "closes": "17:00"}]},
            "schedule.rules[0].open: unknown key",
        ),
        ({"rules": ["daily 9-17"]}, "schedule.rules[0]: expected a mapping"),
        ({"rules": []}, "schedule.rules: at least one rule is required"),
        ({}, "schedule.rules: at least one rule is required"),
        ({"note": "24時間"}, "schedule.rules: at least one rule is required"),
        ({"is_24h": True, "rules": WEEKDAYS_9_17["rules"]}, "schedule.rules: must be absent"),
        ({"is_24h": "yes"}, "schedule.is_24h: 'yes'"),
        ({"is_24h": True, "hours": "all"}, "schedule.hours: unknown key"),
        ({**WEEKDAYS_9_17, "public_holidays": "maybe"}, "schedule.public_holidays: 'maybe'"),
        (
            {**WEEKDAYS_9_17, "closed_periods": [{"from": "12-32", "to": "01-03"}]},
            "closed_periods[0].from: '12-32'",
        ),
        ({**WEEKDAYS_9_17, "closed_periods": [{"from": "12-29"}]}, "schedule.closed_periods[0].to: required"),
        ({**WEEKDAYS_9_17, "closed_periods": {"from": "12-29"}}, "schedule.closed_periods: must be a list"),
        ({**WEEKDAYS_9_17, "note": 3}, "schedule.note: must be a string"),
    ],
)
def test_validation_errors_name_the_path(data, message):
    with pytest.raises(ScheduleError) as exc:
        parse_schedule(data)
    assert message in str(exc.value)
    assert isinstance(exc.value, ValueError)


def test_validation_custom_path_and_non_mapping():
    with pytest.raises(ScheduleError, match=r"^windows\[3\]\.schedule\.rules\[0\]\.days\[0\]: "):
        parse_schedule(
            {"rules": [{"days": ["月"], "opens": "09:00", "closes": "17:00"}]}, "windows[3].schedule"
        )
    with pytest.raises(ScheduleError, match=r"^schedule: expected a mapping"):
        parse_schedule(["24h"])


def test_yaml_unquoted_time_gets_a_hint():
    data = yaml.safe_load("rules:\n- days: daily\n  opens: '09:00'\n  closes: 17:00\n")
    assert data["rules"][0]["closes"] == 1020  # YAML 1.1 sexagesimal
    with pytest.raises(ScheduleError, match=r"schedule\.rules\[0\]\.closes: 1020 .*quote"):
        parse_schedule(data)


def test_yaml_document():
    doc = """
rules:
  - {days: weekdays, opens: "09:00", closes: "17:00"}
  - {days: [sat, sun, holiday], opens: "10:00", closes: "16:00"}
public_holidays: closed
closed_periods: [{from: "12-29", to: "01-03"}]
note: 電話相談のみ
"""
    s = parse_schedule(yaml.safe_load(doc))
    assert s.is_open(jst(2026, 11, 23, 15)) and not s.is_open(jst(2026, 11, 23, 16))
    assert s.note == "電話相談のみ" and s.data["public_holidays"] == "closed"


# -- Japanese text ----------------------------------------------------------------------------
def rule(days, opens, closes):
    return {"days": days, "opens": opens, "closes": closes}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("24時間", {"is_24h": True}),
        ("２４時間３６５日", {"is_24h": True}),
        ("24時間（年末年始を除く）", {"is_24h": True, "closed_periods": YEAR_END}),
        ("平日9:00～17:00", {"rules": [rule("weekdays", "09:00", "17:00")], "public_holidays": "closed"}),
        ("平日 9時～17時", {"rules": [rule("weekdays", "09:00", "17:00")], "public_holidays": "closed"}),
        (
            "平日　９：００〜１７：００",
            {"rules": [rule("weekdays", "09:00", "17:00")], "public_holidays": "closed"},
        ),
        ("月～金 10:00-16:00", {"rules": [rule("weekdays", "10:00", "16:00")]}),
        ("月曜日〜金曜日 10:00–16:00", {"rules": [rule("weekdays", "10:00", "16:00")]}),
        ("毎日 16:00〜21:00", {"rules": [rule("daily", "16:00", "21:00")]}),
        ("毎日 16:00ー21:00", {"rules": [rule("daily", "16:00", "21:00")]}),
        ("17時～翌朝8時", {"rules": [rule("daily", "17:00", "08:00")]}),
        ("22:00—6:00", {"rules": [rule("daily", "22:00", "06:00")]}),
        ("午前9時から午後5時まで", {"rules": [rule("daily", "09:00", "17:00")]}),
        ("9時30分～16時半", {"rules": [rule("daily", "09:30", "16:30")]}),
        (
            "9:00～12:00、13:00～17:00",
            {"rules": [rule("daily", "09:00", "12:00"), rule("daily", "13:00", "17:00")]},
        ),
        (
            "9:00～17:00（土日祝日・年末年始を除く）",
            {
                "rules": [rule("weekdays", "09:00", "17:00")],
                "public_holidays": "closed",
                "closed_periods": YEAR_END,
            },
        ),
        (
            "平日9:00～17:00、土日祝10:00～16:00",
            {
                "rules": [
                    rule("weekdays", "09:00", "17:00"),
                    rule(["sat", "sun", "holiday"], "10:00", "16:00"),
                ],
                "public_holidays": "closed",
            },
        ),
        ("月・水・金 13:00～16:00", {"rules": [rule(["mon", "wed", "fri"], "13:00", "16:00")]}),
        ("土日 10:00～24:00", {"rules": [rule("weekends", "10:00", "24:00")]}),
        ("毎月10日 8:00〜翌8:00", {"rules": [{"days_of_month": [10], "opens": "08:00", "closes": "08:00"}]}),
    ],
)
def test_parse_text_ja(text, expected):
    s = parse_text_ja(text)
    assert s is not None, text
    assert s.data == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "要予約",
        "随時",
        "年中無休",
        "9:00～",
        "9時",
        "25:00～26:00",
        "8:00～8:00",
        "9:00～翌10:00",
        "午後13時～午後5時",
        "第2・第4水曜日 13:00～16:00",
        "9:00～17:00（受付は16:00まで）",
        "9:00～17:00 ※電話のみ",
        "平日9:00～17:00 土曜",
        "24時間（土日を除く）",
        "土日 9:00～17:00（土日を除く）",
        "土日祝 10:00～16:00（祝日を除く）",
        "お問い合わせください",
    ],
)
def test_parse_text_ja_refuses(text):
    assert parse_text_ja(text) is None


def test_parse_text_ja_none_input():
    assert parse_text_ja(None) is None


def test_parsed_text_behaves():
    s = parse_text_ja("17時～翌朝8時")
    assert s.is_open(jst(2026, 11, 17, 7, 59)) and not s.is_open(jst(2026, 11, 17, 8, 0))


# -- presentation -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "text"),
    [
        ({"is_24h": True}, "24時間対応"),
        ({"is_24h": True, "closed_periods": YEAR_END}, "24時間対応（年末年始を除く）"),
        (
            {**WEEKDAYS_9_17, "public_holidays": "closed", "closed_periods": YEAR_END},
            "平日 9:00〜17:00（祝日・年末年始を除く）",
        ),
        (WEEKDAYS_9_17, "月〜金 9:00〜17:00"),
        ({"rules": [rule("daily", "17:00", "08:00")]}, "毎日 17:00〜翌8:00"),
        ({"rules": [rule("daily", "10:00", "24:00")]}, "毎日 10:00〜24:00"),
        (
            {
                "rules": [rule("weekdays", "09:00", "12:00"), rule("weekdays", "13:00", "17:00")],
                "public_holidays": "closed",
            },
            "平日 9:00〜12:00、13:00〜17:00（祝日を除く）",
        ),
        (
            {
                "rules": [
                    rule("weekdays", "09:00", "17:00"),
                    rule(["sat", "sun", "holiday"], "10:00", "16:00"),
                ]
            },
            "月〜金 9:00〜17:00／土日祝 10:00〜16:00",
        ),
        ({"rules": [rule(["tue", "wed", "thu"], "13:00", "16:00")]}, "火〜木 13:00〜16:00"),
        ({"rules": [rule(["sat"], "13:00", "16:00")]}, "土曜 13:00〜16:00"),
        ({"rules": [{"days_of_month": [10], "opens": "08:00", "closes": "08:00"}]}, "毎月10日 8:00〜翌8:00"),
        ({"rules": [rule("daily", "00:00", "24:00")]}, "24時間対応"),
        (
            {**WEEKDAYS_9_17, "closed_periods": [{"from": "08-13", "to": "08-15"}]},
            "月〜金 9:00〜17:00（8/13〜8/15を除く）",
        ),
    ],
)
def test_describe_ja(data, text):
    assert parse_schedule(data).describe_ja() == text


# -- HSDS ---------------------------------------------------------------------------------------
HSDS_DIR = Path("/work/shared/data/hsds-3.1")


@pytest.fixture(scope="module")
def hsds_validator():
    if not (HSDS_DIR / "schedule.json").exists():
        pytest.skip("HSDS 3.1 schema files not available")
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    registry = Registry().with_resources(
        (p.name, Resource(contents=json.loads(p.read_text()), specification=DRAFT202012))
        for p in HSDS_DIR.glob("*.json")
    )
    schema = json.loads((HSDS_DIR / "schedule.json").read_text())
    return Draft202012Validator(schema, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)


@pytest.mark.parametrize(
    "data",
    [
        {"is_24h": True, "public_holidays": "closed", "note": "メール相談は随時"},
        {**WEEKDAYS_9_17, "public_holidays": "closed", "closed_periods": YEAR_END},
        {"rules": [rule("daily", "17:00", "08:00"), rule(["holiday"], "10:00", "16:00")]},
        {"rules": [{"days_of_month": [10, 20], "opens": "08:00", "closes": "08:00"}]},
    ],
)
def test_to_hsds_validates(hsds_validator, data):
    props = hsds_validator.schema["properties"]
    for obj in parse_schedule(data).to_hsds():
        assert set(obj) <= set(props)  # only fields the schema defines
        hsds_validator.validate({"id": str(uuid.uuid4()), **obj})  # id is assigned by the caller
        assert obj.get("freq") in (None, *props["freq"]["enum"])
        assert all(d in props["wkst"]["enum"] for d in obj.get("byday", "MO").split(","))
        for key in ("opens_at", "closes_at"):
            assert len(obj[key]) == 5 and datetime.strptime(obj[key], "%H:%M")


def test_to_hsds_content(hsds_validator):
    assert not hsds_validator.is_valid({"id": str(uuid.uuid4()), "freq": "DAILY"})  # the check is real
    assert not hsds_validator.is_valid({"id": "not-a-uuid"})
    objs = parse_schedule(
        {**WEEKDAYS_9_17, "public_holidays": "closed", "closed_periods": YEAR_END}
    ).to_hsds()
    assert objs == [
        {
            "freq": "WEEKLY",
            "byday": "MO,TU,WE,TH,FR",
            "opens_at": "09:00",
            "closes_at": "17:00",
            "timezone": 9,
            "description": "平日 9:00〜17:00（祝日・年末年始を除く）",
        }
    ]
    (full,) = parse_schedule({"is_24h": True}).to_hsds()
    assert (full["byday"], full["opens_at"], full["closes_at"]) == ("MO,TU,WE,TH,FR,SA,SU", "00:00", "23:59")
    monthly, holiday = parse_schedule(
        {
            "rules": [
                {"days_of_month": [10], "opens": "08:00", "closes": "08:00"},
                rule(["holiday"], "10:00", "16:00"),
            ]
        }
    ).to_hsds()
    assert (monthly["freq"], monthly["bymonthday"]) == ("MONTHLY", "10")
    assert "freq" not in holiday and holiday["description"] == "祝日 10:00〜16:00"
