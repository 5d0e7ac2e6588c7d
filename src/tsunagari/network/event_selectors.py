"""Read queries for events: the public list, the calendar feed, seats left."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from tsunagari.network import ical
from tsunagari.network.models import Event, EventMaterial, Registration

#: The feed keeps past events this long, so a calendar does not lose what just happened.
FEED_PAST_DAYS = 365


def _public() -> QuerySet[Event]:
    confirmed = Count("registrations", filter=Q(registrations__status=Registration.Status.CONFIRMED))
    return Event.objects.filter(is_public=True).select_related("platform").annotate(confirmed_count=confirmed)


def upcoming_events(now: datetime) -> QuerySet[Event]:
    """Public events that have not ended, soonest first, with ``confirmed_count``."""
    return _public().filter(ends_at__gte=now).order_by("starts_at", "id")


def public_event(event_id: int) -> Event | None:
    """A public event (past ones too), with ``confirmed_count``."""
    return _public().filter(pk=event_id).first()


def public_materials(event: Event) -> QuerySet[EventMaterial]:
    return event.materials.filter(is_public=True)


def seats_left(event: Event) -> int | None:
    """Free seats (None: no limit), from ``confirmed_count`` when the query annotated it."""
    if event.capacity is None:
        return None
    confirmed = getattr(event, "confirmed_count", None)
    if confirmed is None:
        confirmed = event.registrations.filter(status=Registration.Status.CONFIRMED).count()
    return max(0, event.capacity - confirmed)


def uid(event: Event) -> str:
    """The event's iCalendar UID: its UUID, which never changes, whatever the host."""
    return f"{event.uid}@tsunagari"


def feed_events(now: datetime, page_url: Callable[[int], str]) -> list[ical.CalendarEvent]:
    """Public events of the last ``FEED_PAST_DAYS`` days and the future, for the iCalendar feed.
    ``page_url(event_id)`` gives the event's public page. The online meeting URL is not published
    (participants get it after registering); an online-only event's location is "オンライン"."""
    rows = Event.objects.filter(is_public=True, ends_at__gte=now - timedelta(days=FEED_PAST_DAYS))
    return [
        ical.CalendarEvent(
            uid=uid(event),
            start=event.starts_at,
            end=event.ends_at,
            summary=event.title,
            updated=event.updated_at,
            description=event.description,
            location=event.venue or _("オンライン"),
            url=page_url(event.pk),
            sequence=event.sequence,
            cancelled=event.cancelled,
            categories=(event.get_kind_display(),),
        )
        for event in rows.order_by("starts_at", "id")
    ]
