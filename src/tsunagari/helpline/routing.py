"""Call routing for the unified line #9999 (pure; no Django, standard library only).

Contract
--------
``route(field, now, lines, waiting, policy, primary_body=None, skip=())`` decides what happens to a
caller who has just chosen ``field`` in the voice menu and returns an immutable :class:`Decision`:
connect to a line, put the caller in the field's queue, offer a callback, or play a message. The same
inputs always give the same decision (the order of ``lines`` and ``waiting`` does not matter).

Steps, in order (every step considered is explained in ``Decision.reasons``):

1. ``field`` — the idle staffed lines serving the field, of ``primary_body`` only when one is given
   (the organisation on duty for the field now, from the staffing schedule), else of every body.
2. ``crisis_line`` — crisis fields only (``Field.crisis``): any idle staffed line that accepts crisis
   calls (``Line.accepts_crisis``, or a line serving the crisis field), of any body and any field;
   lines serving the crisis field come first.
3. the steps of the field's :class:`OverflowPolicy`, in its order:

   - ``same_field_other_body`` — idle staffed lines of other bodies serving the field;
   - ``general_field`` — idle staffed lines serving the general field (孤独・孤立) named in the step;
   - ``queue`` — queue in the field unless the queue is full (``max_length`` calls ahead), not moving
     (the longest-waiting call ahead has waited ``max_wait`` or more) or pointless (no staffed line
     could ever take the call);
   - ``callback_offer`` — offer a callback, when now falls in the step's hours (always without hours);
   - ``message`` — always applies and must be the policy's last step; the decision lists the other
     consultation windows of the step, open now and closed now.

Picking a line: the longest-idle one (earliest ``idle_since``), ties broken by the smaller line id.

A caller who has left the queue after ``Decision.max_wait``, or has declined a callback, is routed again
with ``skip={"queue"}`` / ``skip={"callback_offer"}`` (lines may have become free meanwhile, so the
``field`` step is tried again).

``queue_order(waiting)`` and ``next_call(line, waiting)`` tell which waiting call a line that has just
become free takes: crisis calls first, then first come first served (``arrived_at``, then call id).

Times: every datetime must be timezone-aware; clock times in reasons and opening hours are Japan time
(JST, UTC+9, no daylight saving). Public holidays are not modelled: pass the windows valid for the day.

Invalid inputs raise ``ValueError`` naming the offending item.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from enum import StrEnum
from typing import Any, ClassVar

JST = timezone(timedelta(hours=9), "JST")

# Step kinds, as they appear in reasons, in Decision.step and in policy data.
FIELD = "field"
CRISIS_LINE = "crisis_line"
SAME_FIELD_OTHER_BODY = "same_field_other_body"
GENERAL_FIELD = "general_field"
QUEUE = "queue"
CALLBACK_OFFER = "callback_offer"
MESSAGE = "message"
POLICY_STEP_KINDS = (SAME_FIELD_OTHER_BODY, GENERAL_FIELD, QUEUE, CALLBACK_OFFER, MESSAGE)
#: Steps a re-routed caller may skip (``route(..., skip=...)``).
SKIPPABLE = frozenset({SAME_FIELD_OTHER_BODY, GENERAL_FIELD, QUEUE, CALLBACK_OFFER})

_WEEKDAYS_JA = "月火水木金土日"


class Action(StrEnum):
    CONNECT = "connect"
    QUEUE = "queue"
    CALLBACK_OFFER = "callback_offer"
    MESSAGE = "message"


# --- helpers ---------------------------------------------------------------------------------------


def _require_text(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what} must be a non-empty string, got {value!r}")
    return value


def _require_aware(value: Any, what: str) -> datetime:
    if not isinstance(value, datetime):
        raise ValueError(f"{what} must be a datetime, got {value!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware (e.g. JST), got naive {value.isoformat()}")
    return value


def _clock(at: datetime) -> str:
    return at.astimezone(JST).strftime("%H:%M")


def _minutes(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    return f"{seconds} s" if seconds < 60 else f"{seconds // 60} min"


def _parse_time(value: Any, what: str) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, str):
        if value in ("24:00", "24:00:00"):
            return time(0)
        try:
            return time.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"{what} must be a time such as '18:00', got {value!r}")


# --- inputs ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """A menu field (分野). ``code`` is its identifier (e.g. the menu digit "2"); ``crisis`` marks the
    crisis field (死にたい・消えたい), whose callers jump queues and may reach any crisis-accepting line."""

    code: str
    name: str = ""
    crisis: bool = False

    def __post_init__(self) -> None:
        _require_text(self.code, "Field.code")
        if not isinstance(self.name, str):
            raise ValueError(f"Field {self.code}: name must be a string, got {self.name!r}")

    def label(self) -> str:
        return f"field {self.code} ({self.name})" if self.name else f"field {self.code}"


@dataclass(frozen=True)
class Line:
    """A partner organisation's phone line as it is now.

    ``fields``: codes of the fields it serves (non-empty; any iterable, stored as a frozenset).
    ``staffed``: someone is on duty now. ``busy``: on a call now. ``idle_since``: when it last became
    free; required (timezone-aware) for a staffed idle line, ignored otherwise.
    ``accepts_crisis``: may take crisis-field calls although it does not serve the crisis field.
    """

    id: str
    body_id: str
    fields: frozenset[str]
    staffed: bool
    busy: bool = False
    idle_since: datetime | None = None
    accepts_crisis: bool = False

    def __post_init__(self) -> None:
        _require_text(self.id, "Line.id")
        _require_text(self.body_id, f"line {self.id}: body_id")
        if isinstance(self.fields, str) or not isinstance(self.fields, Iterable):
            raise ValueError(
                f"line {self.id}: fields must be a collection of field codes, got {self.fields!r}"
            )
        fields = frozenset(self.fields)
        if not fields:
            raise ValueError(f"line {self.id}: fields must name at least one field")
        for code in fields:
            _require_text(code, f"line {self.id}: field code")
        object.__setattr__(self, "fields", fields)
        if self.idle_since is not None:
            _require_aware(self.idle_since, f"line {self.id}: idle_since")
        if self.available and self.idle_since is None:
            raise ValueError(f"line {self.id}: a staffed idle line needs idle_since")

    @property
    def available(self) -> bool:
        """Staffed and idle: can take a call now."""
        return self.staffed and not self.busy

    def takes_crisis(self, crisis_field: str) -> bool:
        return self.accepts_crisis or crisis_field in self.fields

    def can_take(self, call: WaitingCall) -> bool:
        """Whether this line may answer ``call``: it serves the call's field, or the call is a crisis
        call and the line accepts crisis calls."""
        return call.field in self.fields or (call.crisis and self.accepts_crisis)


@dataclass(frozen=True)
class WaitingCall:
    """A caller waiting in a field's queue since ``arrived_at`` (timezone-aware)."""

    call_id: str
    field: str
    arrived_at: datetime
    crisis: bool = False

    def __post_init__(self) -> None:
        _require_text(self.call_id, "WaitingCall.call_id")
        _require_text(self.field, f"waiting call {self.call_id}: field")
        _require_aware(self.arrived_at, f"waiting call {self.call_id}: arrived_at")


