"""Writes of the unified line: contacts, their append-only events, the lines' state, and the routing
decisions taken for a call (the webhooks call these; reads are in :mod:`.selectors`).

Events
------
Every event is written once: ``ContactEvent.event_key`` is unique and built from the provider's call
id and what happened (``voice:<CallSid>:<kind>[:<n>]``), so a repeated callback is a no-op and is
counted as a duplicate. The kinds, for a voice call:

- ``offered`` — the call arrived (``detail.menu``: the menu version played);
- ``menu_choice`` — a field was chosen (``field``; ``detail``: digit, menu, language);
- ``transferred`` — the call was forwarded to a partner line (転送; ``line``, ``body``, the field it is
  handled under; ``detail``: ``attempt`` number, routing ``step`` and ``reasons``, ``dequeued`` when it
  came out of a queue). From this moment the line is reserved for the call;
- ``not_answered`` — that line did not answer (busy, no answer, failed; ``detail.attempt``);
- ``queued`` — the call joined its field's queue (``detail``: ``queue`` number, position, max wait);
- ``answered`` — the line answered; ``wait_seconds`` since the menu choice;
- ``abandoned`` — the caller hung up before anyone answered (queued or while a line rang);
  ``wait_seconds`` since the menu choice;
- ``message_played`` — no line could take the call; the caller was told the other windows;
- ``callback_offered`` — the policy's callback step: the caller was asked whether they want to be
  called back (only callers whose number came with the call; once per call);
- ``callback_requested`` / ``callback_declined`` — the caller's answer (pressed 1 / anything else or
  nothing). A request stores the number, encrypted, in a ``CallbackRequest`` (see
  :mod:`.callback_models`) in the same transaction; a decline routes the call on without the offer;
- ``completed`` — the call ended (once per call; with the line when the call had been answered).

Times are the provider's (``Timestamp`` of status callbacks) when it gives one, else now.

Line state
----------
``LineState`` is derived from the events, as a set, inside the transaction that writes an event
touching the line (the row is locked with ``select_for_update`` on PostgreSQL): the line is busy with
the contact of a hold (``transferred`` / ``answered``, within :data:`selectors.HOLD_LIMIT`) that is not
closed by a ``not_answered`` of the same attempt or by the end of that call; it is idle since the
latest end of such a hold. A ``completed`` that arrives before the ``answered`` of the same call thus
leaves the line idle, and the late ``answered`` does not make it busy again. Only the holds of the
contact whose event is written and of the line's current holder are read (see
:func:`refresh_line_states`): the other holds were closed, and their ends counted, before the line could
be reserved again.

Reserving a line is one conditional ``UPDATE … WHERE busy_with IS NULL`` plus the ``transferred``
event in one transaction, so two calls can never take the same line.

Queued calls
------------
``QueuedCall`` holds the voice calls that have joined a queue and not ended: upserted in the transaction
of a ``queued`` event, deleted once the call's end is written. Routing reads the calls waiting now from
these rows and their events (``selectors.waiting_calls``) instead of every queue event of the last
:data:`selectors.HOLD_LIMIT`. A row left behind by a race only costs a read: whether a call waits is
still derived from its events.

Hot path: contacts, events and line states are read and written with the plain SQL of
:mod:`.voice_store`; the configuration comes from the per-process cache of :mod:`.config`.

Privacy: no caller number is stored with the contact or its events: :func:`caller_key` is an
HMAC-SHA256 of it under ``SECRET_KEY``. The only number kept is that of a caller who asked to be called
back, encrypted and erased once the callback is closed or expired (:mod:`.callback_services`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q

from tsunagari.helpline import config, routing, selectors, voice_store
from tsunagari.helpline.models import (
    Contact,
    ContactEvent,
    Field,
    Line,
    LineState,
    MenuOption,
    MenuVersion,
)

logger = logging.getLogger(__name__)

Kind = ContactEvent.Kind
VOICE = Contact.Channel.VOICE

#: Call statuses after which the call is over (Twilio's CallStatus values).
FINAL_STATUSES = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})
#: Twilio's placeholder numbers for callers who withhold theirs: not hashed (they are not one person).
_ANONYMOUS = frozenset({"+266696687", "+7378742833", "+2562533", "+8656696", "anonymous", "unknown"})
_NUMBER = re.compile(r"\+?[0-9]{4,15}")


# --- outcomes --------------------------------------------------------------------------------------


class Act:
    """What the webhook should tell the provider to do next."""

    MENU = "menu"
    CONNECT = "connect"  # dial the line (attempt)
    QUEUE = "queue"  # enqueue in the field's queue
    MESSAGE = "message"  # say the other windows, hang up
    HOLD = "hold"  # (wait URL) keep waiting
    LEAVE = "leave"  # (wait URL) leave the queue; the queue exit continues
    THANKS = "thanks"  # the conversation is over
    HANGUP = "hangup"
    RESUME = "resume"  # nothing decided yet: pause and ask again
    NOTHING = "nothing"  # empty response (status callbacks)
    CALLBACK_OFFER = "callback_offer"  # ask whether the caller wants to be called back
    CALLBACK_TAKEN = "callback_taken"  # the request is stored: confirm and hang up


@dataclass
class Outcome:
    act: str
    contact: Contact | None = None
    line: Line | None = None
    attempt: int | None = None
    field: Field | None = None
    queue: int | None = None
    message: dict | None = None


@dataclass
class Tally:
    """Events written and duplicates refused while handling one request."""

    recorded: int = 0
    duplicates: int = 0


# --- contacts and events ---------------------------------------------------------------------------


def caller_key(number: str | None) -> str:
    """A keyed hash of the caller's number (HMAC-SHA256 under SECRET_KEY) to count repeat callers;
    empty for a withheld or malformed number. The number itself is never stored."""
    value = re.sub(r"[\s\-()]", "", number or "")
    if not value or value.lower() in _ANONYMOUS or not _NUMBER.fullmatch(value):
        return ""
    key = f"tsunagari.helpline.caller:{settings.SECRET_KEY}".encode()
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def event_key(channel: str, provider_id: str, kind: str, number: int | None = None) -> str:
    return f"{channel}:{provider_id}:{kind}" + ("" if number is None else f":{number}")


def _wait(since: datetime | None, at: datetime) -> int | None:
    if since is None:
        return None
    return max(0, int((at - since).total_seconds()))


def record_event(
    contact: Contact,
    kind: str,
    at: datetime,
    *,
    number: int | None = None,
    field_code: str | None = None,
    line_id: int | None = None,
    wait_seconds: int | None = None,
    detail: dict | None = None,
    tally: Tally | None = None,
) -> bool:
    """Append an event unless one with the same key exists (then count a duplicate and return False).
    The states of the lines it touches are re-derived in the same transaction, and so is the call's
    ``QueuedCall`` row for a ``queued`` event; an event that ends the call then deletes that row. An
    event that touches nothing else is a single INSERT (no transaction of its own outside one)."""
    tally = tally if tally is not None else Tally()
    key = event_key(contact.channel, contact.provider_id, kind, number)
    lines, ever_queued = _touched(contact, kind, line_id)
    queued = kind == Kind.QUEUED and contact.channel == VOICE
    try:
        if lines or queued or connection.in_atomic_block:
            with transaction.atomic():
                _insert_event(contact, kind, at, key, field_code, line_id, wait_seconds, detail)
                if queued:
                    voice_store.mark_queued(contact.pk, at)
                if lines:
                    refresh_line_states(sorted(lines), at, [contact.pk])
        else:
            _insert_event(contact, kind, at, key, field_code, line_id, wait_seconds, detail)
    except IntegrityError:
        if not voice_store.event_exists(key):
            raise
        tally.duplicates += 1
        return False
    if ever_queued:
        voice_store.forget_queued(contact.pk)  # after the end is written: the rows stay a superset
    tally.recorded += 1
    return True


def _insert_event(
    contact: Contact,
    kind: str,
    at: datetime,
    key: str,
    field_code: str | None = None,
    line_id: int | None = None,
    wait_seconds: int | None = None,
    detail: dict | None = None,
) -> None:
    """INSERT one event (``IntegrityError`` if its key exists), in the caller's transaction if any."""
    voice_store.insert_event(
        contact.pk,
        kind,
        at,
        key,
        field_id=field_code,
        line_id=line_id,
        body_id=config.body_of(line_id) if line_id else None,
        wait_seconds=wait_seconds,
        detail=detail,
    )


