"""Reads of counsellor chats: a visitor's own chat, transcripts, queue positions, and the console's
chat queue filtered by need-to-know (:mod:`.access`).

- ``visitor_chat(channel, key)``: the visitor's latest chat (web: by the hash of their cookie token;
  LINE: by their pseudonym) whose transcript still exists; ``open_line_chat``: the open one only.
- ``transcript(session, after=0)``: the messages after message id ``after``, oldest first.
- ``queue_position(session)``: 1 + the waiting chats of the same field that go before it (crisis
  first, then oldest first, as :func:`chat_routing.chat_queue` orders them); ``None`` unless waiting.
- ``console_chats(user)``: what a counsellor sees — the waiting chats their bodies serve (in the
  order to take them) and the taken chats of their bodies.
- ``chat_for(user, session_id)``: one chat if ``user`` may see it (else ``None``: the view answers 404).
- ``served_fields()``: the fields an active line serves, in menu order (where a chat can be queued).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from tsunagari.helpline import access
from tsunagari.helpline.chat_models import ChatMessage, ChatSession
from tsunagari.helpline.chat_routing import WaitingChat, chat_queue
from tsunagari.helpline.models import Contact, Field

Status = ChatSession.Status


def visitor_chat(channel: str, key: str) -> ChatSession | None:
    if not key:
        return None
    return (
        ChatSession.objects.select_related("contact", "field")
        .filter(contact__channel=channel, visitor_key=key, transcript_purged_at__isnull=True)
        .order_by("-queued_at")
        .first()
    )


def open_line_chat(key: str) -> ChatSession | None:
    return (
        ChatSession.objects.select_related("contact")
        .filter(contact__channel=Contact.Channel.LINE, visitor_key=key)
        .exclude(status=Status.CLOSED)
        .order_by("-queued_at")
        .first()
    )


def transcript(session: ChatSession, after: int = 0) -> list[ChatMessage]:
    return list(session.messages.filter(pk__gt=after).order_by("at", "pk"))


def _waiting(queryset) -> list[ChatSession]:
    sessions = {
        str(s.pk): s for s in queryset.filter(status=Status.QUEUED).select_related("contact", "field")
    }
    order = chat_queue(
        WaitingChat(pk, s.field_id, s.queued_at, crisis=s.crisis) for pk, s in sessions.items()
    )
    return [sessions[pk] for pk in order]


def queue_position(session: ChatSession) -> int | None:
    if session.status != Status.QUEUED:
        return None
    ahead = _waiting(ChatSession.objects.filter(field_id=session.field_id))
    ids = [s.pk for s in ahead]
    return ids.index(session.pk) + 1 if session.pk in ids else None


@dataclass(frozen=True)
class ConsoleChats:
    waiting: list[ChatSession]
    active: list[ChatSession]


def console_chats(user) -> ConsoleChats:
    bodies = access.bodies_of(user)
    if bodies is None:
        waiting = _waiting(ChatSession.objects.all())
        active = ChatSession.objects.filter(status=Status.ACTIVE)
    else:
        fields, crisis_ok = access.served_by(bodies)
        serves = Q(field_id__in=fields)
        if crisis_ok:
            serves |= Q(crisis=True)
        waiting = _waiting(ChatSession.objects.filter(serves))
        active = ChatSession.objects.filter(status=Status.ACTIVE, body_id__in=bodies)
    active = list(active.select_related("contact", "field", "body", "counsellor").order_by("answered_at"))
    return ConsoleChats(waiting, active)


def chat_for(user, session_id) -> ChatSession | None:
    session = (
        ChatSession.objects.select_related("contact", "field", "body", "counsellor")
        .filter(pk=session_id)
        .first()
    )
    if session is None or not access.may_see_chat(user, session):
        return None
    return session


def served_fields() -> list[Field]:
    return list(Field.objects.filter(lines__active=True).distinct().order_by("position", "code"))
