"""Which field (分野) a chat is queued under, and the order waiting chats are taken (pure; no Django).

Contract
--------
``field_for_chat(fields, chosen=, topics=, crisis=)`` picks the field of a new chat from the line's
fields (in menu order): with a crisis sign, the first crisis field (crisis handling is never
switched off, not even by the visitor's own choice); else the field the visitor chose, if it is
one of ``fields``; else the first field whose code is one of the visitor's topics (in the topics'
order: the navigator's answers and free-text triage); else the general (孤独・孤立) field; else
the first field. ``None`` when there are no fields at all (the line is not configured).

``chat_queue(chats)`` orders waiting chats as the voice queue is ordered
(:func:`routing.queue_order`): chats with a crisis sign first, then by the time they joined.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from tsunagari.helpline import routing


@dataclass(frozen=True)
class FieldInfo:
    code: str
    crisis: bool = False
    general: bool = False


def field_for_chat(
    fields: Sequence[FieldInfo],
    *,
    chosen: str | None = None,
    topics: Iterable[str] = (),
    crisis: bool = False,
) -> str | None:
    if not fields:
        return None
    codes = [f.code for f in fields]
    if crisis:
        crisis_field = next((f.code for f in fields if f.crisis), None)
        if crisis_field is not None:
            return crisis_field
    if chosen in codes:
        return chosen
    for topic in topics:
        if topic in codes:
            return topic
    general = next((f.code for f in fields if f.general), None)
    return general if general is not None else codes[0]


@dataclass(frozen=True)
class WaitingChat:
    id: str
    field: str
    queued_at: datetime
    crisis: bool = False


def chat_queue(chats: Iterable[WaitingChat]) -> tuple[str, ...]:
    """Ids of ``chats`` in the order they should be taken (crisis first, then oldest first)."""
    calls = [routing.WaitingCall(c.id, c.field, c.queued_at, crisis=c.crisis) for c in chats]
    return tuple(call.call_id for call in routing.queue_order(calls))
