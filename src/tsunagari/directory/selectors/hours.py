"""Parsed opening hours of stored services, cached by their spec (many services share one)."""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache

from tsunagari.directory.hours import Schedule, ScheduleError, parse_schedule


@lru_cache(maxsize=4096)
def _parse(spec_json: str) -> Schedule | None:
    try:
        return parse_schedule(json.loads(spec_json))
    except (ScheduleError, ValueError):
        return None  # specs are validated on write; an invalid stored one never reads as "open"


def schedule_for(spec: dict | str | None) -> Schedule | None:
    """The ``Schedule`` of a stored ``schedule_spec`` (dict, or JSON text from a raw cursor)."""
    if not spec:
        return None
    return _parse(spec if isinstance(spec, str) else json.dumps(spec, sort_keys=True))


def open_now(service, at: datetime) -> bool | None:
    """Whether ``service`` is open at ``at``; None when its hours are not known in machine form."""
    schedule = schedule_for(service.schedule_spec)
    if schedule is None:
        return True if service.is_24h else None
    return schedule.is_open(at)
