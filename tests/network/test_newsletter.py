"""The mail magazine: queueing, batched sending through the e-mail backend, nothing sent twice
(two runs, a crash mid-batch, concurrent claims), retries, and the signed unsubscribe link."""

from __future__ import annotations

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from tsunagari.network import newsletter_services
from tsunagari.network.models import Delivery, Issue, Newsletter
from tsunagari.network.newsletter_sender import STUCK_AFTER, NewsletterConfigError, send_due
from tsunagari.network.services import NetworkRuleError

from .factories import national_platform

pytestmark = pytest.mark.django_db
BASE = "https://tsunagari.example.jp"


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.TSUNAGARI_PUBLIC_BASE_URL = BASE


class Crash(BaseException):
    """Stands for the process dying: not an ``Exception``, so nothing in the sender catches it."""


class FakeConnection:
    """An e-mail connection that records accepted messages and can fail or crash on cue.

    ``script`` maps a recipient to what happens on each attempt: an exception to raise before the
    message is accepted, or "crash-after" to accept it and then crash."""

    def __init__(self, script=None):
        self.accepted: list = []
        self.script = {k: list(v) for k, v in (script or {}).items()}

    def open(self):
        return True

    def close(self):
        pass

    def send_messages(self, messages):
        (message,) = messages
        (to,) = message.to
        action = self.script.get(to, []).pop(0) if self.script.get(to) else None
        if isinstance(action, BaseException):
            raise action
        self.accepted.append(message)
        if action == "crash-after":
            raise Crash
        return 1


def _issue(n: int = 5) -> Issue:
    newsletter = Newsletter.objects.create(
        platform=national_platform(),
        name="官民連携プラットフォーム メールマガジン",
        from_email="mag@example.jp",
    )
    for i in range(n):
        newsletter_services.subscribe(newsletter, f"r{i}@example.org")
    return Issue.objects.create(newsletter=newsletter, subject="第1号", body="会員の活動紹介です。")


def _statuses(issue):
    return dict(issue.deliveries.values_list("subscriber__email", "status"))


def test_sent_once_in_batches_through_the_backend_even_when_run_twice():
    issue = _issue(7)
    assert newsletter_services.queue_issue(issue) == 7
    report = send_due(batch_size=3)
    assert report.sent == 7 and report.issues_done == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(f"r{i}@example.org" for i in range(7))
    assert send_due(batch_size=3).sent == 0
    assert len(mail.outbox) == 7
    issue.refresh_from_db()
    assert issue.status == "done" and set(_statuses(issue).values()) == {"sent"}
    with pytest.raises(NetworkRuleError, match="only a draft"):
        newsletter_services.queue_issue(issue)


def test_each_message_carries_its_own_unsubscribe_link():
    issue = _issue(2)
    newsletter_services.queue_issue(issue)
    send_due()
    first, second = sorted(mail.outbox, key=lambda m: m.to[0])
    link = first.extra_headers["List-Unsubscribe"].strip("<>")
    assert link.startswith(f"{BASE}/network/unsubscribe/") and link in first.body
    assert first.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link != second.extra_headers["List-Unsubscribe"].strip("<>")
    assert "配信停止" in first.body and first.from_email == "mag@example.jp"


@pytest.mark.parametrize("crash", ["before", "after"])
def test_crash_mid_batch_then_rerun_sends_nobody_twice(crash):
    issue = _issue(6)
    newsletter_services.queue_issue(issue)
    victim = "r3@example.org"
    connection = FakeConnection({victim: [Crash() if crash == "before" else "crash-after"]})
    now = timezone.now()
    with pytest.raises(Crash):
        send_due(now=now, batch_size=4, connection=connection)
    accepted_before = [m.to[0] for m in connection.accepted]
    assert accepted_before == ["r0@example.org", "r1@example.org", "r2@example.org"] + (
        [victim] if crash == "after" else []
    )
    assert _statuses(issue)[victim] == "sending"

    rerun = FakeConnection()
    report = send_due(now=now + timedelta(minutes=1), batch_size=4, connection=rerun)
    assert [m.to[0] for m in rerun.accepted] == ["r4@example.org", "r5@example.org"]
    assert report.sent == 2 and report.issues_done == 0  # the victim's outcome is still open

    later = send_due(now=now + STUCK_AFTER + timedelta(minutes=2), connection=FakeConnection())
    assert later.uncertain == 1 and later.sent == 0 and later.issues_done == 1
    everyone = accepted_before + [m.to[0] for m in rerun.accepted]
    assert len(everyone) == len(set(everyone))  # nothing sent twice
    assert _statuses(issue)[victim] == "uncertain"


