"""Statistics of the unified line (pure Python, standard library only).

Input is a list of :class:`Cell` — counts of contacts that share a day, an hour (both in Asia/Tokyo),
a field and a body — as ``stats_selectors`` reads them from the database in one grouped query, or as
:func:`cells_from_outcomes` builds them from one :class:`ContactOutcome` per contact. Counts are
additive, so every breakdown (per field, hour of day, day, weekday, body, and the total) is an exact
sum of cells.

Definitions (those of the Cabinet Office's reports on the #9999 trials):

- *offered* (呼出件数): every contact that started in the period, including callers who hung up during
  the voice guidance before choosing a field (their field is ``None``);
- *connected* (接続完了): contacts that were answered by a counsellor (an ``answered`` event);
- *answer rate* (応答率) = connected / offered, as a percentage rounded half-up to one decimal, as
  published (``Decimal``; computed with integers, so 26.05 → 26.1 exactly); ``None`` when nothing
  was offered;
- *abandoned* (放棄): contacts that hung up while waiting in a queue and were never connected;
- *average wait*: mean queue time of the contacts whose wait was recorded (connected or abandoned),
  and *average answer wait* (ASA) of connected contacts only, in seconds rounded half-up to one
  decimal.

Shares (estimated age bands, consultation types) are percentages of the records counted, rounded the
same way; rounded shares need not add up to exactly 100.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

HOURS = tuple(range(24))
WEEKDAYS = tuple(range(7))  # 0 = Monday, as date.weekday()


def rounded_percent(part: int, whole: int) -> Decimal | None:
    """``part / whole`` as a percentage rounded half-up to one decimal (``None`` if whole is 0).

    >>> rounded_percent(3823, 14678), rounded_percent(1, 8), rounded_percent(0, 0)
    (Decimal('26.0'), Decimal('12.5'), None)
    """
    if whole <= 0:
        return None
    if part < 0:
        raise ValueError("part must not be negative")
    tenths = (2000 * part + whole) // (2 * whole)  # floor(1000·part/whole + 1/2): half-up, exact
    return Decimal(tenths).scaleb(-1)


def rounded_mean(total: int, count: int) -> Decimal | None:
    """``total / count`` rounded half-up to one decimal (``None`` if count is 0)."""
    if count <= 0:
        return None
    tenths = (20 * total + count) // (2 * count)
    return Decimal(tenths).scaleb(-1)


def answer_rate(connected: int, offered: int) -> Decimal | None:
    """The published answer rate (応答率): connected / offered in percent, one decimal, half-up."""
    if connected > offered:
        raise ValueError("more contacts connected than offered")
    return rounded_percent(connected, offered)


@dataclass(frozen=True)
class ContactOutcome:
    """What happened to one contact: where (day and hour in Asia/Tokyo, field, body) and how.

    ``wait_seconds`` is the queue time when it was recorded (connected or abandoned contacts)."""

    day: date
    hour: int
    field: str | None
    body: Hashable | None
    connected: bool
    abandoned: bool = False
    wait_seconds: int | None = None


@dataclass(frozen=True)
class Cell:
    """Counts of the contacts that share a day, an hour, a field and a body."""

    day: date
    hour: int
    field: str | None
    body: Hashable | None
    offered: int
    connected: int = 0
    abandoned: int = 0
    wait_total: int = 0  # seconds, over the contacts with a recorded wait
    waits: int = 0
    answer_wait_total: int = 0  # seconds, over connected contacts with a recorded wait
    answer_waits: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.hour <= 23:
            raise ValueError(f"hour out of range: {self.hour}")
        if min(self.offered, self.connected, self.abandoned, self.waits, self.answer_waits) < 0:
            raise ValueError("counts must not be negative")
        if self.connected + self.abandoned > self.offered:
            raise ValueError("connected + abandoned exceeds offered")
        if self.answer_waits > self.connected or self.waits > self.offered:
            raise ValueError("more waits than contacts")


@dataclass(frozen=True)
class Figures:
    """The figures of one group of contacts."""

    offered: int = 0
    connected: int = 0
    abandoned: int = 0
    wait_total: int = 0
    waits: int = 0
    answer_wait_total: int = 0
    answer_waits: int = 0

    @property
    def not_connected(self) -> int:
        return self.offered - self.connected

    @property
    def answer_rate(self) -> Decimal | None:
        return answer_rate(self.connected, self.offered)

    @property
    def abandon_rate(self) -> Decimal | None:
        return rounded_percent(self.abandoned, self.offered)

    @property
    def average_wait(self) -> Decimal | None:
        return rounded_mean(self.wait_total, self.waits)

    @property
    def average_answer_wait(self) -> Decimal | None:
        return rounded_mean(self.answer_wait_total, self.answer_waits)

    def __add__(self, other: Figures | Cell) -> Figures:
        return Figures(
            self.offered + other.offered,
            self.connected + other.connected,
            self.abandoned + other.abandoned,
            self.wait_total + other.wait_total,
            self.waits + other.waits,
            self.answer_wait_total + other.answer_wait_total,
            self.answer_waits + other.answer_waits,
        )


@dataclass(frozen=True)
class Row:
    """One line of a breakdown: its key (field code, hour, date, weekday, body id or ``None``)."""

    key: Hashable | None
    figures: Figures


@dataclass(frozen=True)
class Report:
    """Every breakdown of a period. ``by_hour`` has the 24 hours and ``by_weekday`` the 7 weekdays;
    ``by_day`` has every day of the period when one was given (else the days seen). Field and body
    rows follow the given order, then any other key seen (sorted), then ``None`` last."""

    total: Figures
    by_field: tuple[Row, ...]
    by_hour: tuple[Row, ...]
    by_day: tuple[Row, ...]
    by_weekday: tuple[Row, ...]
    by_body: tuple[Row, ...]

    def field(self, code: str | None) -> Figures:
        return _lookup(self.by_field, code)

    def body(self, key: Hashable | None) -> Figures:
        return _lookup(self.by_body, key)

    def hour(self, hour: int) -> Figures:
        return _lookup(self.by_hour, hour)

    def day(self, day: date) -> Figures:
        return _lookup(self.by_day, day)


def _lookup(rows: Sequence[Row], key) -> Figures:
    for row in rows:
        if row.key == key:
            return row.figures
    return Figures()


def cells_from_outcomes(outcomes: Iterable[ContactOutcome]) -> list[Cell]:
    """Group per-contact outcomes into cells."""
    acc: dict[tuple, list[int]] = {}
    for o in outcomes:
        if o.connected and o.abandoned:
            raise ValueError("a contact is either connected or abandoned, not both")
        key = (o.day, o.hour, o.field, o.body)
        c = acc.setdefault(key, [0] * 7)
        c[0] += 1
        c[1] += o.connected
        c[2] += o.abandoned
        if o.wait_seconds is not None:
            if o.wait_seconds < 0:
                raise ValueError("negative wait")
            c[3] += o.wait_seconds
            c[4] += 1
            if o.connected:
                c[5] += o.wait_seconds
                c[6] += 1
    return [Cell(*key, *counts) for key, counts in acc.items()]


def period_days(first: date, last: date) -> list[date]:
    """Every day from ``first`` to ``last`` inclusive."""
    if last < first:
        raise ValueError("the period ends before it starts")
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _ordered(groups: Mapping, order: Sequence) -> tuple[Row, ...]:
    keys = [k for k in order if k is not None]
    seen = set(keys)
    keys += sorted((k for k in groups if k is not None and k not in seen), key=str)
    if None in groups or None in order:
        keys.append(None)
    return tuple(Row(k, groups.get(k, Figures())) for k in keys)


def aggregate(
    cells: Iterable[Cell],
    *,
    days: Sequence[date] | None = None,
    field_order: Sequence[str | None] = (),
    body_order: Sequence[Hashable | None] = (),
) -> Report:
    """Sum cells into the total and every breakdown.

    ``days``: the period's days (listed even when empty); ``field_order`` / ``body_order``: keys to
    list first and even when empty (e.g. the fields of the menu)."""
    zero = Figures()
    total = zero
    by_field: dict = {}
    by_hour: dict = {}
    by_day: dict = {}
    by_weekday: dict = {}
    by_body: dict = {}
    for cell in cells:
        total += cell
        by_field[cell.field] = by_field.get(cell.field, zero) + cell
        by_hour[cell.hour] = by_hour.get(cell.hour, zero) + cell
        by_day[cell.day] = by_day.get(cell.day, zero) + cell
        weekday = cell.day.weekday()
        by_weekday[weekday] = by_weekday.get(weekday, zero) + cell
        by_body[cell.body] = by_body.get(cell.body, zero) + cell
    if days is not None:
        outside = sorted(set(by_day) - set(days))
        if outside:
            raise ValueError(f"cells outside the period: {outside[0]}")
        day_keys = list(days)
    else:
        day_keys = sorted(by_day)
    return Report(
        total=total,
        by_field=_ordered(by_field, field_order),
        by_hour=tuple(Row(h, by_hour.get(h, zero)) for h in HOURS),
        by_day=tuple(Row(d, by_day.get(d, zero)) for d in day_keys),
        by_weekday=tuple(Row(w, by_weekday.get(w, zero)) for w in WEEKDAYS),
        by_body=_ordered(by_body, body_order),
    )


@dataclass(frozen=True)
class Share:
    """A category's count and its share (percent, one decimal, half-up) of ``base``."""

    key: str | None
    count: int
    percent: Decimal | None


