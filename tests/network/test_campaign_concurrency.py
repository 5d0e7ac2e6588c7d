"""Many visits through the same entry link at the same moment: none is lost, none counted twice.

As in ``test_event_concurrency``: every database step runs in worker threads with their own
connections in autocommit, on committed data, and the rows made here are deleted at the end. On
PostgreSQL every visit is counted (the losing INSERTs wait on the unique index, fail, and UPDATE).
The SQLite test database is in memory with a shared cache, where a blocked writer or reader is
refused at once ("database table is locked"); there a refused visit is allowed, and a visit can be
refused by a read *after* its increment committed (seen under load) — so on SQLite the counter lies
between the visits that succeeded and the visits made, never above (no double count). (The portal's
file database in WAL mode waits for the lock instead.)
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from tsunagari.network import campaign_services
from tsunagari.network.models import Campaign, EntryTag, EntryVisitCount

from .threads import in_thread as _in_thread
from .threads import race as _race
from .threads import refused_by_sqlite_lock

pytestmark = pytest.mark.django_db

THREADS = 8


def _succeeded(results) -> int:
    ok = 0
    for result in results:
        if refused_by_sqlite_lock(result):
            continue
        if isinstance(result, Exception):
            raise result
        assert result == 302
        ok += 1
    return ok


@pytest.fixture
def committed_tag():
    def create():
        today = timezone.localdate()
        campaign = Campaign.objects.create(
            slug="concurrency-test", title="並行テスト", starts_on=today, ends_on=today, is_published=True
        )
        return campaign_services.create_tag(campaign, "race-test", "並行テスト")

    tag = _in_thread(create)
    yield tag

    def cleanup():
        EntryVisitCount.objects.filter(tag=tag).delete()
        EntryTag.objects.filter(pk=tag.pk).delete()
        Campaign.objects.filter(slug="concurrency-test").delete()

    _in_thread(cleanup)


def _visits(tag) -> int:
    return _in_thread(lambda: sum(EntryVisitCount.objects.filter(tag=tag).values_list("visits", flat=True)))


def _visit(_i: int) -> int:
    return Client().get("/network/c/race-test/").status_code


@pytest.mark.parametrize("attempt", range(2))
def test_simultaneous_first_visits_of_the_day_are_all_counted(committed_tag, attempt):
    succeeded = _succeeded(_race(_visit, THREADS))
    assert _in_thread(lambda: EntryVisitCount.objects.filter(tag=committed_tag).count()) == 1
    if connection.vendor == "postgresql":
        assert succeeded == THREADS == _visits(committed_tag)
    else:
        assert succeeded <= _visits(committed_tag) <= THREADS


def test_simultaneous_visits_on_an_existing_counter(committed_tag):
    first = _succeeded(_race(_visit, 1))
    succeeded = _succeeded(_race(_visit, THREADS))
    if connection.vendor == "postgresql":
        assert first + succeeded == THREADS + 1 == _visits(committed_tag)
    else:
        assert first + succeeded <= _visits(committed_tag) <= THREADS + 1