def test_temporary_failures_are_retried_later_permanent_ones_not():
    issue = _issue(3)
    newsletter_services.queue_issue(issue)
    busy = smtplib.SMTPRecipientsRefused({"r0@example.org": (450, b"mailbox busy")})
    unknown = smtplib.SMTPRecipientsRefused({"r1@example.org": (550, b"no such user")})
    connection = FakeConnection({"r0@example.org": [busy], "r1@example.org": [unknown]})
    now = timezone.now()
    report = send_due(now=now, connection=connection)
    assert (report.sent, report.retry, report.failed) == (1, 1, 1)
    assert send_due(now=now + timedelta(minutes=1), connection=connection).sent == 0  # not due yet
    report = send_due(now=now + timedelta(minutes=6), connection=connection)
    assert report.sent == 1 and report.issues_done == 1
    row = issue.deliveries.get(subscriber__email="r0@example.org")
    assert row.status == "sent" and row.attempts == 2
    assert issue.deliveries.get(subscriber__email="r1@example.org").last_error.startswith(
        "SMTPRecipientsRefused"
    )
    assert [m.to[0] for m in connection.accepted].count("r0@example.org") == 1


def test_retries_give_up_after_the_last_attempt():
    issue = _issue(1)
    newsletter_services.queue_issue(issue)
    busy = smtplib.SMTPResponseException(421, b"later")
    connection = FakeConnection({"r0@example.org": [busy] * 10})
    now = timezone.now()
    for hours in range(0, 12):
        send_due(now=now + timedelta(hours=hours), connection=connection)
    row = issue.deliveries.get()
    assert row.status == "failed" and row.attempts == 5 and connection.accepted == []


def test_a_delivery_claimed_by_another_sender_is_not_sent_again():
    issue = _issue(2)
    newsletter_services.queue_issue(issue)
    taken = issue.deliveries.get(subscriber__email="r0@example.org")
    Delivery.objects.filter(pk=taken.pk).update(status="sending", started_at=timezone.now())
    connection = FakeConnection()
    send_due(connection=connection)
    assert [m.to[0] for m in connection.accepted] == ["r1@example.org"]


def test_unsubscribe_by_signed_token(client):
    issue = _issue(2)
    newsletter_services.queue_issue(issue)
    subscriber = issue.newsletter.subscribers.get(email="r0@example.org")
    token = newsletter_services.unsubscribe_token(subscriber)
    url = f"/network/unsubscribe/{token}/"
    page = client.get(url)
    assert page.status_code == 200 and "r0@example.org" in page.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at is None  # a GET (a mail scanner) changes nothing
    assert client.post(url).status_code == 200  # one-click: no CSRF token needed
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at is not None
    assert client.get(url[:-2] + "x/").status_code == 404  # tampered signature
    assert newsletter_services.subscriber_for_token(token.replace(":", ";", 1)) is None

    report = send_due()
    assert report.skipped == 1 and [m.to[0] for m in mail.outbox] == ["r1@example.org"]
    assert _statuses(issue)["r0@example.org"] == "skipped"
    later = Issue.objects.create(newsletter=issue.newsletter, subject="第2号", body="次号")
    assert newsletter_services.queue_issue(later) == 1  # unsubscribed people are not queued


def test_sending_needs_the_public_base_url(settings):
    settings.TSUNAGARI_PUBLIC_BASE_URL = ""
    newsletter_services.queue_issue(_issue(1))
    with pytest.raises(NewsletterConfigError):
        send_due()
    assert Delivery.objects.get().status == "pending"


def test_future_issues_wait_and_cli_runs_the_sender(capsys):
    from tsunagari.cli import main

    issue = _issue(2)
    issue.send_after = timezone.now() + timedelta(days=1)
    issue.save()
    newsletter_services.queue_issue(issue)
    assert main(["network", "newsletter-send"]) == 0
    assert "sent 0" in capsys.readouterr().out and mail.outbox == []
    Issue.objects.filter(pk=issue.pk).update(send_after=timezone.now())
    assert main(["network", "newsletter-send", "--json"]) == 0
    assert '"sent": 2' in capsys.readouterr().out
