"""The flow as LINE messages (pure): LINE's limits, paging, postbacks, events; and the chat's field
choice and queue order (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tsunagari.helpline import line_messages as lm
from tsunagari.helpline.chat_routing import FieldInfo, WaitingChat, chat_queue, field_for_chat
from tsunagari.navigator.flow import Option, Step, load_flow


def _actions(message: dict) -> list[dict]:
    return [item["action"] for item in message.get("quickReply", {}).get("items", [])]


# -- postbacks -----------------------------------------------------------------------------------


def test_postbacks_round_trip_and_foreign_data_is_refused():
    for postback in [
        lm.Postback(lm.ANSWER, "topics", "poverty"),
        lm.Postback(lm.PAGE, "topics", "1"),
        lm.Postback(lm.FINISH),
        lm.Postback(lm.CHAT_START),
    ]:
        assert lm.decode_postback(lm.encode_postback(postback)) == postback
    assert lm.encode_postback(lm.Postback(lm.SKIP, "age")) == "t1|skip|age|"
    for foreign in [
        "",
        "hello",
        "t1|delete|x|y",
        "t2|answer|age|under18",
        "t1|answer|age",
        None,
        3,
        "t1|" * 200,
    ]:
        assert lm.decode_postback(foreign) is None
    with pytest.raises(ValueError):
        lm.encode_postback(lm.Postback("nope"))
    with pytest.raises(ValueError):
        lm.encode_postback(lm.Postback(lm.ANSWER, "a|b", "c"))


# -- steps ---------------------------------------------------------------------------------------


def test_every_step_of_the_shipped_flow_fits_lines_limits_on_every_page():
    flow = load_flow()
    for number, step in enumerate(flow.steps, start=1):
        for crisis in (False, True):
            page, seen = 0, []
            while True:
                message = lm.step_message(
                    step, number=number, count=len(flow.steps), page=page, crisis=crisis
                )
                actions = _actions(message)
                assert len(actions) <= lm.QUICK_REPLY_LIMIT
                assert len(message["text"]) <= lm.TEXT_LIMIT
                for action in actions:
                    assert action["type"] == "postback"
                    assert len(action["label"]) <= lm.LABEL_LIMIT
                    assert len(action["data"]) <= lm.DATA_LIMIT
                    assert len(action["displayText"]) <= lm.DISPLAY_LIMIT
                answers = [lm.decode_postback(a["data"]) for a in actions]
                seen += [p.value for p in answers if p.action == lm.ANSWER]
                more = [p for p in answers if p.action == lm.PAGE]
                if not more or int(more[0].value) == 0:
                    break
                page = int(more[0].value)
            # every option is reachable through the pages, each once
            assert seen == [o.id for o in step.options]
            labels = [a["label"] for a in actions]
            assert ("相談員と話す" in labels) is crisis


def test_a_multiple_step_offers_the_options_not_chosen_and_next():
    step = load_flow().step("situation")
    message = lm.step_message(step, number=3, count=6, chosen=["living_alone", "caring"])
    labels = [a["label"] for a in _actions(message)]
    assert "ひとりで暮らしている" not in labels and "家族の世話や介護をしている" not in labels
    assert "次へ" in labels and "とばす" not in labels
    assert "選んだもの: ひとりで暮らしている、家族の世話や介護をしている" in message["text"]
    fresh = lm.step_message(step, number=3, count=6)
    assert "とばす" in [a["label"] for a in _actions(fresh)] and "次へ" not in [
        a["label"] for a in _actions(fresh)
    ]


def test_long_labels_are_clipped_but_shown_in_full():
    long = "とても長い選択肢のラベルで二十文字をこえるもの（例）"
    step = Step("s", "single", "質問", (Option("x", long),))
    action = _actions(lm.step_message(step, number=1, count=1))[0]
    assert action["label"] == long[:19] + "…" and len(action["label"]) == 20
    assert action["displayText"] == long


def test_the_area_step_asks_for_a_municipality():
    step = load_flow().step("area")
    message = lm.step_message(step, number=6, count=6, notice="見つかりませんでした")
    assert message["text"].startswith("見つかりませんでした\n（6/6）")
    assert "市区町村の名前を送ってください" in message["text"]
    assert [a["label"] for a in _actions(message)] == ["とばす", "ここまでで相談先を見る"]


def test_translate_is_applied_to_every_string():
    step = load_flow().step("age")
    message = lm.step_message(step, number=1, count=6, translate=lambda s: f"[{s}]")
    assert "[あなたの年齢を教えてください]" in message["text"]
    assert {a["label"][0] for a in _actions(message)} == {"["}


def test_fit_keeps_at_most_five_messages_and_the_last_quick_reply():
    quick = [lm.postback_item("次へ", lm.Postback(lm.FINISH))]
    messages = [lm.text_message(f"m{i}") for i in range(6)] + [lm.text_message("last", quick)]
    fitted = lm.fit(messages)
    assert len(fitted) == lm.MESSAGES_PER_REQUEST
    assert fitted[-1]["text"] == "m4\n\nm5\n\nlast" and fitted[-1]["quickReply"]["items"] == quick
    assert lm.fit(messages[:2]) == messages[:2]


def test_crisis_and_result_messages():
    cards = [lm.Card("いのちの電話", ("0120-000-000",), "24時間", "https://example.jp/s/1")]
    crisis = lm.crisis_message(cards)
    assert crisis["text"].startswith("話してくれてありがとう。あなたのいのちは大切です。")
    assert "■ いのちの電話\n☎ 0120-000-000\n受付: 24時間\nhttps://example.jp/s/1" in crisis["text"]
    assert "110（警察）・119（救急）" in crisis["text"]
    result = lm.result_message(cards)
    assert [lm.decode_postback(a["data"]).action for a in _actions(result)] == [lm.CHAT_START, lm.RESTART]
    assert "見つかりませんでした" in lm.result_message([])["text"]
    assert len(lm.text_message("あ" * 6000)["text"]) == lm.TEXT_LIMIT


# -- events --------------------------------------------------------------------------------------


def test_parse_event():
    raw = {
        "type": "message",
        "timestamp": 1741024800000,
        "webhookEventId": "01JNMZ2ABCDEF",
        "replyToken": "r1",
        "source": {"type": "user", "userId": "U123"},
        "message": {"type": "text", "text": "こんにちは"},
        "deliveryContext": {"isRedelivery": True},
    }
    event = lm.parse_event(raw)
    assert event == lm.LineEvent(
        "01JNMZ2ABCDEF", "message", 1741024800000, True, "r1", "U123", "text", "こんにちは", ""
    )
    group = lm.parse_event({**raw, "source": {"type": "group", "groupId": "C1", "userId": "U123"}})
    assert group.user_id == ""
    assert lm.parse_event({**raw, "message": {"type": "sticker"}}).text == ""
    for broken in [
        None,
        [],
        {**raw, "webhookEventId": ""},
        {**raw, "timestamp": "1"},
        {**raw, "timestamp": True},
    ]:
        assert lm.parse_event(broken) is None


# -- chats: field and queue order ----------------------------------------------------------------

FIELDS = [
    FieldInfo("inochi", crisis=True),
    FieldInfo("kodomo"),
    FieldInfo("poverty"),
    FieldInfo("kodoku", general=True),
]


def test_field_for_chat():
    assert field_for_chat(FIELDS) == "kodoku"  # the general field
    assert field_for_chat(FIELDS, chosen="kodomo") == "kodomo"
    assert field_for_chat(FIELDS, chosen="nope", topics=["housing", "poverty"]) == "poverty"
    assert field_for_chat(FIELDS, chosen="kodomo", crisis=True) == "inochi"  # crisis first, always
    assert field_for_chat([FieldInfo("a"), FieldInfo("b")]) == "a"
    assert field_for_chat([FieldInfo("a")], crisis=True) == "a"  # no crisis field configured
    assert field_for_chat([]) is None


def test_chat_queue_puts_crisis_first_then_oldest():
    t = datetime(2025, 1, 1, tzinfo=UTC)
    chats = [
        WaitingChat("late", "kodoku", t + timedelta(minutes=5)),
        WaitingChat("early", "kodoku", t),
        WaitingChat("crisis", "kodoku", t + timedelta(minutes=9), crisis=True),
    ]
    assert chat_queue(chats) == ("crisis", "early", "late")
