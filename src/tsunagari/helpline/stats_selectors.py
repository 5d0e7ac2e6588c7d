"""Database reads for the line's statistics (see ``statistics`` for the definitions).

:func:`contact_cells` reads a period's contacts as :class:`statistics.Cell` rows — one per day, hour
(Asia/Tokyo), field, body and outcome — in one query that reads each deciding event once;
:func:`record_summary` counts the period's consultation records (estimated age bands,
consultation types, serious and coordinated cases) in one query. Both filter by field and partner
body (and channel). The SQL is plain and portable; only the hour of a timestamp in Asia/Tokyo is
written per database (SQLite, PostgreSQL), and the same tests run on both.

A contact (one call or chat) belongs to the period when it *started* in it (days from midnight to
midnight in Asia/Tokyo); its hour is the hour it started. Per contact:

- field: the field of its last recorded ``menu_choice`` event (``None``: no field chosen, e.g. the
  caller hung up during the voice guidance);
- connected: it has an ``answered`` event; abandoned: it has an ``abandoned`` event and none
  ``answered``;
- body: the body of its last recorded deciding event with a body (answered, abandoned, busy
  message, transfer) — the body that answered it or where it was waiting when it ended;
- wait: ``wait_seconds`` of its first ``answered`` event, else of its first ``abandoned`` event.

"First" and "last" are by event id (the order events were recorded). Deciding events are read from
an hour before the period to a day after it (see ``EVENT_EARLY`` / ``EVENT_LATE``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import NotSupportedError, connection
from django.db.models import Exists, OuterRef
from django.db.models.expressions import RawSQL
from django.db.models.fields.json import KeyTextTransform, KeyTransform

from tsunagari.helpline import statistics
from tsunagari.helpline.models import (
    ConsultationRecord,
    Contact,
    ContactEvent,
    CoordinationCase,
    Field,
    PartnerBody,
)

TOKYO = ZoneInfo("Asia/Tokyo")
NO_FIELD = "-"  # filter value: contacts in which no field was chosen
NO_BODY = 0  # filter value: contacts that reached no body
# Keys of the common consultation record (data/record_forms/v1.yaml); "unknown" (不明) counts as an
# age band not estimated.
AGE_BAND_KEY = "age_band"
TYPES_KEY = "consultation_types"
UNKNOWN_AGE_BAND = "unknown"
Kind = ContactEvent.Kind


@dataclass(frozen=True)
class Filter:
    """A period (inclusive days in Asia/Tokyo) and optional field / body / channel."""

    first: date
    last: date
    field: str | None = None  # a field code, NO_FIELD, or None for all
    body: int | None = None  # a body id, NO_BODY, or None for all
    channel: str | None = None

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError("the period ends before it starts")

    @property
    def days(self) -> list[date]:
        return statistics.period_days(self.first, self.last)

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        start = datetime.combine(self.first, time(), TOKYO)
        end = datetime.combine(self.last + timedelta(days=1), time(), TOKYO)
        return start, end


#: The kinds of events that decide a contact's field, outcome and body (others are not read).
DECIDING_KINDS = (Kind.MENU_CHOICE, Kind.ANSWERED, Kind.ABANDONED, Kind.MESSAGE_PLAYED, Kind.TRANSFERRED)

# Per contact, "the value of its latest (or first) event of a kind" is read in the same pass that
# groups its events, without joining the events again: each event contributes ``id * SHIFT + value``
# and MAX (MIN) of that keeps the value of the event with the highest (lowest) id; ``% SHIFT`` gets the
# value back. Values must be below SHIFT: body ids and field numbers are, waits are capped at 48 days,
# and ``NO_WAIT`` stands for "no wait recorded". Event ids must stay below 2**40 (checked).
SHIFT = 2**22
NO_WAIT = SHIFT - 1
MAX_EVENT_ID = 2**40
EVENT_EARLY = timedelta(hours=1)
EVENT_LATE = timedelta(days=1)


def _db_datetime(value: datetime):
    return connection.ops.adapt_datetimefield_value(value)


def _slot_sql(column: str) -> str:
    """SQL of ``'YYYY-MM-DD HH'`` in Asia/Tokyo, with each database's own functions (no per-row
    Python callback on SQLite). Asia/Tokyo has been UTC+9 without daylight saving time since 1952,
    so SQLite's fixed ``'+9 hours'`` is exact for every date the line can have."""
    if connection.vendor == "sqlite":
        return f"strftime('%%Y-%%m-%%d %%H', {column}, '+9 hours')"
    if connection.vendor == "postgresql":
        return f"to_char({column} AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD HH24')"
    raise NotSupportedError("helpline statistics run on SQLite and PostgreSQL only")


