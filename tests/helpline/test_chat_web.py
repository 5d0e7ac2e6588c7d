"""The portal's web chat: anonymous start with crisis lines first, a cookie token only, validated
CSRF-protected forms, the queue, the counsellor's replies, leaving, and nothing personal in logs."""

from __future__ import annotations

import hashlib
import logging

import pytest
from django.test import Client
from django.urls import reverse

from tests.helpline.line_support import chat_setup, logged_in
from tsunagari.directory.selectors.services import crisis_lines
from tsunagari.helpline import chat_services
from tsunagari.helpline.chat_models import ChatMessage, ChatSession
from tsunagari.helpline.chat_views import COOKIE
from tsunagari.helpline.models import Contact, ContactEvent, Line

pytestmark = pytest.mark.django_db
Kind = ContactEvent.Kind

PAGE = "/helpline/chat/"
START = "/helpline/chat/start/"
SEND = "/helpline/chat/send/"
LEAVE = "/helpline/chat/leave/"
POLL = "/helpline/chat/poll/"
PERSONAL = "山田花子です。090-1234-5678、夫のことで眠れない"


@pytest.fixture
def setup(django_user_model):
    return chat_setup(django_user_model)


def kinds(session: ChatSession) -> list[str]:
    return list(session.contact.events.order_by("at", "pk").values_list("kind", flat=True))


def test_urls():
    assert reverse("helpline_chat:page") == PAGE
    assert reverse("helpline_chat:poll") == POLL


def test_the_start_page_shows_crisis_lines_first_and_asks_nothing_personal(client, setup):
    response = client.get(PAGE)
    html = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    crisis = html.index('class="crisis"')
    assert crisis < html.index("<h1>") < html.index("<form")
    assert crisis_lines()[0].name in html[crisis : html.index("<h1>")]
    assert 'name="csrfmiddlewaretoken"' in html
    assert "名前や連絡先を書く必要はありません" in html and "30日後に消去します" in html
    for personal in ('name="name"', 'type="email"', 'type="tel"', 'name="phone"'):
        assert personal not in html
    # the fields a line serves, in menu order
    assert html.index("死にたい・消えたい") < html.index("18歳以下") < html.index("孤独・孤立")
    assert COOKIE not in response.cookies  # no cookie before a chat starts
    # Japanese only for now (not translated): no language prefix, no switcher, <html lang="ja">
    assert Client().get("/en/helpline/chat/").status_code == 404
    assert '<html lang="ja">' in html and 'class="languages"' not in html


