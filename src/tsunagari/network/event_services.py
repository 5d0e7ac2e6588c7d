"""Write services for events and registrations.

Seat decisions are serialised per event: each decision first bumps ``Event.seats_version`` with
an UPDATE. On PostgreSQL that row lock is held until the transaction ends, so a second decision
for the same event waits and then sees the first one's result; on SQLite the write takes the
database's write lock before anything is read, with the same effect. Under that lock the rules of
``tsunagari.network.waitlist`` decide: a registration is confirmed while seats remain, else it
waits; a cancellation of a confirmed seat (or a larger capacity) promotes the longest-waiting.
Two people registering for the last seat at once: exactly one is confirmed. Each registration,
and each promotion, is told by e-mail once the transaction has committed (``event_mail``).

A broken rule raises ``NetworkRuleError`` and writes nothing.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tsunagari.network import event_mail, waitlist
from tsunagari.network.models import Committee, Event, Membership, Platform, Registration
from tsunagari.network.services import NetworkRuleError


class RegistrationClosed(NetworkRuleError):
    """The event takes no more registrations (cancelled, deadline or start reached)."""


class AlreadyRegistered(NetworkRuleError):
    """The address already has a live registration for the event."""


#: Changing any of these changes what calendars show: the iCalendar SEQUENCE goes up.
PUBLISHED_FIELDS = ("title", "description", "starts_at", "ends_at", "venue", "online_url", "cancelled")


def check_event(event: Event) -> None:
    for name in ("starts_at", "ends_at", "registration_closes_at"):
        value = getattr(event, name)
        if value is not None and timezone.is_naive(value):
            raise NetworkRuleError(f"{name} needs a time zone")
    if event.ends_at < event.starts_at:
        raise NetworkRuleError("the event ends before it starts")
    if not event.venue.strip() and not event.online_url:
        raise NetworkRuleError("an event needs a venue or an online URL")
    if event.kind not in Event.Kind.values:
        raise NetworkRuleError(f"unknown event kind '{event.kind}'")
    if event.committee_id and event.committee.platform_id != event.platform_id:
        raise NetworkRuleError("the committee belongs to another platform")


def create_event(
    platform: Platform,
    kind: str,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    *,
    committee: Committee | None = None,
    **fields,
) -> Event:
    """A new event; ``fields``: description, venue, online_url, capacity, registration_closes_at,
    is_public."""
    event = Event(
        platform=platform,
        kind=kind,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        committee=committee,
        **fields,
    )
    check_event(event)
    event.save()
    return event


def _lock(event_id: int) -> Event:
    """Serialise seat decisions for the event (module docstring) and return it, fresh."""
    if not Event.objects.filter(pk=event_id).update(seats_version=F("seats_version") + 1):
        raise NetworkRuleError(f"no event {event_id}")
    return Event.objects.get(pk=event_id)


def _fill_seats(event: Event, now: datetime) -> list[Registration]:
    """Promote waiting registrations into free seats (caller holds the lock)."""
    rows = event.registrations.all()
    confirmed = rows.filter(status=Registration.Status.CONFIRMED).count()
    waiting = [
        waitlist.Waiting(pk, at)
        for pk, at in rows.filter(status=Registration.Status.WAITLISTED).values_list("pk", "registered_at")
    ]
    ids = waitlist.to_promote(event.capacity, confirmed, waiting, now, event.starts_at)
    Registration.objects.filter(pk__in=ids).update(status=Registration.Status.CONFIRMED, promoted_at=now)
    event_mail.notify_after_commit(ids, "promoted")
    promoted = {r.pk: r for r in Registration.objects.filter(pk__in=ids)}
    return [promoted[pk] for pk in ids]


@transaction.atomic
def update_event(event: Event, now: datetime | None = None, **fields) -> Event:
    """Change an event; published changes raise its SEQUENCE; a larger capacity promotes waiting
    registrations."""
    now = now or timezone.now()
    locked = _lock(event.pk)
    changed = any(
        name in PUBLISHED_FIELDS and getattr(locked, name) != value for name, value in fields.items()
    )
    for name, value in fields.items():
        setattr(locked, name, value)
    check_event(locked)
    if changed:
        locked.sequence += 1
    locked.save()
    _fill_seats(locked, now)
    return locked


def cancel_event(event: Event) -> Event:
    """Call the event off; it stays in the calendar feed as CANCELLED so subscribers see it."""
    return update_event(event, cancelled=True)


@transaction.atomic
def register(
    event: Event, name: str, email: str, *, membership: Membership | None = None, now: datetime | None = None
) -> Registration:
    """Register a person: confirmed while seats remain, else on the waiting list."""
    now = now or timezone.now()
    event = _lock(event.pk)
    if not waitlist.registration_open(now, event.starts_at, event.registration_closes_at, event.cancelled):
        raise RegistrationClosed("registration for this event is closed")
    if not name.strip() or not email.strip():
        raise NetworkRuleError("a registration needs a name and an e-mail address")
    email = email.strip()
    live = event.registrations.exclude(status=Registration.Status.CANCELLED)
    if live.filter(email__iexact=email).exists():
        raise AlreadyRegistered(f"{email} is already registered for this event")
    confirmed = live.filter(status=Registration.Status.CONFIRMED).count()
    registration = Registration.objects.create(
        event=event,
        name=name.strip(),
        email=email,
        membership=membership,
        status=waitlist.status_for_new(event.capacity, confirmed),
        registered_at=now,
    )
    event_mail.notify_after_commit([registration.pk], registration.status)
    return registration


@transaction.atomic
def cancel_registration(registration: Registration, now: datetime | None = None) -> list[Registration]:
    """Cancel a registration; returns the waiting registrations promoted into the freed seat."""
    now = now or timezone.now()
    event = _lock(registration.event_id)
    registration = Registration.objects.get(pk=registration.pk)
    if registration.status == Registration.Status.CANCELLED:
        raise NetworkRuleError("this registration is already cancelled")
    registration.status, registration.cancelled_at = Registration.Status.CANCELLED, now
    registration.save(update_fields=["status", "cancelled_at"])
    return _fill_seats(event, now)


def mark_attendance(registration: Registration, attended: bool) -> Registration:
    """Record whether a confirmed participant came."""
    if registration.status != Registration.Status.CONFIRMED:
        raise NetworkRuleError("only confirmed registrations have attendance")
    registration.attended = attended
    registration.save(update_fields=["attended"])
    return registration