@dataclass(frozen=True)
class Hours:
    """A daily opening period in Japan time on the given weekdays (Monday = 0 … Sunday = 6; the weekday
    on which the period starts). ``end`` ≤ ``start`` runs past midnight into the next day (18:00–06:00;
    09:00–00:00 means until midnight); ``start`` == ``end`` means the whole day (24 hours). ``start`` and
    ``end`` may be given as "HH:MM" strings ("24:00" is read as midnight)."""

    start: time
    end: time
    weekdays: frozenset[int] = frozenset(range(7))

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", _parse_time(self.start, "Hours.start"))
        object.__setattr__(self, "end", _parse_time(self.end, "Hours.end"))
        if isinstance(self.weekdays, str) or not isinstance(self.weekdays, Iterable):
            raise ValueError(f"Hours.weekdays must be a collection of 0..6, got {self.weekdays!r}")
        weekdays = frozenset(self.weekdays)
        if not weekdays or any(
            not isinstance(d, int) or isinstance(d, bool) or not 0 <= d <= 6 for d in weekdays
        ):
            raise ValueError(
                f"Hours.weekdays must be a non-empty collection of 0..6 (Monday = 0), got {self.weekdays!r}"
            )
        object.__setattr__(self, "weekdays", weekdays)

    def is_open(self, at: datetime) -> bool:
        """Whether ``at`` (timezone-aware) falls in this period, in Japan time."""
        local = _require_aware(at, "at").astimezone(JST)
        t, day = local.time(), local.weekday()
        if self.start == self.end:
            return day in self.weekdays
        if self.start < self.end:
            return day in self.weekdays and self.start <= t < self.end
        return (day in self.weekdays and t >= self.start) or ((day - 1) % 7 in self.weekdays and t < self.end)

    def describe(self) -> str:
        """E.g. "毎日 24時間", "月・火・水・木・金 18:00–翌06:00"."""
        days = (
            "毎日" if len(self.weekdays) == 7 else "・".join(_WEEKDAYS_JA[d] for d in sorted(self.weekdays))
        )
        start = self.start.strftime("%H:%M")
        if self.start == self.end:
            span = "24時間"
        elif self.end == time(0):
            span = f"{start}–24:00"
        elif self.end < self.start:
            span = f"{start}–翌{self.end.strftime('%H:%M')}"
        else:
            span = f"{start}–{self.end.strftime('%H:%M')}"
        return f"{days} {span}"


