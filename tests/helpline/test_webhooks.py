"""The voice webhooks over HTTP (Django's test client, real database, requests signed as the provider
signs them): menu, routing to the longest-idle staffed line, queueing, crisis priority, refusal of
unsigned and forged requests, idempotent and out-of-order callbacks, and no caller number stored."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from django.core import serializers
from django.utils import timezone

from tests.helpline.test_webhooks_support import (
    CALLER,
    TOKEN,
    Caller,
    dialled,
    make_field,
    make_line,
    make_menu,
    signed_post,
    twiml,
)
from tsunagari.helpline import services
from tsunagari.helpline.models import (
    Contact,
    ContactEvent,
    Line,
    LineState,
    ShiftException,
)
from tsunagari.helpline.routing import JST
from tsunagari.helpline.signatures import sign_twilio

pytestmark = pytest.mark.django_db
Kind = ContactEvent.Kind

QUEUE_POLICY = [{"step": "queue", "max_length": 5, "max_wait_seconds": 600}, "message"]


@pytest.fixture(autouse=True)
def token(settings):
    settings.TSUNAGARI_TWILIO_AUTH_TOKEN = TOKEN
    settings.TSUNAGARI_PUBLIC_BASE_URL = ""
    return TOKEN


@pytest.fixture
def fields():
    return {
        "kodoku": make_field("kodoku", "孤独・孤立", general=True, policy=QUEUE_POLICY),
        "kodomo": make_field("kodomo", "18歳以下", policy=QUEUE_POLICY),
        "inochi": make_field("inochi", "死にたい・消えたい", crisis=True, policy=QUEUE_POLICY),
    }


@pytest.fixture
def menu(fields):
    return make_menu(
        [
            ("1", fields["inochi"], "死にたい、消えたいほどつらい方は1を。"),
            ("2", fields["kodomo"], "18歳以下の方は2を。"),
            ("4", fields["kodoku"], "孤独や孤立のご相談は4を。"),
        ],
        greeting="こちらは孤独・孤立相談ダイヤルです。",
        foreign_digit="9",
        greeting_foreign="For English, press 9.",
        prompts_foreign={"1": "If you are thinking of suicide, press 1.", "4": "For loneliness, press 4."},
    )


def counts() -> tuple[int, int, int]:
    return Contact.objects.count(), ContactEvent.objects.count(), LineState.objects.count()


def kinds(caller: Caller) -> list[str]:
    return list(
        ContactEvent.objects.filter(contact__provider_id=caller.sid)
        .order_by("at", "pk")
        .values_list("kind", flat=True)
    )


def state(line: Line) -> LineState:
    return LineState.objects.get(line=line)


# --- menu ------------------------------------------------------------------------------------------


def test_incoming_call_answers_with_the_menu_valid_now(client, fields, menu):
    now = timezone.now()
    make_menu(
        [("4", fields["kodoku"], "古い案内")],
        name="old",
        greeting="古いメニュー",
        valid_from=now - timedelta(days=30),
        valid_until=now - timedelta(days=1),
    )
    make_menu(
        [("4", fields["kodoku"], "未来の案内")],
        name="future",
        greeting="未来のメニュー",
        valid_from=now + timedelta(days=1),
    )
    caller = Caller(client)
    root = caller.incoming()

    gather = root.find("Gather")
    assert gather.get("numDigits") == "1" and gather.get("input") == "dtmf"
    assert f"menu={menu.pk}" in gather.get("action")
    says = [(s.text, s.get("language")) for s in gather.findall("Say")]
    assert says == [
        ("こちらは孤独・孤立相談ダイヤルです。", "ja-JP"),
        ("死にたい、消えたいほどつらい方は1を。", "ja-JP"),
        ("18歳以下の方は2を。", "ja-JP"),
        ("孤独や孤立のご相談は4を。", "ja-JP"),
        ("For English, press 9.", "en-US"),
    ]
    assert "again=1" in root.find("Redirect").text  # pressing nothing repeats the menu

    contact = Contact.objects.get(provider_id=caller.sid)
    assert contact.channel == "voice" and contact.caller_key == services.caller_key(CALLER)
    assert kinds(caller) == [Kind.OFFERED]
    assert ContactEvent.objects.get(contact=contact).detail == {"menu": menu.pk}


def test_the_foreign_digit_gives_the_menu_in_the_foreign_language(client, menu):
    caller = Caller(client)
    root = caller.press("9")
    says = [(s.text, s.get("language")) for s in root.findall("Gather/Say")]
    assert says == [
        ("For English, press 9.", "en-US"),
        ("If you are thinking of suicide, press 1.", "en-US"),
        ("For loneliness, press 4.", "en-US"),
    ]
    assert "lang=foreign" in root.find("Gather").get("action")
    assert kinds(caller) == [Kind.OFFERED]  # no choice yet


def test_a_wrong_digit_repeats_the_menu_and_silence_ends_the_call(client, menu):
    caller = Caller(client)
    root = caller.press("7")
    assert root.find("Say").text.startswith("番号を確認できませんでした")
    again = twiml(caller.post(root.find("Redirect").text, CallStatus="in-progress"))
    assert again.find("Gather") is not None
    assert kinds(caller) == [Kind.OFFERED]
    last = twiml(
        caller.post(again.find("Redirect").text.replace("again=2", "again=3"), CallStatus="in-progress")
    )
    assert last.find("Hangup") is not None


def test_no_menu_valid_now_says_the_line_is_closed(client, fields):
    root = Caller(client).incoming()
    assert root.find("Gather") is None and root.find("Hangup") is not None


# --- routing ---------------------------------------------------------------------------------------


def test_menu_choice_connects_to_the_longest_idle_staffed_line(client, fields, menu):
    kodoku = fields["kodoku"]
    make_line("団体A", "A-1", "+810000000001", [kodoku], idle_minutes=10)
    longest = make_line("団体B", "B-1", "+810000000002", [kodoku], idle_minutes=30)
    make_line("団体C", "C-1", "+810000000003", [kodoku], idle_minutes=90, staffed=False)
    off_today = make_line("団体C", "C-2", "+810000000004", [kodoku], idle_minutes=120)
    ShiftException.objects.create(line=off_today, date=timezone.now().astimezone(JST).date(), staffed=False)

    caller = Caller(client)
    root = caller.press("4")

    assert dialled(root) == "+810000000002"
    dial = root.find("Dial")
    assert dial.get("timeout") == "20" and "attempt=1" in dial.get("action")
    number = root.find("Dial/Number")
    assert "voice/answer" in number.get("url") and "voice/line-status" in number.get("statusCallback")
    assert kinds(caller) == [Kind.OFFERED, Kind.MENU_CHOICE, Kind.TRANSFERRED]
    transferred = ContactEvent.objects.get(contact__provider_id=caller.sid, kind=Kind.TRANSFERRED)
    assert (transferred.line, transferred.body, transferred.field_id) == (longest, longest.body, "kodoku")
    assert transferred.detail["attempt"] == 1 and transferred.detail["step"] == "field"
    assert any("longest idle" in r for r in transferred.detail["reasons"])
    assert state(longest).busy_with.provider_id == caller.sid


def test_a_whole_answered_call(client, fields, menu):
    line = make_line("団体A", "A-1", "+810000000001", [fields["kodoku"]], idle_minutes=5)
    caller = Caller(client)
    root = caller.press("4")

    whisper = twiml(caller.answer(root))
    assert whisper.find("Say").text == "#9999からの電話です。孤独・孤立のご相談です。"
    assert caller.line_status(root, "in-progress", SequenceNumber="2").status_code == 200
    caller.line_status(root, "completed", SequenceNumber="3", CallDuration="300")
    done = twiml(caller.dial_done(root, "completed", DialCallDuration="300"))
    assert done.find("Hangup") is not None
    caller.hang_up(SequenceNumber="4")

    assert kinds(caller) == [
        Kind.OFFERED,
        Kind.MENU_CHOICE,
        Kind.TRANSFERRED,
        Kind.ANSWERED,
        Kind.COMPLETED,
    ]
    answered = ContactEvent.objects.get(contact__provider_id=caller.sid, kind=Kind.ANSWERED)
    assert answered.line == line and answered.wait_seconds is not None and answered.wait_seconds < 60
    completed = ContactEvent.objects.get(contact__provider_id=caller.sid, kind=Kind.COMPLETED)
    assert completed.line == line and completed.body == line.body
    s = state(line)
    assert s.busy_with is None and s.idle_since == completed.at


def test_a_line_that_does_not_answer_passes_the_call_to_the_next_line(client, fields, menu):
    kodoku = fields["kodoku"]
    first = make_line("団体A", "A-1", "+810000000001", [kodoku], idle_minutes=30)
    make_line("団体B", "B-1", "+810000000002", [kodoku], idle_minutes=10)
    caller = Caller(client)
    root = caller.press("4")
    assert dialled(root) == "+810000000001"

    caller.line_status(root, "no-answer", SequenceNumber="1")
    again = twiml(caller.dial_done(root, "no-answer"))
    assert dialled(again) == "+810000000002"
    assert "attempt=2" in again.find("Dial").get("action")
    assert kinds(caller)[-2:] == [Kind.NOT_ANSWERED, Kind.TRANSFERRED]
    s = state(first)
    assert s.busy_with is None and s.idle_since > timezone.now() - timedelta(minutes=1)

    # the second line does not answer either: nobody else serves the field → queued
    queued = twiml(caller.dial_done(again, "busy"))
    assert queued.find("Enqueue").text == "tsunagari-kodoku"


def test_queueing_when_every_line_is_busy(client, fields, menu):
    line = make_line("団体A", "A-1", "+810000000001", [fields["kodoku"]], idle_minutes=5)
    first = Caller(client)
    assert dialled(first.press("4")) == line.dial

    second = Caller(client, number="+819011112222")
    root = second.press("4")
    enqueue = root.find("Enqueue")
    assert enqueue.text == "tsunagari-kodoku"
    assert "voice/wait?q=1" in enqueue.get("waitUrl") and "voice/queue-exit?q=1" in enqueue.get("action")
    queued = ContactEvent.objects.get(contact__provider_id=second.sid, kind=Kind.QUEUED)
    assert queued.detail["queue"] == 1 and queued.detail["position"] == 1
    assert queued.detail["max_wait_seconds"] == 600

    hold = twiml(second.wait(root))
    assert hold.find("Pause") is not None and hold.find("Leave") is None


def test_a_freed_line_takes_the_waiting_caller_through_leave(client, fields, menu):
    line = make_line("団体A", "A-1", "+810000000001", [fields["kodoku"]], idle_minutes=5)
    first = Caller(client)
    dial = first.press("4")
    second = Caller(client, number="+819011112222")
    queued = second.press("4")

    first.answer(dial)
    first.line_status(dial, "completed", CallDuration="60")
    assert state(line).busy_with is None

    assert twiml(second.wait(queued, 30)).find("Leave") is not None
    assert state(line).busy_with.provider_id == second.sid  # reserved at once
    assert twiml(second.wait(queued, 31)).find("Leave") is not None  # a repeated poll changes nothing
    connected = twiml(second.queue_exit(queued, "leave"))
    assert dialled(connected) == line.dial
    transferred = ContactEvent.objects.filter(contact__provider_id=second.sid, kind=Kind.TRANSFERRED)
    assert [e.detail["dequeued"] for e in transferred] == [1]


def test_crisis_callers_jump_the_queue(client, fields, menu):
    line = make_line("団体A", "A-1", "+810000000001", [fields["kodoku"]], idle_minutes=5, accepts_crisis=True)
    busy = Caller(client)
    dial = busy.press("4")

    lonely = Caller(client, number="+819011112222")
    lonely_queued = lonely.press("4")
    crisis = Caller(client, number="+819033334444")
    crisis_queued = crisis.press("1")
    assert crisis_queued.find("Enqueue").text == "tsunagari-inochi"
    detail = ContactEvent.objects.get(contact__provider_id=crisis.sid, kind=Kind.QUEUED).detail
    assert detail["position"] == 1  # nobody of its field ahead of a crisis caller

    busy.answer(dial)
    busy.line_status(dial, "completed", CallDuration="120")

    # the line is free: the caller who waited longer is not taken, the crisis caller is
    assert twiml(lonely.wait(lonely_queued, 40)).find("Leave") is None
    # a new caller for the same field does not take the line either: it is owed to the queue
    newcomer = Caller(client, number="+819055556666")
    assert newcomer.press("4").find("Enqueue") is not None
    assert twiml(crisis.wait(crisis_queued, 10)).find("Leave") is not None
    assert dialled(twiml(crisis.queue_exit(crisis_queued, "leave"))) == line.dial
    assert state(line).busy_with.provider_id == crisis.sid
    assert twiml(lonely.wait(lonely_queued, 55)).find("Leave") is None


def test_caller_hanging_up_in_the_queue_is_abandoned_with_the_wait_time(client, fields, menu):
    make_line("団体A", "A-1", "+810000000001", [fields["kodoku"]], idle_minutes=5)
    Caller(client).press("4")
    caller = Caller(client, number="+819011112222")
    queued = caller.press("4")
    assert twiml(caller.queue_exit(queued, "hangup", call_status="completed")).find("Hangup") is not None
    caller.hang_up(SequenceNumber="3")
    abandoned = ContactEvent.objects.get(contact__provider_id=caller.sid, kind=Kind.ABANDONED)
    assert abandoned.field_id == "kodoku" and abandoned.wait_seconds is not None and abandoned.line is None
    assert abandoned.detail["while"] == "queued"
    assert kinds(caller)[-2:] == [Kind.ABANDONED, Kind.COMPLETED]


def test_the_other_windows_when_no_line_can_take_the_call(client, fields, menu):
    windows = [
        {"name": "いのちの窓口", "contact": "0120-000-000", "hours": [{"start": "00:00", "end": "00:00"}]},
    ]
    fields["kodomo"].overflow_policy.delete()
    from tsunagari.helpline.models import OverflowPolicy

    OverflowPolicy.objects.create(field=fields["kodomo"], steps=[{"step": "message", "windows": windows}])
    caller = Caller(client)
    root = caller.press("2")
    text = root.find("Say").text
    assert "おつなぎできません" in text and "いのちの窓口。0120-000-000。" in text
    assert root.find("Hangup") is not None
    played = ContactEvent.objects.get(contact__provider_id=caller.sid, kind=Kind.MESSAGE_PLAYED)
    assert played.detail["open"][0]["name"] == "いのちの窓口"


def test_public_base_url_is_what_is_signed_and_linked(client, settings, fields, menu):
    settings.TSUNAGARI_PUBLIC_BASE_URL = "https://tsunagari.example.jp"
    sid = "CA" + "1" * 32
    params = {"CallSid": sid, "From": CALLER, "CallStatus": "ringing"}
    path = "/helpline/hooks/voice/incoming"
    # signed for the request's own URL: refused behind the proxy
    assert signed_post(client, path, params).status_code == 403
    signature = sign_twilio(TOKEN, "https://tsunagari.example.jp" + path, params)
    root = twiml(signed_post(client, path, params, signature=signature))
    assert (
        root.find("Gather")
        .get("action")
        .startswith("https://tsunagari.example.jp/helpline/hooks/voice/menu?")
    )


# --- refusals --------------------------------------------------------------------------------------

INCOMING = "/helpline/hooks/voice/incoming"


@pytest.mark.parametrize(
    "how",
    [
        "unsigned",
        "empty signature",
        "wrong token",
        "signed for another URL",
        "signed other params",
        "garbage",
    ],
)
def test_unsigned_or_forged_requests_are_refused_and_write_nothing(client, menu, how):
    params = {"CallSid": "CA" + "2" * 32, "From": CALLER, "CallStatus": "ringing"}
    signature = {
        "unsigned": "",
        "empty signature": "",
        "wrong token": sign_twilio("another-token", "http://testserver" + INCOMING, params),
        "signed for another URL": sign_twilio(TOKEN, "http://testserver/helpline/hooks/voice/status", params),
        "signed other params": sign_twilio(
            TOKEN, "http://testserver" + INCOMING, {**params, "From": "+8190"}
        ),
        "garbage": "not-base64!!",
    }[how]
    headers = {} if how == "unsigned" else {"X-Twilio-Signature": signature}
    from urllib.parse import urlencode

    response = client.post(
        INCOMING, urlencode(params), content_type="application/x-www-form-urlencoded", headers=headers
    )
    assert response.status_code == 403
    assert counts() == (0, 0, 0)


def test_replayed_requests_with_modified_parameters_are_refused(client, fields, menu):
    line = make_line("団体A", "A-1", "+810000000001", [fields["kodoku"]], idle_minutes=5)
    caller = Caller(client)
    menu_doc = caller.incoming()
    action = menu_doc.find("Gather").get("action")
    params = {**caller.base, "CallStatus": "in-progress", "Digits": "4"}
    signature = sign_twilio(TOKEN, "http://testserver" + action.removeprefix("http://testserver"), params)
    before = counts()
    for changed in ({"Digits": "1"}, {"CallSid": "CA" + "3" * 32}, {"Extra": "x"}):
        response = signed_post(client, action, {**params, **changed}, signature=signature)
        assert response.status_code == 403
    # the same signature on another endpoint, or with the query string changed
    assert signed_post(client, "/helpline/hooks/voice/status", params, signature=signature).status_code == 403
    assert (
        signed_post(
            client, action.replace("lang=ja", "lang=foreign"), params, signature=signature
        ).status_code
        == 403
    )
    assert counts() == before
    assert state(line).busy_with is None
    # the genuine request still works
    assert dialled(twiml(signed_post(client, action, params, signature=signature))) == line.dial


def test_webhooks_refuse_everything_without_a_configured_token(client, settings, menu, caplog):
    settings.TSUNAGARI_TWILIO_AUTH_TOKEN = ""
    caller = Caller(client)
    with caplog.at_level(logging.WARNING, logger="tsunagari.helpline.webhooks"):
        response = caller.post(INCOMING, CallStatus="ringing")
    assert response.status_code == 403
    assert counts() == (0, 0, 0)
    assert "TSUNAGARI_TWILIO_AUTH_TOKEN" in caplog.text
    assert CALLER not in caplog.text and caller.sid not in caplog.text


def test_only_signed_form_posts_are_accepted(client, menu):
    assert client.get(INCOMING).status_code == 405
    params = {"CallSid": "CA" + "4" * 32, "CallStatus": "ringing"}
    signature = sign_twilio(TOKEN, "http://testserver" + INCOMING, params)
    response = client.post(
        INCOMING,
        json.dumps(params),
        content_type="application/json",
        headers={"X-Twilio-Signature": signature},
    )
    assert response.status_code == 403
    assert counts() == (0, 0, 0)


# --- idempotency and order -------------------------------------------------------------------------


def test_repeated_requests_and_callbacks_record_one_event(client, fields, menu):
    line = make_line("団体A", "A-1", "+810000000001", [fields["kodoku"]], idle_minutes=5)
    make_line("団体B", "B-1", "+810000000002", [fields["kodoku"]], idle_minutes=1)
    caller = Caller(client)
    menu_doc = caller.incoming()
    caller.incoming()
    first = caller.press("4", menu_doc)
    repeat = caller.press("4", menu_doc)
    assert dialled(first) == dialled(repeat) == line.dial  # the same decision, not a second line
    for _ in range(3):
        response = caller.line_status(first, "completed", SequenceNumber="3", CallDuration="90")
    assert response["X-Tsunagari-Recorded"] == "0" and int(response["X-Tsunagari-Duplicates"]) >= 1
    for _ in range(2):
        caller.dial_done(first, "completed", DialCallDuration="90")
        caller.hang_up(SequenceNumber="4")
    assert sorted(kinds(caller)) == sorted(
        [Kind.OFFERED, Kind.MENU_CHOICE, Kind.TRANSFERRED, Kind.ANSWERED, Kind.COMPLETED]
    )
    assert Contact.objects.filter(provider_id=caller.sid).count() == 1
    assert state(line).busy_with is None


def _stamp(at: datetime) -> str:
    return format_datetime(at.astimezone(UTC))


def test_completed_before_answered_leaves_the_line_free(client, fields, menu):
    line = make_line("団体A", "A-1", "+810000000001", [fields["kodoku"]], idle_minutes=5)
    caller = Caller(client)
    dial = caller.press("4")
    now = timezone.now().replace(microsecond=0)
    answered_at, completed_at = now + timedelta(seconds=2), now + timedelta(seconds=62)

    # the line's "completed" (sequence 3) arrives before its "answered" (sequence 2)
    caller.line_status(
        dial, "completed", SequenceNumber="3", CallDuration="60", Timestamp=_stamp(completed_at)
    )
    assert state(line).busy_with is None
    caller.line_status(dial, "in-progress", SequenceNumber="2", Timestamp=_stamp(answered_at))
    s = state(line)
    assert s.busy_with is None and s.idle_since == completed_at

    events = {e.kind: e for e in ContactEvent.objects.filter(contact__provider_id=caller.sid)}
    assert events[Kind.ANSWERED].at == answered_at and events[Kind.COMPLETED].at == completed_at
    assert events[Kind.ANSWERED].line == events[Kind.COMPLETED].line == line
    assert Kind.ABANDONED not in events

    # the dial action and the call's status come later still: nothing changes
    caller.dial_done(dial, "completed", DialCallDuration="60")
    caller.hang_up(SequenceNumber="5")
    assert ContactEvent.objects.filter(contact__provider_id=caller.sid).count() == 5
    # the line takes the next call
    assert dialled(Caller(client, number="+819011112222").press("4")) == line.dial


def test_call_status_before_the_dial_action(client, fields, menu):
    line = make_line("団体A", "A-1", "+810000000001", [fields["kodoku"]], idle_minutes=5)
    caller = Caller(client)
    dial = caller.press("4")
    caller.answer(dial)
    caller.hang_up(SequenceNumber="4")  # the caller hung up; the call's callback arrives first
    assert state(line).busy_with is None
    assert twiml(caller.dial_done(dial, "completed", call_status="completed")).find("Hangup") is not None
    caller.line_status(dial, "completed", CallDuration="30")
    assert sorted(kinds(caller)) == sorted(
        [Kind.OFFERED, Kind.MENU_CHOICE, Kind.TRANSFERRED, Kind.ANSWERED, Kind.COMPLETED]
    )


def test_caller_hanging_up_while_the_line_rings(client, fields, menu):
    line = make_line("団体A", "A-1", "+810000000001", [fields["kodoku"]], idle_minutes=5)
    caller = Caller(client)
    dial = caller.press("4")
    caller.line_status(dial, "canceled")
    caller.dial_done(dial, "canceled", call_status="completed")
    caller.hang_up()
    abandoned = ContactEvent.objects.get(contact__provider_id=caller.sid, kind=Kind.ABANDONED)
    assert abandoned.line == line and abandoned.detail["while"] == "ringing"
    assert kinds(caller).count(Kind.COMPLETED) == 1
    assert state(line).busy_with is None


# --- privacy ---------------------------------------------------------------------------------------


def test_no_caller_number_anywhere_in_the_database(client, fields, menu):
    from django.apps import apps

    make_line("団体A", "A-1", "+810000000001", [fields["kodoku"]], idle_minutes=5)
    caller = Caller(client, number=CALLER)
    dial = caller.press("4")
    caller.answer(dial)
    queued = Caller(client, number="+81 90-1234-5678")  # the same person again, while the line is busy
    queued.queue_exit(queued.press("4"), "hangup", call_status="completed")
    caller.line_status(dial, "completed", CallDuration="30")
    caller.dial_done(dial, "completed")
    caller.hang_up()
    assert ContactEvent.objects.filter(kind=Kind.ABANDONED).count() == 1

    dump = serializers.serialize(
        "json", [obj for model in apps.get_app_config("helpline").get_models() for obj in model.objects.all()]
    )
    for needle in ("9012345678", "90-1234-5678", "09012345678"):
        assert needle not in dump
    keys = set(Contact.objects.values_list("caller_key", flat=True))
    assert keys == {services.caller_key(CALLER)}  # the same person, the same key; not the number
    assert len(next(iter(keys))) == 64
