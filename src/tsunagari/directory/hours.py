"""Opening hours of consultation windows (相談窓口): data contract, "open now", Japanese text.

Pure Python (no Django). All wall-clock reasoning happens in Asia/Tokyo; Japan has no DST,
so local date/time arithmetic is exact. Public holidays (祝日, including 振替休日 and
国民の休日) come from the ``jpholiday`` package (pure computation, no network).

Schedule data contract (a dict as loaded from YAML/JSON)::

    {"is_24h": true}                       # always open (closed_periods / public_holidays still apply)
    {"rules": [{"days": "weekdays", "opens": "09:00", "closes": "17:00"},
               {"days": ["sat", "sun", "holiday"], "opens": "10:00", "closes": "16:00"},
               {"days": "daily", "opens": "17:00", "closes": "08:00"},        # ends next day
               {"days_of_month": [10], "opens": "08:00", "closes": "08:00"}], # 24 h from 8:00
     "public_holidays": "open",            # "open" (default) | "closed" | "sunday"
     "closed_periods": [{"from": "12-29", "to": "01-03"}],                    # MM-DD, inclusive
     "note": "free text"}

* ``days``: "daily" | "weekdays" | "weekends" | a non-empty list of mon..sun / "holiday".
  A rule has exactly one of ``days`` / ``days_of_month`` (list of 1..31).
* ``opens`` "HH:MM" (00:00-23:59); ``closes`` "HH:MM" (00:00-24:00), exclusive. If
  ``closes <= opens`` the period ends on the next day (equal: a full 24 h). Quote times in
  YAML: unquoted ``17:00`` is read by YAML 1.1 as the integer 1020.
* A period belongs to the day it STARTS on. On a day D:
  - D inside a closed period -> no period starts on D (a period started on 12-28 evening still
    runs to its end on 12-29 morning; nothing starts 12-29..01-03);
  - D a 祝日 -> rules listing "holiday" apply; weekday rules apply as on D's weekday
    ("open"), not at all ("closed"), or as on a Sunday ("sunday");
  - ``days_of_month`` rules apply on those dates whatever the weekday/holiday policy.
"""

from __future__ import annotations

import copy
import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import jpholiday

TOKYO = ZoneInfo("Asia/Tokyo")
HORIZON = timedelta(days=14)
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HOLIDAY = "holiday"
ALL_DAYS = (*DAY_NAMES, HOLIDAY)
DAY_ALIASES = {"daily": DAY_NAMES, "weekdays": DAY_NAMES[:5], "weekends": DAY_NAMES[5:]}
POLICIES = ("open", "closed", "sunday")
YEAR_END = ((12, 29), (1, 3))
_JA_DAYS = "月火水木金土日"
_HSDS_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_TOP_KEYS = {"is_24h", "rules", "public_holidays", "closed_periods", "note"}
_RULE_KEYS = {"days", "days_of_month", "opens", "closes"}


class ScheduleError(ValueError):
    """Invalid schedule data. ``str(e)`` is "<path>: <problem>"; ``e.path`` is the path."""

    def __init__(self, path: str, problem: str):
        super().__init__(f"{path}: {problem}")
        self.path = path


@lru_cache(maxsize=4096)
def is_public_holiday(d: date) -> bool:
    """True on a Japanese public holiday, including 振替休日 and 国民の休日."""
    return jpholiday.is_holiday(d)


@dataclass(frozen=True)
class Rule:
    """One validated rule; times are minutes after midnight (closes in 0..1440)."""

    days: frozenset  # subset of DAY_NAMES + ("holiday",); empty for a days_of_month rule
    days_of_month: frozenset
    opens: int
    closes: int

    @property
    def minutes(self) -> int:
        return self.closes - self.opens if self.closes > self.opens else self.closes + 1440 - self.opens


_ALL_DAY = Rule(frozenset(DAY_NAMES), frozenset(), 0, 1440)  # what ``is_24h: true`` means


