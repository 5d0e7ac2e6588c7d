"""Writes of counsellor chats (web chat and LINE conversations handed over): the only way chats change.

Lifecycle, each step also an append-only ``ContactEvent`` of the chat's ``Contact`` (event keys
``<channel>:<provider id>:<kind>``, so every kind is written once per chat):

- :func:`start_chat` — a new contact with ``offered``, ``menu_choice`` (the field the chat is
  queued under) and ``queued`` (``detail.chat``; no ``detail.queue``, so the voice routing never
  mistakes a chat for a waiting call);
- :func:`take_chat` — a counsellor of a body serving the chat takes it: ``answered`` with that
  body and the wait since it was queued;
- :func:`post_visitor_message` / :func:`post_counsellor_message` — the transcript;
- :func:`close_chat` (the counsellor), :func:`leave_chat` (the visitor) or :func:`expire_chat` (the
  retention job, for a visitor who went away): ``abandoned`` with the wait when nobody had taken it
  yet, then ``completed``.

LINE chats are answered through the outbox (:mod:`.line_outbox`): the counsellor's messages and the
notices "a counsellor has joined" / "the chat has ended" are pushed to the LINE user, whose userId
the session holds only while it is open.

Crisis: every visitor message is checked with ``navigator.crisis``; the first sign marks the chat
(it then goes first in the queue and is shown to bodies that accept crisis contacts) and
:class:`Posted` says whether the crisis lines still have to be shown to the visitor.

Problems are :class:`ChatConflict` (``code``: ``closed``, ``not_queued``, ``not_active``,
``not_serving``, ``not_yours``, ``too_long``, ``empty``). Staff writes are audit-logged (ids only).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tsunagari.helpline import access, line_messages, line_outbox
from tsunagari.helpline.chat_models import ChatMessage, ChatSession
from tsunagari.helpline.console_services import audit
from tsunagari.helpline.models import Contact, ContactEvent
from tsunagari.helpline.services import event_key
from tsunagari.navigator.crisis import detect_crisis

Kind = ContactEvent.Kind
Status = ChatSession.Status
Author = ChatMessage.Author

#: Longest message a visitor or a counsellor may write in the web forms (LINE allows 5,000).
MESSAGE_MAX = 1000

#: System notices are stored as codes and shown translated (see ``SYSTEM_TEXTS``).
TAKEN, CLOSED, LEFT = "taken", "closed", "left"
SYSTEM_TEXTS = {
    TAKEN: gettext_noop("相談員が入りました。"),
    CLOSED: gettext_noop("相談員がチャットを終えました。"),
    LEFT: gettext_noop("相談者がチャットを終えました。"),
}


class ChatConflict(Exception):
    """The action does not fit the chat's state or the user's bodies; ``code`` says why."""

    def __init__(self, code: str):
        self.code = code
        super().__init__(code)


@dataclass(frozen=True)
class Posted:
    message: ChatMessage
    show_crisis_lines: bool  # a crisis sign was seen and the crisis lines were not shown yet


def new_visitor_token() -> str:
    """A random token for a web visitor's cookie (the server keeps only :func:`visitor_key`)."""
    return secrets.token_urlsafe(32)


