"""The LINE Messaging API webhook: ``POST /helpline/hooks/line/`` (set it as the channel's webhook URL).

Every request must carry a valid ``X-Line-Signature``: base64(HMAC-SHA256(channel secret, raw
body)), checked on the raw bytes before anything is parsed (``signatures.verify_line``, a
constant-time comparison). A missing or forged signature, or no configured
``TSUNAGARI_LINE_CHANNEL_SECRET``, is answered 403 and nothing is read or written. A signed body
that is not a JSON object with an ``events`` list is answered 400. Otherwise the events are handled
(:mod:`.line_services`) and the answer is 200 with ``X-Tsunagari-Recorded`` (events handled),
``X-Tsunagari-Duplicates`` (repeats ignored) and ``X-Tsunagari-Refused`` (malformed, too old or in
the future). LINE's "Verify" request (no events) gets 200.

Replies are stored in the outbox and sent by ``tsunagari helpline line-send`` (or at once with
``TSUNAGARI_LINE_SEND_INLINE``). Nothing of the request body is logged.
"""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from tsunagari.helpline import line_sender, line_services
from tsunagari.helpline.signatures import LINE_HEADER, verify_line

logger = logging.getLogger(__name__)


def _refuse(why: str) -> HttpResponse:
    logger.warning("refused a LINE webhook request: %s", why)
    return HttpResponseForbidden("forbidden", content_type="text/plain")


@csrf_exempt
@require_POST
def line_webhook(request: HttpRequest) -> HttpResponse:
    secret = getattr(settings, "TSUNAGARI_LINE_CHANNEL_SECRET", "")
    if not secret:
        return _refuse("TSUNAGARI_LINE_CHANNEL_SECRET is not set")
    body = request.body
    if not verify_line(secret, body, request.headers.get(LINE_HEADER)):
        return _refuse("missing or invalid signature")
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        return HttpResponseBadRequest("malformed JSON", content_type="text/plain")
    events = payload.get("events") if isinstance(payload, dict) else None
    if not isinstance(events, list):
        return HttpResponseBadRequest("missing events", content_type="text/plain")
    tally = line_services.handle_events(events, timezone.now())
    line_sender.send_inline(tally.outbox_ids)
    response = HttpResponse("{}", content_type="application/json")
    response["X-Tsunagari-Recorded"] = str(tally.recorded)
    response["X-Tsunagari-Duplicates"] = str(tally.duplicates)
    response["X-Tsunagari-Refused"] = str(tally.refused)
    return response
