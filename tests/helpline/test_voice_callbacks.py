"""Callback offers in the voice flow, over the real webhooks: the policy's ``callback_offer`` step asks
the caller (a ``<Gather>`` saying what the number is used for and when it is erased); pressing 1
stores the request with the number encrypted and confirms; anything else, or nothing, routes the call on
without a second offer; withheld numbers are never offered; repeats change nothing."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.helpline.test_webhooks_support import (
    TOKEN,
    Caller,
    make_field,
    make_line,
    make_menu,
    twiml,
)
from tsunagari.helpline.callback_models import CallbackRequest
from tsunagari.helpline.models import ContactEvent

pytestmark = pytest.mark.django_db
Kind = ContactEvent.Kind
WINDOWS = [{"name": "いのちの窓口", "contact": "0120-000-000", "hours": [{"start": "00:00", "end": "00:00"}]}]
# Queue full at once (max_length 0 is refused by validation: 1 caller fills it), then the offer.
OFFER_POLICY = [
    {"step": "queue", "max_length": 1, "max_wait_seconds": 600},
    {"step": "callback_offer"},
    {"step": "message", "windows": WINDOWS},
]


@pytest.fixture(autouse=True)
def token(settings):
    settings.TSUNAGARI_TWILIO_AUTH_TOKEN = TOKEN
    settings.TSUNAGARI_PUBLIC_BASE_URL = ""
    settings.TSUNAGARI_CALLBACK_HOURS = 24


@pytest.fixture
def lonely():
    field = make_field("kodoku", "孤独・孤立", general=True, policy=OFFER_POLICY)
    make_menu([("4", field, "孤独や孤立のご相談は4を。")])
    make_line("団体A", "A-1", "+810000000001", [field], idle_minutes=5)
    return field


def offered(client, number: str = "+819011112222") -> tuple[Caller, object]:
    """A caller who reaches the offer: the one line is busy and one caller already waits."""
    Caller(client, number="+819000000001").press("4")  # takes the line
    Caller(client, number="+819000000002").press("4")  # fills the queue
    caller = Caller(client, number=number)
    return caller, caller.press("4")


def events(caller: Caller) -> list[str]:
    return list(
        ContactEvent.objects.filter(contact__provider_id=caller.sid)
        .order_by("at", "pk")
        .values_list("kind", flat=True)
    )


def test_the_offer_says_what_the_number_is_for_and_waits_for_a_key(client, lonely):
    caller, root = offered(client)
    gather = root.find("Gather")
    assert gather is not None and gather.get("action").endswith("/helpline/hooks/voice/callback")
    text = gather.find("Say").text
    assert "1を押してください" in text and "折り返しのためだけに使い" in text and "24時間後には消去" in text
    assert root.find("Redirect").text.endswith("/helpline/hooks/voice/callback")  # no key: declined
    assert events(caller)[-1] == Kind.CALLBACK_OFFERED
    assert CallbackRequest.objects.count() == 0  # nothing stored before the caller asks


def test_pressing_1_stores_the_request_encrypted_and_confirms(client, lonely):
    caller, root = offered(client)
    answer = twiml(caller.post(root.find("Gather").get("action"), CallStatus="in-progress", Digits="1"))
    says = " ".join(s.text for s in answer.findall("Say"))
    assert "折り返しのご依頼を承りました" in says and "119番か110番" in says
    assert answer.find("Hangup") is not None
    request = CallbackRequest.objects.get()
    assert request.number == "+819011112222"
    assert request.field_id == "kodoku" and request.status == CallbackRequest.Status.WAITING
    assert request.contact.provider_id == caller.sid
    assert events(caller)[-1] == Kind.CALLBACK_REQUESTED
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT number FROM {CallbackRequest._meta.db_table}")
        (raw,) = cursor.fetchone()
    assert "9011112222" not in str(raw)

    # a repeated answer (the provider retries) changes nothing and confirms again
    again = twiml(caller.post(root.find("Gather").get("action"), CallStatus="in-progress", Digits="1"))
    assert "折り返しのご依頼を承りました" in again.find("Say").text
    assert again.find("Hangup") is not None
    assert CallbackRequest.objects.count() == 1
    assert events(caller).count(Kind.CALLBACK_REQUESTED) == 1
    caller.hang_up()
    assert events(caller)[-1] == Kind.COMPLETED and Kind.ABANDONED not in events(caller)


@pytest.mark.parametrize("digits", ["2", ""])
def test_declining_routes_on_without_a_second_offer(client, lonely, digits):
    caller, root = offered(client)
    answer = twiml(caller.post(root.find("Gather").get("action"), CallStatus="in-progress", Digits=digits))
    text = answer.find("Say").text
    assert "いのちの窓口。0120-000-000。" in text and answer.find("Hangup") is not None
    assert events(caller)[-2:] == [Kind.CALLBACK_DECLINED, Kind.MESSAGE_PLAYED]
    declined = ContactEvent.objects.get(contact__provider_id=caller.sid, kind=Kind.CALLBACK_DECLINED)
    assert declined.detail == {"why": "other key" if digits else "no key"}
    assert CallbackRequest.objects.count() == 0
    # a late "1" after declining does not store a number
    twiml(caller.post(root.find("Gather").get("action"), CallStatus="in-progress", Digits="1"))
    assert CallbackRequest.objects.count() == 0


def test_a_repeated_menu_request_offers_again_without_a_second_event(client, lonely):
    caller, _root = offered(client)
    resumed = twiml(caller.post("/helpline/hooks/voice/resume", CallStatus="in-progress"))
    assert resumed.find("Gather").get("action").endswith("/voice/callback")
    assert events(caller).count(Kind.CALLBACK_OFFERED) == 1


def test_callers_who_withhold_their_number_are_not_offered_a_callback(client, lonely):
    caller, root = offered(client, number="anonymous")
    assert root.find("Gather") is None
    assert "いのちの窓口" in root.find("Say").text
    played = ContactEvent.objects.get(contact__provider_id=caller.sid, kind=Kind.MESSAGE_PLAYED)
    assert played.detail["callback_offer"] == "skipped: the caller's number was withheld"
    assert Kind.CALLBACK_OFFERED not in events(caller)


def test_hanging_up_during_the_offer_stores_nothing(client, lonely):
    caller, _root = offered(client)
    caller.hang_up()
    assert events(caller)[-1] == Kind.COMPLETED
    assert CallbackRequest.objects.count() == 0
    late = twiml(caller.post("/helpline/hooks/voice/callback", CallStatus="completed", Digits="1"))
    assert late.find("Hangup") is not None and CallbackRequest.objects.count() == 0
