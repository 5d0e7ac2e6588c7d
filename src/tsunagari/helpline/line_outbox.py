"""The LINE outbox: messages waiting to be sent through the Reply or Push API (writes and reads).

- ``enqueue_reply`` / ``enqueue_push``: store messages to send (at most five per row, as LINE
  allows per request; see :func:`line_messages.fit`); they are due at once.
- ``claim_due``: the rows due now, each claimed for ``LEASE`` by a conditional UPDATE so that two
  senders never post the same row at the same time (works on SQLite and PostgreSQL alike).
- ``finish`` / ``retry_later``: the outcome of one attempt. A finished row (sent or given up) loses
  its reply token, recipient and messages at once; only status, attempts and the last HTTP status
  stay (the row itself is deleted by the retention job).

The recipient of a push is a raw LINE userId: it is kept only until the row is finished and is
never logged.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tsunagari.helpline.chat_models import LineOutbox
from tsunagari.helpline.line_messages import fit

LEASE = timedelta(seconds=60)
Status = LineOutbox.Status


def enqueue_reply(reply_token: str, messages: list[dict], now: datetime) -> LineOutbox | None:
    if not reply_token or not messages:
        return None
    return LineOutbox.objects.create(
        kind=LineOutbox.Kind.REPLY,
        reply_token=reply_token,
        messages=fit(messages),
        created_at=now,
        next_attempt_at=now,
    )


def enqueue_push(user_id: str, messages: list[dict], now: datetime) -> LineOutbox | None:
    if not user_id or not messages:
        return None
    return LineOutbox.objects.create(
        kind=LineOutbox.Kind.PUSH,
        recipient=user_id,
        messages=fit(messages),
        created_at=now,
        next_attempt_at=now,
    )


def claim_due(now: datetime, *, limit: int = 100, ids=None) -> list[LineOutbox]:
    """Pending rows due by ``now`` (oldest first; only ``ids`` when given), each claimed for ``LEASE``."""
    queryset = LineOutbox.objects.filter(status=Status.PENDING, next_attempt_at__lte=now)
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    claimed = []
    for row in queryset.order_by("created_at", "pk")[:limit]:
        taken = LineOutbox.objects.filter(
            pk=row.pk, status=Status.PENDING, next_attempt_at=row.next_attempt_at
        ).update(next_attempt_at=now + LEASE)
        if taken:
            claimed.append(row)
    return claimed


def finish(row: LineOutbox, *, sent: bool, http_status: int | None, now: datetime) -> None:
    """The row was sent (or given up): record it and forget the token, recipient and messages."""
    LineOutbox.objects.filter(pk=row.pk).update(
        status=Status.SENT if sent else Status.FAILED,
        attempts=row.attempts + 1,
        last_status=http_status,
        done_at=now,
        reply_token="",
        recipient="",
        messages=[],
    )


def retry_later(row: LineOutbox, *, http_status: int | None, at: datetime) -> None:
    LineOutbox.objects.filter(pk=row.pk).update(
        attempts=row.attempts + 1, last_status=http_status, next_attempt_at=at
    )