def ensure_line_states() -> None:
    """A LineState row for every line (idle, never used), so reservations can lock and update it."""
    config.ensure_line_states()


def _touched(contact: Contact, kind: str, line_id: int | None) -> tuple[set[int], bool]:
    """The lines whose state an event may change (its own, and for an end every line the call was
    forwarded to), and, for an end, whether the call ever joined a queue (its ``QueuedCall`` row)."""
    ids = {line_id} if line_id else set()
    if kind not in selectors.END_KINDS:
        return ids, False
    forwarded, queued = voice_store.forwarded_and_queued(contact.pk)
    return ids | forwarded, queued


def refresh_line_states(line_ids: list[int], now: datetime, contact_ids: Iterable = ()) -> None:
    """Re-derive the state of ``line_ids`` after an event of the contacts ``contact_ids`` (see the module
    docstring); the rows are locked in id order. Call inside a transaction.

    Only the holds of those contacts and of each line's current holder are read: any other hold on the
    line was closed (or given up after :data:`selectors.HOLD_LIMIT`) before the line could be reserved
    again, and its end already counted in ``idle_since`` when it was recorded (every event that opens or
    closes a hold re-derives the lines it touches)."""
    states = list(LineState.objects.select_for_update().filter(line_id__in=line_ids).order_by("line_id"))
    if len(states) < len(set(line_ids)):
        ensure_line_states()
        states = list(LineState.objects.select_for_update().filter(line_id__in=line_ids).order_by("line_id"))
    candidates = set(contact_ids) | {s.busy_with_id for s in states if s.busy_with_id}
    holds_by_line: dict[int, list] = {s.line_id: [] for s in states}
    if candidates:
        for line, c, detail, at in ContactEvent.objects.filter(
            line_id__in=line_ids,
            contact_id__in=candidates,
            kind__in=selectors.HOLD_KINDS,
            at__gte=now - selectors.HOLD_LIMIT,
        ).values_list("line_id", "contact_id", "detail", "at"):
            holds_by_line[line].append((c, detail, at))
    contacts = {c for holds in holds_by_line.values() for c, _d, _a in holds}
    ended: dict = {}
    refused: dict = {}
    if contacts:
        for c, kind, detail, at in ContactEvent.objects.filter(
            contact_id__in=contacts, kind__in=(Kind.NOT_ANSWERED, *selectors.END_KINDS)
        ).values_list("contact_id", "kind", "detail", "at"):
            if kind == Kind.NOT_ANSWERED:
                k = (c, selectors.as_int((detail or {}).get("attempt")))
                refused[k] = min(refused.get(k, at), at)
            else:
                ended[c] = min(ended.get(c, at), at)
    for state in states:
        open_holds: list = []
        released: list = []
        for c, detail, at in holds_by_line[state.line_id]:
            ends = [
                t
                for t in (ended.get(c), refused.get((c, selectors.as_int((detail or {}).get("attempt")))))
                if t
            ]
            if ends:
                released.append(min(ends))
            else:
                open_holds.append((at, c))
        before = (state.busy_with_id, state.busy_since, state.idle_since)
        if open_holds:
            _latest, holder = max(open_holds, key=lambda h: (h[0], str(h[1])))
            state.busy_with_id = holder
            state.busy_since = min(at for at, c in open_holds if c == holder)
        else:
            state.busy_with_id = None
            state.busy_since = None
        if released:
            latest = max(released)
            state.idle_since = max(state.idle_since, latest) if state.idle_since else latest
        if (state.busy_with_id, state.busy_since, state.idle_since) != before:
            state.save(update_fields=["busy_with", "busy_since", "idle_since"])


