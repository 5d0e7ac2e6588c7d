"""When lines are staffed, and which hours each field has a staffed line (pure module).

A line works its weekly shifts (weekday, start, end; an end not after its start runs past
midnight into the next day) except on dates with an exception, where it works only the
exception's spans (none: not staffed that day). ``staffed_periods`` gives one line's periods
starting on a day (the routing reads it too); ``coverage`` counts, for each date of a range and
each hour 0–23, how many lines of each field are staffed for the whole hour or part of it, and the
hours where a field has none ("gaps").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

Span = tuple[time, time]


@dataclass(frozen=True)
class LineSpec:
    """A line, the fields it serves, its weekly shifts (weekday 0 = Monday, start, end) and its
    dated exceptions (date → the spans worked that day; empty: not staffed)."""

    line: str
    fields: frozenset[str]
    weekly: tuple[tuple[int, time, time], ...] = ()
    exceptions: Mapping[date, tuple[Span, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for weekday, _start, _end in self.weekly:
            if not 0 <= weekday <= 6:
                raise ValueError(f"line {self.line}: weekday must be 0 (Monday) to 6, got {weekday}")


def staffed_periods(
    day: date, weekly: Iterable[tuple[int, time, time]], dated: Sequence[Span] | None
) -> list[tuple[datetime, datetime]]:
    """The staffed periods starting on ``day`` as naive local datetimes: ``dated`` (the day's
    exception spans; None when the day has no exception) replaces the weekly shifts of that weekday."""
    spans = dated if dated is not None else [(a, b) for weekday, a, b in weekly if weekday == day.weekday()]
    periods = []
    for start, end in spans:
        begin, finish = datetime.combine(day, start), datetime.combine(day, end)
        if finish <= begin:
            finish += timedelta(days=1)  # past midnight
        periods.append((begin, finish))
    return periods


@dataclass
class Coverage:
    days: list[date]
    # (day, hour) -> field -> number of lines staffed during (part of) that hour
    staffed: dict[tuple[date, int], dict[str, int]] = field(default_factory=dict)

    def lines(self, day: date, hour: int, field_code: str) -> int:
        return self.staffed.get((day, hour), {}).get(field_code, 0)

    def gaps(self, fields: Iterable[str]) -> dict[str, list[tuple[date, int]]]:
        """Per field, the (day, hour) slots with no staffed line, in time order."""
        return {
            code: [(day, hour) for day in self.days for hour in range(24) if not self.lines(day, hour, code)]
            for code in fields
        }


def coverage(lines: Sequence[LineSpec], first: date, days: int = 7) -> Coverage:
    """Staffed lines per field and hour from ``first`` for ``days`` days (a period that starts the
    day before ``first`` and runs past midnight counts on ``first``)."""
    if days < 1:
        raise ValueError("days must be at least 1")
    dates = [first + timedelta(days=i) for i in range(days)]
    periods = [
        (spec, begin, finish)
        for day in [first - timedelta(days=1), *dates]
        for spec in lines
        for begin, finish in staffed_periods(day, spec.weekly, spec.exceptions.get(day))
    ]
    result = Coverage(days=dates)
    for day in dates:
        for hour in range(24):
            slot_start = datetime.combine(day, time(hour))
            slot_end = slot_start + timedelta(hours=1)
            present = {spec.line: spec for spec, a, b in periods if a < slot_end and b > slot_start}
            counts: dict[str, int] = {}
            for spec in present.values():
                for code in spec.fields:
                    counts[code] = counts.get(code, 0) + 1
            if counts:
                result.staffed[(day, hour)] = counts
    return result
