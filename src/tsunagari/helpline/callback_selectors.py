"""Reads of callback requests for the console: what a user may see (need-to-know, :mod:`.access`)."""

from __future__ import annotations

from django.db.models import Q

from tsunagari.helpline import access
from tsunagari.helpline.callback_models import CallbackRequest


def console_callbacks(user) -> list[CallbackRequest]:
    """Open requests the user may see: waiting ones whose field (or crisis) one of their bodies
    serves, and those taken by their bodies; crisis first, then oldest first. Numbers are not read."""
    open_requests = CallbackRequest.objects.filter(status__in=CallbackRequest.OPEN).select_related(
        "field", "body"
    )
    bodies = access.bodies_of(user)
    if bodies is None:
        return list(open_requests)
    codes, crisis = access.served_by(bodies)
    waiting = Q(status=CallbackRequest.Status.WAITING) & (
        Q(field_id__in=codes) | (Q(crisis=True) if crisis else Q(pk__in=[]))
    )
    taken = Q(status=CallbackRequest.Status.TAKEN, body_id__in=bodies)
    return list(open_requests.filter(waiting | taken))


def callback_for(user, callback_id) -> CallbackRequest | None:
    """The request if the user may see it (one of :func:`console_callbacks`), else None."""
    return next((r for r in console_callbacks(user) if str(r.pk) == str(callback_id)), None)
