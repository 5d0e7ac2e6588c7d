"""Routing of #9999 calls: every policy step, crisis priority, ties, determinism, reasons, validation."""

from __future__ import annotations

import dataclasses
import itertools
import random
from datetime import UTC, datetime, time, timedelta

import pytest

from tsunagari.helpline.routing import (
    JST,
    Action,
    CallbackOffer,
    Decision,
    Field,
    GeneralField,
    Hours,
    Line,
    Message,
    OtherWindow,
    OverflowPolicy,
    Queue,
    SameFieldOtherBody,
    WaitingCall,
    next_call,
    queue_order,
    route,
)

NOW = datetime(2025, 3, 4, 3, 0, tzinfo=JST)  # a Tuesday, 03:00 in Japan
YOUTH = Field("1", "18歳以下")
GENERAL = Field("2", "孤独・孤立")
CRISIS = Field("9", "死にたい・消えたい", crisis=True)

ALWAYS = Hours(time(0), time(0))
DAYTIME = Hours(time(10), time(22))
INOCHI = OtherWindow("いのちの電話", "0570-783-556", (DAYTIME,))
YORISOI = OtherWindow("よりそいホットライン", "0120-279-338", (ALWAYS,))


def idle(line_id, body, fields, minutes, accepts_crisis=False):
    return Line(
        line_id,
        body,
        fields,
        staffed=True,
        idle_since=NOW - timedelta(minutes=minutes),
        accepts_crisis=accepts_crisis,
    )


def busy(line_id, body, fields, accepts_crisis=False):
    return Line(line_id, body, fields, staffed=True, busy=True, accepts_crisis=accepts_crisis)


def off(line_id, body, fields):
    return Line(line_id, body, fields, staffed=False)


def waiting(call_id, field, minutes_ago, crisis=False):
    return WaitingCall(call_id, field, NOW - timedelta(minutes=minutes_ago), crisis=crisis)


def policy(field="1", *steps):
    return OverflowPolicy(field, steps or (Message((YORISOI,)),))


FULL_POLICY = OverflowPolicy(
    "1",
    (
        SameFieldOtherBody(),
        GeneralField("2"),
        Queue(max_length=3, max_wait=timedelta(minutes=10)),
        CallbackOffer(),
        Message((INOCHI, YORISOI)),
    ),
)


# --- the field's own lines ---------------------------------------------------------------------------


def test_connects_to_the_longest_idle_line_of_the_field():
    lines = [idle("L1", "B1", {"1"}, 5), idle("L2", "B1", {"1"}, 30), idle("L3", "B1", {"2"}, 90)]
    d = route(YOUTH, NOW, lines, [], FULL_POLICY, primary_body="B1")
    assert (d.action, d.line_id, d.body_id, d.field, d.step) == (Action.CONNECT, "L2", "B1", "1", "field")
    assert (
        d.reasons[-1]
        == "step field → line L2 (body B1) idle since 02:30 (30 min), longest idle of 2 idle lines"
    )


def test_busy_and_unstaffed_lines_are_not_chosen_and_are_named():
    lines = [busy("L1", "B1", {"1"}), off("L2", "B1", {"1"}), idle("L3", "B1", {"1"}, 1)]
    d = route(YOUTH, NOW, lines, [], FULL_POLICY, primary_body="B1")
    assert d.line_id == "L3"
    lines = lines[:2]
    d = route(YOUTH, NOW, lines, [], FULL_POLICY, primary_body="B1")
    assert (
        "step field: no idle staffed line of body B1 serving field 1 (L1 busy; L2 not staffed)" in d.reasons
    )


def test_tie_on_idle_time_is_broken_by_line_id_and_explained():
    lines = [idle("L9", "B1", {"1"}, 10), idle("L10", "B1", {"1"}, 10), idle("L2", "B1", {"1"}, 10)]
    d = route(YOUTH, NOW, lines, [], FULL_POLICY)
    assert d.line_id == "L10"  # string order: "L10" < "L2" < "L9"
    assert "tie on idle time with L2, L9 broken by line id" in d.reasons[-1]


def test_decision_does_not_depend_on_input_order():
    lines = [
        busy("A", "B1", {"1"}),
        idle("B", "B2", {"1"}, 7),
        idle("C", "B2", {"1"}, 7),
        idle("D", "B3", {"2"}, 50),
        off("E", "B1", {"1"}),
    ]
    calls = [waiting("c1", "1", 3), waiting("c2", "1", 1)]
    results = set()
    for perm in itertools.permutations(lines):
        shuffled = list(calls)
        random.Random(len(results)).shuffle(shuffled)
        results.add(route(YOUTH, NOW, perm, shuffled, FULL_POLICY, primary_body="B1"))
    assert len(results) == 1
    (d,) = results
    assert (d.step, d.line_id) == ("same_field_other_body", "B")


