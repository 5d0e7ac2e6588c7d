"""Contacts, their events and the lines' states in plain SQL, for the voice webhooks' hot path.

Every voice webhook request reads its call and the call's events, and most write one or two events.
Built through the ORM, each of these statements costs more CPU to compose than the database needs to
answer it (about 0.5 ms against 0.15 ms here; see the "Helpline" section of BENCHMARKS.md), so the few
statements of the hot path are written once, below, for SQLite and PostgreSQL alike. Values pass through
the model fields' own conversions (UUIDs, datetimes, JSON): rows are exactly what the ORM writes and
reads. Statements run on Django's connection, inside whatever transaction the caller holds; a
duplicate key raises Django's ``IntegrityError`` as the ORM would.

Reads return plain values (:class:`Event`) or model instances marked as loaded from the database.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import NamedTuple

from django.db import connection
from django.utils.dateparse import parse_datetime

from tsunagari.helpline.models import Contact, ContactEvent, LineState, QueuedCall

_C = Contact._meta.db_table
_E = ContactEvent._meta.db_table
_S = LineState._meta.db_table
_Q = QueuedCall._meta.db_table
_CONTACT_COLUMNS = [f.column for f in Contact._meta.concrete_fields]
_CONTACT_NAMES = [f.attname for f in Contact._meta.concrete_fields]
_DETAIL = ContactEvent._meta.get_field("detail")
_INSERT_EVENT = (
    f"INSERT INTO {_E} (contact_id, kind, at, event_key, field_id, line_id, body_id, wait_seconds, detail) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
)
_INSERT_CONTACT = (
    f"INSERT INTO {_C} ({', '.join(_CONTACT_COLUMNS)}) VALUES ({', '.join(['%s'] * len(_CONTACT_COLUMNS))})"
)
_EVENT_COLUMNS = "kind, at, field_id, line_id, detail"


class Event(NamedTuple):
    """What the state of a call is derived from (see ``selectors._build_state``)."""

    kind: str
    at: datetime
    field_id: str | None
    line_id: int | None
    detail: dict


def _id(value: uuid.UUID) -> object:
    """A contact id as the database stores it (a UUID on PostgreSQL, 32 hex digits on SQLite)."""
    return value if connection.vendor == "postgresql" else value.hex


def _uuid(value) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(value)


def _time(value: datetime) -> object:
    """An aware datetime as the database stores it (SQLite: naive UTC text, as the ORM writes it)."""
    return connection.ops.adapt_datetimefield_value(value)


def _aware(value) -> datetime:
    """A datetime read back: aware, in UTC (SQLite gives naive UTC, or text where no converter ran)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _event(row) -> Event:
    kind, at, field_id, line_id, detail = row
    return Event(
        kind, _aware(at), field_id, line_id, json.loads(detail) if isinstance(detail, str) else detail
    )


def _contact(row) -> Contact:
    values = list(row)
    values[_CONTACT_NAMES.index("id")] = _uuid(values[_CONTACT_NAMES.index("id")])
    values[_CONTACT_NAMES.index("started_at")] = _aware(values[_CONTACT_NAMES.index("started_at")])
    return Contact.from_db(connection.alias, _CONTACT_NAMES, values)


# --- contacts --------------------------------------------------------------------------------------


def contact(channel: str, provider_id: str) -> Contact | None:
    """The contact of a provider's call or chat id, or None."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(_CONTACT_COLUMNS)} FROM {_C} WHERE channel = %s AND provider_id = %s",
            [channel, provider_id],
        )
        row = cursor.fetchone()
    return _contact(row) if row else None


def insert_contact(new: Contact) -> None:
    """INSERT ``new`` (its id, from the field default, is set already); it is then marked as saved."""
    values = {
        "id": _id(new.id),
        "started_at": _time(new.started_at),
    }
    params = [values.get(name, getattr(new, name)) for name in _CONTACT_NAMES]
    with connection.cursor() as cursor:
        cursor.execute(_INSERT_CONTACT, params)
    new._state.adding = False
    new._state.db = connection.alias


# --- events ----------------------------------------------------------------------------------------


def insert_event(
    contact_id: uuid.UUID,
    kind: str,
    at: datetime,
    key: str,
    *,
    field_id: str | None = None,
    line_id: int | None = None,
    body_id: int | None = None,
    wait_seconds: int | None = None,
    detail: dict | None = None,
) -> None:
    """INSERT one event (``IntegrityError`` if its key exists)."""
    with connection.cursor() as cursor:
        cursor.execute(
            _INSERT_EVENT,
            [
                _id(contact_id), kind, _time(at), key, field_id, line_id, body_id, wait_seconds,
                _DETAIL.get_db_prep_value(detail or {}, connection),
            ],
        )  # fmt: skip


def event_exists(key: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {_E} WHERE event_key = %s", [key])
        return cursor.fetchone() is not None


def events(contact_id: uuid.UUID) -> list[Event]:
    """The events of one contact, in time order (then in the order written)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {_EVENT_COLUMNS} FROM {_E} WHERE contact_id = %s ORDER BY at, id", [_id(contact_id)]
        )
        return [_event(row) for row in cursor.fetchall()]


