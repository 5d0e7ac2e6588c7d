"""Which hours each field has a staffed line (pure module).

Input: shifts as ``ShiftSpec`` (a line, the fields it serves, a weekday and a time span; a span
whose end is not after its start runs past midnight into the next day) and dated exceptions as
``ExceptionSpec`` (on that date the line works only the given spans, or not at all). Output: for
each date of a range and each hour 0–23, how many lines of each field are staffed for the whole
hour or part of it, and the hours where a field has none ("gaps").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta


@dataclass(frozen=True)
class ShiftSpec:
    line: str
    fields: frozenset[str]
    weekday: int  # 0 = Monday
    start: time
    end: time

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"line {self.line}: weekday must be 0 (Monday) to 6, got {self.weekday}")


@dataclass(frozen=True)
class ExceptionSpec:
    line: str
    day: date
    spans: tuple[tuple[time, time], ...] = ()  # empty: not staffed that day


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


def _intervals(day: date, start: time, end: time) -> tuple[datetime, datetime]:
    begin = datetime.combine(day, start)
    finish = datetime.combine(day, end)
    if finish <= begin:
        finish += timedelta(days=1)  # past midnight
    return begin, finish


def coverage(
    shifts: Sequence[ShiftSpec], exceptions: Sequence[ExceptionSpec], first: date, days: int = 7
) -> Coverage:
    """Staffed lines per field and hour from ``first`` for ``days`` days.

    A shift that starts the day before ``first`` and runs past midnight counts on ``first``. An
    exception replaces that line's weekly shifts starting on its date."""
    if days < 1:
        raise ValueError("days must be at least 1")
    dates = [first + timedelta(days=i) for i in range(days)]
    excepted = {(e.line, e.day): e for e in exceptions}
    fields_of = {s.line: s.fields for s in shifts}
    spans: list[tuple[str, datetime, datetime]] = []
    for day in [first - timedelta(days=1), *dates]:
        for shift in shifts:
            if (shift.line, day) in excepted or shift.weekday != day.weekday():
                continue
            spans.append((shift.line, *_intervals(day, shift.start, shift.end)))
        for (line, on), exception in excepted.items():
            if on == day:
                spans.extend((line, *_intervals(day, a, b)) for a, b in exception.spans)
    result = Coverage(days=dates)
    for day in dates:
        for hour in range(24):
            slot_start = datetime.combine(day, time(hour))
            slot_end = slot_start + timedelta(hours=1)
            present = {line for line, a, b in spans if a < slot_end and b > slot_start}
            counts: dict[str, int] = {}
            for line in present:
                for code in fields_of.get(line, ()):
                    counts[code] = counts.get(code, 0) + 1
            if counts:
                result.staffed[(day, hour)] = counts
    return result
