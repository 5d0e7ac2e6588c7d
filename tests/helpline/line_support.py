"""Helpers for the LINE and chat tests: signed webhook requests as LINE sends them, a LINE user who
taps quick replies, the helpline fixtures of a chat, and a local HTTP server standing in for the
LINE Messaging API."""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.contrib.auth.models import Group
from django.test import Client

from tests.staff_login import login_staff
from tsunagari.helpline import roles
from tsunagari.helpline.chat_models import LineOutbox, StaffMembership
from tsunagari.helpline.models import Field, Line, PartnerBody
from tsunagari.helpline.signatures import sign_line

SECRET = "line-channel-secret-for-tests"
URL = "/helpline/hooks/line/"
USER_ID = "U" + "4f1c" * 8  # a LINE userId: "U" + 32 hex digits


def now_ms() -> int:
    return int(time.time() * 1000)


def event(kind: str, user_id: str = USER_ID, *, reply: bool = True, **extra) -> dict:
    raw = {
        "type": kind,
        "mode": "active",
        "timestamp": now_ms(),
        "source": {"type": "user", "userId": user_id},
        "webhookEventId": uuid.uuid4().hex.upper()[:26],
        "deliveryContext": {"isRedelivery": False},
    }
    if reply:
        raw["replyToken"] = uuid.uuid4().hex
    raw.update(extra)
    return raw


def text_event(text: str, user_id: str = USER_ID) -> dict:
    return event("message", user_id, message={"id": "1", "type": "text", "quoteToken": "q", "text": text})


def postback_event(data: str, user_id: str = USER_ID) -> dict:
    return event("postback", user_id, postback={"data": data})


def body_of(events: list[dict]) -> bytes:
    return json.dumps({"destination": "Ubot", "events": events}, ensure_ascii=False).encode("utf-8")


def post(client: Client, body: bytes, signature: str | None = "sign"):
    headers = {}
    if signature == "sign":
        headers["HTTP_X_LINE_SIGNATURE"] = sign_line(SECRET, body)
    elif signature is not None:
        headers["HTTP_X_LINE_SIGNATURE"] = signature
    return client.post(URL, data=body, content_type="application/json", **headers)


def post_events(client: Client, events: list[dict]):
    return post(client, body_of(events))


def reply_to(raw_event: dict) -> list[dict]:
    """The messages queued in reply to ``raw_event`` (by its reply token)."""
    row = LineOutbox.objects.get(reply_token=raw_event["replyToken"])
    return row.messages


def texts(messages: list[dict]) -> list[str]:
    return [m["text"] for m in messages]


def quick_replies(messages: list[dict]) -> list[dict]:
    return [item["action"] for item in messages[-1].get("quickReply", {}).get("items", [])]


class LineUser:
    """A LINE user talking to the bot through the real webhook endpoint."""

    def __init__(self, client: Client, user_id: str = USER_ID):
        self.client = client
        self.user_id = user_id
        self.last: list[dict] = []

    def send(self, raw: dict) -> list[dict]:
        response = post_events(self.client, [raw])
        assert response.status_code == 200, response.content
        self.last = (
            reply_to(raw)
            if raw.get("replyToken") and LineOutbox.objects.filter(reply_token=raw["replyToken"]).exists()
            else []
        )
        return self.last

    def follow(self) -> list[dict]:
        return self.send(event("follow", self.user_id))

    def say(self, text: str) -> list[dict]:
        return self.send(text_event(text, self.user_id))

    def tap(self, label: str) -> list[dict]:
        """Tap the quick reply labelled ``label`` of the last reply (fails if there is none)."""
        actions = {a["label"]: a for a in quick_replies(self.last)}
        assert label in actions, f"{label!r} not in {list(actions)}"
        return self.send(postback_event(actions[label]["data"], self.user_id))


# --- the line's configuration for chats ------------------------------------------------------------


def chat_setup(django_user_model) -> dict:
    """Two bodies: A answers 孤独・孤立 (general) and accepts crisis chats; B answers 18歳以下 only.
    A counsellor in each, a coordinator, a supervisor."""
    roles.ensure_roles()
    kodoku = Field.objects.create(code="kodoku", name="孤独・孤立", general=True, position=2)
    kodomo = Field.objects.create(code="kodomo", name="18歳以下", position=1)
    inochi = Field.objects.create(code="inochi", name="死にたい・消えたい", crisis=True, position=0)
    body_a = PartnerBody.objects.create(name="団体A")
    body_b = PartnerBody.objects.create(name="団体B")
    line_a = Line.objects.create(body=body_a, name="A-1", dial="+81300000001", accepts_crisis=True)
    line_a.fields.set([kodoku, inochi])
    line_b = Line.objects.create(body=body_b, name="B-1", dial="+81300000002")
    line_b.fields.set([kodomo])

    def user(name, role=None, body=None):
        u = django_user_model.objects.create_user(name)
        if role:
            u.groups.set(Group.objects.filter(name=role))
        if body:
            StaffMembership.objects.create(user=u, body=body)
        return u

    return {
        "kodoku": kodoku,
        "kodomo": kodomo,
        "inochi": inochi,
        "body_a": body_a,
        "body_b": body_b,
        "line_a": line_a,
        "line_b": line_b,
        "counsellor_a": user("counsellor_a", roles.COUNSELLOR, body_a),
        "counsellor_b": user("counsellor_b", roles.COUNSELLOR, body_b),
        "no_body": user("counsellor_nobody", roles.COUNSELLOR),
        "coordinator": user("coordinator", roles.COORDINATOR),
        "supervisor": user("supervisor", roles.SUPERVISOR),
    }


def logged_in(user) -> Client:
    client = Client()
    login_staff(client, user)
    return client


# --- a stand-in for the LINE Messaging API ---------------------------------------------------------


class FakeLineApi:
    """A real HTTP server on 127.0.0.1 that records every request and answers with the statuses
    queued in ``statuses`` (200 once they run out)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.statuses: list[int] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                fake.requests.append(
                    {
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "raw": raw,
                        "json": json.loads(raw.decode("utf-8")),
                    }
                )
                status = fake.statuses.pop(0) if fake.statuses else 200
                body = b"{}" if status < 400 else b'{"message":"error"}'
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):  # keep test output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeLineApi:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