def events_of(contact_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, tuple[Contact, list[Event]]]:
    """Several contacts with their events (in time order), in one statement."""
    ids = [_id(i) for i in dict.fromkeys(contact_ids)]
    if not ids:
        return {}
    found: dict[uuid.UUID, tuple[Contact, list[Event]]] = {}
    contact_columns = ", ".join(f"c.{c}" for c in _CONTACT_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {contact_columns}, e.{_EVENT_COLUMNS.replace(', ', ', e.')} FROM {_C} c "
            f"LEFT JOIN {_E} e ON e.contact_id = c.id WHERE c.id IN ({', '.join(['%s'] * len(ids))}) "
            "ORDER BY e.at, e.id",
            ids,
        )
        width = len(_CONTACT_COLUMNS)
        for row in cursor.fetchall():
            key = _uuid(row[_CONTACT_NAMES.index("id")])
            if key not in found:
                found[key] = (_contact(row[:width]), [])
            if row[width] is not None:
                found[key][1].append(_event(row[width:]))
    return found


def forwarded_and_queued(contact_id: uuid.UUID) -> tuple[set[int], bool]:
    """The lines the contact was ever forwarded to, and whether it ever joined a queue."""
    kinds = (ContactEvent.Kind.TRANSFERRED, ContactEvent.Kind.QUEUED)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT kind, line_id FROM {_E} WHERE contact_id = %s AND kind IN (%s, %s)",
            [_id(contact_id), *kinds],
        )
        rows = cursor.fetchall()
    return {line for kind, line in rows if kind == kinds[0] and line is not None}, any(
        kind == kinds[1] for kind, _line in rows
    )


def mark_queued(contact_id: uuid.UUID, at: datetime) -> None:
    """The call joined a queue at ``at``: its ``QueuedCall`` row, created or moved to the later time."""
    table = _Q
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (contact_id, queued_at) VALUES (%s, %s) ON CONFLICT (contact_id) DO UPDATE "
            f"SET queued_at = CASE WHEN excluded.queued_at > {table}.queued_at THEN excluded.queued_at "
            f"ELSE {table}.queued_at END",
            [_id(contact_id), _time(at)],
        )


def forget_queued(contact_id: uuid.UUID) -> None:
    """The call has ended: no ``QueuedCall`` row any more."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {_Q} WHERE contact_id = %s", [_id(contact_id)])


def waiting_events(since: datetime, skip_kinds: Iterable[str]) -> dict[uuid.UUID, list[Event]]:
    """The events, but those of ``skip_kinds``, of the calls that joined a queue at or after ``since``
    and had not ended (``QueuedCall`` rows), by contact, in time order: one statement. Whether they
    still wait is for their events to say (a row is deleted just after the call's end is written)."""
    skip = list(skip_kinds)
    found: dict[uuid.UUID, list[Event]] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT contact_id, {_EVENT_COLUMNS} FROM {_E} WHERE contact_id IN "
            f"(SELECT contact_id FROM {_Q} WHERE queued_at >= %s) "
            f"AND kind NOT IN ({', '.join(['%s'] * len(skip))}) ORDER BY at, id",
            [_time(since), *skip],
        )
        for row in cursor.fetchall():
            found.setdefault(_uuid(row[0]), []).append(_event(row[1:]))
    return found


# --- lines -----------------------------------------------------------------------------------------


def line_states() -> dict[int, tuple[uuid.UUID | None, datetime | None, datetime | None]]:
    """Every line's state: line id → (busy with contact, busy since, idle since)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT line_id, busy_with_id, busy_since, idle_since FROM {_S}")
        return {
            line: (
                _uuid(busy) if busy is not None else None,
                _aware(since) if since is not None else None,
                _aware(idle) if idle is not None else None,
            )
            for line, busy, since, idle in cursor.fetchall()
        }