def test_without_body_on_duty_every_body_is_tried_first():
    lines = [busy("L1", "B1", {"1"}), idle("L5", "B2", {"1"}, 3)]
    d = route(YOUTH, NOW, lines, [], FULL_POLICY)
    assert (d.step, d.line_id) == ("field", "L5")
    d = route(YOUTH, NOW, lines[:1], [], FULL_POLICY)
    assert (
        "step same_field_other_body: no body on duty given, every body's lines were tried already"
        in d.reasons
    )


# --- overflow steps ----------------------------------------------------------------------------------


def test_same_field_other_body():
    lines = [
        busy("L1", "B1", {"1"}),
        idle("L4", "B2", {"1"}, 2),
        idle("L5", "B3", {"1"}, 8),
        idle("G", "B9", {"2"}, 60),
    ]
    d = route(YOUTH, NOW, lines, [], FULL_POLICY, primary_body="B1")
    assert (d.action, d.step, d.line_id, d.body_id, d.field) == (
        Action.CONNECT,
        "same_field_other_body",
        "L5",
        "B3",
        "1",
    )
    assert d.reasons[-1].startswith("step same_field_other_body → line L5 (body B3) idle since 02:52")


def test_general_field_matches_the_documented_explanation():
    lines = [off("L1", "B1", {"1"}), idle("L7", "B3", {"2"}, 19), idle("L8", "B4", {"2", "3"}, 4)]
    d = route(YOUTH, NOW, lines, [], FULL_POLICY, primary_body="B1")
    assert (d.action, d.step, d.line_id, d.field) == (Action.CONNECT, "general_field", "L7", "2")
    assert d.reasons == (
        "field 1 (18歳以下) at 03:00 JST; body on duty B1",
        "step field: no idle staffed line of body B1 serving field 1 (L1 not staffed)",
        "step same_field_other_body: no idle staffed line of another body serving field 1 (no such line)",
        "step general_field → general field 2: line L7 (body B3) idle since 02:41 (19 min), longest idle of 2 idle lines",
    )


def test_queue_when_no_line_is_idle():
    lines = [busy("L1", "B1", {"1"}), busy("G", "B3", {"2"})]
    calls = [waiting("c1", "1", 4), waiting("c2", "1", 2), waiting("x", "2", 30)]
    d = route(YOUTH, NOW, lines, calls, FULL_POLICY, primary_body="B1")
    assert (d.action, d.step, d.field, d.queue_position, d.max_wait) == (
        Action.QUEUE,
        "queue",
        "1",
        3,
        timedelta(minutes=10),
    )
    assert d.line_id is None
    assert "step general_field: no idle staffed line serving general field 2 (G busy)" in d.reasons
    assert d.reasons[-1].startswith("step queue → queued in field 1 at position 3 (2 ahead, max 3;")


def test_queue_full_falls_through_to_callback():
    lines = [busy("L1", "B1", {"1"})]
    calls = [waiting(f"c{i}", "1", i) for i in range(3)]
    d = route(YOUTH, NOW, lines, calls, FULL_POLICY, primary_body="B1")
    assert (d.action, d.step) == (Action.CALLBACK_OFFER, "callback_offer")
    assert "step queue: not queued, 3 calls ahead (max 3)" in d.reasons
    assert d.reasons[-1] == "step callback_offer → callback offered (no hours restriction)"


def test_queue_not_moving_falls_through():
    lines = [busy("L1", "B1", {"1"})]
    d = route(YOUTH, NOW, lines, [waiting("c1", "1", 10)], FULL_POLICY, primary_body="B1")
    assert d.action is Action.CALLBACK_OFFER
    assert (
        "step queue: not queued, the longest-waiting call ahead has waited 10 min (max 10 min)" in d.reasons
    )
    d = route(YOUTH, NOW, lines, [waiting("c1", "1", 9)], FULL_POLICY, primary_body="B1")
    assert (d.action, d.queue_position) == (Action.QUEUE, 2)


