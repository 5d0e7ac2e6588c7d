"""Sends the LINE outbox through the Messaging API (the only outbound HTTP call of the LINE channel).

Contract
--------
``send_due(now=None, limit=100, ids=None)`` posts every pending outbox row that is due, each once:

- a reply: ``POST {base}/v2/bot/message/reply`` with ``{"replyToken": …, "messages": […]}``;
- a push: ``POST {base}/v2/bot/message/push`` with ``{"to": userId, "messages": […]}`` and the
  row's ``X-Line-Retry-Key`` (a UUID kept across retries, so LINE accepts a retried push once);
- headers ``Authorization: Bearer <channel access token>`` and
  ``Content-Type: application/json``; the body is UTF-8 JSON.

``base`` is ``settings.TSUNAGARI_LINE_API_BASE`` (default ``https://api.line.me``) and the token
``settings.TSUNAGARI_LINE_CHANNEL_ACCESS_TOKEN``; without a token nothing is sent (``SendReport.
skipped``) and the rows stay pending.

Outcome of one attempt (:func:`classify`): 2xx → sent; a push answered 409 (its retry key was
already accepted) → sent; 5xx, 429 (rate limit) or no answer at all (network error, timeout) →
tried again after ``BACKOFF[attempt]`` seconds, given up after ``MAX_ATTEMPTS`` attempts; any other
4xx → given up at once (the request itself is wrong; an expired reply token answers 400). A finished
row keeps no token, recipient or text (see :mod:`.line_outbox`). Nothing of the message or the
recipient is logged.

The CLI runs it: ``tsunagari helpline line-send [--loop]``; with ``TSUNAGARI_LINE_SEND_INLINE`` the
webhook and the console also send their rows right after writing them.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from tsunagari.helpline import line_outbox
from tsunagari.helpline.chat_models import LineOutbox

logger = logging.getLogger(__name__)

REPLY_PATH = "/v2/bot/message/reply"
PUSH_PATH = "/v2/bot/message/push"
MAX_ATTEMPTS = 5
BACKOFF = (1, 2, 4, 8)  # seconds before the 2nd, 3rd, 4th and 5th attempt
TIMEOUT = 10.0
SENT, RETRY, FAILED = "sent", "retry", "failed"


@dataclass
class SendReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: bool = False  # no access token configured

    def as_dict(self) -> dict:
        return {"sent": self.sent, "retried": self.retried, "failed": self.failed, "skipped": self.skipped}


def classify(status: int | None, kind: str) -> str:
    """``sent``, ``retry`` or ``failed`` for the HTTP status of an attempt (``None``: no answer)."""
    if status is None or status >= 500 or status == 429:
        return RETRY
    if 200 <= status < 300:
        return SENT
    if status == 409 and kind == LineOutbox.Kind.PUSH:
        return SENT
    return FAILED


def build_request(row: LineOutbox, base_url: str, token: str) -> urllib.request.Request:
    """The HTTP request for ``row`` (see the module docstring for its exact shape)."""
    if row.kind == LineOutbox.Kind.REPLY:
        path, payload = REPLY_PATH, {"replyToken": row.reply_token, "messages": row.messages}
    else:
        path, payload = PUSH_PATH, {"to": row.recipient, "messages": row.messages}
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    if row.kind == LineOutbox.Kind.PUSH:
        headers["X-Line-Retry-Key"] = str(row.retry_key)
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return urllib.request.Request(base_url.rstrip("/") + path, data=body, headers=headers, method="POST")


def post(request: urllib.request.Request, timeout: float = TIMEOUT) -> int | None:
    """The HTTP status of ``request``; ``None`` when no answer came (network error, timeout)."""
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        exc.read()
        return exc.code
    except (urllib.error.URLError, OSError, ValueError):
        return None


def send_due(
    now: datetime | None = None, *, limit: int = 100, ids=None, timeout: float = TIMEOUT
) -> SendReport:
    """Send the outbox rows due by ``now`` (only ``ids`` when given); see the module docstring."""
    report = SendReport()
    token = getattr(settings, "TSUNAGARI_LINE_CHANNEL_ACCESS_TOKEN", "")
    if not token:
        report.skipped = True
        return report
    base = getattr(settings, "TSUNAGARI_LINE_API_BASE", "") or "https://api.line.me"
    now = now or timezone.now()
    for row in line_outbox.claim_due(now, limit=limit, ids=ids):
        status = post(build_request(row, base, token), timeout=timeout)
        outcome = classify(status, row.kind)
        if outcome == RETRY and row.attempts + 1 < MAX_ATTEMPTS:
            delay = BACKOFF[min(row.attempts, len(BACKOFF) - 1)]
            line_outbox.retry_later(row, http_status=status, at=now + timedelta(seconds=delay))
            report.retried += 1
            continue
        line_outbox.finish(row, sent=outcome == SENT, http_status=status, now=now)
        if outcome == SENT:
            report.sent += 1
        else:
            report.failed += 1
            logger.warning("LINE %s message %s given up (HTTP %s)", row.kind, row.pk, status)
    return report


def send_inline(ids) -> SendReport | None:
    """With ``TSUNAGARI_LINE_SEND_INLINE``, send these freshly written rows now (one attempt each;
    the ``line-send`` worker retries what failed)."""
    ids = [i for i in ids if i is not None]
    if not ids or not getattr(settings, "TSUNAGARI_LINE_SEND_INLINE", False):
        return None
    return send_due(ids=ids, timeout=5.0)