def test_starting_a_chat_sets_only_a_random_token_cookie(client, setup):
    response = client.post(START, {})
    assert response.status_code == 302 and response["Location"] == PAGE
    cookie = response.cookies[COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert not cookie["max-age"] and not cookie["expires"]  # ends with the browser session
    token = cookie.value
    session = ChatSession.objects.get()
    assert session.visitor_key == hashlib.sha256(token.encode()).hexdigest() != token
    assert session.contact.channel == Contact.Channel.WEB and session.contact.caller_key == ""
    assert session.field == setup["kodoku"] and session.status == ChatSession.Status.QUEUED
    assert kinds(session) == [Kind.OFFERED, Kind.MENU_CHOICE, Kind.QUEUED]
    assert session.contact.events.get(kind=Kind.MENU_CHOICE).field == setup["kodoku"]
    page = client.get(PAGE).content.decode()
    assert "相談員を待っています（いま1番目）" in page
    assert "まだメッセージはありません" in page
    # a second start while the chat is open does not open another one
    client.post(START, {})
    assert ChatSession.objects.count() == 1


def test_the_chosen_field_and_the_queue_position(setup):
    first, second = Client(), Client()
    first.post(START, {"field": "kodomo"})
    second.post(START, {"field": "kodomo", "message": "学校に行けなくて"})
    assert list(ChatSession.objects.values_list("field", flat=True)) == ["kodomo", "kodomo"]
    assert "いま2番目" in second.get(PAGE).content.decode()
    assert ChatMessage.objects.get().text == "学校に行けなくて"
    assert Client().post(START, {"field": "nope"}).status_code == 400  # not a choice


def test_a_crisis_sign_puts_the_crisis_lines_first_and_the_chat_first_in_the_queue(setup):
    calm = Client()
    calm.post(START, {})
    visitor = Client()
    visitor.post(START, {"field": "kodomo", "message": "もう死にたいです"})
    session = ChatSession.objects.get(crisis=True)
    assert session.field == setup["inochi"]  # crisis overrides the choice
    html = visitor.get(PAGE).content.decode()
    assert 'role="alert"' in html and "あなたのいのちは大切です" in html
    assert html.index("あなたのいのちは大切です") < html.index('id="chat-log"')
    assert crisis_lines()[0].name in html
    # a sign later in the chat marks it too
    later = ChatSession.objects.exclude(pk=session.pk).get()
    calm.post(SEND, {"text": "リストカットしてしまった"})
    later.refresh_from_db()
    assert later.crisis
    assert "あなたのいのちは大切です" in calm.get(PAGE).content.decode()


def test_messages_are_validated(client, setup):
    client.post(START, {})
    for bad, error in [
        ({"text": ""}, "メッセージを入れてください。"),
        ({"text": "   \n "}, "メッセージを入れてください。"),
        ({}, "メッセージを入れてください。"),
        ({"text": "あ" * 1001}, "1000 文字以内で入力してください。"),
    ]:
        response = client.post(SEND, bad)
        assert response.status_code == 400
        assert error in response.content.decode()
    assert not ChatMessage.objects.exists()
    assert client.post(SEND, {"text": "あ" * 1000}).status_code == 302
    assert ChatMessage.objects.get().text == "あ" * 1000
    too_long = Client().post(START, {"message": "あ" * 1001})
    assert too_long.status_code == 400 and ChatSession.objects.count() == 1


def test_forms_need_the_csrf_token(setup):
    client = Client(enforce_csrf_checks=True)
    assert client.post(START, {}).status_code == 403
    assert not ChatSession.objects.exists()
    page = client.get(PAGE)
    token = page.cookies["csrftoken"].value
    assert client.post(START, {"csrfmiddlewaretoken": token}).status_code == 302
    assert client.post(SEND, {"text": "こんにちは"}).status_code == 403
    assert client.post(SEND, {"text": "こんにちは", "csrfmiddlewaretoken": token}).status_code == 302
    assert ChatMessage.objects.count() == 1


def test_a_counsellor_answers_and_the_visitor_sees_it(client, setup):
    client.post(START, {"message": "ひとりでさみしい"})
    session = ChatSession.objects.get()
    counsellor = logged_in(setup["counsellor_a"])
    chat_url = reverse("helpline:console_chat", kwargs={"contact_id": session.pk})
    counsellor.post(reverse("helpline:console_chat_take", kwargs={"contact_id": session.pk}))
    counsellor.post(
        reverse("helpline:console_chat_send", kwargs={"contact_id": session.pk}),
        {"text": "お話を聞かせてください"},
    )
    page = client.get(PAGE).content.decode()
    assert "相談員とつながっています" in page
    assert "相談員が入りました。" in page and "お話を聞かせてください" in page
    assert "counsellor_a" not in page  # the visitor does not learn the counsellor's name
    # polling: only what is new
    first = ChatMessage.objects.order_by("pk").first()
    data = client.get(POLL, {"after": first.pk}).json()
    assert data["status"] == "active" and data["position"] is None
    assert [m["text"] for m in data["messages"]] == ["相談員が入りました。", "お話を聞かせてください"]
    assert [m["name"] for m in data["messages"]] == ["お知らせ", "相談員"]
    client.post(SEND, {"text": "ありがとうございます"})
    assert "ありがとうございます" in counsellor.get(chat_url).content.decode()
    # the counsellor closes: the visitor is told and the cookie goes
    counsellor.post(reverse("helpline:console_chat_close", kwargs={"contact_id": session.pk}))
    assert client.get(POLL).json()["status"] == "closed"
    ended = client.get(PAGE)
    assert "チャットを終えました" in ended.content.decode()
    assert ended.cookies[COOKIE].value == ""  # deleted
    session.refresh_from_db()
    assert kinds(session) == [Kind.OFFERED, Kind.MENU_CHOICE, Kind.QUEUED, Kind.ANSWERED, Kind.COMPLETED]
    answered = session.contact.events.get(kind=Kind.ANSWERED)
    assert answered.body == setup["body_a"] and answered.wait_seconds is not None


def test_leaving_while_waiting_is_an_abandoned_contact(client, setup):
    client.post(START, {})
    response = client.post(LEAVE)
    assert response.status_code == 302 and response["Location"] == PAGE + "?ended=1"
    assert response.cookies[COOKIE].value == ""
    session = ChatSession.objects.get()
    assert session.status == ChatSession.Status.CLOSED
    assert kinds(session) == [Kind.OFFERED, Kind.MENU_CHOICE, Kind.QUEUED, Kind.ABANDONED, Kind.COMPLETED]
    assert session.contact.events.get(kind=Kind.ABANDONED).wait_seconds is not None
    assert "チャットを終えました" in client.get(response["Location"]).content.decode()
    assert client.post(SEND, {"text": "まだいますか"}).status_code == 302
    assert not ChatMessage.objects.filter(text="まだいますか").exists()


def test_poll_and_send_without_a_chat(client, setup):
    assert client.get(POLL).status_code == 404
    client.cookies[COOKIE] = "forged-token"
    assert client.get(POLL).status_code == 404
    assert client.post(SEND, {"text": "x"}).status_code == 302
    assert not ChatMessage.objects.exists()


def test_no_chat_when_no_line_serves_a_field(client, setup):
    Line.objects.update(active=False)
    assert "受け付けていません" in client.get(PAGE).content.decode()
    assert client.post(START, {}).status_code == 503
    assert not ChatSession.objects.exists()


def test_nothing_the_visitor_writes_is_logged(client, setup, caplog):
    caplog.set_level(logging.DEBUG)
    client.post(START, {"message": PERSONAL})
    client.post(SEND, {"text": PERSONAL + "（2）"})
    client.post(SEND, {"text": "あ" * 1001})
    client.get(POLL)
    token = client.cookies[COOKIE].value
    for record in caplog.records:
        text = record.getMessage() + repr(record.args)
        assert "090-1234-5678" not in text and "山田" not in text and token not in text


def test_services_refuse_empty_and_closed(setup):
    from django.utils import timezone

    session = chat_services.start_chat(
        channel=Contact.Channel.WEB, visitor_key="k", field_code="kodoku", crisis=False, now=timezone.now()
    )
    with pytest.raises(chat_services.ChatConflict, match="empty"):
        chat_services.post_visitor_message(session.pk, " ", timezone.now())
    chat_services.leave_chat(session.pk, timezone.now())
    with pytest.raises(chat_services.ChatConflict, match="closed"):
        chat_services.post_visitor_message(session.pk, "x", timezone.now())
    chat_services.leave_chat(session.pk, timezone.now())  # idempotent
    assert session.contact.events.filter(kind=Kind.COMPLETED).count() == 1