def start_call(
    provider_id: str, from_number: str | None, at: datetime, *, tally: Tally | None = None
) -> Contact:
    """The contact of a voice call, created with its ``offered`` event on the first request (the
    number is kept only as :func:`caller_key`); a repeated request changes nothing (the contact's
    unique key refuses it, and the existing contact is returned)."""
    tally = tally if tally is not None else Tally()
    menu = selectors.menu_at(at)
    try:
        with transaction.atomic():  # one transaction, no savepoint: a new contact has no events yet
            contact = Contact(
                channel=VOICE, provider_id=provider_id, caller_key=caller_key(from_number), started_at=at
            )
            voice_store.insert_contact(contact)
            key = event_key(VOICE, provider_id, Kind.OFFERED)
            _insert_event(contact, Kind.OFFERED, at, key, detail={"menu": menu.pk if menu else None})
    except IntegrityError:
        contact = selectors.contact_for_call(VOICE, provider_id)
        if contact is None:
            raise
        tally.duplicates += 1
        return contact
    tally.recorded += 1
    return contact


# --- routing decisions -----------------------------------------------------------------------------


class _LineTaken(Exception):
    pass


def _me(contact: Contact, state: selectors.CallState, field_obj: Field, now: datetime) -> selectors.Waiting:
    arrived = min(state.queue_arrival or now, now)
    return selectors.Waiting(
        call=routing.WaitingCall(str(contact.pk), field_obj.code, arrived, crisis=field_obj.crisis),
        tried=state.tried_line_ids,
    )