@dataclass(frozen=True)
class Schedule:
    """A validated schedule; build it with :func:`parse_schedule`. ``data`` is a copy of the input."""

    rules: tuple
    public_holidays: str = "open"
    closed_periods: tuple = ()  # ((month, day), (month, day)) pairs, inclusive, may wrap
    note: str | None = None
    always: bool = False  # the is_24h flag of the data
    data: dict = field(default_factory=dict, compare=False)

    # -- queries ------------------------------------------------------------------------
    def is_open(self, at: datetime) -> bool:
        """Whether the window is open at the aware datetime ``at`` (closing time exclusive)."""
        t = _local(at)
        return any(s <= t < e for i in (-1, 0) for s, e in self._starts(t.date() + timedelta(days=i)))

    def next_opening(self, at: datetime) -> datetime | None:
        """Earliest moment >= ``at`` when the window is open (``at`` itself if open now),
        as an Asia/Tokyo datetime; None if it does not open within 14 days."""
        t = _local(at)
        for s, e in self._merged(t):
            if e > t:
                return max(s, t).replace(tzinfo=TOKYO) if s <= t + HORIZON else None
        return None

    def closes_at(self, at: datetime) -> datetime | None:
        """End (Asia/Tokyo) of the open stretch containing ``at``, back-to-back periods merged.
        None if closed at ``at`` or if it stays open for more than 14 days (e.g. 24 h)."""
        t = _local(at)
        for s, e in self._merged(t):
            if s <= t < e:
                return e.replace(tzinfo=TOKYO) if e - t <= HORIZON else None
        return None

    @property
    def is_24h(self) -> bool:
        """True for ``is_24h: true`` data, or when rules leave no gap on any weekday, holiday or
        not, and there are no closed periods (days_of_month rules are not counted)."""
        if self.always:
            return True
        if self.closed_periods:
            return False
        base = datetime(2000, 1, 3)  # a Monday
        for wd, hol_prev, hol in itertools.product(range(7), (False, True), (False, True)):
            day = base + timedelta(days=wd)
            periods = sorted(
                self._periods(day - timedelta(days=1), (wd - 1) % 7, hol_prev, None)
                + self._periods(day, wd, hol, None)
            )
            reach = day
            for s, e in periods:
                if s > reach:
                    break
                reach = max(reach, e)
            if reach < day + timedelta(days=1):
                return False
        return True

    # -- presentation -------------------------------------------------------------------
    def describe_ja(self) -> str:
        """Short Japanese summary, e.g. "平日 9:00〜17:00（祝日・年末年始を除く）"."""
        if self.is_24h:
            return "24時間対応" + self._suffix_ja()
        groups: dict[str, list[str]] = {}
        for r in self.rules:
            groups.setdefault(self._days_ja(r), []).append(_range_ja(r))
        return "／".join(f"{k} {'、'.join(v)}" for k, v in groups.items()) + self._suffix_ja()

    def to_hsds(self) -> list[dict]:
        """Open Referral HSDS 3.1 ``schedule`` objects (without id/service_id, which the caller
        assigns). One object per rule: WEEKLY+byday or MONTHLY+bymonthday; a holiday-only rule
        has no freq (RRULE cannot express 祝日). Times are Tokyo wall time with ``timezone: 9``;
        an end at midnight is written "23:59" (the HSDS convention for 24 h). Holiday and
        closed-period exceptions are stated in ``description``; ``note`` goes to ``notes``."""
        suffix = self._suffix_ja()
        rules = self.rules
        if self.always:
            rules = (_ALL_DAY,)
        out = []
        for r in rules:
            obj: dict = {}
            if r.days_of_month:
                obj.update(freq="MONTHLY", bymonthday=",".join(str(d) for d in sorted(r.days_of_month)))
            elif r.days - {HOLIDAY}:
                obj.update(
                    freq="WEEKLY",
                    byday=",".join(c for d, c in zip(DAY_NAMES, _HSDS_DAYS, strict=True) if d in r.days),
                )
            close = "23:59" if r.closes in (0, 1440) else _hhmm(r.closes)
            text = self.describe_ja() if self.always else f"{self._days_ja(r)} {_range_ja(r)}{suffix}"
            obj.update(opens_at=_hhmm(r.opens), closes_at=close, timezone=9, description=text)
            if self.note:
                obj["notes"] = self.note
            out.append(obj)
        return out

    # -- internals ----------------------------------------------------------------------
    def _periods(self, start: datetime, weekday: int, holiday: bool, mday: int | None) -> list:
        wd = DAY_NAMES[weekday]
        if holiday and self.public_holidays != "open":
            wd = "sun" if self.public_holidays == "sunday" else None
        return [
            (start + timedelta(minutes=r.opens), start + timedelta(minutes=r.opens + r.minutes))
            for r in self.rules
            if wd in r.days or (holiday and HOLIDAY in r.days) or mday in r.days_of_month
        ]

    def _starts(self, d: date) -> list:
        """(start, end) naive Tokyo datetimes of the periods starting on day ``d``."""
        md = (d.month, d.day)
        if any(a <= md <= b if a <= b else (md >= a or md <= b) for a, b in self.closed_periods):
            return []
        return self._periods(datetime.combine(d, time()), d.weekday(), is_public_holiday(d), d.day)

    def _merged(self, t: datetime) -> list:
        """Periods from the day before ``t`` to 15 days after, overlapping/adjacent ones merged."""
        merged: list[list] = []
        for s, e in sorted(p for i in range(-1, 16) for p in self._starts(t.date() + timedelta(days=i))):
            if merged and s <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        return merged

    def _days_ja(self, r: Rule) -> str:
        if r.days_of_month:
            return "毎月" + "・".join(f"{d}日" for d in sorted(r.days_of_month))
        idx = [i for i, d in enumerate(DAY_NAMES) if d in r.days]
        if len(idx) == 7:
            return "毎日"
        if idx == [0, 1, 2, 3, 4]:
            label = "平日" if self.public_holidays != "open" else "月〜金"
        elif idx == [5, 6]:
            label = "土日"
        elif len(idx) >= 3 and idx == list(range(idx[0], idx[-1] + 1)):
            label = f"{_JA_DAYS[idx[0]]}〜{_JA_DAYS[idx[-1]]}"
        else:
            label = "・".join(_JA_DAYS[i] for i in idx) + ("曜" if len(idx) == 1 else "")
        if HOLIDAY in r.days:
            label = "祝日" if not idx else label + ("祝" if label == "土日" else "・祝日")
        return label

    def _suffix_ja(self) -> str:
        excluded, extra = [], ""
        has_holiday_rule = any(HOLIDAY in r.days for r in self.rules)
        if self.public_holidays == "sunday" and any("sun" in r.days for r in self.rules):
            extra = "（祝日は日曜と同じ）"
        elif self.public_holidays != "open" and not has_holiday_rule:
            excluded.append("祝日")
        for a, b in self.closed_periods:
            excluded.append("年末年始" if (a, b) == YEAR_END else f"{a[0]}/{a[1]}〜{b[0]}/{b[1]}")
        return (f"（{'・'.join(excluded)}を除く）" if excluded else "") + extra


