"""The status machine of referrals, transfers and assignments — pure, no Django.

Contract
--------
One machine for every kind of handover (as Primero does), with the FHIR Task statuses::

    requested → received → accepted | rejected
    accepted → in-progress → completed
    requested | received | accepted | in-progress → cancelled   (by the sender)
    accepted | in-progress → failed                              (by the receiver)

``check(current, target, party, reason)`` returns ``None`` when ``party`` (``SENDER`` or
``RECEIVER``) may move a handover from ``current`` to ``target``, else raises ``TransitionRefused``
with a stable ``code``: ``unknown_status``, ``terminal`` (nothing leaves completed, rejected,
cancelled, failed), ``not_allowed``, ``wrong_party`` or ``reason_required`` (a rejection and a
failure need a written reason). ``is_overdue`` says whether a handover still waits for its answer
(requested or received) after ``limit``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum


class Status(StrEnum):
    REQUESTED = "requested"
    RECEIVED = "received"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    IN_PROGRESS = "in-progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    FAILED = "failed"


class Party(StrEnum):
    SENDER = "sender"
    RECEIVER = "receiver"


INITIAL = Status.REQUESTED
TERMINAL = frozenset({Status.REJECTED, Status.COMPLETED, Status.CANCELLED, Status.FAILED})
AWAITING_ANSWER = frozenset({Status.REQUESTED, Status.RECEIVED})
REASON_REQUIRED = frozenset({Status.REJECTED, Status.FAILED})

TRANSITIONS: dict[tuple[Status, Status], Party] = {
    (Status.REQUESTED, Status.RECEIVED): Party.RECEIVER,
    (Status.RECEIVED, Status.ACCEPTED): Party.RECEIVER,
    (Status.RECEIVED, Status.REJECTED): Party.RECEIVER,
    (Status.ACCEPTED, Status.IN_PROGRESS): Party.RECEIVER,
    (Status.IN_PROGRESS, Status.COMPLETED): Party.RECEIVER,
    (Status.ACCEPTED, Status.FAILED): Party.RECEIVER,
    (Status.IN_PROGRESS, Status.FAILED): Party.RECEIVER,
    (Status.REQUESTED, Status.CANCELLED): Party.SENDER,
    (Status.RECEIVED, Status.CANCELLED): Party.SENDER,
    (Status.ACCEPTED, Status.CANCELLED): Party.SENDER,
    (Status.IN_PROGRESS, Status.CANCELLED): Party.SENDER,
}
"""(from, to) → the party who may make that move; every other pair is refused."""


class TransitionRefused(ValueError):
    def __init__(self, code: str, current: str, target: str) -> None:
        self.code, self.current, self.target = code, current, target
        super().__init__(f"{current} → {target}: {code}")


def allowed_next(current: str, party: Party | None = None) -> frozenset[Status]:
    return frozenset(to for (frm, to), who in TRANSITIONS.items() if frm == current and party in (None, who))


def check(current: str, target: str, party: Party | str, reason: str = "") -> None:
    try:
        frm, to, who = Status(current), Status(target), Party(party)
    except ValueError:
        raise TransitionRefused("unknown_status", str(current), str(target)) from None
    if frm in TERMINAL:
        raise TransitionRefused("terminal", frm, to)
    required = TRANSITIONS.get((frm, to))
    if required is None:
        raise TransitionRefused("not_allowed", frm, to)
    if required != who:
        raise TransitionRefused("wrong_party", frm, to)
    if to in REASON_REQUIRED and not reason.strip():
        raise TransitionRefused("reason_required", frm, to)


def is_overdue(status: str, requested_at: datetime, now: datetime, limit: timedelta) -> bool:
    return Status(status) in AWAITING_ANSWER and now - requested_at > limit
