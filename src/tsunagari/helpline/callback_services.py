"""Writes of callback requests (see ``callback_models``): request, take, close, expire.

A request is made once per call (the contact), only after the caller pressed the callback key; the
number is stored encrypted and erased when the request is closed (called back, or not reached) or
expires. Taking a request and showing its number are audited with ids only (``console_services.audit``);
nothing here logs a number.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from tsunagari.helpline import access
from tsunagari.helpline.callback_models import CallbackRequest
from tsunagari.helpline.console_services import audit
from tsunagari.helpline.models import Contact

Status = CallbackRequest.Status


class CallbackConflict(Exception):
    """The request cannot be acted on by this user now; ``code`` says why (for the message)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def callback_hours() -> float:
    return float(getattr(settings, "TSUNAGARI_CALLBACK_HOURS", 24))


def request_callback(
    contact: Contact, number: str, field_code: str | None, crisis: bool, now: datetime
) -> CallbackRequest:
    """The callback request of ``contact`` (made now unless it exists: a repeated webhook is a no-op)."""
    if not number:
        raise ValueError("a callback needs the caller's number")
    request, _created = CallbackRequest.objects.get_or_create(
        contact=contact,
        defaults={"field_id": field_code, "crisis": crisis, "number": number, "requested_at": now},
    )
    return request


def take(user, callback_id, now: datetime) -> CallbackRequest:
    """``user`` takes a waiting request for one of their bodies serving its field; returns it with
    its number readable. CallbackConflict('not_waiting' | 'not_serving')."""
    with transaction.atomic():
        request = CallbackRequest.objects.select_for_update().get(pk=callback_id)
        if request.status != Status.WAITING:
            raise CallbackConflict("not_waiting")
        body = access.body_to_serve(user, request.field_id, request.crisis)
        if body is None:
            raise CallbackConflict("not_serving")
        request.status, request.body_id = Status.TAKEN, body
        request.taken_by, request.taken_at = user, now
        request.save(update_fields=["status", "body", "taken_by", "taken_at"])
    audit(user, "helpline.callback.take", request.pk)
    return request


def number_for(user, request: CallbackRequest) -> str:
    """The number to call, for the counsellor who took the request (audited); "" for anyone else."""
    if request.status != Status.TAKEN or request.taken_by_id != user.pk:
        return ""
    audit(user, "helpline.callback.number_shown", request.pk)
    return request.number


def close(user, callback_id, reached: bool, now: datetime) -> CallbackRequest:
    """The counsellor who took it closes it (called back, or not reached); the number is erased."""
    with transaction.atomic():
        request = CallbackRequest.objects.select_for_update().get(pk=callback_id)
        if request.status != Status.TAKEN or request.taken_by_id != user.pk:
            raise CallbackConflict("not_yours")
        request.status = Status.DONE if reached else Status.UNREACHED
        request.closed_at, request.number, request.attempts = now, "", request.attempts + 1
        request.save(update_fields=["status", "closed_at", "number", "attempts"])
    audit(user, "helpline.callback.close", request.pk)
    return request


def expire(now: datetime) -> int:
    """Erase the numbers of open requests older than ``callback_hours()``; returns how many."""
    cutoff = now - timedelta(hours=callback_hours())
    count = 0
    for request in CallbackRequest.objects.filter(status__in=CallbackRequest.OPEN, requested_at__lt=cutoff):
        request.status, request.closed_at, request.number = Status.EXPIRED, now, ""
        request.save(update_fields=["status", "closed_at", "number"])
        count += 1
    return count