def _lines_for_caller(
    lines: list[routing.Line],
    me: selectors.Waiting,
    waiting: list[selectors.Waiting],
    overflow: dict[str, frozenset[str]],
) -> list[routing.Line]:
    """The lines as this caller may use them: a line it has already tried, or one a waiting call
    should take before it (crisis calls first, then by arrival; see :func:`selectors.may_take`),
    counts as busy."""
    out = []
    for line in lines:
        if line.available:
            if line.id in me.tried:
                line = dataclasses.replace(line, busy=True)
            else:
                first = selectors.next_for_line(line, [*waiting, me], overflow)
                if first is not None and first.call_id != me.call.call_id:
                    line = dataclasses.replace(line, busy=True)
        out.append(line)
    return out


def _decide(
    contact: Contact,
    state: selectors.CallState,
    field_obj: Field,
    policy: routing.OverflowPolicy,
    now: datetime,
    skip: set[str],
) -> tuple[routing.Decision, selectors.Snapshot]:
    """:func:`routing.route` for this caller, with the lines as it may use them."""
    snapshot = selectors.routing_snapshot(now)
    waiting = [w for w in selectors.waiting_calls(now) if w.call.call_id != str(contact.pk)]
    me = _me(contact, state, field_obj, now)
    overflow = selectors.overflow_targets({field_obj.code, *(w.call.field for w in waiting)})
    lines = _lines_for_caller(snapshot.lines, me, waiting, overflow)
    decision = routing.route(
        selectors.routing_field(field_obj), now, lines, [w.call for w in waiting], policy, skip=skip
    )
    return decision, snapshot


def _connect(
    contact: Contact,
    state: selectors.CallState,
    line: Line,
    field_code: str,
    now: datetime,
    detail: dict,
    tally: Tally,
) -> Outcome:
    """Reserve ``line`` for the call and record the ``transferred`` event (one transaction)."""
    number = state.next_attempt
    key = event_key(contact.channel, contact.provider_id, Kind.TRANSFERRED, number)
    free = (
        Q(busy_with__isnull=True) | Q(busy_since__lt=now - selectors.HOLD_LIMIT) | Q(busy_since__isnull=True)
    )
    config.line_states_ensured()
    try:
        with transaction.atomic():
            if (
                not LineState.objects.filter(pk=line.pk)
                .filter(free)
                .update(busy_with=contact, busy_since=now)
            ):
                raise _LineTaken
            voice_store.insert_event(
                contact.pk,
                Kind.TRANSFERRED,
                now,
                key,
                field_id=field_code,
                line_id=line.pk,
                body_id=line.body_id,
                detail={**detail, "attempt": number},
            )
            refresh_line_states([line.pk], now, [contact.pk])
    except _LineTaken:
        if not LineState.objects.filter(pk=line.pk).exists():
            ensure_line_states()  # a line added since this process last made sure (the next try takes it)
        raise
    except IntegrityError:
        if not voice_store.event_exists(key):
            raise
        tally.duplicates += 1
        return current_outcome(contact, now, tally=tally)
    tally.recorded += 1
    return Outcome(Act.CONNECT, contact, line=line, attempt=number, field=config.field(field_code))