def _local(at: datetime) -> datetime:
    if not isinstance(at, datetime) or at.utcoffset() is None:
        raise ValueError(f"a timezone-aware datetime is required, got {at!r}")
    return at.astimezone(TOKYO).replace(tzinfo=None)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _range_ja(r: Rule) -> str:
    h = lambda m: f"{m // 60}:{m % 60:02d}"  # noqa: E731
    end = "24:00" if r.closes in (0, 1440) else ("翌" if r.closes <= r.opens else "") + h(r.closes)
    return f"{h(r.opens)}〜{end}"


# -- validation -----------------------------------------------------------------------------
def _mapping(value, path: str, allowed: set) -> None:
    if not isinstance(value, dict):
        raise ScheduleError(path, f"expected a mapping, got {type(value).__name__}")
    for key in value:
        if key not in allowed:
            raise ScheduleError(f"{path}.{key}", f"unknown key (allowed: {', '.join(sorted(allowed))})")


def _require(value: dict, path: str, keys: tuple) -> None:
    for key in keys:
        if key not in value:
            raise ScheduleError(f"{path}.{key}", "required")


def _minutes(value, path: str, allow_24: bool) -> int:
    m = re.fullmatch(r"([01]\d|2[0-4]):([0-5]\d)", value) if isinstance(value, str) else None
    if not m or (m[1] == "24" and (m[2] != "00" or not allow_24)):
        hint = " (quote times in YAML: unquoted 17:00 is read as a number)" if isinstance(value, int) else ""
        raise ScheduleError(path, f"{value!r} is not a time HH:MM{hint}")
    return int(m[1]) * 60 + int(m[2])


def _month_day(value, path: str) -> tuple:
    m = re.fullmatch(r"(\d\d)-(\d\d)", value) if isinstance(value, str) else None
    try:
        date(2000, int(m[1]), int(m[2]))  # a leap year, so 02-29 is accepted
    except (TypeError, ValueError):
        raise ScheduleError(path, f"{value!r} is not a date MM-DD") from None
    return int(m[1]), int(m[2])


