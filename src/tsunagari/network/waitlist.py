"""Seat and waiting-list rules of event registration (pure; no Django).

- A new registration is confirmed while confirmed registrations are fewer than the capacity
  (``None``: no limit), else it waits. Registration is closed from ``closes_at`` (or, without
  one, from the start of the event) and for a cancelled event.
- When seats free up (a cancellation, a larger capacity), the longest-waiting registrations are
  promoted, first come first served (by registration time, then id), as many as there are free
  seats — but never once the event has started: a seat offered after the start is of no use, and
  the person would learn of it too late.

The Django layer (``event_services``) serialises decisions per event and applies these results.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

CONFIRMED = "confirmed"
WAITLISTED = "waitlisted"


@dataclass(frozen=True)
class Waiting:
    """A waiting registration: its id and when it was made."""

    id: int
    registered_at: datetime


def registration_open(
    now: datetime, starts_at: datetime, closes_at: datetime | None, cancelled: bool
) -> bool:
    """Whether the event still takes registrations at ``now``."""
    return not cancelled and now < (closes_at or starts_at) and now < starts_at


def status_for_new(capacity: int | None, confirmed: int) -> str:
    """CONFIRMED or WAITLISTED for a registration arriving when ``confirmed`` seats are taken."""
    if capacity is None or confirmed < capacity:
        return CONFIRMED
    return WAITLISTED


def to_promote(
    capacity: int | None, confirmed: int, waiting: Sequence[Waiting], now: datetime, starts_at: datetime
) -> list[int]:
    """Ids of the waiting registrations to confirm now, in order (see the module docstring)."""
    if now >= starts_at:
        return []
    queue = sorted(waiting, key=lambda w: (w.registered_at, w.id))
    free = len(queue) if capacity is None else max(0, capacity - confirmed)
    return [w.id for w in queue[:free]]
