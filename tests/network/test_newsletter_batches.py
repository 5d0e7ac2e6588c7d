"""Batched claims of the newsletter sender: a batch is claimed at once, accepted messages are recorded
together at the end of the batch, claimed but untried deliveries are given back, nothing twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tsunagari.network import newsletter_sender, newsletter_services
from tsunagari.network.models import Delivery
from tsunagari.network.newsletter_sender import send_due

from .test_newsletter import Crash, FakeConnection, _issue, _statuses

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.TSUNAGARI_PUBLIC_BASE_URL = "https://tsunagari.example.jp"


def test_a_crash_early_in_a_batch_gives_back_the_untried_deliveries():
    issue = _issue(6)
    newsletter_services.queue_issue(issue)
    connection = FakeConnection({"r1@example.org": [Crash()]})
    now = timezone.now()
    with pytest.raises(Crash):
        send_due(now=now, batch_size=4, connection=connection)
    statuses = _statuses(issue)
    assert [m.to[0] for m in connection.accepted] == ["r0@example.org"]
    assert statuses["r0@example.org"] == "sent"
    assert statuses["r1@example.org"] == "sending"  # it was going out: its outcome is unknown
    assert statuses["r2@example.org"] == statuses["r3@example.org"] == "pending"  # never tried
    assert issue.deliveries.get(subscriber__email="r2@example.org").attempts == 0
    rerun = FakeConnection()
    send_due(now=now + timedelta(minutes=1), batch_size=4, connection=rerun)
    assert [m.to[0] for m in rerun.accepted] == [f"r{i}@example.org" for i in (2, 3, 4, 5)]


def test_the_claim_takes_only_pending_deliveries_and_says_which():
    issue = _issue(4)
    newsletter_services.queue_issue(issue)
    ids = list(issue.deliveries.order_by("pk").values_list("pk", flat=True))
    Delivery.objects.filter(pk=ids[1]).update(status="sending")
    Delivery.objects.filter(pk=ids[2]).update(status="sent")
    now = timezone.now()
    assert newsletter_sender._claim(ids, now) == {ids[0], ids[3]}
    assert newsletter_sender._claim(ids, now) == set()  # a second sender gets nothing
    claimed = Delivery.objects.get(pk=ids[0])
    assert claimed.status == "sending" and claimed.attempts == 1 and claimed.started_at == now


def test_many_batches_send_everyone_once_and_record_every_send():
    issue = _issue(23)
    newsletter_services.queue_issue(issue)
    connection = FakeConnection()
    report = send_due(batch_size=5, connection=connection)
    recipients = [m.to[0] for m in connection.accepted]
    assert report.sent == 23 and len(recipients) == len(set(recipients)) == 23
    assert set(_statuses(issue).values()) == {"sent"}
    assert send_due(batch_size=5, connection=connection).sent == 0