def test_no_queue_when_nobody_could_answer():
    lines = [off("L1", "B1", {"1"}), busy("G", "B3", {"2"})]
    d = route(YOUTH, NOW, lines, [], FULL_POLICY, primary_body="B1")
    assert d.action is Action.CALLBACK_OFFER
    assert "step queue: not queued, no staffed line could answer field 1" in d.reasons


def test_callback_only_in_its_hours_then_message():
    pol = OverflowPolicy(
        "1", (CallbackOffer((Hours(time(10), time(22), range(5)),)), Message((INOCHI, YORISOI)))
    )
    d = route(YOUTH, NOW, [off("L1", "B1", {"1"})], [], pol)
    assert (d.action, d.step) == (Action.MESSAGE, "message")
    assert (
        "step callback_offer: not offered, callbacks are offered 月・火・水・木・金 10:00–22:00" in d.reasons
    )
    noon = NOW.replace(hour=12)
    d = route(YOUTH, noon, [off("L1", "B1", {"1"})], [], pol)
    assert d.action is Action.CALLBACK_OFFER
    assert d.reasons[-1] == "step callback_offer → callback offered"


def test_message_lists_windows_open_and_closed_now():
    pol = policy("1", Message((INOCHI, YORISOI)))
    d = route(YOUTH, NOW, [], [], pol)
    assert (d.action, d.field) == (Action.MESSAGE, "1")
    assert d.open_windows == (YORISOI,)
    assert d.closed_windows == (INOCHI,)
    assert d.reasons[-1] == (
        "step message → message; open now: よりそいホットライン; closed now: いのちの電話 (毎日 10:00–22:00)"
    )
    d = route(YOUTH, NOW, [], [], policy("1", Message()))
    assert d.reasons[-1] == "step message → message; no other windows to announce"
    assert d.open_windows == d.closed_windows == ()


def test_every_step_considered_is_explained_in_order():
    d = route(YOUTH, NOW, [off("L1", "B1", {"1"})], [], FULL_POLICY, primary_body="B1")
    assert d.action is Action.CALLBACK_OFFER
    steps = [r.split(" ")[1].rstrip(":") for r in d.reasons[1:]]
    assert steps == ["field", "same_field_other_body", "general_field", "queue", "callback_offer"]


def test_skip_for_a_rerouted_caller():
    lines = [busy("L1", "B1", {"1"})]
    d = route(YOUTH, NOW, lines, [], FULL_POLICY, primary_body="B1", skip={"queue"})
    assert d.action is Action.CALLBACK_OFFER
    assert "step queue: skipped (already tried for this caller)" in d.reasons
    d = route(YOUTH, NOW, lines, [], FULL_POLICY, primary_body="B1", skip={"queue", "callback_offer"})
    assert d.action is Action.MESSAGE
    # a line that became free meanwhile is still found first
    d = route(YOUTH, NOW, [idle("L1", "B1", {"1"}, 0)], [], FULL_POLICY, skip={"queue"})
    assert d.line_id == "L1"


# --- crisis ------------------------------------------------------------------------------------------

CRISIS_POLICY = OverflowPolicy(
    "9", (SameFieldOtherBody(), Queue(max_length=10, max_wait=timedelta(minutes=30)), Message((YORISOI,)))
)


def test_crisis_prefers_any_idle_crisis_line_before_the_policy():
    lines = [
        busy("K1", "B1", {"9"}),
        idle("L2", "B2", {"2"}, 40, accepts_crisis=True),
        idle("L3", "B3", {"2"}, 90),  # longer idle, but does not take crisis calls
    ]
    d = route(CRISIS, NOW, lines, [], CRISIS_POLICY, primary_body="B1")
    assert (d.action, d.step, d.line_id, d.field) == (Action.CONNECT, "crisis_line", "L2", "9")
    assert d.reasons[0] == "field 9 (死にたい・消えたい) [crisis] at 03:00 JST; body on duty B1"
    assert d.reasons[-1].endswith("(accepts crisis calls)")


def test_crisis_line_prefers_lines_serving_the_crisis_field():
    lines = [
        busy("K1", "B1", {"9"}),
        idle("K2", "B2", {"9"}, 1),
        idle("L2", "B2", {"2"}, 40, accepts_crisis=True),
    ]
    d = route(CRISIS, NOW, lines, [], CRISIS_POLICY, primary_body="B1")
    assert (d.step, d.line_id) == ("crisis_line", "K2")
    assert d.reasons[-1] == (
        "step crisis_line → line K2 (body B2) idle since 02:59 (1 min), serving field 9 (preferred)"
        " (accepts crisis calls)"
    )


