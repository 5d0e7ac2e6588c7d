"""Helpers for the voice webhook tests (no tests here): configuration builders and a signed caller.

Requests are signed exactly as the provider signs them (``signatures.sign_twilio`` over
``http://testserver`` + path and the form parameters) with :data:`TOKEN`, which the tests set as
``TSUNAGARI_TWILIO_AUTH_TOKEN`` through the settings fixture.
"""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from datetime import datetime, time, timedelta
from urllib.parse import urlencode, urlsplit

from django.utils import timezone

from tsunagari.helpline.models import (
    Field,
    Line,
    LineState,
    MenuOption,
    MenuVersion,
    OverflowPolicy,
    PartnerBody,
    Shift,
)
from tsunagari.helpline.signatures import sign_twilio

TOKEN = "test-auth-token-0123456789"
BASE = "http://testserver"
FORM = "application/x-www-form-urlencoded"
CALLER = "+819012345678"  # a caller's number in the tests; it must never reach the database

_sids = itertools.count(1)


def new_sid(prefix: str = "CA") -> str:
    return f"{prefix}{next(_sids):032x}"


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def signed_post(
    client, url: str, params: dict[str, str], *, token: str = TOKEN, signature: str | None = None
):
    """POST ``params`` form-encoded to ``url`` (a path or an absolute URL from TwiML), signed for
    ``BASE`` + path unless ``signature`` is given."""
    path = path_of(url)
    if signature is None:
        signature = sign_twilio(token, BASE + path, params)
    headers = {"X-Twilio-Signature": signature} if signature else {}
    return client.post(path, urlencode(params), content_type=FORM, headers=headers)


def twiml(response) -> ET.Element:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/xml")
    root = ET.fromstring(response.content)
    assert root.tag == "Response"
    return root


# --- configuration ---------------------------------------------------------------------------------


def make_field(code: str, name: str, *, crisis: bool = False, general: bool = False, policy=None) -> Field:
    field = Field.objects.create(code=code, name=name, crisis=crisis, general=general)
    if policy is not None:
        OverflowPolicy.objects.create(field=field, steps=policy)
    return field


def make_menu(
    options: list[tuple[str, Field, str]],
    *,
    name: str = "テストメニュー",
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
    greeting: str = "こちらは#9999です。",
    foreign_digit: str = "",
    greeting_foreign: str = "",
    prompts_foreign: dict[str, str] | None = None,
) -> MenuVersion:
    menu = MenuVersion.objects.create(
        name=name,
        valid_from=valid_from or timezone.now() - timedelta(days=1),
        valid_until=valid_until,
        greeting_ja=greeting,
        greeting_foreign=greeting_foreign,
        foreign_digit=foreign_digit,
    )
    for digit, field, prompt in options:
        MenuOption.objects.create(
            menu=menu,
            digit=digit,
            field=field,
            prompt_ja=prompt,
            prompt_foreign=(prompts_foreign or {}).get(digit, ""),
        )
    return menu


def make_line(
    body: str,
    name: str,
    dial: str,
    fields: list[Field],
    *,
    idle_minutes: float | None = None,
    staffed: bool = True,
    accepts_crisis: bool = False,
) -> Line:
    """A line staffed around the clock (or never), idle since ``idle_minutes`` ago."""
    partner, _ = PartnerBody.objects.get_or_create(name=body)
    line = Line.objects.create(body=partner, name=name, dial=dial, accepts_crisis=accepts_crisis)
    line.fields.set(fields)
    if staffed:
        for weekday in range(7):
            Shift.objects.create(line=line, weekday=weekday, start=time(0), end=time(0))
    if idle_minutes is not None:
        LineState.objects.create(line=line, idle_since=timezone.now() - timedelta(minutes=idle_minutes))
    return line


# --- a caller --------------------------------------------------------------------------------------


class Caller:
    """One synthetic call through the webhooks, keeping the provider's parameters."""

    def __init__(self, client, sid: str | None = None, number: str = CALLER) -> None:
        self.client = client
        self.sid = sid or new_sid()
        self.number = number
        self.child = new_sid("CB")
        self.base = {
            "AccountSid": "AC" + "0" * 32,
            "CallSid": self.sid,
            "From": number,
            "To": "+810000009999",
            "Direction": "inbound",
        }

    def post(self, url: str, **params: str):
        return signed_post(self.client, url, {**self.base, **params})

    def incoming(self) -> ET.Element:
        return twiml(self.post("/helpline/hooks/voice/incoming", CallStatus="ringing"))

    def press(self, digit: str, menu: ET.Element | None = None) -> ET.Element:
        menu = menu if menu is not None else self.incoming()
        gather = menu.find("Gather")
        return twiml(self.post(gather.get("action"), CallStatus="in-progress", Digits=digit))

    def line_status(self, dial: ET.Element, status: str, **params: str):
        """A status callback of the line's leg (to the Number's statusCallback)."""
        number = dial.find("Dial/Number")
        return self.post(
            number.get("statusCallback"),
            CallSid=self.child,
            ParentCallSid=self.sid,
            Direction="outbound-dial",
            CallStatus=status,
            **params,
        )

    def answer(self, dial: ET.Element):
        """The line picks up: the provider requests the Number's url (the whisper)."""
        number = dial.find("Dial/Number")
        return self.post(
            number.get("url"), CallSid=self.child, ParentCallSid=self.sid, CallStatus="in-progress"
        )

    def dial_done(self, dial: ET.Element, dial_status: str, call_status: str = "in-progress", **params: str):
        return self.post(
            dial.find("Dial").get("action"), CallStatus=call_status, DialCallStatus=dial_status, **params
        )

    def wait(self, queued: ET.Element, queue_time: int = 0):
        return self.post(
            queued.find("Enqueue").get("waitUrl"), CallStatus="in-progress", QueueTime=str(queue_time)
        )

    def queue_exit(self, queued: ET.Element, result: str, call_status: str = "in-progress"):
        return self.post(queued.find("Enqueue").get("action"), CallStatus=call_status, QueueResult=result)

    def hang_up(self, **params: str):
        """The call's own status callback: completed."""
        return self.post("/helpline/hooks/voice/status", CallStatus="completed", **params)


def dialled(root: ET.Element) -> str | None:
    number = root.find("Dial/Number")
    return number.text if number is not None else None
