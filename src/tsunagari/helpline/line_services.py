"""LINE webhook events, after the signature check: replay protection, the guided flow, the handover
to a counsellor chat and the chat itself. Replies are written to the outbox (:mod:`.line_outbox`).

Replay protection: every event's ``webhookEventId`` goes through ``signatures.ReplayGuard`` backed
by the ``LineWebhookEvent`` table, in the same transaction as the event's handling. An event seen
before — LINE's redelivery (``deliveryContext.isRedelivery``) of an event already handled, or a
captured request sent again — is a no-op; an event older than ``REPLAY_WINDOW`` or more than
``MAX_SKEW`` in the future is refused (its id could not be checked any more). An event whose
handling fails is rolled back with its id, so a redelivery of it is handled. Ids are kept until
``timestamp + REPLAY_WINDOW`` and then deleted by the retention job.

Who: only events from a 1:1 chat with a user (``source.type == "user"``) are handled; the user is
known by :func:`line_state.pseudonym` of their userId. The raw userId is passed on only where a push
needs it (an open chat, a push without reply token) and is never logged.

What, per event type (the reply goes to the event's ``replyToken``, or is pushed without one):

- ``follow``: greeting and the first question (:func:`line_guide.start`);
- ``message`` / ``postback`` while the user has an open chat: text goes to the counsellor (the
  crisis lines are sent the first time a crisis sign appears in it); "チャットを終える" ends it;
- ``message`` / ``postback`` otherwise: one turn of the guided flow (:mod:`.line_guide`);
  "相談員とチャットで話す" hands over: a chat is queued in the field that fits the conversation
  (:func:`chat_routing.field_for_chat`), crisis lines first in a crisis;
- ``unfollow``: an open chat ends (abandoned when nobody had taken it) and the navigator state is
  deleted;
- anything else: ignored (but its id is recorded).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from tsunagari.helpline import (
    chat_retention,
    chat_selectors,
    chat_services,
    line_guide,
    line_outbox,
    line_state,
)
from tsunagari.helpline import line_messages as lm
from tsunagari.helpline.chat_models import ChatSession, LineWebhookEvent
from tsunagari.helpline.chat_routing import FieldInfo, field_for_chat
from tsunagari.helpline.models import Contact
from tsunagari.helpline.signatures import DUPLICATE, ReplayGuard, line_event_time
from tsunagari.navigator.flow import load_flow

logger = logging.getLogger(__name__)

REPLAY_WINDOW = timedelta(days=1)
MAX_SKEW = timedelta(minutes=5)


class DatabaseSeenStore:
    """The ``SeenStore`` of :class:`signatures.ReplayGuard` in ``LineWebhookEvent`` (unique ids)."""

    def add(self, key: str, expires_at: datetime, now: datetime) -> bool:
        LineWebhookEvent.objects.filter(event_id=key, expires_at__lte=now).delete()
        try:
            with transaction.atomic():
                LineWebhookEvent.objects.create(event_id=key, expires_at=expires_at)
        except IntegrityError:
            return False
        return True


@dataclass
class Tally:
    """Events handled, repeats ignored and events refused (too old or in the future), and the
    outbox rows written, for one webhook request."""

    recorded: int = 0
    duplicates: int = 0
    refused: int = 0
    outbox_ids: list[int] = field(default_factory=list)


def handle_events(raw_events: list, now: datetime) -> Tally:
    tally = Tally()
    guard = ReplayGuard(DatabaseSeenStore(), window=REPLAY_WINDOW, max_skew=MAX_SKEW, namespace="line")
    for raw in raw_events:
        event = lm.parse_event(raw)
        if event is None:
            tally.refused += 1
            continue
        try:
            event_time = line_event_time(event.timestamp)
        except (ValueError, OverflowError, OSError):  # a timestamp no clock can hold
            tally.refused += 1
            continue
        with transaction.atomic():
            check = guard.check(event.id, event_time, now)
            if not check:
                if check.reason == DUPLICATE:
                    tally.duplicates += 1
                else:
                    tally.refused += 1
                continue
            with translation.override("ja"):
                messages = handle_event(event, now)
            row = _reply(event, messages, now)
        tally.recorded += 1
        if row is not None:
            tally.outbox_ids.append(row.pk)
    return tally


def _reply(event: lm.LineEvent, messages: list[dict], now: datetime):
    if not messages:
        return None
    if event.reply_token:
        return line_outbox.enqueue_reply(event.reply_token, messages, now)
    return line_outbox.enqueue_push(event.user_id, messages, now)


def handle_event(event: lm.LineEvent, now: datetime) -> list[dict]:
    """The reply to one event (possibly none); writes what the event changes."""
    if not event.user_id:
        return []
    key = line_state.pseudonym(event.user_id)
    if event.type == "unfollow":
        session = chat_selectors.open_line_chat(key)
        if session is not None:
            chat_services.leave_chat(session.pk, now, why="unfollow")
        line_state.forget(key)
        return []
    if event.type not in ("follow", "message", "postback"):
        return []
    session = chat_selectors.open_line_chat(key)
    if session is not None:
        return _in_chat(session, key, event, now)
    state = line_state.load(key, now)
    postback = lm.decode_postback(event.postback) if event.type == "postback" else None
    if event.type == "follow":
        turn = line_guide.start()
    elif event.type == "postback" and postback is not None and postback.action == lm.CHAT_START:
        messages = _handover(key, event, state, now)
        line_state.save(key, state, now)
        return messages
    elif event.type == "postback" and postback is not None and postback.action != lm.CHAT_END:
        turn = line_guide.on_postback(state, postback)
    elif event.type == "postback":
        turn = line_guide.Turn(state, line_guide.render(state))
    elif event.message_type == "text" and event.text.strip():
        turn = line_guide.on_text(state, event.text)
    else:
        turn = line_guide.on_other(state)
    line_state.save(key, turn.state, now)
    return turn.messages


def _end_item() -> dict:
    return lm.postback_item(_("チャットを終える"), lm.Postback(lm.CHAT_END))


def _restart_item() -> dict:
    return lm.postback_item(_("はじめからやり直す"), lm.Postback(lm.RESTART))


def _chat_fields() -> list[FieldInfo]:
    return [FieldInfo(f.code, f.crisis, f.general) for f in chat_selectors.served_fields()]


def _handover(key: str, event: lm.LineEvent, state: line_state.LineState, now: datetime) -> list[dict]:
    conversation = state.conversation
    criteria = load_flow().criteria(conversation.answers, conversation.triaged)
    code = field_for_chat(_chat_fields(), topics=criteria.topics, crisis=conversation.crisis)
    first = []
    if conversation.crisis:
        state.crisis_sent = True
        first = [lm.crisis_message(line_guide.crisis_cards(conversation), _)]
    if code is None:
        text = _("申し訳ありません。いまはチャットでの相談を受け付けていません。")
        return [*first, lm.text_message(text, [_restart_item()])]
    session = chat_services.start_chat(
        channel=Contact.Channel.LINE,
        visitor_key=key,
        field_code=code,
        crisis=conversation.crisis,
        now=now,
        line_user_id=event.user_id,
        crisis_lines_shown=conversation.crisis,
    )
    text = _(
        "相談員におつなぎします。順番にご案内しますので、このままお待ちください（いま%(position)s番目）。"
        "ここに書いたメッセージは相談員に届きます。チャットの記録は、終了から%(days)s日後に消去します。"
    ) % {"position": chat_selectors.queue_position(session) or 1, "days": chat_retention.transcript_days()}
    return [*first, lm.text_message(text, [_end_item()])]


def _in_chat(session: ChatSession, key: str, event: lm.LineEvent, now: datetime) -> list[dict]:
    if event.type == "postback":
        postback = lm.decode_postback(event.postback)
        if postback is not None and postback.action == lm.CHAT_END:
            chat_services.leave_chat(session.pk, now)
            text = _("チャットを終えました。話してくれてありがとうございました。")
            return [lm.text_message(text, [_restart_item()])]
    if event.type != "message" or event.message_type != "text" or not event.text.strip():
        text = _("いまは相談員とのチャット中です。文字のメッセージが相談員に届きます。")
        return [lm.text_message(text, [_end_item()])]
    posted = chat_services.post_visitor_message(session.pk, event.text, now, limit=lm.TEXT_LIMIT)
    if posted.show_crisis_lines:
        chat_services.mark_crisis_lines_shown(session.pk)
        conversation = line_state.load(key, now).conversation
        return [lm.crisis_message(line_guide.crisis_cards(conversation), _)]
    return []
