"""Completion rule of つながりサポーター training (pure; no Django).

A course has parts; some are required. A participant (identified by e-mail address, compared
case-insensitively) has completed the course when they attended — attendance recorded by staff —
a session of every required part. Optional parts never block completion. A course without
required parts cannot be completed (a certificate must attest to something). The completion date
is the date of the latest of the earliest attended session per required part: the day the last
missing part was done.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Attendance:
    """One attended session: the participant's key, the course part, the session's date."""

    participant: str
    part_id: int
    on: date


@dataclass(frozen=True)
class Progress:
    participant: str
    attended_parts: frozenset[int]
    missing_parts: frozenset[int]
    completed_on: date | None

    @property
    def completed(self) -> bool:
        return self.completed_on is not None


def participant_key(email: str) -> str:
    """The key a participant is known by across sessions: the e-mail address, trimmed, lower case."""
    return email.strip().lower()


def progress(required_parts: Iterable[int], attended: Iterable[Attendance]) -> dict[str, Progress]:
    """Each participant's progress in a course, by participant key."""
    required = frozenset(required_parts)
    first_by_participant: dict[str, dict[int, date]] = {}
    for row in attended:
        parts = first_by_participant.setdefault(participant_key(row.participant), {})
        if row.part_id not in parts or row.on < parts[row.part_id]:
            parts[row.part_id] = row.on
    result = {}
    for participant, parts in first_by_participant.items():
        missing = required - parts.keys()
        completed_on = None
        if required and not missing:
            completed_on = max(parts[part] for part in required)
        result[participant] = Progress(participant, frozenset(parts), missing, completed_on)
    return result