def test_non_crisis_calls_do_not_take_crisis_lines_of_other_fields():
    lines = [busy("L1", "B1", {"1"}), idle("K", "B2", {"9"}, 40, accepts_crisis=True)]
    d = route(YOUTH, NOW, lines, [], FULL_POLICY, primary_body="B1")
    assert d.action is Action.QUEUE


def test_crisis_caller_is_queued_ahead_of_non_crisis_callers():
    lines = [busy("K1", "B1", {"9"}), busy("L2", "B2", {"2"}, accepts_crisis=True)]
    calls = [waiting("n1", "9", 8), waiting("k1", "9", 2, crisis=True), waiting("other", "2", 20)]
    d = route(CRISIS, NOW, lines, calls, CRISIS_POLICY, primary_body="B1")
    assert (d.action, d.queue_position) == (Action.QUEUE, 2)  # only the crisis call k1 is ahead
    assert "step crisis_line: no idle staffed line accepting crisis calls (K1 busy; L2 busy)" in d.reasons


def test_crisis_queue_counts_crisis_accepting_lines_as_answerers():
    lines = [off("K1", "B1", {"9"}), busy("L2", "B2", {"2"}, accepts_crisis=True)]
    d = route(CRISIS, NOW, lines, [], CRISIS_POLICY, primary_body="B1")
    assert (d.action, d.queue_position) == (Action.QUEUE, 1)


def test_queue_order_crisis_first_then_fifo_then_id():
    calls = [
        waiting("b", "1", 5),
        waiting("a", "1", 5),
        waiting("k-late", "9", 1, crisis=True),
        waiting("c", "2", 9),
        waiting("k-early", "9", 3, crisis=True),
    ]
    assert [c.call_id for c in queue_order(calls)] == ["k-early", "k-late", "c", "a", "b"]
    assert queue_order(reversed(calls)) == queue_order(calls)


def test_next_call_for_a_free_line():
    calls = [waiting("y1", "1", 10), waiting("g1", "2", 20), waiting("k1", "9", 1, crisis=True)]
    crisis_capable = idle("L", "B1", {"1"}, 0, accepts_crisis=True)
    assert next_call(crisis_capable, calls).call_id == "k1"
    youth_only = idle("Y", "B1", {"1"}, 0)
    assert next_call(youth_only, calls).call_id == "y1"
    assert next_call(idle("Z", "B1", {"5"}, 0), calls) is None
    with pytest.raises(ValueError, match="line Q is not staffed"):
        next_call(off("Q", "B1", {"1"}), calls)


# --- data, hours, immutability ------------------------------------------------------------------------


def test_decision_is_immutable():
    d = route(YOUTH, NOW, [idle("L1", "B1", {"1"}, 1)], [], FULL_POLICY)
    assert isinstance(d, Decision) and isinstance(d.reasons, tuple)
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.line_id = "other"  # type: ignore[misc]
    assert isinstance(Line("L", "B", ["1", "2"], staffed=False).fields, frozenset)


def test_hours_overnight_24h_and_descriptions():
    night = Hours(time(22), time(6), {0})  # Monday 22:00 to Tuesday 06:00
    assert night.is_open(NOW)  # Tuesday 03:00
    assert not night.is_open(NOW + timedelta(days=1))
    assert not night.is_open(NOW.replace(hour=7))
    assert night.describe() == "月 22:00–翌06:00"
    assert Hours("09:00", "24:00").describe() == "毎日 09:00–24:00"
    assert Hours("09:00", "24:00").is_open(NOW.replace(hour=23, minute=59))
    assert ALWAYS.describe() == "毎日 24時間" and ALWAYS.is_open(NOW)
    # evaluated in Japan time, whatever the zone of the instant
    assert DAYTIME.is_open(datetime(2025, 3, 4, 3, 0, tzinfo=UTC))  # 12:00 JST
    assert not DAYTIME.is_open(NOW.astimezone(UTC))