def _window(w: routing.OtherWindow) -> dict:
    return {"name": w.name, "contact": w.contact, "hours": w.describe_hours()}


def route_call(
    contact: Contact,
    now: datetime,
    *,
    skip: frozenset[str] | set[str] = frozenset(),
    dequeued: int | None = None,
    after: dict | None = None,
    tally: Tally | None = None,
    state: selectors.CallState | None = None,
) -> Outcome:
    """Decide with :func:`routing.route` what happens to a caller who has chosen a field, and record
    it: ``transferred`` (line reserved), ``queued``, ``callback_offered`` or ``message_played``. Lines
    the caller already tried, and lines a waiting call should take first, count as busy for this
    caller. The callback step is skipped (and the call routed on) for a caller whose number was
    withheld, and once the call has had its offer. ``state``: the call's state if the caller has just
    read it."""
    tally = tally if tally is not None else Tally()
    state = state if state is not None else selectors.call_state(contact)
    if state.ended:
        return Outcome(Act.HANGUP, contact)
    if state.field_code is None:
        return Outcome(Act.MENU, contact)
    field_obj = config.field(state.field_code)
    policy = selectors.policy_for(field_obj)
    skip = set(skip)
    base = {**(after or {})}
    if state.callback is not None:
        skip.add(routing.CALLBACK_OFFER)
    elif not contact.caller_key:
        skip.add(routing.CALLBACK_OFFER)
        base["callback_offer"] = "skipped: the caller's number was withheld"
    if dequeued is not None:
        base["dequeued"] = dequeued
    config.line_states_ensured()
    for _try in range(5):
        decision, snapshot = _decide(contact, state, field_obj, policy, now, skip)
        detail = {**base, "step": decision.step, "reasons": list(decision.reasons)}
        if decision.action == routing.Action.CONNECT:
            try:
                return _connect(
                    contact, state, snapshot.models[decision.line_id], decision.field, now, detail, tally
                )
            except _LineTaken:
                continue
        if decision.action == routing.Action.CALLBACK_OFFER:
            recorded = record_event(
                contact, Kind.CALLBACK_OFFERED, now, field_code=decision.field, detail=detail, tally=tally
            )
            if not recorded:
                return current_outcome(contact, now, tally=tally)
            return Outcome(Act.CALLBACK_OFFER, contact, field=config.field(decision.field))
        if decision.action == routing.Action.QUEUE:
            number = state.next_queue
            max_wait = int(decision.max_wait.total_seconds()) if decision.max_wait else None
            recorded = record_event(
                contact,
                Kind.QUEUED,
                now,
                number=number,
                field_code=decision.field,
                detail={
                    **detail,
                    "queue": number,
                    "position": decision.queue_position,
                    "max_wait_seconds": max_wait,
                },
                tally=tally,
            )
            if not recorded:
                return current_outcome(contact, now, tally=tally)
            return Outcome(Act.QUEUE, contact, queue=number, field=config.field(decision.field))
        # message
        message = {
            **detail,
            "crisis": field_obj.crisis,
            "open": [_window(w) for w in decision.open_windows],
            "closed": [_window(w) for w in decision.closed_windows],
        }
        recorded = record_event(
            contact, Kind.MESSAGE_PLAYED, now, field_code=decision.field, detail=message, tally=tally
        )
        if not recorded:
            return current_outcome(contact, now, tally=tally)
        return Outcome(Act.MESSAGE, contact, field=field_obj, message=message)
    return Outcome(Act.RESUME, contact)


