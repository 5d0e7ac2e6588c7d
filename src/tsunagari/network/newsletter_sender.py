"""Sends queued newsletter issues through Django's e-mail backend, in batches; nothing twice.

Contract
--------
``send_due(now=None, batch_size=500, connection=None)`` sends every due delivery of every queued
issue whose ``send_after`` has come, and returns a :class:`SendReport`. A delivery moves:

    pending ──claim──▶ sending ──accepted──▶ sent
       ▲                  │ 4xx ─────────▶ pending (retry later, ``mail_outcome.retry_at``) / failed
       │                  │ 5xx, bad address ─▶ failed
       │                  └ connection lost, crash ▶ uncertain (never sent again automatically)
       └─ unsubscribed meanwhile ─▶ skipped

- The claim is a conditional UPDATE (``status = pending`` → ``sending``, ``RETURNING`` the rows it
  took) of up to ``batch_size`` deliveries at once, committed before any of them goes out: two senders
  running at once never send the same delivery (each sends only the rows its own UPDATE returned).
- The deliveries the backend accepted are committed as ``sent`` together when the batch ends, also
  when it ends by an exception (even a ``BaseException``): a second run sends only what had not been
  sent. Claimed deliveries not yet tried when the batch ends that way go back to ``pending``; the one
  being sent stays ``sending``.
- A sender killed outright (no chance to run that last step) leaves at most one batch in
  ``sending``. A later run marks deliveries stuck in ``sending`` for ``STUCK_AFTER`` as
  ``uncertain``: the server may have accepted them, so they are reported, not resent.
- Two commits per batch instead of two per message keep 100,000 recipients within a minute
  (``bench/network_bench.py``); the message's fixed parts (unsubscribe URL prefix, footer text) are
  built once per issue.
- Each message goes to one recipient and carries its own unsubscribe link (in the text and in the
  ``List-Unsubscribe`` / ``List-Unsubscribe-Post`` headers, RFC 8058), built on
  ``settings.TSUNAGARI_PUBLIC_BASE_URL``.
- Candidates are read ``batch_size`` at a time, so memory stays flat for any number of recipients.
- An issue is done when none of its deliveries is pending or sending.

The CLI runs it: ``tsunagari network newsletter-send [--loop]``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tsunagari.network import mail_outcome
from tsunagari.network.models import Delivery, Issue, Subscriber
from tsunagari.network.newsletter_services import unsubscribe_token

STUCK_AFTER = timedelta(minutes=10)


class NewsletterConfigError(RuntimeError):
    """Sending is not configured (no public base URL for the unsubscribe links)."""


@dataclass
class SendReport:
    sent: int = 0
    retry: int = 0
    failed: int = 0
    uncertain: int = 0
    skipped: int = 0
    issues_done: int = 0

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def _base_url() -> str:
    base = getattr(settings, "TSUNAGARI_PUBLIC_BASE_URL", "")
    if not base:
        raise NewsletterConfigError("set TSUNAGARI_PUBLIC_BASE_URL: every issue carries an unsubscribe link")
    return base


_TOKEN_SLOT = "TOKEN"


@dataclass(frozen=True)
class _Template:
    """An issue's fixed parts: the unsubscribe URL around the per-recipient token, and the text."""

    url_head: str
    url_tail: str
    body_head: str
    footer: str  # with a %(url)s slot
    subject: str
    from_email: str

    @classmethod
    def of(cls, issue: Issue, base: str) -> _Template:
        with translation.override(settings.LANGUAGE_CODE):
            url = base + reverse("network:unsubscribe", args=[_TOKEN_SLOT])
            footer = _("配信停止はこちらから：%(url)s")
        head, tail = url.rsplit(_TOKEN_SLOT, 1)
        return cls(
            url_head=head,
            url_tail=tail,
            body_head=f"{issue.body.rstrip()}\n\n-- \n{issue.newsletter.name}\n",
            footer=footer,
            subject=issue.subject,
            from_email=issue.newsletter.from_email,
        )