def test_policy_from_data():
    pol = OverflowPolicy.from_data(
        "1",
        [
            "same_field_other_body",
            {"step": "general_field", "field": "2"},
            {"step": "queue", "max_length": 3, "max_wait_seconds": 600},
            {
                "step": "callback_offer",
                "hours": [{"start": "10:00", "end": "22:00", "weekdays": [0, 1, 2, 3, 4]}],
            },
            {
                "step": "message",
                "windows": [
                    {
                        "name": "よりそいホットライン",
                        "contact": "0120-279-338",
                        "hours": [{"start": "00:00", "end": "00:00"}],
                    }
                ],
            },
        ],
    )
    assert pol.steps[:3] == FULL_POLICY.steps[:3]
    assert pol.steps[3] == CallbackOffer((Hours(time(10), time(22), range(5)),))
    assert pol.steps[4] == Message((YORISOI,))


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ([], "steps must not be empty"),
        (["queue_forever", "message"], "step 1: unknown step 'queue_forever'"),
        ([{"step": "queue", "max_length": 3}, "message"], "queue needs max_length and max_wait_seconds"),
        (
            [{"step": "queue", "max_length": 0, "max_wait_seconds": 60}, "message"],
            "max_length must be an integer ≥ 1",
        ),
        (
            [{"step": "general_field", "field": "2", "x": 1}, "message"],
            "unknown parameter\\(s\\) x for general_field",
        ),
        ([{"step": "general_field", "field": "1"}, "message"], "cannot overflow to the policy's own field"),
        (["message", "callback_offer"], "the last step must be message"),
        (["callback_offer", "callback_offer", "message"], "step callback_offer appears more than once"),
        ([{"step": "message", "windows": [{"name": "X", "contact": "1", "hours": []}]}], "window X: hours"),
        (
            [{"step": "callback_offer", "hours": [{"start": "25:00", "end": "06:00"}]}, "message"],
            "Hours.start",
        ),
        (
            [
                {"step": "callback_offer", "hours": [{"start": "10:00", "end": "12:00", "weekdays": [7]}]},
                "message",
            ],
            "weekdays",
        ),
    ],
)
def test_invalid_policies(steps, message):
    with pytest.raises(ValueError, match=message):
        OverflowPolicy.from_data("1", steps)


def test_invalid_route_inputs():
    ok_line = idle("L1", "B1", {"1"}, 1)
    with pytest.raises(ValueError, match="now must be timezone-aware"):
        route(YOUTH, NOW.replace(tzinfo=None), [ok_line], [], FULL_POLICY)
    with pytest.raises(ValueError, match=r"line L1: idle_since .* is after now"):
        route(YOUTH, NOW - timedelta(hours=1), [ok_line], [], FULL_POLICY)
    with pytest.raises(ValueError, match="line L1 is listed twice"):
        route(YOUTH, NOW, [ok_line, ok_line], [], FULL_POLICY)
    with pytest.raises(ValueError, match="waiting call c1 is listed twice"):
        route(YOUTH, NOW, [ok_line], [waiting("c1", "1", 1)] * 2, FULL_POLICY)
    with pytest.raises(ValueError, match=r"waiting call c1: arrived_at .* is after now"):
        route(YOUTH, NOW, [ok_line], [waiting("c1", "1", -1)], FULL_POLICY)
    with pytest.raises(ValueError, match="policy is for field 1, not for the chosen field 2"):
        route(GENERAL, NOW, [ok_line], [], FULL_POLICY)
    with pytest.raises(ValueError, match="cannot skip message"):
        route(YOUTH, NOW, [ok_line], [], FULL_POLICY, skip={"message"})
    with pytest.raises(ValueError, match="skip must be a collection"):
        route(YOUTH, NOW, [ok_line], [], FULL_POLICY, skip="queue")


def test_invalid_lines_and_calls():
    with pytest.raises(ValueError, match="line L1: a staffed idle line needs idle_since"):
        Line("L1", "B1", {"1"}, staffed=True)
    with pytest.raises(ValueError, match="line L1: fields must name at least one field"):
        Line("L1", "B1", set(), staffed=False)
    with pytest.raises(ValueError, match="line L1: fields must be a collection"):
        Line("L1", "B1", "12", staffed=False)
    with pytest.raises(ValueError, match="line L1: idle_since must be timezone-aware"):
        Line("L1", "B1", {"1"}, staffed=True, idle_since=datetime(2025, 3, 4, 2, 0))
    with pytest.raises(ValueError, match=r"Line\.id must be a non-empty string"):
        Line("", "B1", {"1"}, staffed=False)
    with pytest.raises(ValueError, match="waiting call c1: arrived_at must be timezone-aware"):
        WaitingCall("c1", "1", datetime(2025, 3, 4, 2, 0))
    with pytest.raises(ValueError, match=r"Queue\.max_wait must be a positive timedelta"):
        Queue(max_length=1, max_wait=timedelta(0))
