"""The navigator's flow as LINE messages, and LINE webhook events as plain data (pure; no Django).

Contract
--------
Messages are LINE Messaging API message objects (plain dicts, ready for JSON), within LINE's
limits: a text message holds at most ``TEXT_LIMIT`` characters, a quick reply at most
``QUICK_REPLY_LIMIT`` items, an action label at most ``LABEL_LIMIT`` characters (longer labels are
clipped with "…"; the full label is sent as the ``displayText`` the person sees in the chat),
postback data at most ``DATA_LIMIT`` characters, and one reply at most ``MESSAGES_PER_REQUEST``
messages (:func:`fit` merges the rest into the last text).

A flow step becomes one text message (the question; for an area step, the request to type the
municipality) whose quick-reply items are the step's options as postbacks, ``OPTIONS_PER_PAGE`` at
a time, then the controls: "次へ" (a multiple step with something chosen) or "とばす",
"ほかの選択肢" (more pages), "ここまでで相談先を見る" and, in a crisis, "相談員と話す". In a
multiple step each tap adds one option and the step is asked again with the options not yet chosen.

Postback data is ``t1|<action>|<step>|<value>`` (:func:`encode_postback` / :func:`decode_postback`);
anything else decodes to ``None``. Every user-facing string goes through ``translate`` (a gettext),
so the module holds Japanese msgids only.

:func:`parse_event` reads one webhook event into a :class:`LineEvent`; it returns ``None`` for an
event without a ``webhookEventId`` or a ``timestamp`` (such an event cannot be de-duplicated).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from tsunagari.navigator.flow import Step

TEXT_LIMIT = 5000
LABEL_LIMIT = 20
DISPLAY_LIMIT = 300
DATA_LIMIT = 300
QUICK_REPLY_LIMIT = 13
MESSAGES_PER_REQUEST = 5
OPTIONS_PER_PAGE = 9

Translate = Callable[[str], str]

# --- postbacks -------------------------------------------------------------------------------------

PREFIX = "t1"
ANSWER, NEXT, SKIP, PAGE, FINISH, RESTART, CHAT_START, CHAT_END = (
    "answer",
    "next",
    "skip",
    "page",
    "finish",
    "restart",
    "chat_start",
    "chat_end",
)
ACTIONS = frozenset({ANSWER, NEXT, SKIP, PAGE, FINISH, RESTART, CHAT_START, CHAT_END})


@dataclass(frozen=True)
class Postback:
    action: str
    step: str = ""
    value: str = ""


def encode_postback(postback: Postback) -> str:
    if postback.action not in ACTIONS:
        raise ValueError(f"unknown postback action {postback.action!r}")
    if "|" in postback.step or "|" in postback.value:
        raise ValueError("postback step and value must not contain '|'")
    data = f"{PREFIX}|{postback.action}|{postback.step}|{postback.value}"
    if len(data) > DATA_LIMIT:
        raise ValueError("postback data too long")
    return data


def decode_postback(data: object) -> Postback | None:
    """The postback of ``data``, or ``None`` when it is not one of ours."""
    if not isinstance(data, str) or len(data) > DATA_LIMIT:
        return None
    parts = data.split("|")
    if len(parts) != 4 or parts[0] != PREFIX or parts[1] not in ACTIONS:
        return None
    return Postback(parts[1], parts[2], parts[3])


# --- message objects -------------------------------------------------------------------------------


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, ending in "…" when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def postback_item(label: str, postback: Postback, display_text: str | None = None) -> dict:
    """A quick-reply item that sends ``postback`` and shows ``display_text`` (default: the label)."""
    return {
        "type": "action",
        "action": {
            "type": "postback",
            "label": clip(label, LABEL_LIMIT),
            "data": encode_postback(postback),
            "displayText": clip(display_text or label, DISPLAY_LIMIT),
        },
    }


def text_message(text: str, quick_replies: Sequence[dict] = ()) -> dict:
    message: dict[str, Any] = {"type": "text", "text": clip(text, TEXT_LIMIT)}
    if quick_replies:
        if len(quick_replies) > QUICK_REPLY_LIMIT:
            raise ValueError(f"at most {QUICK_REPLY_LIMIT} quick-reply items")
        message["quickReply"] = {"items": list(quick_replies)}
    return message


def fit(messages: Sequence[dict]) -> list[dict]:
    """At most ``MESSAGES_PER_REQUEST`` messages: the texts from the fifth on are joined into the
    fifth (which keeps the quick reply of the last message)."""
    messages = list(messages)
    if len(messages) <= MESSAGES_PER_REQUEST:
        return messages
    head, tail = messages[: MESSAGES_PER_REQUEST - 1], messages[MESSAGES_PER_REQUEST - 1 :]
    text = "\n\n".join(m.get("text", "") for m in tail if m.get("text"))
    merged = text_message(text)
    if "quickReply" in tail[-1]:
        merged["quickReply"] = tail[-1]["quickReply"]
    return [*head, merged]


# --- the flow as messages --------------------------------------------------------------------------


def step_message(
    step: Step,
    *,
    number: int,
    count: int,
    chosen: Sequence[str] = (),
    page: int = 0,
    crisis: bool = False,
    notice: str = "",
    translate: Translate = str,
) -> dict:
    """The question of ``step`` with its options (page ``page``) and controls as quick replies."""
    _ = translate
    lines = [notice] if notice else []
    lines.append(_("（%(number)s/%(count)s）") % {"number": number, "count": count} + _(step.question))
    if step.kind == "multiple":
        lines.append(_("あてはまるものを1つずつ選んでください。選び終わったら「次へ」を押してください。"))
        labels = [_(o.label) for o in step.options if o.id in chosen]
        if labels:
            lines.append(_("選んだもの: %(labels)s") % {"labels": "、".join(labels)})
    elif step.kind == "area":
        lines.append(_("市区町村の名前を送ってください（例: 千代田区、札幌市中央区）。"))
    lines.append(_("自分のことばで書いて送ってもかまいません。"))
    items: list[dict] = []
    if step.kind != "area":
        available = [o for o in step.options if step.kind != "multiple" or o.id not in chosen]
        pages = max(1, -(-len(available) // OPTIONS_PER_PAGE))
        page = page if 0 <= page < pages else 0
        for option in available[page * OPTIONS_PER_PAGE : (page + 1) * OPTIONS_PER_PAGE]:
            items.append(postback_item(_(option.label), Postback(ANSWER, step.id, option.id)))
        if step.kind == "multiple" and chosen:
            items.append(postback_item(_("次へ"), Postback(NEXT, step.id)))
        else:
            items.append(postback_item(_("とばす"), Postback(SKIP, step.id)))
        if pages > 1:
            following = (page + 1) % pages
            items.append(postback_item(_("ほかの選択肢"), Postback(PAGE, step.id, str(following))))
    else:
        items.append(postback_item(_("とばす"), Postback(SKIP, step.id)))
    items.append(postback_item(_("ここまでで相談先を見る"), Postback(FINISH)))
    if crisis:
        items.append(postback_item(_("相談員と話す"), Postback(CHAT_START)))
    return text_message("\n".join(lines), items)


@dataclass(frozen=True)
class Card:
    """A service as the LINE result shows it (plain data from the directory)."""

    name: str
    phones: tuple[str, ...] = ()
    hours: str = ""
    url: str = ""


def _card_lines(card: Card, translate: Translate) -> list[str]:
    lines = [f"■ {card.name}"]
    lines.extend(f"☎ {number}" for number in card.phones)
    if card.hours:
        lines.append(translate("受付: %(hours)s") % {"hours": clip(card.hours, 80)})
    if card.url:
        lines.append(card.url)
    return lines


def crisis_message(lines: Iterable[Card], translate: Translate = str) -> dict:
    """The crisis lines, first in a reply whenever a crisis sign appears (as on the navigator's pages)."""
    _ = translate
    text = [
        _("話してくれてありがとう。あなたのいのちは大切です。"),
        _("つらい気持ちを、いますぐ聞いてくれる人がいます。電話やチャットで話してみてください。"),
        "",
    ]
    for card in lines:
        text.extend(_card_lines(card, translate))
    text.append("")
    text.append(_("いのちの危険がせまっているときは") + " 110（" + _("警察") + "）・119（" + _("救急") + "）")
    return text_message("\n".join(text))


def result_message(cards: Sequence[Card], translate: Translate = str) -> dict:
    """The recommended services, with the offer to chat with a counsellor or start again."""
    _ = translate
    if cards:
        text = [_("あなたに合いそうな相談先です。"), ""]
        for card in cards:
            text.extend(_card_lines(card, translate))
            text.append("")
    else:
        text = [_("条件に合う相談先が見つかりませんでした。"), ""]
    text.append(_("相談員とチャットで話すこともできます。"))
    items = [
        postback_item(_("相談員とチャットで話す"), Postback(CHAT_START)),
        postback_item(_("はじめからやり直す"), Postback(RESTART)),
    ]
    return text_message("\n".join(text), items)


# --- webhook events --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineEvent:
    """One webhook event, as plain data. ``user_id`` is set only for events from a 1:1 chat."""

    id: str
    type: str
    timestamp: int
    redelivery: bool = False
    reply_token: str = ""
    user_id: str = ""
    message_type: str = ""
    text: str = ""
    postback: str = ""


def parse_event(raw: object) -> LineEvent | None:
    if not isinstance(raw, dict):
        return None
    event_id, timestamp = raw.get("webhookEventId"), raw.get("timestamp")
    if not isinstance(event_id, str) or not event_id or len(event_id) > 90:
        return None
    if not isinstance(timestamp, int) or isinstance(timestamp, bool) or timestamp < 0:
        return None
    source = raw.get("source") if isinstance(raw.get("source"), dict) else {}
    user_id = source.get("userId") if source.get("type") == "user" else ""
    message = raw.get("message") if isinstance(raw.get("message"), dict) else {}
    postback = raw.get("postback") if isinstance(raw.get("postback"), dict) else {}
    context = raw.get("deliveryContext") if isinstance(raw.get("deliveryContext"), dict) else {}
    return LineEvent(
        id=event_id,
        type=str(raw.get("type") or ""),
        timestamp=timestamp,
        redelivery=context.get("isRedelivery") is True,
        reply_token=_text(raw.get("replyToken"), 255),
        user_id=_text(user_id, 64),
        message_type=_text(message.get("type"), 20),
        text=_text(message.get("text"), TEXT_LIMIT) if message.get("type") == "text" else "",
        postback=_text(postback.get("data"), DATA_LIMIT),
    )


def _text(value: object, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""