def _check_limits() -> None:
    last_event = ContactEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    last_body = PartnerBody.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    if last_event >= MAX_EVENT_ID or last_body >= SHIFT:
        raise NotSupportedError("event or body ids beyond what the statistics query can encode")


def _contacts_sql(f: Filter, field_codes: list[str]) -> tuple[str, list]:
    """SQL of one row per contact of the period, after the field / body filter:
    ``contact_id, slot, field_num, body, connected, abandoned, wait, answer_wait`` where
    ``field_num`` is the 1-based position of the field in ``field_codes`` (NULL or 0: none)."""
    q = connection.ops.quote_name
    c_meta, e_meta = Contact._meta, ContactEvent._meta
    contact, event = q(c_meta.db_table), q(e_meta.db_table)

    def ccol(name: str) -> str:
        return "c." + q(c_meta.get_field(name).column)

    def ecol(name: str) -> str:
        return "e." + q(e_meta.get_field(name).column)

    e_id, e_kind, e_body, e_wait, e_field = (ecol(n) for n in ("id", "kind", "body", "wait_seconds", "field"))
    params: list = []
    if field_codes:
        field_num = f"CASE {e_field} " + " ".join(f"WHEN %s THEN {i}" for i in range(1, len(field_codes) + 1))
        field_num += " ELSE 0 END"
    else:
        field_num = "0"
    wait = f"CASE WHEN {e_wait} IS NULL THEN {NO_WAIT} WHEN {e_wait} > {NO_WAIT - 1} THEN {NO_WAIT - 1} ELSE {e_wait} END"
    start, end = f.bounds
    # The deciding events of the period's contacts, read through the (kind, at) index: they happen
    # after the contact started (an hour's allowance for clock differences) and within a day of it.
    events = (
        f"SELECT {ecol('contact')} AS cid,"
        f" MAX(CASE WHEN {e_kind} = %s THEN {e_id} * {SHIFT} + {field_num} END) AS choice,"
        f" MIN(CASE WHEN {e_kind} = %s THEN {e_id} * {SHIFT} + {wait} END) AS answer,"
        f" MIN(CASE WHEN {e_kind} = %s THEN {e_id} * {SHIFT} + {wait} END) AS abandon,"
        f" MAX(CASE WHEN {e_body} IS NOT NULL THEN {e_id} * {SHIFT} + {e_body} END) AS body"
        f" FROM {event} e WHERE {e_kind} IN ({', '.join(['%s'] * len(DECIDING_KINDS))})"
        f" AND {ecol('at')} >= %s AND {ecol('at')} < %s GROUP BY {ecol('contact')}"
    )
    params += [Kind.MENU_CHOICE, *field_codes, Kind.ANSWERED, Kind.ABANDONED, *DECIDING_KINDS]
    params += [_db_datetime(start - EVENT_EARLY), _db_datetime(end + EVENT_LATE)]
    sql = (
        f"SELECT {ccol('id')} AS contact_id, {_slot_sql(ccol('started_at'))} AS slot,"
        f" a.choice %% {SHIFT} AS field_num, a.body %% {SHIFT} AS body,"
        " CASE WHEN a.answer IS NULL THEN 0 ELSE 1 END AS connected,"
        " CASE WHEN a.answer IS NULL AND a.abandon IS NOT NULL THEN 1 ELSE 0 END AS abandoned,"
        f" NULLIF(COALESCE(a.answer, a.abandon) %% {SHIFT}, {NO_WAIT}) AS wait,"
        f" NULLIF(a.answer %% {SHIFT}, {NO_WAIT}) AS answer_wait"
        f" FROM {contact} c LEFT JOIN ({events}) a ON a.cid = {ccol('id')}"
        f" WHERE {ccol('started_at')} >= %s AND {ccol('started_at')} < %s"
    )
    params += [_db_datetime(start), _db_datetime(end)]
    if f.channel:
        sql += f" AND {ccol('channel')} = %s"
        params.append(f.channel)
    if f.field == NO_FIELD:
        sql += f" AND COALESCE(a.choice %% {SHIFT}, 0) = 0"
    elif f.field:
        sql += f" AND a.choice %% {SHIFT} = %s"
        params.append(field_codes.index(f.field) + 1 if f.field in field_codes else -1)
    if f.body == NO_BODY:
        sql += " AND a.body IS NULL"
    elif f.body is not None:
        sql += f" AND a.body %% {SHIFT} = %s"
        params.append(int(f.body))
    return sql, params


