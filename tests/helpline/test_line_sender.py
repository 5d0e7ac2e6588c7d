"""Sending the LINE outbox to a real local HTTP server standing in for the Messaging API: exact
requests (paths, headers, JSON bodies), retries on 5xx and network errors with the same retry key,
no retry on 4xx, and nothing kept once a message is finished."""

from __future__ import annotations

import json
import socket
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.helpline.line_support import SECRET, USER_ID, FakeLineApi, event, post_events
from tsunagari.cli import main as tsunagari
from tsunagari.helpline import line_messages as lm
from tsunagari.helpline import line_outbox, line_sender
from tsunagari.helpline.chat_models import LineOutbox

pytestmark = pytest.mark.django_db
TOKEN = "channel-access-token-for-tests"


@pytest.fixture
def api(settings):
    with FakeLineApi() as fake:
        settings.TSUNAGARI_LINE_API_BASE = fake.base_url
        settings.TSUNAGARI_LINE_CHANNEL_ACCESS_TOKEN = TOKEN
        settings.TSUNAGARI_LINE_CHANNEL_SECRET = SECRET
        settings.TSUNAGARI_LINE_SEND_INLINE = False
        yield fake


def _row(pk) -> LineOutbox:
    return LineOutbox.objects.get(pk=pk)


def test_a_reply_is_posted_exactly_as_line_expects(api):
    messages = [lm.text_message("こんにちは", [lm.postback_item("次へ", lm.Postback(lm.FINISH))])]
    row = line_outbox.enqueue_reply("reply-token-1", messages, timezone.now())
    report = line_sender.send_due()
    assert (report.sent, report.retried, report.failed) == (1, 0, 0)
    [request] = api.requests
    assert request["path"] == "/v2/bot/message/reply"
    assert request["headers"]["authorization"] == f"Bearer {TOKEN}"
    assert request["headers"]["content-type"] == "application/json"
    assert "x-line-retry-key" not in request["headers"]
    assert request["json"] == {"replyToken": "reply-token-1", "messages": messages}
    assert "こんにちは".encode() in request["raw"]  # UTF-8 JSON, not \\u escapes
    sent = _row(row.pk)
    assert sent.status == LineOutbox.Status.SENT and sent.attempts == 1 and sent.last_status == 200
    assert (sent.reply_token, sent.recipient, sent.messages) == ("", "", [])  # nothing kept
    assert line_sender.send_due().sent == 0  # sent once only


def test_a_push_carries_the_user_and_a_retry_key(api):
    row = line_outbox.enqueue_push(USER_ID, [lm.text_message("相談員より:\nこんばんは")], timezone.now())
    line_sender.send_due()
    [request] = api.requests
    assert request["path"] == "/v2/bot/message/push"
    assert request["json"] == {
        "to": USER_ID,
        "messages": [{"type": "text", "text": "相談員より:\nこんばんは"}],
    }
    assert uuid.UUID(request["headers"]["x-line-retry-key"]) == row.retry_key
    assert _row(row.pk).recipient == ""


def test_5xx_is_retried_later_with_the_same_retry_key(api):
    api.statuses = [500, 503]
    row = line_outbox.enqueue_push(USER_ID, [lm.text_message("a")], timezone.now())
    now = timezone.now()
    assert line_sender.send_due(now).retried == 1
    assert line_sender.send_due(now).retried == 0  # not due yet: backoff
    pending = _row(row.pk)
    assert (
        pending.status == LineOutbox.Status.PENDING and pending.attempts == 1 and pending.last_status == 500
    )
    assert pending.recipient == USER_ID and pending.messages
    assert line_sender.send_due(now + timedelta(seconds=1)).retried == 1
    assert line_sender.send_due(now + timedelta(seconds=3)).sent == 1
    assert [r["headers"]["x-line-retry-key"] for r in api.requests] == [str(row.retry_key)] * 3
    assert _row(row.pk).status == LineOutbox.Status.SENT and _row(row.pk).attempts == 3


def test_5xx_is_given_up_after_the_last_attempt(api):
    api.statuses = [500] * 10
    row = line_outbox.enqueue_reply("t", [lm.text_message("a")], timezone.now())
    now = timezone.now()
    for minute in range(line_sender.MAX_ATTEMPTS):
        line_sender.send_due(now + timedelta(minutes=minute))
    assert len(api.requests) == line_sender.MAX_ATTEMPTS
    failed = _row(row.pk)
    assert failed.status == LineOutbox.Status.FAILED and failed.messages == [] and failed.reply_token == ""


def test_4xx_is_not_retried(api):
    api.statuses = [400]
    row = line_outbox.enqueue_reply("expired-token", [lm.text_message("a")], timezone.now())
    report = line_sender.send_due()
    assert (report.sent, report.retried, report.failed) == (0, 0, 1)
    line_sender.send_due(timezone.now() + timedelta(hours=1))
    assert len(api.requests) == 1
    failed = _row(row.pk)
    assert failed.status == LineOutbox.Status.FAILED and failed.last_status == 400
    assert (failed.reply_token, failed.messages) == ("", [])


def test_a_push_already_accepted_under_its_retry_key_counts_as_sent(api):
    api.statuses = [409]
    row = line_outbox.enqueue_push(USER_ID, [lm.text_message("a")], timezone.now())
    assert line_sender.send_due().sent == 1
    assert _row(row.pk).status == LineOutbox.Status.SENT


def test_no_answer_at_all_is_retried(settings):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.TSUNAGARI_LINE_API_BASE = f"http://127.0.0.1:{port}"
    settings.TSUNAGARI_LINE_CHANNEL_ACCESS_TOKEN = TOKEN
    row = line_outbox.enqueue_reply("t", [lm.text_message("a")], timezone.now())
    assert line_sender.send_due(timeout=2).retried == 1
    pending = _row(row.pk)
    assert pending.status == LineOutbox.Status.PENDING and pending.last_status is None


def test_without_a_token_nothing_is_sent(settings):
    settings.TSUNAGARI_LINE_CHANNEL_ACCESS_TOKEN = ""
    row = line_outbox.enqueue_reply("t", [lm.text_message("a")], timezone.now())
    assert line_sender.send_due().skipped
    assert _row(row.pk).status == LineOutbox.Status.PENDING


def test_the_webhook_sends_inline_when_configured(api, client, settings):
    settings.TSUNAGARI_LINE_SEND_INLINE = True
    follow = event("follow")
    assert post_events(client, [follow]).status_code == 200
    [request] = api.requests
    assert request["path"] == "/v2/bot/message/reply"
    assert request["json"]["replyToken"] == follow["replyToken"]
    assert "名前や連絡先は聞きません" in request["json"]["messages"][0]["text"]
    assert LineOutbox.objects.get().status == LineOutbox.Status.SENT


def test_the_line_send_command(api, capsys):
    line_outbox.enqueue_reply("t1", [lm.text_message("a")], timezone.now())
    line_outbox.enqueue_push(USER_ID, [lm.text_message("b")], timezone.now())
    assert tsunagari(["helpline", "line-send", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"sent": 2, "retried": 0, "failed": 0, "skipped": False}
    assert [r["path"] for r in api.requests] == ["/v2/bot/message/reply", "/v2/bot/message/push"]