@dataclass(frozen=True)
class OtherWindow:
    """Another consultation window announced by a message step (e.g. a 24-hour crisis line):
    ``contact`` is what the caller is told (a number or an address), ``hours`` when it is open."""

    name: str
    contact: str
    hours: tuple[Hours, ...]

    def __post_init__(self) -> None:
        _require_text(self.name, "OtherWindow.name")
        _require_text(self.contact, f"window {self.name}: contact")
        hours = tuple(self.hours)
        if not hours or not all(isinstance(h, Hours) for h in hours):
            raise ValueError(
                f"window {self.name}: hours must be a non-empty list of Hours (24 hours: Hours(time(0), time(0)))"
            )
        object.__setattr__(self, "hours", hours)

    def is_open(self, at: datetime) -> bool:
        return any(h.is_open(at) for h in self.hours)

    def describe_hours(self) -> str:
        return ", ".join(h.describe() for h in self.hours)


# --- policy steps ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SameFieldOtherBody:
    """Try idle staffed lines of the other bodies serving the same field."""

    kind: ClassVar[str] = SAME_FIELD_OTHER_BODY


@dataclass(frozen=True)
class GeneralField:
    """Try idle staffed lines serving the general field ``field`` (孤独・孤立)."""

    field: str
    kind: ClassVar[str] = GENERAL_FIELD

    def __post_init__(self) -> None:
        _require_text(self.field, "GeneralField.field")


@dataclass(frozen=True)
class Queue:
    """Queue in the field, unless ``max_length`` calls or more are ahead, or the longest-waiting call
    ahead has waited ``max_wait`` or more. ``max_wait`` is also how long the caller stays queued."""

    max_length: int
    max_wait: timedelta
    kind: ClassVar[str] = QUEUE

    def __post_init__(self) -> None:
        if not isinstance(self.max_length, int) or isinstance(self.max_length, bool) or self.max_length < 1:
            raise ValueError(f"Queue.max_length must be an integer ≥ 1, got {self.max_length!r}")
        if not isinstance(self.max_wait, timedelta) or self.max_wait <= timedelta(0):
            raise ValueError(f"Queue.max_wait must be a positive timedelta, got {self.max_wait!r}")


@dataclass(frozen=True)
class CallbackOffer:
    """Offer a callback, when now falls in ``hours`` (always when ``hours`` is empty)."""

    hours: tuple[Hours, ...] = ()
    kind: ClassVar[str] = CALLBACK_OFFER

    def __post_init__(self) -> None:
        hours = tuple(self.hours)
        if not all(isinstance(h, Hours) for h in hours):
            raise ValueError(f"CallbackOffer.hours must be Hours, got {self.hours!r}")
        object.__setattr__(self, "hours", hours)


@dataclass(frozen=True)
class Message:
    """Play a closing message announcing the other consultation ``windows`` (may be empty)."""

    windows: tuple[OtherWindow, ...] = ()
    kind: ClassVar[str] = MESSAGE

    def __post_init__(self) -> None:
        windows = tuple(self.windows)
        if not all(isinstance(w, OtherWindow) for w in windows):
            raise ValueError(f"Message.windows must be OtherWindow, got {self.windows!r}")
        object.__setattr__(self, "windows", windows)


