"""Retention (``tsunagari helpline chat-purge``): transcripts deleted N days after a chat closed
while the contact, its events and the record stay; visitors who went away; LINE state, event ids
and outbox rows."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from tests.helpline.line_support import USER_ID, chat_setup
from tsunagari.cli import main as tsunagari
from tsunagari.helpline import chat_retention, chat_services, console_services, line_outbox, line_state
from tsunagari.helpline import line_messages as lm
from tsunagari.helpline.chat_models import (
    ChatMessage,
    ChatSession,
    LineConversation,
    LineOutbox,
    LineWebhookEvent,
)
from tsunagari.helpline.models import ConsultationRecord, Contact, ContactEvent

pytestmark = pytest.mark.django_db
Kind = ContactEvent.Kind


@pytest.fixture
def setup():
    return chat_setup(get_user_model())


def closed_chat(setup, closed_days_ago: float) -> ChatSession:
    at = timezone.now() - timedelta(days=closed_days_ago, minutes=30)
    session = chat_services.start_chat(
        channel=Contact.Channel.WEB,
        visitor_key=uuid.uuid4().hex,
        field_code="kodoku",
        crisis=False,
        now=at,
        first_message="会社でうまくいかない",
    )
    chat_services.take_chat(session.pk, setup["counsellor_a"], at + timedelta(minutes=1))
    chat_services.post_counsellor_message(
        session.pk, setup["counsellor_a"], "お聞きします", at + timedelta(minutes=2)
    )
    chat_services.close_chat(
        session.pk, setup["counsellor_a"], timezone.now() - timedelta(days=closed_days_ago)
    )
    return session


def test_transcripts_go_after_the_retention_period_and_the_record_stays(setup, settings):
    old = closed_chat(setup, 31)
    recent = closed_chat(setup, 29)
    console_services.save_record(
        contact_id=old.pk,
        counsellor=setup["counsellor_a"],
        data={
            "age_band": "age_30s",
            "gender": "unknown",
            "field": "kodoku",
            "consultation_types": ["work"],
            "risk": "low",
            "summary": "仕事の悩み",
            "actions": "傾聴",
            "referral_needed": False,
            "referral_to": "",
        },
        serious=False,
    )
    events_before = ContactEvent.objects.count()
    report = chat_retention.purge()
    assert (report.transcripts, report.messages) == (1, 4)  # visitor, notice, counsellor, notice
    assert not ChatMessage.objects.filter(session=old).exists()
    assert ChatMessage.objects.filter(session=recent).count() == 4
    old.refresh_from_db()
    assert old.transcript_purged_at is not None and old.visitor_key == ""
    assert ContactEvent.objects.count() == events_before and Contact.objects.count() == 2
    assert ConsultationRecord.objects.get(contact_id=old.pk).data["summary"] == "仕事の悩み"
    assert chat_retention.purge().transcripts == 0  # idempotent
    settings.TSUNAGARI_CHAT_TRANSCRIPT_DAYS = 7
    assert chat_retention.purge().transcripts == 1


def test_visitors_who_went_away_are_ended(setup):
    now = timezone.now()
    gone = chat_services.start_chat(
        channel=Contact.Channel.WEB,
        visitor_key="a",
        field_code="kodoku",
        crisis=False,
        now=now - timedelta(hours=1),
    )
    here = chat_services.start_chat(
        channel=Contact.Channel.WEB,
        visitor_key="b",
        field_code="kodoku",
        crisis=False,
        now=now - timedelta(hours=1),
    )
    chat_services.touch(here.pk, now - timedelta(minutes=5))
    idle = chat_services.start_chat(
        channel=Contact.Channel.WEB,
        visitor_key="c",
        field_code="kodoku",
        crisis=False,
        now=now - timedelta(days=2),
    )
    chat_services.take_chat(idle.pk, setup["counsellor_a"], now - timedelta(days=2))
    line_waiting = chat_services.start_chat(
        channel=Contact.Channel.LINE,
        visitor_key="d",
        field_code="kodoku",
        crisis=False,
        now=now - timedelta(hours=2),
        line_user_id=USER_ID,
    )
    line_gone = chat_services.start_chat(
        channel=Contact.Channel.LINE,
        visitor_key="e",
        field_code="kodoku",
        crisis=False,
        now=now - timedelta(hours=25),
        line_user_id=USER_ID,
    )
    report = chat_retention.purge(now)
    assert (report.abandoned, report.idle_closed) == (2, 1)
    statuses = dict(ChatSession.objects.values_list("visitor_key", "status"))
    assert statuses == {"a": "closed", "b": "queued", "c": "closed", "d": "queued", "e": "closed"}
    assert gone.contact.events.filter(kind=Kind.ABANDONED).get().detail["by"] == "gone"
    assert line_gone.contact.events.filter(kind=Kind.ABANDONED).exists()
    [told] = LineOutbox.objects.all()  # the LINE user whose chat ended is told; web visitors see the page
    assert told.recipient == USER_ID and "チャットを終えました" in told.messages[0]["text"]
    line_gone.refresh_from_db()
    line_waiting.refresh_from_db()
    assert line_gone.line_user_id == "" and line_waiting.line_user_id == USER_ID


def test_line_state_event_ids_and_outbox(setup):
    now = timezone.now()
    line_state.save("old", line_state.LineState(), now - timedelta(hours=2, seconds=1))
    line_state.save("fresh", line_state.LineState(), now - timedelta(hours=1))
    LineWebhookEvent.objects.create(event_id="line:expired", expires_at=now - timedelta(seconds=1))
    LineWebhookEvent.objects.create(event_id="line:kept", expires_at=now + timedelta(hours=1))
    done = line_outbox.enqueue_reply("t", [lm.text_message("a")], now - timedelta(days=8))
    line_outbox.finish(done, sent=True, http_status=200, now=now - timedelta(days=8))
    stuck = line_outbox.enqueue_push(USER_ID, [lm.text_message("b")], now - timedelta(days=2))
    waiting = line_outbox.enqueue_push(USER_ID, [lm.text_message("c")], now)
    report = chat_retention.purge(now)
    assert (report.line_states, report.line_event_ids, report.outbox_deleted, report.outbox_given_up) == (
        1,
        1,
        1,
        1,
    )
    assert list(LineConversation.objects.values_list("key", flat=True)) == ["fresh"]
    assert list(LineWebhookEvent.objects.values_list("event_id", flat=True)) == ["line:kept"]
    stuck.refresh_from_db()
    assert stuck.status == LineOutbox.Status.FAILED and stuck.recipient == "" and stuck.messages == []
    waiting.refresh_from_db()
    assert waiting.status == LineOutbox.Status.PENDING and waiting.recipient == USER_ID


def test_the_chat_purge_command(setup, capsys):
    closed_chat(setup, 40)
    assert tsunagari(["helpline", "chat-purge", "--json"]) == 0
    output = json.loads(capsys.readouterr().out)
    assert output["transcripts"] == 1 and output["messages"] == 4