def _message(template: _Template, email: str, subscriber_id: int, connection) -> EmailMessage:
    token = unsubscribe_token(Subscriber(pk=subscriber_id))
    url = f"{template.url_head}{token}{template.url_tail}"
    return EmailMessage(
        subject=template.subject,
        body=f"{template.body_head}{template.footer % {'url': url}}\n",
        from_email=template.from_email,
        to=[email],
        connection=connection,
        headers={"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )


def _mark_stuck(now: datetime, report: SendReport) -> None:
    report.uncertain += Delivery.objects.filter(
        status=Delivery.Status.SENDING, started_at__lt=now - STUCK_AFTER
    ).update(status=Delivery.Status.UNCERTAIN, last_error="sender stopped while sending")


def _claim(delivery_ids: list[int], now: datetime) -> set[int]:
    """Take the still-pending deliveries among ``delivery_ids``; returns the ids this call took."""
    if not delivery_ids:
        return set()
    table = db_connection.ops.quote_name(Delivery._meta.db_table)
    slots = ", ".join(["%s"] * len(delivery_ids))
    with transaction.atomic(), db_connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = %s, started_at = %s, attempts = attempts + 1 "
            f"WHERE status = %s AND id IN ({slots}) RETURNING id",
            [Delivery.Status.SENDING, now, Delivery.Status.PENDING, *delivery_ids],
        )
        return {row[0] for row in cursor.fetchall()}


def _settle(sent: list[int], untried: list[int], now: datetime) -> None:
    """End of a batch: record what the backend accepted; give back what was claimed but not tried."""
    if sent:
        Delivery.objects.filter(pk__in=sent, status=Delivery.Status.SENDING).update(
            status=Delivery.Status.SENT, sent_at=now, last_error=""
        )
    if untried:
        Delivery.objects.filter(pk__in=untried, status=Delivery.Status.SENDING).update(
            status=Delivery.Status.PENDING, started_at=None, attempts=F("attempts") - 1
        )


def _fail(delivery_id: int, attempts: int, exc: BaseException, now: datetime, report: SendReport) -> None:
    outcome = mail_outcome.classify(exc)
    error = f"{type(exc).__name__}: {exc}"[:300]
    row = Delivery.objects.filter(pk=delivery_id)
    if outcome == mail_outcome.TEMPORARY and (when := mail_outcome.retry_at(attempts, now)) is not None:
        row.update(status=Delivery.Status.PENDING, next_attempt_at=when, last_error=error)
        report.retry += 1
    elif outcome == mail_outcome.UNCERTAIN:
        row.update(status=Delivery.Status.UNCERTAIN, last_error=error)
        report.uncertain += 1
    else:
        row.update(status=Delivery.Status.FAILED, last_error=error)
        report.failed += 1


def _send_issue(issue: Issue, now: datetime, batch_size: int, connection, report: SendReport) -> None:
    template = _Template.of(issue, _base_url())
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    after = 0
    while True:
        batch = list(
            issue.deliveries.filter(due, status=Delivery.Status.PENDING, pk__gt=after)
            .order_by("pk")
            .values_list(
                "pk", "attempts", "subscriber_id", "subscriber__email", "subscriber__unsubscribed_at"
            )[:batch_size]
        )
        if not batch:
            return
        after = batch[-1][0]
        gone = [pk for pk, _a, _s, _e, unsubscribed_at in batch if unsubscribed_at is not None]
        report.skipped += Delivery.objects.filter(pk__in=gone, status=Delivery.Status.PENDING).update(
            status=Delivery.Status.SKIPPED
        )
        live = [row for row in batch if row[4] is None]
        claimed = _claim([row[0] for row in live], now)  # the others: another sender has them
        mine = [row for row in live if row[0] in claimed]
        sent: list[int] = []
        tried = 0
        try:
            for pk, attempts, subscriber_id, email, _unsubscribed_at in mine:
                tried += 1
                try:
                    message = _message(template, email, subscriber_id, connection)
                    connection.send_messages([message])
                except Exception as exc:
                    _fail(pk, attempts + 1, exc, now, report)
                    continue
                sent.append(pk)
        finally:
            _settle(sent, [row[0] for row in mine[tried:]], now)
        report.sent += len(sent)


def _finish(issue: Issue, now: datetime, report: SendReport) -> None:
    open_states = (Delivery.Status.PENDING, Delivery.Status.SENDING)
    if not issue.deliveries.filter(status__in=open_states).exists():
        report.issues_done += Issue.objects.filter(pk=issue.pk, status=Issue.Status.QUEUED).update(
            status=Issue.Status.DONE, finished_at=now
        )


def send_due(now: datetime | None = None, batch_size: int = 500, connection=None) -> SendReport:
    """Send what is due now (see the module docstring)."""
    now = now or timezone.now()
    report = SendReport()
    _mark_stuck(now, report)
    issues = Issue.objects.filter(status=Issue.Status.QUEUED, send_after__lte=now).select_related(
        "newsletter"
    )
    for issue in issues.order_by("send_after", "pk"):
        own_connection = connection is None
        conn = connection or get_connection()
        try:
            conn.open()
            _send_issue(issue, now, batch_size, conn, report)
        finally:
            if own_connection:
                conn.close()
        _finish(issue, now, report)
    return report
