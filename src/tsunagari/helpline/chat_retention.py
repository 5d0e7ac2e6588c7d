"""Retention of chats and of the LINE channel's data, in one place (``tsunagari helpline chat-purge``).

Rules (run the job at least hourly; each rule is idempotent):

- **Transcripts** (consultation content): the messages of a chat are deleted
  ``TSUNAGARI_CHAT_TRANSCRIPT_DAYS`` days (default 30) after it closed, and the session is marked
  ``transcript_purged_at``; the visitor key is blanked then too. The contact, its events and the
  consultation record stay (the record is the lasting account of the consultation).
- **Visitors who went away**: a web chat still waiting whose visitor has not been seen (page view,
  poll, message) for ``GONE_AFTER`` is ended as abandoned; a LINE chat (LINE users have no page
  open, they come back to their messages) after ``IDLE_AFTER`` without a message from them; a taken
  chat without any message for ``IDLE_AFTER`` is ended. A LINE user is told.
- **LINE navigator state**: deleted ``line_state.MAX_AGE`` (2 h) after its last use (it is already
  ignored from then on).
- **LINE event ids** (replay protection): deleted when they expire (``timestamp`` + 1 day).
- **LINE outbox**: finished rows are deleted after ``OUTBOX_DAYS``; rows still pending after
  ``OUTBOX_GIVE_UP`` are given up (their token, recipient and messages cleared).
- **Callback requests**: open ones older than ``TSUNAGARI_CALLBACK_HOURS`` (default 24) expire and
  their number is erased (``callback_services.expire``).

Nothing here is logged but counts.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Max, Q
from django.utils import timezone

from tsunagari.helpline import callback_services, chat_services, line_state
from tsunagari.helpline.chat_models import (
    ChatMessage,
    ChatSession,
    LineConversation,
    LineOutbox,
    LineWebhookEvent,
)
from tsunagari.helpline.models import Contact

DEFAULT_TRANSCRIPT_DAYS = 30
GONE_AFTER = timedelta(minutes=30)
IDLE_AFTER = timedelta(hours=24)
OUTBOX_DAYS = 7
OUTBOX_GIVE_UP = timedelta(days=1)


def transcript_days() -> int:
    return int(getattr(settings, "TSUNAGARI_CHAT_TRANSCRIPT_DAYS", DEFAULT_TRANSCRIPT_DAYS))


@dataclass
class PurgeReport:
    transcripts: int = 0
    messages: int = 0
    abandoned: int = 0
    idle_closed: int = 0
    line_states: int = 0
    line_event_ids: int = 0
    outbox_deleted: int = 0
    outbox_given_up: int = 0
    callbacks_expired: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def purge(now: datetime | None = None) -> PurgeReport:
    now = now or timezone.now()
    report = PurgeReport()
    Status = ChatSession.Status

    waiting = ChatSession.objects.filter(status=Status.QUEUED)
    gone = waiting.filter(
        Q(contact__channel=Contact.Channel.WEB, visitor_seen_at__lt=now - GONE_AFTER)
        | Q(contact__channel=Contact.Channel.LINE, visitor_seen_at__lt=now - IDLE_AFTER)
    )
    for pk in list(gone.values_list("pk", flat=True)):
        chat_services.expire_chat(pk, now, why="gone")
        report.abandoned += 1
    idle = (
        ChatSession.objects.filter(status=Status.ACTIVE, answered_at__lt=now - IDLE_AFTER)
        .annotate(last=Max("messages__at"))
        .filter(Q(last__isnull=True) | Q(last__lt=now - IDLE_AFTER))
    )
    for pk in list(idle.values_list("pk", flat=True)):
        chat_services.expire_chat(pk, now, why="idle")
        report.idle_closed += 1

    expired = ChatSession.objects.filter(
        status=Status.CLOSED,
        closed_at__lt=now - timedelta(days=transcript_days()),
        transcript_purged_at__isnull=True,
    )
    ids = list(expired.values_list("pk", flat=True))
    if ids:
        report.messages, _ = ChatMessage.objects.filter(session_id__in=ids).delete()
        report.transcripts = ChatSession.objects.filter(pk__in=ids).update(
            transcript_purged_at=now, visitor_key=""
        )

    report.line_states, _ = LineConversation.objects.filter(updated_at__lte=now - line_state.MAX_AGE).delete()
    report.line_event_ids, _ = LineWebhookEvent.objects.filter(expires_at__lte=now).delete()
    report.outbox_deleted, _ = LineOutbox.objects.filter(
        done_at__lt=now - timedelta(days=OUTBOX_DAYS)
    ).delete()
    report.outbox_given_up = LineOutbox.objects.filter(
        status=LineOutbox.Status.PENDING, created_at__lt=now - OUTBOX_GIVE_UP
    ).update(status=LineOutbox.Status.FAILED, done_at=now, reply_token="", recipient="", messages=[])
    report.callbacks_expired = callback_services.expire(now)
    return report