def current_outcome(contact: Contact, now: datetime, *, tally: Tally | None = None) -> Outcome:
    """What the call should be doing now according to its events (for repeated requests): connected
    to its open attempt's line, queued, told the message, or — nothing decided yet after a field
    was chosen — routed now."""
    state = selectors.call_state(contact)
    if state.ended:
        return Outcome(Act.HANGUP, contact)
    attempt = state.open_attempt
    if attempt is not None:
        return Outcome(
            Act.CONNECT,
            contact,
            line=config.line(attempt.line_id, now.astimezone(routing.JST).date()),
            attempt=attempt.number,
            field=config.field(attempt.field_code),
        )
    stay = state.open_queue
    if stay is not None:
        return Outcome(Act.QUEUE, contact, queue=stay.number, field=config.field(stay.field_code))
    if state.message is not None:
        return Outcome(Act.MESSAGE, contact, message=state.message)
    if state.callback == "requested":
        return Outcome(Act.CALLBACK_TAKEN, contact, field=config.field(state.field_code))
    if state.callback == "offered":
        return Outcome(Act.CALLBACK_OFFER, contact, field=config.field(state.field_code))
    if state.field_code is None:
        return Outcome(Act.MENU, contact)
    timed_out = any(s.left and state.attempt_from_queue(s.number) is None for s in state.queues.values())
    return route_call(contact, now, skip={routing.QUEUE} if timed_out else set(), tally=tally, state=state)


def choose_field(
    contact: Contact,
    menu: MenuVersion,
    option: MenuOption,
    lang: str,
    now: datetime,
    *,
    tally: Tally | None = None,
) -> Outcome:
    """Record the caller's menu choice and route the call (a repeated choice is not routed twice)."""
    tally = tally if tally is not None else Tally()
    record_event(
        contact,
        Kind.MENU_CHOICE,
        now,
        field_code=option.field_id,
        detail={"digit": option.digit, "menu": menu.pk, "lang": lang},
        tally=tally,
    )
    return current_outcome(contact, now, tally=tally)


# --- callback offers -------------------------------------------------------------------------------

#: The key a caller presses to ask for a callback (any other key, or none, declines).
CALLBACK_DIGIT = "1"


def answer_callback(
    contact: Contact,
    digits: str,
    from_number: str | None,
    now: datetime,
    *,
    tally: Tally | None = None,
) -> Outcome:
    """The caller's answer to the callback offer. ``CALLBACK_DIGIT`` with a number that came with the
    call: the request is stored (number encrypted) with a ``callback_requested`` event, in one
    transaction, and the caller is told so. Anything else: ``callback_declined``, and the call is routed
    on without the offer. A repeated answer changes nothing; an answer to no open offer is ignored."""
    from tsunagari.helpline.callback_services import request_callback

    tally = tally if tally is not None else Tally()
    state = selectors.call_state(contact)
    if state.ended:
        return Outcome(Act.HANGUP, contact)
    if state.callback != "offered":
        return current_outcome(contact, now, tally=tally)
    field_obj = config.field(state.field_code)
    number = re.sub(r"[\s\-()]", "", from_number or "")
    if digits.strip() == CALLBACK_DIGIT and caller_key(number):
        with transaction.atomic():
            request = request_callback(contact, number, field_obj.code, field_obj.crisis, now)
            record_event(
                contact,
                Kind.CALLBACK_REQUESTED,
                now,
                field_code=field_obj.code,
                detail={"callback": str(request.pk)},
                tally=tally,
            )
        return Outcome(Act.CALLBACK_TAKEN, contact, field=field_obj)
    why = "no number" if digits.strip() == CALLBACK_DIGIT else ("other key" if digits.strip() else "no key")
    record_event(
        contact, Kind.CALLBACK_DECLINED, now, field_code=field_obj.code, detail={"why": why}, tally=tally
    )
    return current_outcome(contact, now, tally=tally)


# --- queue -----------------------------------------------------------------------------------------


