"""Two people register for the last seat at the same moment: exactly one gets it.

Each registration runs in its own thread, with its own database connection and transaction, on
committed data. So that no other test's data is touched (a transactional test would empty every
table afterwards), every database step of these tests runs in a worker thread in autocommit — the
test's own connection stays idle inside its usual rolled-back transaction — and the rows made here
are deleted at the end.

On PostgreSQL the second transaction waits for the first (row lock) and both succeed. The SQLite
test database is in memory with a shared cache, where a blocked writer is refused at once
("database table is locked") instead of waiting as it does on a file database; there the loser may
get that error — a refusal, never a second confirmed seat — and the tests accept it only there.
"""

from __future__ import annotations

import pytest

from tsunagari.network import event_services, services
from tsunagari.network.models import Event, Platform, Registration

from .factories import event
from .threads import in_thread as _in_thread
from .threads import race as _race
from .threads import refused_by_sqlite_lock

pytestmark = pytest.mark.django_db


def _outcome(result):
    """A result, or "refused" for SQLite's shared-cache lock error (module docstring)."""
    if refused_by_sqlite_lock(result):
        return "refused"
    if isinstance(result, Exception):
        raise result
    return result


@pytest.fixture
def committed_event():
    """A factory of committed events (capacity given) and the cleanup of everything they hold."""
    made: list[int] = []

    def make(capacity: int) -> Event:
        def create():
            platform = services.create_platform("並行テスト", "national")
            made.append(platform.pk)
            return event(platform, capacity=capacity)

        return _in_thread(create)

    yield make

    def cleanup():
        Registration.objects.filter(event__platform_id__in=made).delete()
        Event.objects.filter(platform_id__in=made).delete()
        Platform.objects.filter(pk__in=made).delete()

    _in_thread(cleanup)


def _confirmed(e: Event) -> list[int]:
    return _in_thread(
        lambda: list(Registration.objects.filter(event=e, status="confirmed").values_list("pk", flat=True))
    )


@pytest.mark.parametrize("attempt", range(3))
def test_two_registrations_for_the_last_seat(committed_event, attempt):
    e = committed_event(capacity=2)
    first = _in_thread(lambda: event_services.register(e, "先着", "first@example.org"))

    results = _race(lambda i: event_services.register(e, f"同時{i}", f"racer{i}@example.org").status, 2)

    outcomes = sorted(_outcome(r) for r in results)
    assert outcomes in (["confirmed", "waitlisted"], ["confirmed", "refused"]), results
    confirmed = _confirmed(e)
    assert len(confirmed) == 2 and first.pk in confirmed


def test_cancel_and_register_at_once_never_overbook(committed_event):
    e = committed_event(capacity=1)
    seated = _in_thread(lambda: event_services.register(e, "着席", "seated@example.org"))
    waiting = _in_thread(lambda: event_services.register(e, "待ち", "waiting@example.org"))

    def act(i: int):
        if i == 0:
            return event_services.cancel_registration(seated)
        return event_services.register(e, "新規", "new@example.org").status

    cancelled, registered = (_outcome(r) for r in _race(act, 2))
    assert registered in ("waitlisted", "refused")  # a waiting person is ahead: the freed seat is theirs
    assert _confirmed(e) == ([seated.pk] if cancelled == "refused" else [waiting.pk])
