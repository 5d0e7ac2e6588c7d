"""Server-side navigator state of LINE users, keyed by a pseudonym (reads and writes).

The web navigator keeps its state in the page; a LINE conversation has no page, so the same
``navigator.conversation.Conversation`` is kept here, keyed by :func:`pseudonym` — an HMAC-SHA256 of
the LINE userId under SECRET_KEY, so the raw id is neither a key nor anywhere in this table.

Retention: a state unused for ``MAX_AGE`` (2 hours, the web navigator's ``MAX_AGE``) is treated as
absent — the conversation starts over — and deleted by the retention job
(``tsunagari helpline chat-purge``); an ``unfollow`` deletes it at once. Like the web navigator, the
state holds answers (option ids, an area code), the topics found in free texts and the crisis flag,
never the words the person typed.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from django.conf import settings

from tsunagari.helpline.chat_models import LineConversation
from tsunagari.navigator import conversation as navigator_conversation
from tsunagari.navigator.conversation import Conversation

MAX_AGE = timedelta(seconds=navigator_conversation.MAX_AGE)


def pseudonym(user_id: str) -> str:
    """The pseudonymous key of a LINE user: HMAC-SHA256(SECRET_KEY-derived key, userId), hex."""
    key = f"tsunagari.helpline.line-user:{settings.SECRET_KEY}".encode()
    return hmac.new(key, user_id.encode("utf-8"), hashlib.sha256).hexdigest()


@dataclass
class LineState:
    conversation: Conversation = field(default_factory=Conversation)
    page: int = 0  # the page of options shown for the current step
    crisis_sent: bool = False  # the crisis lines were sent in this conversation

    def to_json(self) -> dict:
        return {"conversation": asdict(self.conversation), "page": self.page, "crisis_sent": self.crisis_sent}

    @classmethod
    def from_json(cls, data: dict) -> LineState:
        raw = data.get("conversation") if isinstance(data, dict) else None
        if not isinstance(raw, dict):
            return cls()
        conversation = Conversation(
            answers={str(k): [str(v) for v in vs] for k, vs in dict(raw.get("answers", {})).items()},
            triaged=[str(t) for t in raw.get("triaged", [])],
            crisis=bool(raw.get("crisis", False)),
            step=raw.get("step"),
            teen=bool(raw.get("teen", False)),
            counted=[str(c) for c in raw.get("counted", [])],
        )
        page = data.get("page", 0)
        return cls(conversation, page if isinstance(page, int) else 0, bool(data.get("crisis_sent", False)))


def load(key: str, now: datetime) -> LineState:
    """The state of ``key``, or a fresh one when there is none or it is older than ``MAX_AGE``."""
    row = LineConversation.objects.filter(key=key, updated_at__gt=now - MAX_AGE).first()
    return LineState.from_json(row.state) if row is not None else LineState()


def save(key: str, state: LineState, now: datetime) -> None:
    LineConversation.objects.update_or_create(key=key, defaults={"state": state.to_json(), "updated_at": now})


def forget(key: str) -> None:
    LineConversation.objects.filter(key=key).delete()
