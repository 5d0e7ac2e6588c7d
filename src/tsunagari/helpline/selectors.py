"""Reads of the unified line: the menu valid at a time, who is staffed now, the state of a call as
its events tell it, the calls waiting, and the inputs of :func:`routing.route` built from the database.

Everything here only reads. Writes (events, line states) go through :mod:`.services`.

The state of a call is derived from its append-only events as a *set*, never from the order in
which callbacks arrived, so repeated and out-of-order callbacks give the same state:

- an **attempt** ``k`` is a forwarding of the call to a line (``transferred`` with ``detail.attempt``);
  it is *answered* when an ``answered`` event of attempt ``k`` exists and *closed* when a
  ``not_answered`` event of attempt ``k`` exists or the call has ended;
- a **queue stay** ``q`` starts with ``queued`` (``detail.queue``) and is *left* when an event records
  ``detail.dequeued == q`` (forwarded from the queue, or routed on after the queue) or the call ended;
- the call has **ended** once ``completed`` or ``abandoned`` exists.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count

from tsunagari.helpline import config, routing, voice_store
from tsunagari.helpline.coverage import staffed_periods
from tsunagari.helpline.models import (
    Contact,
    ContactEvent,
    Field,
    Line,
    MenuVersion,
    Shift,
    ShiftException,
)

logger = logging.getLogger(__name__)
JST = routing.JST
Kind = ContactEvent.Kind

#: A line held this long without an end (callbacks lost) counts as free again; a call still
#: waiting in the queue after this long is no longer counted as waiting.
HOLD_LIMIT = timedelta(hours=4)

#: The policy of a field that has none configured: queue up to 10 calls for 10 minutes, then say so.
DEFAULT_POLICY_STEPS = config.DEFAULT_POLICY_STEPS

#: Event kinds that take a line, and those that end a call.
HOLD_KINDS = (Kind.TRANSFERRED, Kind.ANSWERED)
END_KINDS = (Kind.COMPLETED, Kind.ABANDONED)


# --- menu and configuration (read through the per-process cache of :mod:`.config`) -----------------


def menu_at(at: datetime) -> MenuVersion | None:
    """The menu version valid at ``at`` (``valid_from`` ≤ at < ``valid_until``); of several, the one
    that started last. Its options (with their fields) are prefetched."""
    return config.menu_at(at)


def menu_by_id(menu_id: int) -> MenuVersion | None:
    return config.menu_by_id(menu_id)


def policy_for(field_obj: Field) -> routing.OverflowPolicy:
    """The field's overflow policy (:data:`DEFAULT_POLICY_STEPS` when none is configured, or when the
    stored one is invalid — the admin validates it, so that is logged as an error)."""
    return config.policy(field_obj.code)


def overflow_targets(codes: Iterable[str]) -> dict[str, frozenset[str]]:
    """For each field code, the general fields its policy overflows to (``general_field`` steps)."""
    overflow = config.fields().overflow
    return {code: overflow[code] for code in set(codes) if code in overflow}


def routing_field(field_obj: Field) -> routing.Field:
    return routing.Field(field_obj.code, field_obj.name, crisis=field_obj.crisis)


# --- staffing --------------------------------------------------------------------------------------


def _periods(day: date, shifts: Iterable[Shift], exceptions: Iterable[ShiftException]):
    """The staffed periods starting on ``day`` (aware datetimes in JST), as ``coverage.staffed_periods``
    reads them: the day's exceptions replace its weekly shifts; an end at or before the start runs
    into the next day."""
    todays = [e for e in exceptions if e.date == day]
    dated = (
        [(e.start, e.end) for e in todays if e.staffed and e.start is not None and e.end is not None]
        if todays
        else None
    )
    weekly = [(s.weekday, s.start, s.end) for s in shifts]
    for begins, ends in staffed_periods(day, weekly, dated):
        yield begins.replace(tzinfo=JST), ends.replace(tzinfo=JST)


def staffed_since(
    shifts: Iterable[Shift], exceptions: Iterable[ShiftException], now: datetime
) -> datetime | None:
    """When the staffed period containing ``now`` began, or ``None`` if the line is not staffed now.
    Shifts are read in Japan time; a shift past midnight belongs to the day it starts."""
    local = now.astimezone(JST)
    shifts, exceptions = list(shifts), list(exceptions)
    starts = [
        begins
        for day in (local.date() - timedelta(days=1), local.date())
        for begins, ends in _periods(day, shifts, exceptions)
        if begins <= local < ends
    ]
    return min(starts) if starts else None


# --- calls -----------------------------------------------------------------------------------------


@dataclass
class Attempt:
    """A forwarding of the call to a line (``transferred`` event ``detail.attempt``)."""

    number: int
    line_id: int
    field_code: str | None
    at: datetime
    dequeued: int | None = None
    answered_at: datetime | None = None
    not_answered: bool = False


@dataclass
class QueueStay:
    number: int
    field_code: str
    at: datetime
    max_wait_seconds: int | None
    left: bool = False


@dataclass
class CallState:
    """What the events of one contact say about it (see the module docstring)."""

    contact: Contact
    menu_at: datetime | None = None
    field_code: str | None = None
    menu_detail: dict = field(default_factory=dict)
    attempts: dict[int, Attempt] = field(default_factory=dict)
    queues: dict[int, QueueStay] = field(default_factory=dict)
    message: dict | None = None
    #: The callback offer of the call: None (not offered), "offered" (no answer yet), "requested",
    #: "declined" (a call is offered a callback at most once).
    callback: str | None = None
    abandoned: bool = False
    completed: bool = False

    @property
    def ended(self) -> bool:
        return self.abandoned or self.completed

    @property
    def open_attempt(self) -> Attempt | None:
        """The attempt holding a line now (not closed, call not ended), if any."""
        if self.ended:
            return None
        live = [a for a in self.attempts.values() if not a.not_answered]
        return max(live, key=lambda a: a.number) if live else None

    @property
    def open_queue(self) -> QueueStay | None:
        if self.ended:
            return None
        live = [q for q in self.queues.values() if not q.left]
        return max(live, key=lambda q: q.number) if live else None

    @property
    def answered_attempt(self) -> Attempt | None:
        answered = [a for a in self.attempts.values() if a.answered_at is not None]
        return max(answered, key=lambda a: a.number) if answered else None

    @property
    def next_attempt(self) -> int:
        return max(self.attempts, default=0) + 1

    @property
    def next_queue(self) -> int:
        return max(self.queues, default=0) + 1

    @property
    def tried_line_ids(self) -> frozenset[str]:
        return frozenset(str(a.line_id) for a in self.attempts.values())

    @property
    def queue_arrival(self) -> datetime | None:
        """When the caller first joined a queue (a caller queued again keeps its place)."""
        return min((q.at for q in self.queues.values()), default=None)

    def attempt_from_queue(self, queue_number: int) -> Attempt | None:
        return next((a for a in self.attempts.values() if a.dequeued == queue_number), None)


def as_int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _build_state(contact: Contact, events: Iterable[ContactEvent]) -> CallState:
    state = CallState(contact=contact)
    events = list(events)
    left: set[int] = set()
    answers: dict[int, datetime] = {}
    refused: set[int] = set()
    for ev in events:
        detail = ev.detail or {}
        if (dq := as_int(detail.get("dequeued"))) is not None:
            left.add(dq)
        if ev.kind == Kind.MENU_CHOICE:
            state.menu_at, state.field_code, state.menu_detail = ev.at, ev.field_id, detail
        elif ev.kind == Kind.TRANSFERRED and (k := as_int(detail.get("attempt"))) is not None:
            state.attempts[k] = Attempt(
                k, ev.line_id, ev.field_id, ev.at, dequeued=as_int(detail.get("dequeued"))
            )
        elif ev.kind == Kind.QUEUED and (q := as_int(detail.get("queue"))) is not None:
            state.queues[q] = QueueStay(q, ev.field_id, ev.at, as_int(detail.get("max_wait_seconds")))
        elif ev.kind == Kind.ANSWERED and (k := as_int(detail.get("attempt"))) is not None:
            answers[k] = min(answers.get(k, ev.at), ev.at)
        elif ev.kind == Kind.NOT_ANSWERED and (k := as_int(detail.get("attempt"))) is not None:
            refused.add(k)
        elif ev.kind == Kind.MESSAGE_PLAYED:
            state.message = detail
        elif ev.kind == Kind.CALLBACK_OFFERED:
            state.callback = state.callback or "offered"
        elif ev.kind in (Kind.CALLBACK_REQUESTED, Kind.CALLBACK_DECLINED):
            # an answer wins over the offer; a request over a decline (the request is stored)
            if state.callback != "requested":
                state.callback = "requested" if ev.kind == Kind.CALLBACK_REQUESTED else "declined"
        elif ev.kind == Kind.ABANDONED:
            state.abandoned = True
        elif ev.kind == Kind.COMPLETED:
            state.completed = True
    for k, attempt in state.attempts.items():
        attempt.answered_at = answers.get(k)
        attempt.not_answered = k in refused
    for q, stay in state.queues.items():
        stay.left = q in left
    return state


def call_state(contact: Contact) -> CallState:
    state = _build_state(contact, voice_store.events(contact.pk))
    if state.field_code is not None:
        contact._helpline_menu_detail = state.menu_detail  # never changes once chosen: see menu_detail
    return state


def menu_detail(contact: Contact) -> dict:
    """The ``detail`` of the call's menu choice (language, menu; empty before a choice). It never
    changes once recorded, so a state already read for this contact object is reused."""
    known = getattr(contact, "_helpline_menu_detail", None)
    return known if known is not None else call_state(contact).menu_detail


def call_states(contact_ids: Iterable) -> dict:
    """:class:`CallState` of several contacts, with one query."""
    return {
        pk: _build_state(contact, evs) for pk, (contact, evs) in voice_store.events_of(contact_ids).items()
    }


def contact_for_call(channel: str, provider_id: str) -> Contact | None:
    return voice_store.contact(channel, provider_id)


# --- waiting calls and routing inputs --------------------------------------------------------------


@dataclass(frozen=True)
class Waiting:
    """A call waiting in a queue now: the routing input, and the lines it has already tried."""

    call: routing.WaitingCall
    tried: frozenset[str]
    max_wait_seconds: int | None = None


#: Event kinds that carry no queue stay, no ``dequeued`` mark and no forwarding (see ``_build_state``).
_NOT_FOR_WAITING = (
    Kind.OFFERED,
    Kind.MENU_CHOICE,
    Kind.ANSWERED,
    Kind.NOT_ANSWERED,
    Kind.CALLBACK_OFFERED,
    Kind.CALLBACK_REQUESTED,
    Kind.CALLBACK_DECLINED,
)


def waiting_calls(now: datetime) -> list[Waiting]:
    """Every call waiting in a queue now (joined within :data:`HOLD_LIMIT`, not left, not ended),
    in no particular order. ``arrived_at`` is when the caller first joined a queue. Read from the
    ``QueuedCall`` rows (calls that joined a queue and have not ended) and their events: one query."""
    # Voice calls only (chats wait in their own queue). Their states are built without the events
    # that cannot close a queue stay or name a line tried (the contact itself is not needed).
    events = voice_store.waiting_events(now - HOLD_LIMIT, _NOT_FOR_WAITING)
    crisis = config.fields().crisis
    out = []
    for pk, evs in events.items():
        state = _build_state(None, evs)
        stay = state.open_queue
        if stay is None:
            continue
        out.append(
            Waiting(
                call=routing.WaitingCall(
                    call_id=str(pk),
                    field=stay.field_code,
                    arrived_at=min(state.queue_arrival or stay.at, now),
                    crisis=stay.field_code in crisis,
                ),
                tried=state.tried_line_ids,
                max_wait_seconds=stay.max_wait_seconds,
            )
        )
    return out


def may_take(line: routing.Line, waiting: Waiting, overflow: dict[str, frozenset[str]] | None = None) -> bool:
    """Whether ``line`` may answer the waiting call: it has not tried the line, and the line serves
    its field, accepts it as a crisis call, or serves a general field its policy overflows to."""
    if line.id in waiting.tried:
        return False
    if line.can_take(waiting.call):
        return True
    return bool((overflow or {}).get(waiting.call.field, frozenset()) & line.fields)


def next_for_line(
    line: routing.Line, waiting: Iterable[Waiting], overflow: dict[str, frozenset[str]] | None = None
) -> routing.WaitingCall | None:
    """The waiting call that ``line`` should take next: the first in :func:`routing.queue_order`
    (crisis calls first, then by arrival) of the calls it :func:`may_take`."""
    order = routing.queue_order([w.call for w in waiting if may_take(line, w, overflow)])
    return order[0] if order else None


@dataclass
class Snapshot:
    """The routing inputs now: every active line with its state, and the line models by id."""

    now: datetime
    lines: list[routing.Line]
    models: dict[str, Line]


def routing_snapshot(now: datetime) -> Snapshot:
    """Every active line serving a field, as :class:`routing.Line`: staffed now from its weekly shifts
    and dated exceptions, busy from its :class:`LineState` (a hold older than :data:`HOLD_LIMIT` is
    ignored), idle since the later of its last call's end and the start of the current shift. The
    lines' configuration comes from :mod:`.config`; their states are read now."""
    configured = config.lines(now.astimezone(JST).date())
    states = voice_store.line_states()
    out, models = [], {}
    for item in configured.active:
        line = item.model
        since = staffed_since(item.shifts, item.exceptions, now)
        busy_with, busy_since, last = states.get(line.pk, (None, None, None))
        busy = bool(busy_with and busy_since is not None and busy_since > now - HOLD_LIMIT)
        idle_since = None
        if since is not None:
            idle_since = min(max(since, last) if last else since, now)
        out.append(
            routing.Line(
                id=str(line.pk),
                body_id=str(line.body_id),
                fields=item.fields,
                staffed=since is not None,
                busy=busy,
                idle_since=idle_since,
                accepts_crisis=line.accepts_crisis,
            )
        )
        models[str(line.pk)] = line
    return Snapshot(now=now, lines=out, models=models)


def pick_longest_idle(lines: Iterable[routing.Line]) -> routing.Line | None:
    """The longest-idle line (earliest ``idle_since``, then smallest id), as routing picks."""
    idle = [ln for ln in lines if ln.available]
    return min(idle, key=lambda ln: (ln.idle_since, ln.id)) if idle else None


def event_counts(since: datetime | None = None) -> dict[str, int]:
    """How many events of each kind (since ``since``), for summaries."""
    qs = ContactEvent.objects.all()
    if since is not None:
        qs = qs.filter(at__gte=since)
    counts = {kind.value: 0 for kind in Kind}
    for row in qs.order_by().values("kind").annotate(n=Count("pk")):
        counts[row["kind"]] = row["n"]
    return counts


def busy_lines(now: datetime) -> list[str]:
    """Ids of the lines busy now (for checks after a simulation)."""
    return [ln.id for ln in routing_snapshot(now).lines if ln.busy]
