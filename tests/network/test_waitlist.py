"""Seat and waiting-list rules (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tsunagari.network.waitlist import (
    CONFIRMED,
    WAITLISTED,
    Waiting,
    registration_open,
    status_for_new,
    to_promote,
)

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
START = T0 + timedelta(days=10)


def test_new_registrations_fill_seats_then_wait():
    assert status_for_new(2, 0) == CONFIRMED
    assert status_for_new(2, 1) == CONFIRMED
    assert status_for_new(2, 2) == WAITLISTED
    assert status_for_new(0, 0) == WAITLISTED
    assert status_for_new(None, 10_000) == CONFIRMED


def test_promotion_is_first_come_first_served_up_to_the_free_seats():
    waiting = [
        Waiting(7, T0 + timedelta(minutes=3)),
        Waiting(5, T0 + timedelta(minutes=1)),
        Waiting(9, T0 + timedelta(minutes=1)),  # same time as 5: lower id first
    ]
    assert to_promote(3, 2, waiting, T0, START) == [5]
    assert to_promote(5, 2, waiting, T0, START) == [5, 9, 7]
    assert to_promote(3, 3, waiting, T0, START) == []
    assert to_promote(3, 4, waiting, T0, START) == []  # over capacity after a reduction: nobody
    assert to_promote(None, 50, waiting, T0, START) == [5, 9, 7]


def test_no_promotion_once_the_event_has_started():
    waiting = [Waiting(1, T0)]
    assert to_promote(10, 0, waiting, START, START) == []
    assert to_promote(10, 0, waiting, START - timedelta(seconds=1), START) == [1]


def test_registration_window():
    assert registration_open(T0, START, None, cancelled=False)
    assert not registration_open(START, START, None, cancelled=False)
    assert not registration_open(T0, START, T0, cancelled=False)  # closes_at reached
    assert not registration_open(T0, START, None, cancelled=True)
    assert not registration_open(
        START, START, START + timedelta(days=1), cancelled=False
    )  # never after start
