"""Counsellor chats in the console: a LINE conversation handed over through the real webhook, the
queue, taking it, replies pushed to LINE (to a local stand-in of the Messaging API), the common
record and "serious → coordinator"; need-to-know between partner bodies; audit lines."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.helpline.line_support import (
    SECRET,
    USER_ID,
    FakeLineApi,
    LineUser,
    chat_setup,
    logged_in,
    quick_replies,
    texts,
)
from tests.staff_login import login_staff
from tsunagari.directory.selectors.services import crisis_lines
from tsunagari.helpline import (
    chat_selectors,
    chat_services,
    console_selectors,
    line_sender,
    line_state,
    selectors,
)
from tsunagari.helpline.chat_models import ChatMessage, ChatSession, LineOutbox
from tsunagari.helpline.models import ConsultationRecord, Contact, ContactEvent, CoordinationCase

pytestmark = pytest.mark.django_db
Kind = ContactEvent.Kind


@pytest.fixture(autouse=True)
def line_settings(settings):
    settings.TSUNAGARI_LINE_CHANNEL_SECRET = SECRET
    settings.TSUNAGARI_LINE_CHANNEL_ACCESS_TOKEN = ""
    settings.TSUNAGARI_LINE_SEND_INLINE = False


@pytest.fixture
def setup(django_user_model):
    return chat_setup(django_user_model)


def url(name, session):
    return reverse(f"helpline:{name}", kwargs={"contact_id": session.pk})


def pushes() -> list[LineOutbox]:
    return list(LineOutbox.objects.filter(kind=LineOutbox.Kind.PUSH).order_by("pk"))


def web_chat(field="kodoku", crisis=False, minutes_ago=0) -> ChatSession:
    return chat_services.start_chat(
        channel=Contact.Channel.WEB,
        visitor_key=uuid.uuid4().hex,
        field_code=field,
        crisis=crisis,
        now=timezone.now() - timedelta(minutes=minutes_ago),
    )


RECORD = {
    "form_version": "v1",
    "age_band": "age_20s",
    "gender": "unknown",
    "field": "kodoku",
    "consultation_types": ["no_place_to_talk"],
    "risk": "high",
    "summary": "LINEで相談。ひとりでつらい。",
    "actions": "傾聴",
    "serious": "on",
}


def test_a_line_conversation_handed_over_end_to_end(client, setup, settings):
    user = LineUser(client)
    user.follow()
    user.tap("ここまでで相談先を見る")
    messages = user.tap("相談員とチャットで話す")
    assert "相談員におつなぎします" in messages[-1]["text"] and "いま1番目" in messages[-1]["text"]
    assert "30日後に消去します" in messages[-1]["text"]
    assert [a["label"] for a in quick_replies(messages)] == ["チャットを終える"]
    session = ChatSession.objects.get()
    assert session.contact.channel == Contact.Channel.LINE and session.field == setup["kodoku"]
    assert session.visitor_key == line_state.pseudonym(USER_ID) == session.contact.caller_key
    assert session.line_user_id == USER_ID  # held while the chat is open: pushes need it
    assert list(session.contact.events.values_list("kind", flat=True)) == [
        Kind.OFFERED,
        Kind.MENU_CHOICE,
        Kind.QUEUED,
    ]

    assert user.say("夜になるとひとりでつらいです") == []  # to the counsellor; no automatic reply
    assert ChatMessage.objects.get().text == "夜になるとひとりでつらいです"

    # the console: queue → take → reply
    counsellor = logged_in(setup["counsellor_a"])
    queue = counsellor.get(reverse("helpline:console_chats")).content.decode()
    assert url("console_chat", session) in queue and "LINE" in queue
    detail = counsellor.get(url("console_chat", session)).content.decode()
    assert "夜になるとひとりでつらいです" in detail
    counsellor.post(url("console_chat_take", session))
    counsellor.post(url("console_chat_send", session), {"text": "お話を聞かせてください"})
    taken, reply = pushes()
    assert taken.recipient == USER_ID and "相談員が入りました" in taken.messages[0]["text"]
    assert reply.recipient == USER_ID
    assert reply.messages == [{"type": "text", "text": "相談員より:\nお話を聞かせてください"}]

    # the outbox reaches LINE's push API exactly so
    with FakeLineApi() as api:
        settings.TSUNAGARI_LINE_API_BASE = api.base_url
        settings.TSUNAGARI_LINE_CHANNEL_ACCESS_TOKEN = "token"
        line_sender.send_due()
        settings.TSUNAGARI_LINE_CHANNEL_ACCESS_TOKEN = ""
    pushed = [r["json"] for r in api.requests if r["path"] == "/v2/bot/message/push"]
    assert {
        "to": USER_ID,
        "messages": [{"type": "text", "text": "相談員より:\nお話を聞かせてください"}],
    } in pushed

    # a crisis sign in the chat: the crisis lines at once, once
    messages = user.say("もう死にたい")
    assert "あなたのいのちは大切です" in messages[0]["text"] and crisis_lines()[0].name in messages[0]["text"]
    assert user.say("本当に死にたい") == []
    session.refresh_from_db()
    assert session.crisis

    # the counsellor closes; the LINE user is told and the id is let go
    counsellor.post(url("console_chat_close", session))
    closing = pushes()[-1]
    assert "相談員がチャットを終えました" in closing.messages[0]["text"]
    assert [i["action"]["label"] for i in closing.messages[0]["quickReply"]["items"]] == [
        "はじめからやり直す"
    ]
    session.refresh_from_db()
    assert session.status == ChatSession.Status.CLOSED and session.line_user_id == ""
    messages = user.say("ありがとう")  # back with the guide, where the conversation was
    assert [a["label"] for a in quick_replies(messages)] == ["相談員とチャットで話す", "はじめからやり直す"]
    assert ChatMessage.objects.filter(text="ありがとう").count() == 0

    # the common record and "serious → coordinator", as for calls
    response = counsellor.post(
        reverse("helpline:console_record_new", kwargs={"contact_id": session.pk}), RECORD
    )
    assert response.status_code == 302
    record = ConsultationRecord.objects.get(contact=session.contact)
    assert record.serious and CoordinationCase.objects.get().record == record
    queue = logged_in(setup["coordinator"]).get(reverse("helpline:console_queue")).content.decode()
    assert reverse("helpline:console_record", kwargs={"record_id": record.pk}) in queue
    assert "LINEで相談" not in queue


def test_the_line_user_may_end_the_chat(client, setup):
    user = LineUser(client)
    user.follow()
    user.tap("ここまでで相談先を見る")
    user.tap("相談員とチャットで話す")
    messages = user.tap("チャットを終える")
    assert "チャットを終えました" in messages[-1]["text"]
    session = ChatSession.objects.get()
    assert session.status == ChatSession.Status.CLOSED and session.line_user_id == ""
    kinds = list(session.contact.events.values_list("kind", flat=True))
    assert kinds[-2:] == [Kind.ABANDONED, Kind.COMPLETED]


def test_unfollow_ends_an_open_chat(client, setup):
    from tests.helpline.line_support import event

    user = LineUser(client)
    user.follow()
    user.tap("ここまでで相談先を見る")
    user.tap("相談員とチャットで話す")
    user.send(event("unfollow", reply=False))
    assert ChatSession.objects.get().status == ChatSession.Status.CLOSED


def test_a_crisis_handover_goes_to_the_crisis_field_first_and_to_bodies_that_accept_crisis(client, setup):
    older = web_chat("kodoku", minutes_ago=10)
    user = LineUser(client)
    user.follow()
    messages = user.say("もう生きていたくない、死にたい")
    assert "あなたのいのちは大切です" in messages[0]["text"]
    messages = user.tap("相談員と話す")
    assert "あなたのいのちは大切です" in messages[0]["text"]  # crisis lines first, again
    assert "相談員におつなぎします" in texts(messages)[-1]
    crisis = ChatSession.objects.get(crisis=True)
    assert crisis.field == setup["inochi"]
    waiting = chat_selectors.console_chats(setup["counsellor_a"]).waiting
    assert [s.pk for s in waiting] == [crisis.pk, older.pk]  # crisis first
    assert chat_selectors.console_chats(setup["counsellor_b"]).waiting == []


def test_queued_chats_do_not_look_like_waiting_calls():
    from django.contrib.auth import get_user_model

    chat_setup(get_user_model())
    web_chat("kodoku")
    assert selectors.waiting_calls(timezone.now()) == []


# -- need-to-know --------------------------------------------------------------------------------


def test_a_counsellor_of_another_body_gets_404_for_a_chat(setup):
    session = web_chat("kodoku")
    other = logged_in(setup["counsellor_b"])  # body B serves 18歳以下 only
    assert other.get(url("console_chat", session)).status_code == 404
    assert other.post(url("console_chat_take", session)).status_code == 404
    assert session.pk not in [s.pk for s in chat_selectors.console_chats(setup["counsellor_b"]).waiting]
    own = logged_in(setup["counsellor_a"])
    assert own.post(url("console_chat_take", session)).status_code == 302
    session.refresh_from_db()
    assert session.body == setup["body_a"] and session.counsellor == setup["counsellor_a"]
    for name in ["console_chat", "console_chat_poll"]:
        assert other.get(url(name, session)).status_code == 404
    assert other.post(url("console_chat_send", session), {"text": "横から失礼"}).status_code == 404
    assert other.post(url("console_chat_close", session)).status_code == 404
    assert url("console_chat", session) not in other.get(reverse("helpline:console_chats")).content.decode()
    assert not ChatMessage.objects.filter(text="横から失礼").exists()
    session.refresh_from_db()
    assert session.status == ChatSession.Status.ACTIVE
    # the services refuse too
    with pytest.raises(chat_services.ChatConflict, match="not_yours"):
        chat_services.post_counsellor_message(session.pk, setup["counsellor_b"], "x", timezone.now())
    # and the record of the contact
    record_url = reverse("helpline:console_record_new", kwargs={"contact_id": session.pk})
    assert other.get(record_url).status_code == 404
    assert own.get(record_url).status_code == 200
    assert session.pk not in [
        i.contact.pk for i in console_selectors.incoming_contacts(body_ids=[setup["body_b"].pk])
    ]
    assert session.pk in [
        i.contact.pk for i in console_selectors.incoming_contacts(body_ids=[setup["body_a"].pk])
    ]


def test_a_body_that_does_not_serve_the_field_cannot_take_it(setup):
    session = web_chat("kodomo")
    with pytest.raises(chat_services.ChatConflict, match="not_serving"):
        chat_services.take_chat(session.pk, setup["counsellor_a"], timezone.now())
    nobody = logged_in(setup["no_body"])  # a counsellor without a body sees nothing
    assert nobody.get(url("console_chat", session)).status_code == 404
    assert chat_selectors.console_chats(setup["no_body"]).waiting == []
    logged_in(setup["counsellor_b"]).post(url("console_chat_take", session))
    session.refresh_from_db()
    assert session.body == setup["body_b"]


def test_voice_contacts_are_need_to_know_too(setup):
    now = timezone.now()
    contact = Contact.objects.create(channel=Contact.Channel.VOICE, provider_id="CA1", started_at=now)
    ContactEvent.objects.create(contact=contact, kind=Kind.OFFERED, at=now, event_key="k1")
    ContactEvent.objects.create(
        contact=contact,
        kind=Kind.ANSWERED,
        at=now,
        event_key="k2",
        field=setup["kodoku"],
        line=setup["line_a"],
        body=setup["body_a"],
    )
    record_url = reverse("helpline:console_record_new", kwargs={"contact_id": contact.pk})
    contacts_url = reverse("helpline:console_contacts")
    assert logged_in(setup["counsellor_b"]).get(record_url).status_code == 404
    assert record_url not in logged_in(setup["counsellor_b"]).get(contacts_url).content.decode()
    assert "A-1" not in logged_in(setup["counsellor_b"]).get(contacts_url).content.decode()  # filter
    assert logged_in(setup["no_body"]).get(record_url).status_code == 404
    assert logged_in(setup["counsellor_a"]).get(record_url).status_code == 200
    assert record_url in logged_in(setup["counsellor_a"]).get(contacts_url).content.decode()
    assert logged_in(setup["supervisor"]).get(record_url).status_code == 200  # view_all_bodies


def test_supervisors_see_every_body_and_coordinators_no_chats(setup):
    a, b = web_chat("kodoku"), web_chat("kodomo")
    assert {s.pk for s in chat_selectors.console_chats(setup["supervisor"]).waiting} == {a.pk, b.pk}
    assert logged_in(setup["supervisor"]).get(url("console_chat", b)).status_code == 200
    coordinator = logged_in(setup["coordinator"])
    assert coordinator.get(reverse("helpline:console_chats")).status_code == 403
    assert coordinator.get(url("console_chat", a)).status_code == 403
    anonymous = Client().get(reverse("helpline:console_chats"))
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")


def test_taking_twice_and_writing_badly(setup):
    session = web_chat("kodoku")
    first = logged_in(setup["counsellor_a"])
    first.post(url("console_chat_take", session))
    response = first.post(url("console_chat_take", session), follow=True)
    assert "すでにほかの相談員が受けています" in response.content.decode()
    assert first.post(url("console_chat_send", session), {"text": ""}).status_code == 400
    assert first.post(url("console_chat_send", session), {"text": "あ" * 1001}).status_code == 400
    assert ChatMessage.objects.filter(author=ChatMessage.Author.COUNSELLOR).count() == 0
    assert session.contact.events.filter(kind=Kind.ANSWERED).count() == 1


def test_chat_actions_need_the_csrf_token(setup):
    session = web_chat("kodoku")
    client = Client(enforce_csrf_checks=True)
    login_staff(client, setup["counsellor_a"])
    assert client.post(url("console_chat_take", session)).status_code == 403
    session.refresh_from_db()
    assert session.status == ChatSession.Status.QUEUED


def test_audit_lines_name_user_action_and_chat_only(setup, caplog):
    caplog.set_level(logging.DEBUG)
    session = web_chat("kodoku")
    chat_services.post_visitor_message(session.pk, "夫の暴力がこわい", timezone.now())
    c = setup["counsellor_a"]
    client = logged_in(c)
    client.get(reverse("helpline:console_chats"))
    client.get(url("console_chat", session))
    client.post(url("console_chat_take", session))
    client.post(url("console_chat_send", session), {"text": "いまは安全な場所にいますか"})
    client.post(url("console_chat_close", session))
    audit = [r.getMessage() for r in caplog.records if r.name == "tsunagari.audit"]
    assert audit == [
        f"user={c.pk} action=helpline.chats.list object=-",
        f"user={c.pk} action=helpline.chat.view object={session.pk}",
        f"user={c.pk} action=helpline.chat.take object={session.pk}",
        f"user={c.pk} action=helpline.chat.message object={session.pk}",
        f"user={c.pk} action=helpline.chat.close object={session.pk}",
    ]
    for record in caplog.records:
        text = record.getMessage() + repr(record.args)
        assert "暴力" not in text and "安全な場所" not in text


def test_the_console_poll_returns_new_messages(setup):
    session = web_chat("kodoku")
    client = logged_in(setup["counsellor_a"])
    client.post(url("console_chat_take", session))
    last = ChatMessage.objects.order_by("pk").last()
    chat_services.post_visitor_message(session.pk, "きこえますか", timezone.now())
    data = client.get(url("console_chat_poll", session), {"after": last.pk}).json()
    assert data["status"] == "active"
    assert [(m["name"], m["text"]) for m in data["messages"]] == [("相談者", "きこえますか")]