Step = SameFieldOtherBody | GeneralField | Queue | CallbackOffer | Message


@dataclass(frozen=True)
class OverflowPolicy:
    """What to try, in order, when no line of the field is free. ``field`` is the code of the field the
    policy belongs to. Each step kind appears at most once; ``Message`` must be the last step (so every
    caller is told something) and a general field step may not point at the policy's own field."""

    field: str
    steps: tuple[Step, ...]

    def __post_init__(self) -> None:
        _require_text(self.field, "OverflowPolicy.field")
        steps = tuple(self.steps)
        where = f"policy of field {self.field}"
        if not steps:
            raise ValueError(f"{where}: steps must not be empty (end with a message step)")
        for step in steps:
            if not isinstance(step, SameFieldOtherBody | GeneralField | Queue | CallbackOffer | Message):
                raise ValueError(f"{where}: unknown step {step!r}")
        kinds = [s.kind for s in steps]
        for kind in kinds:
            if kinds.count(kind) > 1:
                raise ValueError(f"{where}: step {kind} appears more than once")
        if kinds[-1] != MESSAGE:
            raise ValueError(f"{where}: the last step must be message, got {kinds[-1]}")
        for step in steps:
            if isinstance(step, GeneralField) and step.field == self.field:
                raise ValueError(f"{where}: general_field step cannot overflow to the policy's own field")
        object.__setattr__(self, "steps", steps)

    @classmethod
    def from_data(cls, field: str, steps: Sequence[str | Mapping[str, Any]]) -> OverflowPolicy:
        """Build a policy from plain data (e.g. YAML). Each step is a kind name or a mapping with a
        ``step`` key and its parameters::

            - same_field_other_body
            - {step: general_field, field: "2"}
            - {step: queue, max_length: 5, max_wait_seconds: 300}
            - {step: callback_offer, hours: [{start: "10:00", end: "22:00", weekdays: [0, 1, 2, 3, 4]}]}
            - {step: message, windows: [{name: …, contact: …, hours: [{start: "00:00", end: "00:00"}]}]}
        """
        if isinstance(steps, str | bytes) or not isinstance(steps, Sequence):
            raise ValueError(f"policy of field {field}: steps must be a list, got {steps!r}")
        return cls(field=field, steps=tuple(_step_from_data(field, i, s) for i, s in enumerate(steps)))


def _hours_from_data(where: str, data: Any) -> tuple[Hours, ...]:
    if not isinstance(data, Sequence) or isinstance(data, str):
        raise ValueError(f"{where}: hours must be a list, got {data!r}")
    out = []
    for item in data:
        if not isinstance(item, Mapping) or "start" not in item or "end" not in item:
            raise ValueError(f"{where}: each hours entry needs start and end, got {item!r}")
        out.append(Hours(item["start"], item["end"], item.get("weekdays", range(7))))
    return tuple(out)


def _step_from_data(field: str, index: int, data: Any) -> Step:
    where = f"policy of field {field}, step {index + 1}"
    if isinstance(data, str):
        kind, params = data, {}
    elif isinstance(data, Mapping) and isinstance(data.get("step"), str):
        kind, params = data["step"], {k: v for k, v in data.items() if k != "step"}
    else:
        raise ValueError(f"{where}: expected a step name or a mapping with 'step', got {data!r}")
    allowed = {
        SAME_FIELD_OTHER_BODY: set(),
        GENERAL_FIELD: {"field"},
        QUEUE: {"max_length", "max_wait_seconds"},
        CALLBACK_OFFER: {"hours"},
        MESSAGE: {"windows"},
    }
    if kind not in allowed:
        raise ValueError(f"{where}: unknown step {kind!r}; expected one of {', '.join(POLICY_STEP_KINDS)}")
    unknown = set(params) - allowed[kind]
    if unknown:
        raise ValueError(f"{where}: unknown parameter(s) {', '.join(sorted(unknown))} for {kind}")
    try:
        if kind == SAME_FIELD_OTHER_BODY:
            return SameFieldOtherBody()
        if kind == GENERAL_FIELD:
            if "field" not in params:
                raise ValueError("general_field needs field (the general field's code)")
            return GeneralField(field=params["field"])
        if kind == QUEUE:
            if "max_length" not in params or "max_wait_seconds" not in params:
                raise ValueError("queue needs max_length and max_wait_seconds")
            seconds = params["max_wait_seconds"]
            if not isinstance(seconds, int | float) or isinstance(seconds, bool):
                raise ValueError(f"max_wait_seconds must be a number, got {seconds!r}")
            return Queue(max_length=params["max_length"], max_wait=timedelta(seconds=seconds))
        if kind == CALLBACK_OFFER:
            return CallbackOffer(hours=_hours_from_data("callback_offer", params.get("hours", [])))
        windows = []
        for w in params.get("windows", []):
            if not isinstance(w, Mapping):
                raise ValueError(f"each window must be a mapping, got {w!r}")
            windows.append(
                OtherWindow(
                    name=w.get("name"),
                    contact=w.get("contact"),
                    hours=_hours_from_data(f"window {w.get('name')}", w.get("hours")),
                )
            )
        return Message(windows=tuple(windows))
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None


