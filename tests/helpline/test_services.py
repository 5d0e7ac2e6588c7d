"""Services and selectors of the voice line against the real database: caller keys, idempotent events,
staffing from shifts and exceptions, the menu valid at a time, line states derived from events,
routing inputs, reservations, waiting calls and the overflow steps."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from tests.helpline.test_webhooks_support import make_field, make_line, make_menu, new_sid
from tsunagari.helpline import routing, selectors, services
from tsunagari.helpline.models import (
    ContactEvent,
    LineState,
    OverflowPolicy,
    Shift,
    ShiftException,
)
from tsunagari.helpline.routing import JST
from tsunagari.helpline.services import Act, Tally

pytestmark = pytest.mark.django_db
Kind = ContactEvent.Kind
QUEUE_POLICY = [{"step": "queue", "max_length": 5, "max_wait_seconds": 600}, "message"]


def chosen(field_code: str, at: datetime | None = None):
    """A voice contact that has chosen ``field_code`` in the menu."""
    at = at or timezone.now()
    contact = services.start_call(new_sid(), "+819012345678", at)
    services.record_event(contact, Kind.MENU_CHOICE, at, field_code=field_code, detail={"lang": "ja"})
    return contact


# --- caller keys and events ------------------------------------------------------------------------


def test_caller_key_is_a_keyed_hash_of_the_number(settings):
    key = services.caller_key("+819012345678")
    assert len(key) == 64 and "9012345678" not in key
    assert services.caller_key("+81 90-1234-5678") == key
    settings.SECRET_KEY = "another secret key for the test, long enough to be fine"
    assert services.caller_key("+819012345678") != key
    for withheld in ("", None, "anonymous", "+266696687", "client:alice", "sip:x@example.jp"):
        assert services.caller_key(withheld) == ""


def test_events_are_recorded_once_per_key():
    contact = services.start_call(new_sid(), None, timezone.now())
    tally = Tally()
    at = timezone.now()
    assert services.record_event(contact, Kind.COMPLETED, at, tally=tally) is True
    assert services.record_event(contact, Kind.COMPLETED, at + timedelta(seconds=5), tally=tally) is False
    assert (tally.recorded, tally.duplicates) == (1, 1)
    assert ContactEvent.objects.filter(contact=contact, kind=Kind.COMPLETED).count() == 1
    again = services.start_call(contact.provider_id, None, timezone.now(), tally=tally)
    assert again == contact and tally.duplicates == 2
    assert ContactEvent.objects.filter(contact=contact, kind=Kind.OFFERED).count() == 1


def test_events_stay_append_only():
    contact = services.start_call(new_sid(), None, timezone.now())
    event = contact.events.get()
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()


# --- staffing and menus ----------------------------------------------------------------------------

MONDAY = date(2025, 3, 3)
TUESDAY_3AM = datetime(2025, 3, 4, 3, 0, tzinfo=JST)


def test_a_shift_past_midnight_staffs_the_next_morning():
    night = Shift(weekday=0, start=time(22), end=time(6))
    assert selectors.staffed_since([night], [], TUESDAY_3AM) == datetime(2025, 3, 3, 22, 0, tzinfo=JST)
    assert selectors.staffed_since([night], [], TUESDAY_3AM + timedelta(hours=3)) is None
    all_day = Shift(weekday=1, start=time(0), end=time(0))
    assert selectors.staffed_since([all_day], [], TUESDAY_3AM) == datetime(2025, 3, 4, 0, 0, tzinfo=JST)


def test_dated_exceptions_replace_the_weekly_shifts_of_their_day():
    night = Shift(weekday=0, start=time(22), end=time(6))
    off_monday = ShiftException(date=MONDAY, staffed=False)
    assert selectors.staffed_since([night], [off_monday], TUESDAY_3AM) is None
    # an exception on Tuesday does not cut Monday's night shift short
    off_tuesday = ShiftException(date=MONDAY + timedelta(days=1), staffed=False)
    assert selectors.staffed_since([night], [off_tuesday], TUESDAY_3AM) is not None
    special = ShiftException(date=MONDAY + timedelta(days=1), staffed=True, start=time(2), end=time(4))
    assert selectors.staffed_since([], [special], TUESDAY_3AM) == datetime(2025, 3, 4, 2, 0, tzinfo=JST)


def test_the_menu_valid_at_a_time():
    field = make_field("kodoku", "孤独・孤立")
    t0 = datetime(2025, 4, 1, tzinfo=JST)
    spring = make_menu([("1", field, "1")], name="spring", valid_from=t0, valid_until=t0 + timedelta(days=30))
    summer = make_menu([("1", field, "1")], name="summer", valid_from=t0 + timedelta(days=30))
    special = make_menu(
        [("1", field, "1")],
        name="special",
        valid_from=t0 + timedelta(days=10),
        valid_until=t0 + timedelta(days=12),
    )
    assert selectors.menu_at(t0 - timedelta(seconds=1)) is None
    assert selectors.menu_at(t0) == spring
    assert selectors.menu_at(t0 + timedelta(days=11)) == special  # the one that started last
    assert selectors.menu_at(t0 + timedelta(days=30)) == summer  # valid_until is exclusive
    assert [o.field for o in selectors.menu_at(t0).options.all()] == [field]


# --- routing inputs and line states ----------------------------------------------------------------


def test_routing_snapshot_reads_shifts_and_states():
    field = make_field("kodoku", "孤独・孤立")
    now = timezone.now()
    idle = make_line("団体A", "A-1", "+810000000001", [field], idle_minutes=30)
    fresh = make_line("団体A", "A-2", "+810000000002", [field])  # never used: idle since its shift began
    off = make_line("団体B", "B-1", "+810000000003", [field], staffed=False)
    make_line("団体B", "B-2", "+810000000004", [])  # serves no field: not a routing input
    lines = {ln.id: ln for ln in selectors.routing_snapshot(now).lines}
    assert set(lines) == {str(idle.pk), str(fresh.pk), str(off.pk)}
    assert (
        lines[str(idle.pk)].available
        and lines[str(idle.pk)].idle_since == LineState.objects.get(line=idle).idle_since
    )
    shift_start = datetime.combine(now.astimezone(JST).date(), time(0), JST)
    assert lines[str(fresh.pk)].idle_since == shift_start
    assert not lines[str(off.pk)].staffed
    # a line that became idle before today's shift began counts as idle since the shift began
    LineState.objects.filter(line=idle).update(idle_since=shift_start - timedelta(hours=5))
    assert selectors.routing_snapshot(now).lines[0].idle_since == shift_start


def test_a_reserved_line_is_not_given_to_a_second_caller():
    field = make_field("kodoku", "孤独・孤立", policy=QUEUE_POLICY)
    line = make_line("団体A", "A-1", "+810000000001", [field], idle_minutes=5)
    first = services.route_call(chosen("kodoku"), timezone.now())
    assert first.act == Act.CONNECT and first.line == line
    second = services.route_call(chosen("kodoku"), timezone.now())
    assert second.act == Act.QUEUE and second.queue == 1
    assert LineState.objects.get(line=line).busy_with == first.contact


def test_a_hold_older_than_the_limit_frees_the_line():
    field = make_field("kodoku", "孤独・孤立", policy=QUEUE_POLICY)
    line = make_line("団体A", "A-1", "+810000000001", [field], idle_minutes=600)
    lost = chosen("kodoku")
    LineState.objects.filter(line=line).update(
        busy_with=lost, busy_since=timezone.now() - selectors.HOLD_LIMIT - timedelta(minutes=1)
    )
    assert selectors.busy_lines(timezone.now()) == []
    outcome = services.route_call(chosen("kodoku"), timezone.now())
    assert outcome.act == Act.CONNECT and outcome.line == line


def test_line_state_is_the_same_whatever_the_order_of_the_events():
    field = make_field("kodoku", "孤独・孤立", policy=QUEUE_POLICY)
    line = make_line("団体A", "A-1", "+810000000001", [field], idle_minutes=5)
    contact = chosen("kodoku")
    outcome = services.route_call(contact, timezone.now())
    t = timezone.now()
    # completed (with its line) before answered; then a repeated answered
    services.line_status(contact, outcome.attempt, "completed", t + timedelta(seconds=90), duration=60)
    services.line_answered(contact, outcome.attempt, t + timedelta(seconds=30))
    services.line_answered(contact, outcome.attempt, t + timedelta(seconds=31))
    s = LineState.objects.get(line=line)
    assert s.busy_with is None and s.idle_since == t + timedelta(seconds=90)
    answered = ContactEvent.objects.get(contact=contact, kind=Kind.ANSWERED)
    assert answered.at == t + timedelta(seconds=30)  # derived from the completed's duration first


def test_the_line_is_busy_from_transfer_to_the_end_of_the_call():
    field = make_field("kodoku", "孤独・孤立", policy=QUEUE_POLICY)
    line = make_line("団体A", "A-1", "+810000000001", [field], idle_minutes=5)
    contact = chosen("kodoku")
    outcome = services.route_call(contact, timezone.now())
    assert LineState.objects.get(line=line).busy_with == contact
    services.line_answered(contact, outcome.attempt, timezone.now())
    assert LineState.objects.get(line=line).busy_with == contact
    services.end_call(contact, timezone.now(), status="completed")
    services.end_call(contact, timezone.now(), status="completed")
    assert LineState.objects.get(line=line).busy_with is None
    assert ContactEvent.objects.filter(contact=contact, kind=Kind.COMPLETED).count() == 1
    completed = ContactEvent.objects.get(contact=contact, kind=Kind.COMPLETED)
    assert completed.line == line and completed.detail["attempt"] == 1


# --- waiting calls and overflow --------------------------------------------------------------------


def test_waiting_calls_know_crisis_and_keep_their_place():
    lonely_field = make_field("kodoku", "孤独・孤立", policy=QUEUE_POLICY)
    make_field("inochi", "死にたい・消えたい", crisis=True, policy=QUEUE_POLICY)
    line = make_line("団体A", "A-1", "+810000000001", [lonely_field], idle_minutes=5, accepts_crisis=True)
    busy = chosen("kodoku")
    assert services.route_call(busy, timezone.now()).line == line
    crisis = chosen("inochi")
    assert services.route_call(crisis, timezone.now()).act == Act.QUEUE
    (waiting,) = selectors.waiting_calls(timezone.now())
    assert waiting.call.call_id == str(crisis.pk) and waiting.call.crisis and waiting.call.field == "inochi"
    arrived = waiting.call.arrived_at

    services.end_call(busy, timezone.now())
    taken = services.poll_queue(crisis, 1, timezone.now())
    assert taken.act == Act.LEAVE and taken.line == line and taken.attempt == 1
    assert selectors.waiting_calls(timezone.now()) == []
    assert services.queue_exit(crisis, 1, "leave", timezone.now()).act == Act.CONNECT

    # the line does not answer; it is the only one, so the caller queues again, keeping its place
    again = services.dial_ended(crisis, 1, "no-answer", "in-progress", timezone.now())
    assert again.act == Act.QUEUE and again.queue == 2
    (waiting,) = selectors.waiting_calls(timezone.now())
    assert waiting.call.arrived_at == arrived and waiting.tried == frozenset({str(line.pk)})
    # the line it tried is not offered to it again, but to others
    assert services.poll_queue(crisis, 2, timezone.now()).act == Act.HOLD
    services.end_call(crisis, timezone.now())
    assert selectors.waiting_calls(timezone.now()) == []
    abandoned = ContactEvent.objects.get(contact=crisis, kind=Kind.ABANDONED)
    assert abandoned.detail["while"] == "queued" and abandoned.detail["queue"] == 2


def test_general_field_overflow_is_recorded_under_the_general_field():
    make_field("kodoku", "孤独・孤立", general=True, policy=QUEUE_POLICY)
    youth = make_field(
        "kodomo",
        "18歳以下",
        policy=[{"step": "general_field", "field": "kodoku"}, *QUEUE_POLICY],
    )
    general = youth.__class__.objects.get(pk="kodoku")
    general_line = make_line("団体A", "A-1", "+810000000001", [general], idle_minutes=5)
    make_line("団体B", "B-1", "+810000000002", [youth], staffed=False)
    contact = chosen("kodomo")
    outcome = services.route_call(contact, timezone.now())
    assert outcome.act == Act.CONNECT and outcome.line == general_line
    event = ContactEvent.objects.get(contact=contact, kind=Kind.TRANSFERRED)
    assert event.field_id == "kodoku" and event.detail["step"] == routing.GENERAL_FIELD


def test_a_callback_is_offered_once_and_never_to_a_withheld_number():
    make_field("kodoku", "孤独・孤立", policy=["callback_offer", "message"])
    contact = chosen("kodoku")
    outcome = services.route_call(contact, timezone.now())
    assert outcome.act == Act.CALLBACK_OFFER
    assert (
        ContactEvent.objects.get(contact=contact, kind=Kind.CALLBACK_OFFERED).detail["step"]
        == "callback_offer"
    )
    assert services.current_outcome(contact, timezone.now()).act == Act.CALLBACK_OFFER  # a repeat
    declined = services.answer_callback(contact, "2", "+819012345678", timezone.now())
    assert declined.act == Act.MESSAGE  # routed on without a second offer
    assert ContactEvent.objects.filter(contact=contact, kind=Kind.CALLBACK_OFFERED).count() == 1

    withheld = services.start_call(new_sid(), "anonymous", timezone.now())
    services.record_event(withheld, Kind.MENU_CHOICE, timezone.now(), field_code="kodoku", detail={})
    assert services.route_call(withheld, timezone.now()).act == Act.MESSAGE
    played = ContactEvent.objects.get(contact=withheld, kind=Kind.MESSAGE_PLAYED)
    assert played.detail["callback_offer"] == "skipped: the caller's number was withheld"


def test_an_invalid_stored_policy_falls_back_to_the_default():
    field = make_field("kodoku", "孤独・孤立", policy=QUEUE_POLICY)
    OverflowPolicy.objects.filter(field=field).update(steps=["nonsense"])
    make_line("団体A", "A-1", "+810000000001", [field], idle_minutes=5)
    services.route_call(chosen("kodoku"), timezone.now())
    assert services.route_call(chosen("kodoku"), timezone.now()).act == Act.QUEUE  # default: queue


def test_a_queued_caller_past_the_maximum_wait_leaves_and_hears_the_message():
    field = make_field(
        "kodoku", "孤独・孤立", policy=[{"step": "queue", "max_length": 5, "max_wait_seconds": 60}, "message"]
    )
    make_line("団体A", "A-1", "+810000000001", [field], idle_minutes=5)
    services.route_call(chosen("kodoku"), timezone.now())
    waiting = chosen("kodoku")
    assert services.route_call(waiting, timezone.now()).act == Act.QUEUE
    assert services.poll_queue(waiting, 1, timezone.now()).act == Act.HOLD
    assert services.poll_queue(waiting, 1, timezone.now() + timedelta(seconds=61)).act == Act.LEAVE
    outcome = services.queue_exit(waiting, 1, "leave", timezone.now() + timedelta(seconds=62))
    assert outcome.act == Act.MESSAGE
    played = ContactEvent.objects.get(contact=waiting, kind=Kind.MESSAGE_PLAYED)
    assert played.detail["dequeued"] == 1
    assert selectors.waiting_calls(timezone.now() + timedelta(seconds=63)) == []


def test_a_waiting_caller_gets_the_overflow_line_before_a_newcomer():
    general = make_field("kodoku", "孤独・孤立", general=True, policy=QUEUE_POLICY)
    youth = make_field(
        "kodomo", "18歳以下", policy=[{"step": "general_field", "field": "kodoku"}, *QUEUE_POLICY]
    )
    youth_line = make_line("団体B", "B-1", "+810000000002", [youth], idle_minutes=5)
    general_line = make_line("団体A", "A-1", "+810000000001", [general], idle_minutes=1)
    on_youth, on_general = chosen("kodomo"), chosen("kodoku")
    assert services.route_call(on_youth, timezone.now()).line == youth_line
    assert services.route_call(on_general, timezone.now()).line == general_line
    waiting = chosen("kodomo")
    assert services.route_call(waiting, timezone.now()).act == Act.QUEUE

    services.end_call(on_general, timezone.now())  # the general line is free
    newcomer = chosen("kodomo")
    assert services.route_call(newcomer, timezone.now()).act == Act.QUEUE  # owed to the waiting caller
    taken = services.poll_queue(waiting, 1, timezone.now())
    assert taken.act == Act.LEAVE and taken.line == general_line
    event = ContactEvent.objects.get(contact=waiting, kind=Kind.TRANSFERRED)
    assert event.field_id == "kodoku" and event.detail["step"] == routing.GENERAL_FIELD
    assert services.poll_queue(newcomer, 1, timezone.now()).act == Act.HOLD