@dataclass(frozen=True)
class RecordSummary:
    """What the consultation records of the period say (no personal data: counts only).

    ``age_bands``: records by estimated age band (``None``: not recorded), in ``band_order`` then by
    count; ``types``: records mentioning each consultation type (a record may mention several), most
    frequent first, shares of all records; ``serious``: records flagged for つなぎ支援;
    ``coordinated``: serious cases taken into the coordinators' queue."""

    records: int
    age_bands: tuple[Share, ...] = ()
    types: tuple[Share, ...] = ()
    serious: int = 0
    coordinated: int = 0

    def age_share(self, bands: Iterable[str]) -> Decimal | None:
        """The share of records (with a recorded band) whose band is one of ``bands``."""
        wanted = set(bands)
        known = sum(s.count for s in self.age_bands if s.key is not None)
        return rounded_percent(sum(s.count for s in self.age_bands if s.key in wanted), known)


def shares(counts: Mapping[str | None, int], base: int, order: Sequence[str] = ()) -> tuple[Share, ...]:
    """Each category's count and percentage of ``base``: ``order`` first, then by count (desc) and
    key; ``None`` (not recorded) last."""
    keys = [k for k in order if k in counts]
    rest = sorted((k for k in counts if k is not None and k not in keys), key=lambda k: (-counts[k], k))
    keys += rest
    if None in counts:
        keys.append(None)
    return tuple(Share(k, counts[k], rounded_percent(counts[k], base)) for k in keys)


def summarise_records(
    age_band_counts: Mapping[str | None, int],
    type_lists: Iterable[Sequence[str] | None],
    *,
    serious: int = 0,
    coordinated: int = 0,
    band_order: Sequence[str] = (),
) -> RecordSummary:
    """Build a :class:`RecordSummary` from the count of records per age band (``None``: not
    recorded) and each record's list of consultation types (one entry per record)."""
    records = sum(age_band_counts.values())
    type_counts: dict[str, int] = {}
    listed = 0
    for types in type_lists:
        listed += 1
        for t in dict.fromkeys(types or ()):  # a type counts once per record
            if isinstance(t, str) and t:
                type_counts[t] = type_counts.get(t, 0) + 1
    if listed != records:
        raise ValueError("one list of types per record is needed")
    known = sum(n for k, n in age_band_counts.items() if k is not None)
    band_shares = tuple(
        Share(s.key, s.count, rounded_percent(s.count, known) if s.key is not None else None)
        for s in shares(age_band_counts, known, band_order)
    )
    return RecordSummary(
        records=records,
        age_bands=band_shares,
        types=shares(type_counts, records),
        serious=serious,
        coordinated=coordinated,
    )