def _parse_rule(raw, path: str) -> Rule:
    _mapping(raw, path, _RULE_KEYS)
    if ("days" in raw) == ("days_of_month" in raw):
        raise ScheduleError(path, "needs exactly one of 'days' or 'days_of_month'")
    key = "days" if "days" in raw else "days_of_month"
    days, mdays, v = frozenset(), frozenset(), raw[key]
    if key == "days" and isinstance(v, str):
        if v not in DAY_ALIASES:
            raise ScheduleError(f"{path}.days", f"{v!r} is not daily, weekdays, weekends or a list of days")
        days = frozenset(DAY_ALIASES[v])
    elif not isinstance(v, list) or not v:
        raise ScheduleError(f"{path}.{key}", "must be a non-empty list")
    elif key == "days":
        for i, d in enumerate(v):
            if d not in ALL_DAYS:
                raise ScheduleError(f"{path}.days[{i}]", f"unknown day {d!r} (expected mon..sun or holiday)")
        days = frozenset(v)
    else:
        for i, d in enumerate(v):
            if type(d) is not int or not 1 <= d <= 31:
                raise ScheduleError(f"{path}.days_of_month[{i}]", f"{d!r} is not a day of the month 1-31")
        mdays = frozenset(v)
    _require(raw, path, ("opens", "closes"))
    opens, closes = (_minutes(raw[k], f"{path}.{k}", allow_24=k == "closes") for k in ("opens", "closes"))
    return Rule(days, mdays, opens, closes)


def parse_schedule(data: dict, path: str = "schedule") -> Schedule:
    """Validate schedule ``data`` (see the module docstring) and return a :class:`Schedule`.

    Raises :class:`ScheduleError` naming the offending element, e.g.
    ``schedule.rules[1].opens: '25:00' is not a time HH:MM``."""
    _mapping(data, path, _TOP_KEYS)
    always = data.get("is_24h", False)
    if not isinstance(always, bool):
        raise ScheduleError(f"{path}.is_24h", f"{always!r} is not true or false")
    raw_rules = data.get("rules", [])
    if not isinstance(raw_rules, list):
        raise ScheduleError(f"{path}.rules", "must be a list")
    if always and raw_rules:
        raise ScheduleError(f"{path}.rules", "must be absent when is_24h is true")
    if not always and not raw_rules:
        raise ScheduleError(f"{path}.rules", "at least one rule is required unless is_24h is true")
    rules = tuple(_parse_rule(r, f"{path}.rules[{i}]") for i, r in enumerate(raw_rules))
    policy = data.get("public_holidays", "open")
    if policy not in POLICIES:
        raise ScheduleError(f"{path}.public_holidays", f"{policy!r} is not one of {', '.join(POLICIES)}")
    raw_periods = data.get("closed_periods", [])
    if not isinstance(raw_periods, list):
        raise ScheduleError(f"{path}.closed_periods", "must be a list")
    periods = []
    for i, p in enumerate(raw_periods):
        _mapping(p, f"{path}.closed_periods[{i}]", {"from", "to"})
        _require(p, f"{path}.closed_periods[{i}]", ("from", "to"))
        periods.append(tuple(_month_day(p[k], f"{path}.closed_periods[{i}].{k}") for k in ("from", "to")))
    note = data.get("note")
    if note is not None and not isinstance(note, str):
        raise ScheduleError(f"{path}.note", "must be a string")
    return Schedule(rules or (_ALL_DAY,), policy, tuple(periods), note, always, copy.deepcopy(data))


# -- Japanese free text -----------------------------------------------------------------------
_DAY = r"[月火水木金土日](?:曜日?)?"
_DAYSPEC = re.compile(
    rf"平日|毎日|土日祝日?|土日|祝日|毎月(\d{{1,2}}(?:[・,]\d{{1,2}})*)日|({_DAY})~({_DAY})|{_DAY}(?:・{_DAY})*"
)
_T = r"(午前|午後)?(\d{1,2})(?::(\d{2})|時(?:(\d{1,2})分|(半))?)"
_RANGE = re.compile(rf"{_T}~(翌朝?|翌日)?{_T}")
_EXCLUDED = {"土": "sat", "日": "sun", "祝": HOLIDAY, "年": "year_end"}  # 年 = 年末年始


