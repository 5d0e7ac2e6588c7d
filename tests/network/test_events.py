"""Events and registrations through the write services: capacity, waiting list, promotion,
attendance, revisions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tsunagari.network import event_services
from tsunagari.network.models import Registration
from tsunagari.network.services import NetworkRuleError

from .factories import event, national_platform

pytestmark = pytest.mark.django_db


def _register(e, n: int, **kw):
    return event_services.register(e, f"参加者{n}", f"p{n}@example.org", **kw)


def test_event_rules():
    platform = national_platform()
    start = timezone.now() + timedelta(days=1)
    with pytest.raises(NetworkRuleError, match="venue or an online URL"):
        event_services.create_event(platform, "workshop", "WS", start, start + timedelta(hours=1))
    with pytest.raises(NetworkRuleError, match="ends before"):
        event_services.create_event(platform, "workshop", "WS", start, start - timedelta(hours=1), venue="x")
    with pytest.raises(NetworkRuleError, match="time zone"):
        event_services.create_event(platform, "workshop", "WS", start.replace(tzinfo=None), start, venue="x")
    online = event_services.create_event(
        platform,
        "supporter_course",
        "講座",
        start,
        start + timedelta(hours=1),
        online_url="https://example.org/m",
    )
    assert online.is_online


def test_capacity_then_waiting_list_then_promotion_in_order():
    e = event(national_platform(), capacity=2)
    first, second = _register(e, 1), _register(e, 2)
    third, fourth = _register(e, 3), _register(e, 4)
    assert [r.status for r in (first, second, third, fourth)] == [
        "confirmed",
        "confirmed",
        "waitlisted",
        "waitlisted",
    ]
    promoted = event_services.cancel_registration(second)
    assert [r.pk for r in promoted] == [third.pk]
    third.refresh_from_db()
    assert third.status == "confirmed" and third.promoted_at is not None
    assert (
        event_services.cancel_registration(third)
        and Registration.objects.get(pk=fourth.pk).status == "confirmed"
    )
    with pytest.raises(NetworkRuleError, match="already cancelled"):
        event_services.cancel_registration(third)


def test_cancelling_a_waiting_registration_promotes_nobody():
    e = event(national_platform(), capacity=1)
    _register(e, 1)
    waiting, later = _register(e, 2), _register(e, 3)
    assert event_services.cancel_registration(waiting) == []
    assert Registration.objects.get(pk=later.pk).status == "waitlisted"


def test_larger_capacity_promotes_and_publishing_changes_raise_the_sequence():
    e = event(national_platform(), capacity=1)
    _register(e, 1)
    waiting = _register(e, 2)
    e = event_services.update_event(e, capacity=2)
    assert Registration.objects.get(pk=waiting.pk).status == "confirmed"
    assert e.sequence == 0  # capacity is not shown in calendars
    e = event_services.update_event(e, venue="オンライン併用会場")
    assert e.sequence == 1
    e = event_services.cancel_event(e)
    assert e.cancelled and e.sequence == 2
    with pytest.raises(NetworkRuleError, match="closed"):
        _register(e, 3)


def test_one_live_registration_per_address_and_closed_after_start():
    e = event(national_platform(), capacity=10)
    _register(e, 1)
    with pytest.raises(NetworkRuleError, match="already registered"):
        event_services.register(e, "別名", "P1@example.org")
    with pytest.raises(NetworkRuleError, match="closed"):
        _register(e, 2, now=e.starts_at)


def test_no_promotion_after_the_start():
    e = event(national_platform(), capacity=1)
    seated = _register(e, 1)
    waiting = _register(e, 2)
    assert event_services.cancel_registration(seated, now=e.starts_at + timedelta(minutes=5)) == []
    assert Registration.objects.get(pk=waiting.pk).status == "waitlisted"


def test_attendance_only_for_confirmed():
    e = event(national_platform(), capacity=1)
    seated, waiting = _register(e, 1), _register(e, 2)
    assert event_services.mark_attendance(seated, True).attended is True
    with pytest.raises(NetworkRuleError, match="only confirmed"):
        event_services.mark_attendance(waiting, True)
