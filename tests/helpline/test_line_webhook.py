"""The LINE webhook over HTTP (Django's test client, real database, bodies signed as LINE signs
them): refusal of unsigned and forged requests, replayed and redelivered events, the navigator's
flow end to end over quick replies, crisis lines first, and the pseudonymous server-side state."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.helpline.line_support import (
    SECRET,
    USER_ID,
    LineUser,
    body_of,
    event,
    post,
    post_events,
    postback_event,
    quick_replies,
    reply_to,
    text_event,
    texts,
)
from tsunagari.directory.selectors.services import crisis_lines
from tsunagari.helpline import line_state
from tsunagari.helpline.chat_models import LineConversation, LineOutbox, LineWebhookEvent
from tsunagari.helpline.models import Contact, ContactEvent
from tsunagari.navigator.flow import load_flow

pytestmark = pytest.mark.django_db

CRISIS_TEXT = "もう死にたい。消えてしまいたい"


@pytest.fixture(autouse=True)
def line_settings(settings):
    settings.TSUNAGARI_LINE_CHANNEL_SECRET = SECRET
    settings.TSUNAGARI_LINE_CHANNEL_ACCESS_TOKEN = ""  # nothing is sent: replies stay in the outbox
    settings.TSUNAGARI_LINE_SEND_INLINE = False


def nothing_recorded() -> bool:
    return not (
        LineWebhookEvent.objects.exists()
        or LineOutbox.objects.exists()
        or LineConversation.objects.exists()
        or Contact.objects.exists()
    )


# -- signatures ----------------------------------------------------------------------------------


def test_missing_forged_or_unconfigured_signatures_are_refused_and_nothing_is_recorded(client, settings):
    body = body_of([event("follow")])
    assert post(client, body, signature=None).status_code == 403
    assert post(client, body, signature="").status_code == 403
    assert post(client, body, signature="bm90IGEgc2lnbmF0dXJl").status_code == 403
    tampered = body.replace(USER_ID.encode(), b"U" + b"0" * 32)
    from tsunagari.helpline.signatures import sign_line

    response = client.post(
        "/helpline/hooks/line/",
        data=tampered,
        content_type="application/json",
        HTTP_X_LINE_SIGNATURE=sign_line(SECRET, body),  # signature of another body
    )
    assert response.status_code == 403
    settings.TSUNAGARI_LINE_CHANNEL_SECRET = ""
    assert post(client, body, signature=None).status_code == 403
    assert nothing_recorded()


def test_only_signed_posts_with_events_are_handled(client):
    assert client.get("/helpline/hooks/line/").status_code == 405
    assert post(client, b"{not json").status_code == 400
    assert post(client, b'{"events": "x"}').status_code == 400
    verify = post(client, body_of([]))  # LINE's "Verify" button
    assert verify.status_code == 200 and verify["X-Tsunagari-Recorded"] == "0"
    assert nothing_recorded()


# -- replays and redeliveries --------------------------------------------------------------------


def test_a_replayed_or_redelivered_event_is_a_no_op(client):
    follow = event("follow")
    first = post_events(client, [follow])
    assert (first.status_code, first["X-Tsunagari-Recorded"], first["X-Tsunagari-Duplicates"]) == (
        200,
        "1",
        "0",
    )
    again = post_events(client, [follow])  # the very same request, replayed
    assert (again.status_code, again["X-Tsunagari-Recorded"], again["X-Tsunagari-Duplicates"]) == (
        200,
        "0",
        "1",
    )
    redelivered = {**follow, "deliveryContext": {"isRedelivery": True}}
    assert post_events(client, [redelivered])["X-Tsunagari-Duplicates"] == "1"
    assert LineOutbox.objects.count() == 1
    assert LineWebhookEvent.objects.filter(event_id=f"line:{follow['webhookEventId']}").count() == 1


def test_a_redelivered_event_not_seen_before_is_handled(client):
    lost = {**event("follow"), "deliveryContext": {"isRedelivery": True}}
    response = post_events(client, [lost])
    assert response["X-Tsunagari-Recorded"] == "1"
    assert reply_to(lost)


def test_events_too_old_or_from_the_future_are_refused(client):
    old = event("follow")
    old["timestamp"] -= int(timedelta(days=2).total_seconds() * 1000)
    future = event("follow")
    future["timestamp"] += int(timedelta(hours=1).total_seconds() * 1000)
    no_id = event("follow")
    del no_id["webhookEventId"]
    absurd = {**event("follow"), "timestamp": 10**20}
    response = post_events(client, [old, future, no_id, absurd])
    assert (response["X-Tsunagari-Recorded"], response["X-Tsunagari-Refused"]) == ("0", "4")
    assert nothing_recorded()


def test_group_events_are_ignored(client):
    raw = event("message", message={"id": "1", "type": "text", "text": "こんにちは"})
    raw["source"] = {"type": "group", "groupId": "C" + "1" * 32, "userId": USER_ID}
    assert post_events(client, [raw])["X-Tsunagari-Recorded"] == "1"
    assert not LineOutbox.objects.exists() and not LineConversation.objects.exists()


# -- the flow over LINE --------------------------------------------------------------------------


def test_follow_greets_and_asks_the_first_question_with_quick_replies(client):
    user = LineUser(client)
    messages = user.follow()
    assert "名前や連絡先は聞きません" in messages[0]["text"] and "110" in messages[0]["text"]
    flow = load_flow()
    first = flow.steps[0]
    assert first.question in messages[-1]["text"] and "（1/" in messages[-1]["text"]
    labels = [a["label"] for a in quick_replies(messages)]
    assert labels[: len(first.options)] == [o.label for o in first.options]
    assert "とばす" in labels and "ここまでで相談先を見る" in labels
    assert all(a["type"] == "postback" for a in quick_replies(messages))


def test_the_whole_flow_end_to_end(client):
    flow = load_flow()
    user = LineUser(client)
    user.follow()
    messages = user.tap("30〜64歳")
    assert flow.step("topics").question in messages[-1]["text"]
    # a multiple step: each tap adds one option and asks again without it
    messages = user.tap("お金・生活が苦しい")
    assert "選んだもの: お金・生活が苦しい" in messages[-1]["text"]
    labels = [a["label"] for a in quick_replies(messages)]
    assert "お金・生活が苦しい" not in labels and "次へ" in labels
    # more options than a quick reply holds: paged
    messages = user.tap("ほかの選択肢")
    assert "住まいのこと" not in [a["label"] for a in quick_replies(messages)]
    messages = user.tap("借金・法律・契約のトラブル")
    assert "お金・生活が苦しい、借金・法律・契約のトラブル" in messages[-1]["text"]
    messages = user.tap("次へ")
    assert flow.step("situation").question in messages[-1]["text"]
    user.tap("とばす")  # situation
    user.tap("とばす")  # channel
    messages = user.tap("いますぐ")
    assert flow.step("area").question in messages[-1]["text"]
    messages = user.say("ちよだくかな？")  # not a municipality as typed
    assert "見つかりませんでした" in messages[-1]["text"]
    messages = user.say("千代田区")
    assert "あなたに合いそうな相談先です" in messages[-1]["text"]
    assert [a["label"] for a in quick_replies(messages)] == ["相談員とチャットで話す", "はじめからやり直す"]
    assert "■ " in messages[-1]["text"]  # services were recommended
    state = line_state.LineState.from_json(LineConversation.objects.get().state)
    assert state.conversation.answers["age"] == ["age30_64"]
    assert state.conversation.answers["topics"] == ["poverty", "debt_legal"]
    assert state.conversation.answers["when"] == ["now"]
    assert state.conversation.answers["area"] == ["131016"]
    assert not state.conversation.crisis
    assert not Contact.objects.exists()  # guiding records no contact
    messages = user.tap("はじめからやり直す")
    assert flow.steps[0].question in messages[-1]["text"]


def test_free_text_is_triaged_and_not_kept(client):
    user = LineUser(client)
    user.follow()
    messages = user.say("家賃が払えなくて、住む家がありません")
    assert "「住まい」のことですね" in messages[0]["text"]
    assert flow_question("age") in messages[-1]["text"]  # the same question again
    row = LineConversation.objects.get()
    assert "家賃" not in json.dumps(row.state, ensure_ascii=False)
    assert row.state["conversation"]["triaged"] == ["housing"]


def flow_question(step_id: str) -> str:
    return load_flow().step(step_id).question


def test_crisis_text_puts_the_crisis_lines_first(client):
    user = LineUser(client)
    user.follow()
    user.tap("18〜29歳")
    messages = user.say(CRISIS_TEXT)
    assert "あなたのいのちは大切です" in messages[0]["text"]
    lines = crisis_lines()
    assert lines, "the bundled directory has verified crisis lines"
    assert lines[0].name in messages[0]["text"]
    assert lines[0].phones.all()[0].number in messages[0]["text"]
    assert "110（警察）・119（救急）" in messages[0]["text"]
    # the question follows, now with "相談員と話す"
    assert flow_question("topics") in messages[-1]["text"]
    assert "相談員と話す" in [a["label"] for a in quick_replies(messages)]
    # sent once per conversation on the way, and again first with the result
    messages = user.tap("ここまでで相談先を見る")
    assert "あなたのいのちは大切です" in messages[0]["text"]
    assert (
        "あなたに合いそうな相談先です" in messages[-1]["text"]
        or "見つかりませんでした" in messages[-1]["text"]
    )


def test_a_crisis_option_puts_the_crisis_lines_first_too(client):
    user = LineUser(client)
    user.follow()
    user.tap("18歳以下")
    messages = user.tap("死にたい・消えたい気持ちがある")
    assert "あなたのいのちは大切です" in messages[0]["text"]
    messages = user.tap("次へ")
    assert "あなたのいのちは大切です" not in "".join(texts(messages))  # not repeated on every question


def test_other_messages_ask_for_words(client):
    user = LineUser(client)
    user.follow()
    raw = event("message", message={"id": "2", "type": "sticker", "packageId": "1", "stickerId": "1"})
    messages = user.send(raw)
    assert "文字で送ってください" in messages[-1]["text"]


def test_unknown_postbacks_ask_the_current_question_again(client):
    user = LineUser(client)
    user.follow()
    messages = user.send(postback_event("something-else"))
    assert flow_question("age") in messages[-1]["text"]


# -- pseudonymous state --------------------------------------------------------------------------


def test_state_is_keyed_by_a_pseudonym_and_the_user_id_is_not_logged(client, caplog):
    caplog.set_level(logging.DEBUG)
    user = LineUser(client)
    user.follow()
    user.say(CRISIS_TEXT)
    row = LineConversation.objects.get()
    assert row.key == line_state.pseudonym(USER_ID) and USER_ID not in row.key
    assert USER_ID not in json.dumps(row.state)
    assert not LineOutbox.objects.filter(recipient=USER_ID).exists()  # replies need no user id
    for record in caplog.records:
        assert USER_ID not in record.getMessage() + repr(record.args)
        assert "死にたい" not in record.getMessage() + repr(record.args)


def test_state_expires_after_two_hours_like_the_web_navigator(client):
    user = LineUser(client)
    user.follow()
    user.tap("30〜64歳")
    LineConversation.objects.update(updated_at=timezone.now() - timedelta(hours=2, minutes=1))
    messages = user.say("こんにちは")
    assert flow_question("age") in messages[-1]["text"]  # started over
    state = LineConversation.objects.get().state
    assert "age" not in state["conversation"]["answers"]


def test_unfollow_forgets_the_state(client):
    user = LineUser(client)
    user.follow()
    assert LineConversation.objects.exists()
    user.send(event("unfollow", reply=False))
    assert not LineConversation.objects.exists()


def test_a_reply_without_token_is_pushed(client):
    raw = text_event("こんにちは")
    del raw["replyToken"]
    post_events(client, [raw])
    row = LineOutbox.objects.get()
    assert row.kind == LineOutbox.Kind.PUSH and row.recipient == USER_ID


def test_contact_events_are_not_written_while_guiding(client):
    LineUser(client).follow()
    assert not ContactEvent.objects.exists()
