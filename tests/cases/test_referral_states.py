"""cases.referral_states: every allowed and every refused move of the one handover machine."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from tsunagari.cases.referral_states import (
    TERMINAL,
    TRANSITIONS,
    Party,
    Status,
    TransitionRefused,
    allowed_next,
    check,
    is_overdue,
)

S = Status
EXPECTED = {
    # The FHIR Task path of the issue, with who makes each move.
    (S.REQUESTED, S.RECEIVED, Party.RECEIVER),
    (S.RECEIVED, S.ACCEPTED, Party.RECEIVER),
    (S.RECEIVED, S.REJECTED, Party.RECEIVER),
    (S.ACCEPTED, S.IN_PROGRESS, Party.RECEIVER),
    (S.IN_PROGRESS, S.COMPLETED, Party.RECEIVER),
    (S.ACCEPTED, S.FAILED, Party.RECEIVER),
    (S.IN_PROGRESS, S.FAILED, Party.RECEIVER),
    (S.REQUESTED, S.CANCELLED, Party.SENDER),
    (S.RECEIVED, S.CANCELLED, Party.SENDER),
    (S.ACCEPTED, S.CANCELLED, Party.SENDER),
    (S.IN_PROGRESS, S.CANCELLED, Party.SENDER),
}


def test_the_table_is_exactly_the_expected_machine():
    assert {(frm, to, who) for (frm, to), who in TRANSITIONS.items()} == EXPECTED


@pytest.mark.parametrize(
    ("current", "target", "party"), sorted(itertools.product(Status, Status, Party), key=str)
)
def test_every_move(current, target, party):
    reason = "理由" if target in (S.REJECTED, S.FAILED) else ""
    if (current, target, party) in EXPECTED:
        assert check(current, target, party, reason) is None
        return
    with pytest.raises(TransitionRefused) as refused:
        check(current, target, party, reason)
    if current in TERMINAL:
        assert refused.value.code == "terminal"
    elif (current, target) in TRANSITIONS:
        assert refused.value.code == "wrong_party"
    else:
        assert refused.value.code == "not_allowed"


@pytest.mark.parametrize(("current", "target"), [(S.RECEIVED, S.REJECTED), (S.IN_PROGRESS, S.FAILED)])
def test_rejection_and_failure_need_a_reason(current, target):
    for blank in ["", "   "]:
        with pytest.raises(TransitionRefused) as refused:
            check(current, target, Party.RECEIVER, blank)
        assert refused.value.code == "reason_required"


def test_unknown_statuses_and_parties():
    for args in [
        ("draft", "received", "receiver"),
        ("requested", "done", "receiver"),
        ("requested", "received", "x"),
    ]:
        with pytest.raises(TransitionRefused) as refused:
            check(*args)
        assert refused.value.code == "unknown_status"


def test_allowed_next():
    assert allowed_next(S.RECEIVED, Party.RECEIVER) == {S.ACCEPTED, S.REJECTED}
    assert allowed_next(S.RECEIVED, Party.SENDER) == {S.CANCELLED}
    assert allowed_next(S.COMPLETED) == frozenset()


def test_overdue_only_while_waiting_for_an_answer():
    sent = datetime(2026, 4, 1, 9, tzinfo=UTC)
    limit = timedelta(hours=72)
    assert not is_overdue(S.REQUESTED, sent, sent + limit, limit)
    assert is_overdue(S.REQUESTED, sent, sent + limit + timedelta(seconds=1), limit)
    assert is_overdue(S.RECEIVED, sent, sent + timedelta(days=10), limit)
    for answered in [S.ACCEPTED, S.REJECTED, S.IN_PROGRESS, S.COMPLETED, S.CANCELLED]:
        assert not is_overdue(answered, sent, sent + timedelta(days=10), limit)
