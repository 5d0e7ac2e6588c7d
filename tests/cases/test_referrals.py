"""cases.referrals: one handover mechanism; the sender sees every change (closed loop); overdue."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tsunagari.cases import referrals, services
from tsunagari.cases.errors import StaleRecordError
from tsunagari.cases.models import AuditEntry, Referral, ReferralEvent
from tsunagari.cases.referral_states import TransitionRefused
from tsunagari.cli import main

from .conftest import CASEWORK

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(worker, body, other_body):
    case = services.open_case(worker, body=body, summary="住まいを失いそう")
    return referrals.request(worker, case.pk, "referral", to_body=other_body, reason="住居支援が必要")


@pytest.fixture
def receiver(make_user, other_body):
    return make_user("receiver", *CASEWORK, body=other_body)


def move(user, referral, target, note=""):
    current = Referral.objects.get(pk=referral.pk)
    return referrals.transition(user, referral.pk, current.version, target, note)


def test_closed_loop_from_request_to_completion(sent, worker, receiver):
    assert sent.status == "requested" and Referral.objects.get(pk=sent.pk).reason == "住居支援が必要"
    move(receiver, sent, "received")
    move(receiver, sent, "accepted")
    move(receiver, sent, "in-progress")
    done = move(receiver, sent, "completed", note="市の窓口で住居確保給付金を申請した")
    assert done.status == "completed" and done.first_response_at is not None
    history = list(
        ReferralEvent.objects.filter(referral=sent).values_list("from_status", "to_status", "party")
    )
    assert history == [
        ("", "requested", "sender"),
        ("requested", "received", "receiver"),
        ("received", "accepted", "receiver"),
        ("accepted", "in-progress", "receiver"),
        ("in-progress", "completed", "receiver"),
    ]
    updates = referrals.updates_for_sender(worker)
    assert [e.to_status for e in updates] == ["received", "accepted", "in-progress", "completed"]
    assert updates[-1].note == "市の窓口で住居確保給付金を申請した"
    assert referrals.mark_seen(worker, updates) == 4
    assert referrals.updates_for_sender(worker) == []
    assert referrals.updates_for_sender(receiver) == []
    assert AuditEntry.objects.filter(object_type="cases.referral", object_id=str(sent.pk)).count() == 5


def test_rejection_needs_a_reason_and_is_reported(sent, worker, receiver):
    move(receiver, sent, "received")
    with pytest.raises(TransitionRefused) as refused:
        move(receiver, sent, "rejected")
    assert refused.value.code == "reason_required"
    move(receiver, sent, "rejected", note="対象地域外のため")
    assert [(e.to_status, e.note) for e in referrals.updates_for_sender(worker)][-1] == (
        "rejected",
        "対象地域外のため",
    )


def test_parties_and_refusals(sent, worker, receiver, make_user):
    with pytest.raises(TransitionRefused) as refused:
        move(worker, sent, "received")  # only the receiver acknowledges
    assert refused.value.code == "wrong_party"
    with pytest.raises(TransitionRefused):
        move(receiver, sent, "completed")
    stranger = make_user("stranger", *CASEWORK)
    with pytest.raises(PermissionDenied):
        move(stranger, sent, "received")
    move(worker, sent, "cancelled")
    with pytest.raises(TransitionRefused) as refused:
        move(receiver, sent, "received")
    assert refused.value.code == "terminal"


def test_two_receivers_at_once_one_wins(sent, receiver, make_user, other_body):
    colleague = make_user("colleague", *CASEWORK, body=other_body)
    version = Referral.objects.get(pk=sent.pk).version
    referrals.transition(receiver, sent.pk, version, "received")
    with pytest.raises(StaleRecordError):
        referrals.transition(colleague, sent.pk, version, "received")
    assert ReferralEvent.objects.filter(referral=sent, to_status="received").count() == 1


def test_overdue(sent, receiver, capsys):
    now = timezone.now()
    assert list(referrals.overdue(now, hours=72)) == []
    later = now + timedelta(hours=73)
    assert [r.pk for r in referrals.overdue(later, hours=72)] == [sent.pk]
    Referral.objects.filter(pk=sent.pk).update(requested_at=now - timedelta(hours=100))
    assert main(["cases", "overdue", "--hours", "72"]) == 0
    assert str(sent.pk) in capsys.readouterr().out
    move(receiver, sent, "received")
    move(receiver, sent, "accepted")
    assert list(referrals.overdue(later, hours=72)) == []


def test_coordinator_dashboard(sent, worker, receiver, body, make_user):
    from tsunagari.cases import selectors

    serious = services.open_case(worker, body=body, is_serious=True)
    taken = services.open_case(worker, body=body, is_serious=True)
    services.open_case(worker, body=body, is_serious=False)
    handover = referrals.request(worker, taken.pk, "referral", to_body=sent.to_body)
    move(receiver, handover, "received")
    move(receiver, handover, "accepted")
    coordinator = make_user("coordinator", "cases.view_referral", "helpline.view_all_bodies")
    waiting, summary = selectors.coordinator_dashboard(coordinator)
    assert [(w.case_id, w.handover_status) for w in waiting] == [(serious.pk, None)]
    assert summary.by_status["requested"] == 1 and summary.by_status["accepted"] == 1
    assert summary.answered == 1 and summary.overdue == 0
    later = timezone.now() + timedelta(days=4)
    assert selectors.coordinator_dashboard(coordinator, now=later)[1].overdue == 1
    with pytest.raises(PermissionDenied):
        selectors.coordinator_dashboard(worker)


def test_overdue_senders_are_emailed_once(sent, worker, mailoutbox):
    worker.email = "worker@example.org"
    worker.save()
    later = timezone.now() + timedelta(hours=73)
    assert referrals.notify_overdue(later, hours=72) == 1
    [mail] = mailoutbox
    assert mail.to == ["worker@example.org"] and str(sent.pk) in mail.body
    assert "住まい" not in mail.body and "住居支援" not in mail.body  # no case content
    assert referrals.notify_overdue(later, hours=72) == 0
    assert len(mailoutbox) == 1