def poll_queue(contact: Contact, queue_number: int, now: datetime, *, tally: Tally | None = None) -> Outcome:
    """A queued caller's wait URL was requested: take a line that has become free if this caller is
    the one it should take next (crisis calls first, then by arrival), else keep waiting; leave the
    queue once the policy's maximum wait has passed (the queue exit then routes on)."""
    tally = tally if tally is not None else Tally()
    state = selectors.call_state(contact)
    stay = state.queues.get(queue_number)
    if state.ended:
        return Outcome(Act.HANGUP, contact)
    if stay is None or stay.left:
        return Outcome(Act.LEAVE, contact)
    field_obj = config.field(stay.field_code)
    config.line_states_ensured()
    # Route this caller as if it had just chosen, without queueing (it is queued) or callbacks: it
    # gets a line only if no call ahead of it in queue order may take that line.
    decision, snapshot = _decide(
        contact,
        state,
        field_obj,
        selectors.policy_for(field_obj),
        now,
        {routing.QUEUE, routing.CALLBACK_OFFER},
    )
    if decision.action == routing.Action.CONNECT:
        detail = {"step": decision.step, "reasons": list(decision.reasons), "dequeued": queue_number}
        try:
            outcome = _connect(
                contact, state, snapshot.models[decision.line_id], decision.field, now, detail, tally
            )
        except _LineTaken:
            outcome = None  # taken meanwhile: try again at the next poll
        if outcome is not None and outcome.act == Act.CONNECT:
            return Outcome(
                Act.LEAVE, contact, line=outcome.line, attempt=outcome.attempt, field=outcome.field
            )
    if stay.max_wait_seconds is not None and (now - stay.at).total_seconds() >= stay.max_wait_seconds:
        return Outcome(Act.LEAVE, contact)
    return Outcome(Act.HOLD, contact, queue=queue_number, field=field_obj)


def queue_exit(
    contact: Contact, queue_number: int, result: str, now: datetime, *, tally: Tally | None = None
) -> Outcome:
    """The caller left queue ``queue_number`` (Twilio's ``QueueResult``): hung up → abandoned; left
    for a reserved line → connect; left otherwise (max wait, queue full, error) → route on without
    queueing again."""
    tally = tally if tally is not None else Tally()
    if result == "hangup":
        end_call(contact, now, status="queue-hangup", tally=tally)
        return Outcome(Act.HANGUP, contact)
    if result in ("bridged", "bridging-in-process", "redirected"):
        return Outcome(Act.NOTHING, contact)
    state = selectors.call_state(contact)
    if state.ended:
        return Outcome(Act.HANGUP, contact)
    attempt = state.attempt_from_queue(queue_number)
    stay = state.queues.get(queue_number)
    if attempt is not None or stay is None or stay.left:
        return current_outcome(contact, now, tally=tally)
    return route_call(
        contact,
        now,
        skip={routing.QUEUE},
        dequeued=queue_number,
        after={"queue_result": result},
        tally=tally,
        state=state,
    )


# --- the line's leg --------------------------------------------------------------------------------


def line_answered(contact: Contact, attempt: int, at: datetime, *, tally: Tally | None = None) -> bool:
    """Record that the line of ``attempt`` answered (wait since the menu choice)."""
    state = selectors.call_state(contact)
    found = state.attempts.get(attempt)
    if found is None:
        return False
    if found.answered_at is not None:  # its answered event exists: a repeat (no write needed)
        (tally if tally is not None else Tally()).duplicates += 1
        return False
    return record_event(
        contact,
        Kind.ANSWERED,
        at,
        number=attempt,
        field_code=found.field_code,
        line_id=found.line_id,
        wait_seconds=_wait(state.menu_at, at),
        detail={"attempt": attempt},
        tally=tally,
    )


def line_not_answered(
    contact: Contact, attempt: int, status: str, at: datetime, *, tally: Tally | None = None
) -> bool:
    state = selectors.call_state(contact)
    found = state.attempts.get(attempt)
    if found is None:
        return False
    if found.not_answered:  # its not_answered event exists: a repeat (no write needed)
        (tally if tally is not None else Tally()).duplicates += 1
        return False
    return record_event(
        contact,
        Kind.NOT_ANSWERED,
        at,
        number=attempt,
        field_code=found.field_code,
        line_id=found.line_id,
        detail={"attempt": attempt, "status": status},
        tally=tally,
    )