# --- decision --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """The routing decision.

    ``action``: what to do. ``step``: the step that decided (``field``, ``crisis_line`` or a policy step
    kind). ``field``: the field the call is handled under (the general field after a general_field step).
    ``line_id`` / ``body_id``: the line to connect to (connect only). ``queue_position`` (1 = next) and
    ``max_wait`` (how long to keep the caller queued): queue only. ``open_windows`` / ``closed_windows``:
    message only, the step's windows open now and closed now, in the step's order.
    ``reasons``: one sentence per step considered, in order, ending with the one that decided.
    """

    action: Action
    step: str
    field: str
    reasons: tuple[str, ...]
    line_id: str | None = None
    body_id: str | None = None
    queue_position: int | None = None
    max_wait: timedelta | None = None
    open_windows: tuple[OtherWindow, ...] = ()
    closed_windows: tuple[OtherWindow, ...] = ()


# --- queue ordering --------------------------------------------------------------------------------


def _queue_key(call: WaitingCall) -> tuple[bool, datetime, str]:
    return (not call.crisis, call.arrived_at, call.call_id)


def queue_order(waiting: Iterable[WaitingCall]) -> tuple[WaitingCall, ...]:
    """The waiting calls in serving order: crisis calls first, then by arrival, then by call id.

    Raises ``ValueError`` for anything but WaitingCall items or for a call id given twice."""
    calls = _check_waiting(waiting)
    return tuple(sorted(calls, key=_queue_key))


def next_call(line: Line, waiting: Iterable[WaitingCall]) -> WaitingCall | None:
    """The call that ``line`` (a staffed line that has just become free) should take next: the first
    call in :func:`queue_order` that the line may answer (:meth:`Line.can_take`), or ``None``."""
    if not isinstance(line, Line):
        raise ValueError(f"line must be a Line, got {line!r}")
    if not line.staffed:
        raise ValueError(f"line {line.id} is not staffed; it cannot take a call")
    return next((call for call in queue_order(waiting) if line.can_take(call)), None)


def _check_waiting(waiting: Iterable[WaitingCall]) -> list[WaitingCall]:
    calls = list(waiting)
    seen: set[str] = set()
    for call in calls:
        if not isinstance(call, WaitingCall):
            raise ValueError(f"waiting calls must be WaitingCall, got {call!r}")
        if call.call_id in seen:
            raise ValueError(f"waiting call {call.call_id} is listed twice")
        seen.add(call.call_id)
    return calls


# --- routing ---------------------------------------------------------------------------------------


def _unavailable_summary(lines: Sequence[Line]) -> str:
    parts = []
    for line in sorted(lines, key=lambda ln: ln.id):
        parts.append(f"{line.id} {'not staffed' if not line.staffed else 'busy'}")
    return "; ".join(parts)


def _pick(
    candidates: Sequence[Line], now: datetime, prefer: frozenset[str] = frozenset(), prefer_label: str = ""
) -> tuple[Line | None, str]:
    """The longest-idle available line among ``candidates`` (lines whose id is in ``prefer`` first,
    described by ``prefer_label``; then earliest ``idle_since``, then smallest id) and an explanation;
    or ``None`` and why none."""
    if not candidates:
        return None, "no such line"
    idle = [ln for ln in candidates if ln.available]
    if not idle:
        return None, _unavailable_summary(candidates)

    def key(ln: Line) -> tuple[bool, datetime, str]:
        assert ln.idle_since is not None  # checked by Line for available lines
        return (ln.id not in prefer, ln.idle_since, ln.id)

    idle.sort(key=key)
    best = idle[0]
    since = key(best)[1]
    note = f"line {best.id} (body {best.body_id}) idle since {_clock(since)} ({_minutes(now - since)})"
    group = [ln for ln in idle if key(ln)[0] == key(best)[0]]
    preferred = best.id in prefer
    if preferred:
        note += f", {prefer_label} (preferred)"
    if len(group) > 1:
        note += f", longest idle of {len(group)} {'such ' if preferred else ''}idle lines"
    if len(idle) > 1:
        tied = [ln.id for ln in idle[1:] if key(ln)[:2] == key(best)[:2]]
        if tied:
            note += f"; tie on idle time with {', '.join(tied)} broken by line id"
    return best, note


def route(
    field: Field,
    now: datetime,
    lines: Iterable[Line],
    waiting: Iterable[WaitingCall],
    policy: OverflowPolicy,
    *,
    primary_body: str | None = None,
    skip: Collection[str] = (),
) -> Decision:
    """Decide what happens to a caller who has chosen ``field`` at ``now`` (see the module docstring).

    ``lines``: every line with its current state (ids unique). ``waiting``: every call waiting now, in
    any field. ``policy``: the overflow policy of ``field``. ``primary_body``: the body on duty for the
    field now (``None``: every body serving the field is tried in the first step). ``skip``: policy step
    kinds to leave out for a re-routed caller (any of :data:`SKIPPABLE`).

    Raises ``ValueError`` for invalid or inconsistent inputs: naive datetimes, ``idle_since`` or
    ``arrived_at`` after ``now``, duplicate line or call ids, a policy of another field, an unknown or
    unskippable step kind in ``skip``.
    """
    if not isinstance(field, Field):
        raise ValueError(f"field must be a Field, got {field!r}")
    _require_aware(now, "now")
    if not isinstance(policy, OverflowPolicy):
        raise ValueError(f"policy must be an OverflowPolicy, got {policy!r}")
    if policy.field != field.code:
        raise ValueError(f"policy is for field {policy.field}, not for the chosen field {field.code}")
    if primary_body is not None:
        _require_text(primary_body, "primary_body")
    if isinstance(skip, str):
        raise ValueError(f"skip must be a collection of step kinds, got the string {skip!r}")
    skip = frozenset(skip)
    if bad := skip - SKIPPABLE:
        raise ValueError(
            f"cannot skip {', '.join(sorted(bad))}; skippable steps: {', '.join(sorted(SKIPPABLE))}"
        )

    all_lines = list(lines)
    ids: set[str] = set()
    for line in all_lines:
        if not isinstance(line, Line):
            raise ValueError(f"lines must be Line, got {line!r}")
        if line.id in ids:
            raise ValueError(f"line {line.id} is listed twice")
        ids.add(line.id)
        if line.available and line.idle_since is not None and line.idle_since > now:
            raise ValueError(
                f"line {line.id}: idle_since {line.idle_since.isoformat()} is after now {now.isoformat()}"
            )
    calls = _check_waiting(waiting)
    for call in calls:
        if call.arrived_at > now:
            raise ValueError(
                f"waiting call {call.call_id}: arrived_at {call.arrived_at.isoformat()} is after now {now.isoformat()}"
            )

    code = field.code
    reasons: list[str] = [
        f"{field.label()}{' [crisis]' if field.crisis else ''} at {_clock(now)} JST"
        + (f"; body on duty {primary_body}" if primary_body else "; every body serving the field")
    ]

    def connect(step: str, line: Line, as_field: str, note: str) -> Decision:
        reasons.append(f"step {step} → {note}")
        return Decision(
            action=Action.CONNECT,
            step=step,
            field=as_field,
            reasons=tuple(reasons),
            line_id=line.id,
            body_id=line.body_id,
        )

    serving = [ln for ln in all_lines if code in ln.fields]

    # 1. the field's own lines (of the body on duty, if any)
    primary = [ln for ln in serving if primary_body is None or ln.body_id == primary_body]
    who = f"of body {primary_body} " if primary_body else ""
    line, note = _pick(primary, now)
    if line:
        return connect(FIELD, line, code, note)
    reasons.append(f"step {FIELD}: no idle staffed line {who}serving field {code} ({note})")

    # 2. crisis: any idle line accepting crisis calls, those serving the field first
    if field.crisis:
        crisis_lines = [ln for ln in all_lines if ln.takes_crisis(code)]
        line, note = _pick(
            crisis_lines, now, prefer=frozenset(ln.id for ln in serving), prefer_label=f"serving field {code}"
        )
        if line:
            return connect(CRISIS_LINE, line, code, note + " (accepts crisis calls)")
        reasons.append(f"step {CRISIS_LINE}: no idle staffed line accepting crisis calls ({note})")

    # 3. the overflow policy
    for step in policy.steps:
        kind = step.kind
        if kind in skip:
            reasons.append(f"step {kind}: skipped (already tried for this caller)")
            continue

        if isinstance(step, SameFieldOtherBody):
            if primary_body is None:
                reasons.append(f"step {kind}: no body on duty given, every body's lines were tried already")
                continue
            others = [ln for ln in serving if ln.body_id != primary_body]
            line, note = _pick(others, now)
            if line:
                return connect(kind, line, code, note)
            reasons.append(f"step {kind}: no idle staffed line of another body serving field {code} ({note})")

        elif isinstance(step, GeneralField):
            general = [ln for ln in all_lines if step.field in ln.fields]
            line, note = _pick(general, now)
            if line:
                return connect(kind, line, step.field, f"general field {step.field}: {note}")
            reasons.append(f"step {kind}: no idle staffed line serving general field {step.field} ({note})")

        elif isinstance(step, Queue):
            # The new caller arrives now, after everyone waiting: only crisis calls are ahead of a
            # crisis caller; every call of the field is ahead of anyone else.
            ahead = [c for c in calls if c.field == code and (c.crisis or not field.crisis)]
            answerers = [
                ln
                for ln in all_lines
                if ln.staffed and (code in ln.fields or (field.crisis and ln.accepts_crisis))
            ]
            if not answerers:
                reasons.append(f"step {kind}: not queued, no staffed line could answer field {code}")
                continue
            if len(ahead) >= step.max_length:
                reasons.append(f"step {kind}: not queued, {len(ahead)} calls ahead (max {step.max_length})")
                continue
            if ahead:
                oldest = min(c.arrived_at for c in ahead)
                waited = now - oldest
                if waited >= step.max_wait:
                    reasons.append(
                        f"step {kind}: not queued, the longest-waiting call ahead has waited {_minutes(waited)}"
                        f" (max {_minutes(step.max_wait)})"
                    )
                    continue
            position = len(ahead) + 1
            reasons.append(
                f"step {kind} → queued in field {code} at position {position}"
                f" ({len(ahead)} ahead, max {step.max_length}; {len(answerers)} staffed line(s) can answer;"
                f" max wait {_minutes(step.max_wait)})"
            )
            return Decision(
                action=Action.QUEUE,
                step=kind,
                field=code,
                reasons=tuple(reasons),
                queue_position=position,
                max_wait=step.max_wait,
            )

        elif isinstance(step, CallbackOffer):
            if step.hours and not any(h.is_open(now) for h in step.hours):
                hours = ", ".join(h.describe() for h in step.hours)
                reasons.append(f"step {kind}: not offered, callbacks are offered {hours}")
                continue
            reasons.append(
                f"step {kind} → callback offered" + ("" if step.hours else " (no hours restriction)")
            )
            return Decision(action=Action.CALLBACK_OFFER, step=kind, field=code, reasons=tuple(reasons))

        else:  # Message, always last
            open_now = tuple(w for w in step.windows if w.is_open(now))
            closed = tuple(w for w in step.windows if not w.is_open(now))
            if not step.windows:
                detail = "no other windows to announce"
            else:
                detail = "open now: " + (", ".join(w.name for w in open_now) or "none")
                if closed:
                    detail += "; closed now: " + ", ".join(f"{w.name} ({w.describe_hours()})" for w in closed)
            reasons.append(f"step {kind} → message; {detail}")
            return Decision(
                action=Action.MESSAGE,
                step=kind,
                field=code,
                reasons=tuple(reasons),
                open_windows=open_now,
                closed_windows=closed,
            )

    raise AssertionError("unreachable: a policy always ends with a message step")  # pragma: no cover
