"""Write services of the mail magazine: subscribe, queue an issue, unsubscribe by signed token.

- ``queue_issue`` turns a draft into a queued issue and creates one ``Delivery`` per current
  subscriber, in chunks (memory stays flat for any number of subscribers). The unique
  (issue, subscriber) constraint makes queueing idempotent: a second call adds nobody twice.
- ``unsubscribe_token`` signs the subscriber id with ``django.core.signing`` (salted, no expiry: a
  link in an old issue must still work); ``unsubscribe`` accepts only an untampered token.
  Pending deliveries of an unsubscribed person are skipped by the sender.
"""

from __future__ import annotations

from datetime import datetime

from django.core import signing
from django.db import transaction
from django.utils import timezone

from tsunagari.network.models import Delivery, Issue, Newsletter, Subscriber
from tsunagari.network.services import NetworkRuleError

UNSUBSCRIBE_SALT = "tsunagari.network.unsubscribe"
QUEUE_CHUNK = 2000


def subscribe(newsletter: Newsletter, email: str, name: str = "", membership=None) -> Subscriber:
    """Add a subscriber, or subscribe again one who had unsubscribed."""
    email = email.strip()
    subscriber, created = Subscriber.objects.get_or_create(
        newsletter=newsletter, email=email, defaults={"name": name, "membership": membership}
    )
    if not created and subscriber.unsubscribed_at is not None:
        subscriber.unsubscribed_at = None
        subscriber.save(update_fields=["unsubscribed_at"])
    return subscriber


@transaction.atomic
def queue_issue(issue: Issue, now: datetime | None = None) -> int:
    """Queue a draft for sending to every current subscriber; returns the number of deliveries."""
    now = now or timezone.now()
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    if issue.status != Issue.Status.DRAFT:
        raise NetworkRuleError("only a draft can be queued")
    if not issue.subject.strip() or not issue.body.strip():
        raise NetworkRuleError("an issue needs a subject and a body")
    issue.status, issue.queued_at = Issue.Status.QUEUED, now
    issue.send_after = issue.send_after or now
    issue.save(update_fields=["status", "queued_at", "send_after"])
    ids = (
        Subscriber.objects.filter(newsletter_id=issue.newsletter_id, unsubscribed_at__isnull=True)
        .values_list("pk", flat=True)
        .order_by("pk")
    )
    chunk: list[Delivery] = []
    for subscriber_id in ids.iterator(chunk_size=QUEUE_CHUNK):
        chunk.append(Delivery(issue=issue, subscriber_id=subscriber_id))
        if len(chunk) == QUEUE_CHUNK:
            Delivery.objects.bulk_create(chunk, ignore_conflicts=True)
            chunk = []
    Delivery.objects.bulk_create(chunk, ignore_conflicts=True)
    return issue.deliveries.count()


def unsubscribe_token(subscriber: Subscriber) -> str:
    """A URL-safe token naming the subscriber, signed with SECRET_KEY."""
    return signing.dumps({"s": subscriber.pk}, salt=UNSUBSCRIBE_SALT)


def subscriber_for_token(token: str) -> Subscriber | None:
    """The subscriber a genuine token names, or None (tampered, foreign or unknown)."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("s"), int):
        return None
    return Subscriber.objects.select_related("newsletter").filter(pk=data["s"]).first()


def unsubscribe(token: str, now: datetime | None = None) -> Subscriber | None:
    """Stop sending to the token's subscriber (idempotent); None when the token is not genuine."""
    subscriber = subscriber_for_token(token)
    if subscriber is None:
        return None
    if subscriber.unsubscribed_at is None:
        subscriber.unsubscribed_at = now or timezone.now()
        subscriber.save(update_fields=["unsubscribed_at"])
    return subscriber