def _slot(value: str) -> tuple[date, int]:
    day, hour = value.split(" ")
    return date.fromisoformat(day), int(hour)


def contact_cells(f: Filter, field_codes: list[str] | None = None) -> list[statistics.Cell]:
    """The period's contacts grouped by day, hour, field, body and outcome: one query, one pass
    over the period's deciding events."""
    _check_limits()
    if field_codes is None:
        field_codes = list(Field.objects.values_list("code", flat=True))
    sql, params = _contacts_sql(f, field_codes)
    grouped = (
        "SELECT t.slot, t.field_num, t.body, t.connected, t.abandoned, COUNT(*), SUM(t.wait), COUNT(t.wait),"
        " SUM(t.answer_wait), COUNT(t.answer_wait)"
        f" FROM ({sql}) t GROUP BY t.slot, t.field_num, t.body, t.connected, t.abandoned"
    )
    cells = []
    with connection.cursor() as cursor:
        cursor.execute(grouped, params)
        for (
            slot,
            field_num,
            body,
            connected,
            abandoned,
            n,
            wait_sum,
            waits,
            answer_sum,
            answer_waits,
        ) in cursor:
            day, hour = _slot(slot)
            cells.append(
                statistics.Cell(
                    day=day,
                    hour=hour,
                    field=field_codes[field_num - 1] if field_num else None,
                    body=body,
                    offered=n,
                    connected=n if connected else 0,
                    abandoned=n if abandoned else 0,
                    wait_total=int(wait_sum or 0),
                    waits=waits,
                    answer_wait_total=int(answer_sum or 0),
                    answer_waits=answer_waits,
                )
            )
    return cells


def _contact_ids(f: Filter) -> RawSQL:
    """The filtered period's contact ids, for ``contact_id__in``."""
    _check_limits()
    sql, params = _contacts_sql(f, list(Field.objects.values_list("code", flat=True)))
    return RawSQL(f"SELECT t.contact_id FROM ({sql}) t", params)


def report(f: Filter) -> statistics.Report:
    """Every breakdown of the filtered period (fields in the menu's order, bodies by name)."""
    field_codes = list(Field.objects.values_list("code", flat=True))
    return statistics.aggregate(
        contact_cells(f, field_codes),
        days=f.days,
        field_order=field_codes,
        body_order=list(PartnerBody.objects.order_by("name").values_list("pk", flat=True)),
    )


def record_summary(f: Filter, *, band_order=()) -> statistics.RecordSummary:
    """The consultation records of the filtered period's contacts: counts only (one query; the
    per-contact query runs as its subquery only when a field or body is chosen)."""
    start, end = f.bounds
    records = ConsultationRecord.objects.filter(contact__started_at__gte=start, contact__started_at__lt=end)
    if f.channel:
        records = records.filter(contact__channel=f.channel)
    if f.field or f.body is not None:
        records = records.filter(contact_id__in=_contact_ids(f))
    rows = records.annotate(
        band=KeyTextTransform(AGE_BAND_KEY, "data"),
        types=KeyTransform(TYPES_KEY, "data"),
        coordinated=Exists(CoordinationCase.objects.filter(record=OuterRef("pk"))),
    ).values_list("band", "types", "serious", "coordinated")
    band_counts: dict[str | None, int] = {}
    type_lists = []
    serious = coordinated = 0
    for band, types, is_serious, is_coordinated in rows.iterator(chunk_size=5000):
        key = band if isinstance(band, str) and band and band != UNKNOWN_AGE_BAND else None
        band_counts[key] = band_counts.get(key, 0) + 1
        type_lists.append(types if isinstance(types, list) else [])
        serious += bool(is_serious)
        coordinated += bool(is_coordinated)
    return statistics.summarise_records(
        band_counts, type_lists, serious=serious, coordinated=coordinated, band_order=band_order
    )


def field_names() -> dict[str, str]:
    return dict(Field.objects.values_list("code", "name"))


def body_names() -> dict[int, str]:
    return dict(PartnerBody.objects.values_list("pk", "name"))