def _text_minutes(ampm, h, m, m2, half) -> int | None:
    h, m = int(h), int(m or m2 or 0) + (30 if half else 0)
    if ampm:
        if h > 11:
            return None
        h += 12 if ampm == "午後" else 0
    return None if m > 59 or h > 24 or (h == 24 and m) else h * 60 + m


def _text_days(m: re.Match) -> set:
    s = m[0]
    if m[1]:
        return {int(d) for d in re.split(r"[・,]", m[1])}
    if m[2]:
        a, b = _JA_DAYS.index(m[2][0]), _JA_DAYS.index(m[3][0])
        return {DAY_NAMES[(a + i) % 7] for i in range((b - a) % 7 + 1)}
    named = {"平日": DAY_NAMES[:5], "毎日": DAY_NAMES, "土日": DAY_NAMES[5:], "祝日": (HOLIDAY,)}
    if s in named:
        return set(named[s])
    if s.startswith("土日祝"):
        return {"sat", "sun", HOLIDAY}
    return {DAY_NAMES[_JA_DAYS.index(c)] for c in re.sub(r"曜日?|・", "", s)}


def parse_text_ja(text: str) -> Schedule | None:
    """Best-effort parse of Japanese hours text from government data; None unless the whole
    text is understood. Understood: "24時間", "24時間365日", "平日9:00～17:00" (平日 also means
    public_holidays "closed"), "月～金 10:00-16:00", "土日祝 …", "毎月10日 8:00～翌8:00",
    "9時～17時", "午前9時～午後5時", "17時～翌朝8時", "22:00～6:00" (overnight),
    "9:00～12:00、13:00～17:00", several day groups, and trailing "（土日祝日・年末年始を除く）".
    Without a day prefix the hours apply daily. Full-width forms and 〜～-–—ー are accepted."""
    if not isinstance(text, str):
        return None
    s = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    s = re.sub(r"[〜~\-–—ー−‐]|から", "~", s).replace("まで", "")
    removed: set = set()
    for excl in re.findall(r"\(([^()]*)\)", s):  # e.g. "(土日祝日・年末年始を除く)"
        m = re.fullmatch(
            r"((?:[土日祝・、,]|年末年始)+)を?除く", re.sub(r"曜日?", "", excl.replace("祝日", "祝"))
        )
        if not m:
            return None
        removed |= {_EXCLUDED[c] for c in m[1].replace("年末年始", "年") if c in _EXCLUDED}
    s = re.sub(r"\([^()]*\)", "", s)
    holiday_excluded, year_end = HOLIDAY in removed, "year_end" in removed
    holiday_closed, removed = holiday_excluded, removed - {HOLIDAY, "year_end"}
    rules: list[dict] = []
    if re.fullmatch(r"(?:毎日)?(?:年中無休)?24時間(?:365日|年中無休)?(?:対応|受付)?", s):
        data: dict = {"is_24h": True}
        if removed:
            return None
    else:
        pos, days = 0, set(DAY_NAMES)
        while pos < len(s):
            if dm := _DAYSPEC.match(s, pos):
                days, pos = _text_days(dm), dm.end()
                holiday_closed |= dm[0] == "平日"
            if not (r := _RANGE.match(s, pos)):
                return None
            opens, closes = _text_minutes(*r.group(1, 2, 3, 4, 5)), _text_minutes(*r.group(7, 8, 9, 10, 11))
            if opens is None or closes is None or opens >= 1440 or (closes == opens and not r[6]):
                return None
            if r[6] and closes > opens:  # "翌" but longer than 24 h
                return None
            key = "days_of_month" if all(isinstance(d, int) for d in days) else "days"
            if key == "days" and (not days - removed or (HOLIDAY in days and holiday_excluded)):
                return None
            rule_days = sorted(days) if key == "days_of_month" else _days_out(days - removed)
            rules.append({key: rule_days, "opens": _hhmm(opens), "closes": _hhmm(closes)})
            pos = r.end()
            if sep := re.compile(r"[、,/・]").match(s, pos):
                pos = sep.end()
        if not rules:
            return None
        data = {"rules": rules}
    if holiday_closed:
        data["public_holidays"] = "closed"
    if year_end:
        data["closed_periods"] = [{"from": "12-29", "to": "01-03"}]
    try:
        return parse_schedule(data, "text")
    except ScheduleError:
        return None


def _days_out(days: set):
    for alias, names in DAY_ALIASES.items():
        if days == set(names):
            return alias
    return [d for d in ALL_DAYS if d in days]