def line_status(
    contact: Contact,
    attempt: int,
    status: str,
    at: datetime,
    *,
    duration: int | None = None,
    sequence: int | None = None,
    tally: Tally | None = None,
) -> None:
    """A status callback of the line's leg: answered (``in-progress``), completed (the conversation
    ended; answered at ``at - duration`` if that was missed), not answered, or canceled (the caller
    hung up while it rang)."""
    if status in ("in-progress", "answered"):
        line_answered(contact, attempt, at, tally=tally)
    elif status == "completed":
        answered_at = at - timedelta(seconds=duration) if duration is not None else at
        line_answered(contact, attempt, answered_at, tally=tally)
        end_call(contact, at, status=status, sequence=sequence, tally=tally)
    elif status in ("busy", "no-answer", "failed"):
        line_not_answered(contact, attempt, status, at, tally=tally)
    elif status == "canceled":
        end_call(contact, at, status=status, sequence=sequence, tally=tally)


def dial_ended(
    contact: Contact,
    attempt: int,
    dial_status: str,
    call_status: str,
    now: datetime,
    *,
    duration: int | None = None,
    tally: Tally | None = None,
) -> Outcome:
    """The ``<Dial>`` of ``attempt`` ended (its action URL): after a conversation, thank and hang up;
    if the caller is gone, end the call; if the line did not answer, record it and route on (the
    lines already tried are left out)."""
    tally = tally if tally is not None else Tally()
    state = selectors.call_state(contact)
    if attempt not in state.attempts:
        return Outcome(Act.HANGUP, contact)
    if dial_status in ("completed", "answered"):
        answered_at = now - timedelta(seconds=duration) if duration is not None else now
        line_answered(contact, attempt, answered_at, tally=tally)
        end_call(contact, now, status=dial_status, tally=tally)
        return Outcome(Act.THANKS, contact)
    if dial_status == "canceled" or call_status in FINAL_STATUSES:
        end_call(contact, now, status=call_status or dial_status, tally=tally)
        return Outcome(Act.HANGUP, contact)
    line_not_answered(contact, attempt, dial_status or "failed", now, tally=tally)
    return current_outcome(contact, now, tally=tally)


def end_call(
    contact: Contact,
    at: datetime,
    *,
    status: str | None = None,
    sequence: int | None = None,
    tally: Tally | None = None,
) -> None:
    """The call is over: ``abandoned`` if the caller was still waiting (queued, or a line ringing),
    then ``completed`` (with the answered line, if any). Idempotent."""
    tally = tally if tally is not None else Tally()
    state = selectors.call_state(contact)
    extra = {k: v for k, v in (("status", status), ("sequence", sequence)) if v is not None}
    if not state.ended:
        attempt = state.open_attempt
        stay = state.open_queue
        if attempt is not None and attempt.answered_at is None:
            record_event(
                contact,
                Kind.ABANDONED,
                at,
                field_code=attempt.field_code,
                line_id=attempt.line_id,
                wait_seconds=_wait(state.menu_at, at),
                detail={
                    **extra,
                    "while": "ringing" if attempt.dequeued is None else "leaving_queue",
                    "attempt": attempt.number,
                },
                tally=tally,
            )
        elif attempt is None and stay is not None:
            record_event(
                contact,
                Kind.ABANDONED,
                at,
                field_code=stay.field_code,
                wait_seconds=_wait(state.menu_at, at),
                detail={**extra, "while": "queued", "queue": stay.number},
                tally=tally,
            )
    answered = state.answered_attempt
    if state.completed:
        tally.duplicates += 1
        return
    record_event(
        contact,
        Kind.COMPLETED,
        at,
        field_code=answered.field_code if answered else state.field_code,
        line_id=answered.line_id if answered else None,
        detail={**extra, **({"attempt": answered.number} if answered else {})},
        tally=tally,
    )