def visitor_key(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _event(contact: Contact, kind: str, at: datetime, **fields) -> bool:
    """Append one event of the chat (once per kind); False when it was already written."""
    try:
        with transaction.atomic():
            ContactEvent.objects.create(
                contact=contact,
                kind=kind,
                at=at,
                event_key=event_key(contact.channel, contact.provider_id, kind),
                **fields,
            )
    except IntegrityError:
        return False
    return True


def _wait(session: ChatSession, at: datetime) -> int:
    return max(0, int((at - session.queued_at).total_seconds()))


def _clean(text: str, limit: int) -> str:
    text = (text or "").strip()
    if not text:
        raise ChatConflict("empty")
    if len(text) > limit:
        raise ChatConflict("too_long")
    return text


def _push(session: ChatSession, messages: list[dict], now: datetime):
    """Queue ``messages`` for the LINE user of ``session`` (LINE chats only, while the id is held)."""
    if session.contact.channel != Contact.Channel.LINE or not session.line_user_id:
        return None
    return line_outbox.enqueue_push(session.line_user_id, messages, now)


def _line_text(msgid: str, **values) -> str:
    with translation.override("ja"):
        return _(msgid) % values if values else _(msgid)


# --- the visitor's side ----------------------------------------------------------------------------


def start_chat(
    *,
    channel: str,
    visitor_key: str,
    field_code: str,
    crisis: bool,
    now: datetime,
    line_user_id: str = "",
    first_message: str = "",
    crisis_lines_shown: bool = False,
) -> ChatSession:
    """A new chat waiting in ``field_code``'s queue (with the visitor's first message, if any)."""
    with transaction.atomic():
        contact = Contact.objects.create(
            channel=channel,
            provider_id=uuid.uuid4().hex,
            # LINE: the user's pseudonym, to count repeat contacts; web: nothing (the token is per chat)
            caller_key=visitor_key if channel == Contact.Channel.LINE else "",
            started_at=now,
        )
        session = ChatSession.objects.create(
            contact=contact,
            field_id=field_code,
            crisis=crisis,
            visitor_key=visitor_key,
            line_user_id=line_user_id if channel == Contact.Channel.LINE else "",
            crisis_lines_sent=crisis_lines_shown,
            queued_at=now,
            visitor_seen_at=now,
        )
        _event(contact, Kind.OFFERED, now, detail={"chat": channel})
        _event(contact, Kind.MENU_CHOICE, now, field_id=field_code, detail={"chat": channel})
        _event(contact, Kind.QUEUED, now, field_id=field_code, detail={"chat": channel, "crisis": crisis})
        if first_message.strip():
            post_visitor_message(session.pk, first_message, now)
            session.refresh_from_db()
    return session


def post_visitor_message(session_id, text: str, now: datetime, *, limit: int = MESSAGE_MAX) -> Posted:
    """The visitor wrote ``text`` (stripped; empty or longer than ``limit`` is refused)."""
    text = _clean(text, limit)
    with transaction.atomic():
        session = ChatSession.objects.select_for_update().select_related("contact").get(pk=session_id)
        if session.status == Status.CLOSED:
            raise ChatConflict("closed")
        message = ChatMessage.objects.create(session=session, author=Author.VISITOR, text=text, at=now)
        changed = ["visitor_seen_at"]
        session.visitor_seen_at = now
        if not session.crisis and detect_crisis(text).is_crisis:
            session.crisis = True
            changed.append("crisis")
        show = session.crisis and not session.crisis_lines_sent
        session.save(update_fields=changed)
    return Posted(message, show)


def mark_crisis_lines_shown(session_id) -> None:
    ChatSession.objects.filter(pk=session_id).update(crisis_lines_sent=True)


def touch(session_id, now: datetime) -> None:
    """The visitor is still there (a page view or a poll)."""
    ChatSession.objects.filter(pk=session_id).exclude(status=Status.CLOSED).update(visitor_seen_at=now)


def leave_chat(session_id, now: datetime, *, why: str = "visitor") -> ChatSession:
    """The visitor ended the chat (or went away: ``why="gone"``). Idempotent for a closed chat."""
    with transaction.atomic():
        session = ChatSession.objects.select_for_update().select_related("contact").get(pk=session_id)
        if session.status == Status.CLOSED:
            return session
        if session.status == Status.QUEUED:
            _event(
                session.contact,
                Kind.ABANDONED,
                now,
                field_id=session.field_id,
                wait_seconds=_wait(session, now),
                detail={"chat": session.contact.channel, "while": "queued", "by": why},
            )
        else:
            ChatMessage.objects.create(session=session, author=Author.SYSTEM, text=LEFT, at=now)
        _close(session, now, by=why)
    return session


def expire_chat(session_id, now: datetime, *, why: str) -> ChatSession:
    """End a chat the visitor went away from (``why``: ``gone`` while waiting, ``idle`` once taken),
    as :func:`leave_chat` does; a LINE user is told, since they may still read their messages."""
    with transaction.atomic():
        session = ChatSession.objects.select_for_update().select_related("contact").get(pk=session_id)
        if session.status != Status.CLOSED:
            text = _line_text(
                "しばらくやりとりがなかったため、チャットを終えました。また話したくなったら、いつでもメッセージを送ってください。"
            )
            restart = line_messages.postback_item(
                _line_text("はじめからやり直す"), line_messages.Postback(line_messages.RESTART)
            )
            _push(session, [line_messages.text_message(text, [restart])], now)
        return leave_chat(session_id, now, why=why)


def _close(session: ChatSession, now: datetime, *, by: str) -> None:
    _event(
        session.contact,
        Kind.COMPLETED,
        now,
        field_id=session.field_id,
        body_id=session.body_id,
        detail={"chat": session.contact.channel, "by": by},
    )
    session.status = Status.CLOSED
    session.closed_at = now
    session.line_user_id = ""
    session.save(update_fields=["status", "closed_at", "line_user_id"])


# --- the counsellor's side -------------------------------------------------------------------------


def take_chat(session_id, counsellor, now: datetime) -> tuple[ChatSession, list]:
    """``counsellor`` takes a waiting chat for the first of their bodies serving it. Returns the
    session and the ids of the LINE messages queued (for inline sending)."""
    with transaction.atomic():
        session = ChatSession.objects.select_for_update().select_related("contact").get(pk=session_id)
        if session.status != Status.QUEUED:
            raise ChatConflict("not_queued")
        body_id = access.body_to_take(counsellor, session)
        if body_id is None:
            raise ChatConflict("not_serving")
        session.status = Status.ACTIVE
        session.body_id = body_id
        session.counsellor = counsellor
        session.answered_at = now
        session.save(update_fields=["status", "body", "counsellor", "answered_at"])
        _event(
            session.contact,
            Kind.ANSWERED,
            now,
            field_id=session.field_id,
            body_id=body_id,
            wait_seconds=_wait(session, now),
            detail={"chat": session.contact.channel},
        )
        ChatMessage.objects.create(session=session, author=Author.SYSTEM, text=TAKEN, at=now)
        text = _line_text("相談員が入りました。ここに書いたメッセージは相談員に届きます。")
        row = _push(session, [line_messages.text_message(text)], now)
    audit(counsellor, "helpline.chat.take", session.pk)
    return session, [row.pk] if row else []


def _own_active(session_id, counsellor) -> ChatSession:
    session = ChatSession.objects.select_for_update().select_related("contact").get(pk=session_id)
    if session.status != Status.ACTIVE:
        raise ChatConflict("not_active")
    bodies = access.bodies_of(counsellor)
    if bodies is not None and session.body_id not in bodies:
        raise ChatConflict("not_yours")
    return session


def post_counsellor_message(session_id, counsellor, text: str, now: datetime) -> tuple[ChatMessage, list]:
    """A counsellor of the chat's body writes ``text``; pushed to a LINE user at once."""
    text = _clean(text, MESSAGE_MAX)
    with transaction.atomic():
        session = _own_active(session_id, counsellor)
        message = ChatMessage.objects.create(
            session=session, author=Author.COUNSELLOR, counsellor=counsellor, text=text, at=now
        )
        row = _push(session, [line_messages.text_message(_line_text("相談員より:") + "\n" + text)], now)
    audit(counsellor, "helpline.chat.message", session.pk)
    return message, [row.pk] if row else []


def close_chat(session_id, counsellor, now: datetime) -> tuple[ChatSession, list]:
    """A counsellor of the chat's body ends it (``completed``); the LINE user is told."""
    with transaction.atomic():
        session = _own_active(session_id, counsellor)
        ChatMessage.objects.create(session=session, author=Author.SYSTEM, text=CLOSED, at=now)
        text = _line_text(
            "相談員がチャットを終えました。話してくれてありがとうございました。また話したくなったら、いつでもメッセージを送ってください。"
        )
        restart = line_messages.postback_item(
            _line_text("はじめからやり直す"), line_messages.Postback(line_messages.RESTART)
        )
        row = _push(session, [line_messages.text_message(text, [restart])], now)
        _close(session, now, by="counsellor")
    audit(counsellor, "helpline.chat.close", session.pk)
    return session, [row.pk] if row else []
