# ruff: noqa: F811 — fixtures imported from sharing_fixtures are redefined as arguments
"""Sharing a case with a regional council: consent or override with a written reason, both audited;
need-to-know (a member of council A sees only the sections shared with A; unshared sections never);
withdrawal and revocation end access at once; every read by a member is audited."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from tsunagari.cases import council_selectors, policy, selectors, sharing_services
from tsunagari.cases.models import AuditEntry
from tsunagari.cases.sharing_models import CaseShare
from tsunagari.cases.sharing_services import ShareRefused

from .sharing_fixtures import (  # noqa: F401
    case,
    cities,
    councils,
    member_a,
    member_b,
    officer,
    sections,
    sharer,
    supervisor,
)

pytestmark = pytest.mark.django_db


def _consent(user, case, council):
    return sharing_services.record_consent(
        user, case.pk, council.pk, purpose="住まいの支援の調整", given_by="person", recorded_how="written"
    )


def test_member_of_a_sees_only_sections_shared_with_a(sharer, case, sections, councils, member_a, member_b):
    a, b = councils
    note, assessment, private = sections
    share_a = sharing_services.share_case(
        sharer, case.pk, a.pk, [note.pk], consent_id=_consent(sharer, case, a).pk
    )
    share_b = sharing_services.share_case(
        sharer, case.pk, b.pk, [assessment.pk], consent_id=_consent(sharer, case, b).pk
    )
    seen_a = council_selectors.shared_case(member_a, share_a.pk)
    assert [s.pk for s in seen_a.sections] == [note.pk]
    assert [s.body for s in seen_a.sections] == ["初回面談の記録"]
    # the header carries nothing personal
    assert not {"佐藤一郎", "090-0000-0000", "家賃の滞納"} & set(map(str, vars(seen_a).values()))
    with pytest.raises(CaseShare.DoesNotExist):  # B's share is not revealed to A's member
        council_selectors.shared_case(member_a, share_b.pk)
    assert policy.may_view_section(member_a, note)
    assert not policy.may_view_section(member_a, assessment)  # shared with B only
    assert not policy.may_view_section(member_a, private)  # never shared
    assert not policy.may_view_section(member_b, private)
    assert [h.share_id for h in council_selectors.shared_with_me(member_a)] == [share_a.pk]
    # the whole case stays closed to members
    with pytest.raises(type(case).DoesNotExist):
        selectors.case_detail(member_a, case.pk)
    with pytest.raises(type(case).DoesNotExist):
        selectors.timeline(member_a, case.pk)


def test_every_read_by_a_member_is_audited(sharer, case, sections, councils, member_a):
    a, _b = councils
    note, assessment, _private = sections
    share = sharing_services.share_case(
        sharer, case.pk, a.pk, [note.pk, assessment.pk], consent_id=_consent(sharer, case, a).pk
    )
    for _ in range(2):
        before = AuditEntry.objects.order_by("-seq").first().seq
        council_selectors.shared_case(member_a, share.pk)
        entries = list(AuditEntry.objects.filter(seq__gt=before).order_by("seq"))
        assert [(e.actor, e.action, e.object_type, e.object_id, e.fields, e.reason) for e in entries] == [
            (
                f"user:{member_a.pk}",
                "read",
                "cases.section",
                str(s.pk),
                ["body", "data"],
                f"council:{a.pk} share:{share.pk}",
            )
            for s in (note, assessment)
        ]


def test_consent_share_is_audited_with_its_consent(sharer, case, sections, councils):
    a, _b = councils
    consent = _consent(sharer, case, a)
    share = sharing_services.share_case(sharer, case.pk, a.pk, [sections[0].pk], consent_id=consent.pk)
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.action, entry.object_type, entry.object_id, entry.reason) == (
        "create",
        "cases.caseshare",
        str(share.pk),
        f"consent:{consent.pk}",
    )
    assert share.basis == "consent"


def test_override_without_reason_is_refused(supervisor, case, sections, councils):
    a, _b = councils
    for reason in ("", "   \n"):
        with pytest.raises(ShareRefused) as refused:
            sharing_services.share_case(supervisor, case.pk, a.pk, [sections[0].pk], override_reason=reason)
        assert refused.value.code == "reason_required"
    assert not CaseShare.objects.exists()


def test_override_needs_the_permission(sharer, case, sections, councils):
    with pytest.raises(PermissionDenied):
        sharing_services.share_case(
            sharer, case.pk, councils[0].pk, [sections[0].pk], override_reason="命の危険があるため"
        )
    assert not CaseShare.objects.exists()


def test_override_with_reason_is_audited_with_the_reason(supervisor, case, sections, councils, member_a):
    a, _b = councils
    share = sharing_services.share_case(
        supervisor, case.pk, a.pk, [sections[1].pk], override_reason="自殺の危険が高く、緊急の調整が必要"
    )
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.actor, entry.action, entry.object_id, entry.reason) == (
        f"user:{supervisor.pk}",
        "override",
        str(share.pk),
        "自殺の危険が高く、緊急の調整が必要",
    )
    stored = CaseShare.objects.values_list("override_reason", flat=True).get(pk=share.pk)
    assert "自殺" not in stored.token  # encrypted at rest
    assert [s.pk for s in council_selectors.shared_case(member_a, share.pk).sections] == [sections[1].pk]


def test_withdrawal_of_consent_removes_access_at_once(sharer, case, sections, councils, member_a):
    a, _b = councils
    consent = _consent(sharer, case, a)
    share = sharing_services.share_case(sharer, case.pk, a.pk, [sections[0].pk], consent_id=consent.pk)
    assert council_selectors.shared_case(member_a, share.pk).sections
    sharing_services.withdraw_consent(sharer, consent.pk)
    with pytest.raises(CaseShare.DoesNotExist):
        council_selectors.shared_case(member_a, share.pk)
    assert not policy.may_view_section(member_a, sections[0])
    assert council_selectors.shared_with_me(member_a) == []
    share.refresh_from_db()
    assert share.end_reason == "consent_withdrawn"
    with pytest.raises(ShareRefused) as refused:  # a withdrawn consent cannot be used again
        sharing_services.share_case(sharer, case.pk, a.pk, [sections[0].pk], consent_id=consent.pk)
    assert refused.value.code == "consent_not_in_force"


def test_revocation_removes_access(sharer, case, sections, councils, member_a):
    a, _b = councils
    share = sharing_services.share_case(
        sharer, case.pk, a.pk, [sections[0].pk], consent_id=_consent(sharer, case, a).pk
    )
    sharing_services.end_share(sharer, share.pk)
    with pytest.raises(CaseShare.DoesNotExist):
        council_selectors.shared_case(member_a, share.pk)


def test_leaving_the_council_removes_access(sharer, officer, case, sections, councils, member_a):
    from tsunagari.cases import council_services
    from tsunagari.cases.council_models import CouncilMember

    a, _b = councils
    share = sharing_services.share_case(
        sharer, case.pk, a.pk, [sections[0].pk], consent_id=_consent(sharer, case, a).pk
    )
    council_services.end_membership(officer, CouncilMember.objects.get(user=member_a).pk)
    with pytest.raises(CaseShare.DoesNotExist):
        council_selectors.shared_case(member_a, share.pk)


def test_consent_of_another_council_or_case_is_refused(sharer, case, sections, councils):
    a, b = councils
    with pytest.raises(ShareRefused) as refused:
        sharing_services.share_case(
            sharer, case.pk, a.pk, [sections[0].pk], consent_id=_consent(sharer, case, b).pk
        )
    assert refused.value.code == "consent_mismatch"


def test_sections_are_chosen_explicitly_and_from_the_case(sharer, body, case, sections, councils):
    from tsunagari.cases import services

    a, _b = councils
    consent = _consent(sharer, case, a)
    with pytest.raises(ShareRefused) as refused:
        sharing_services.share_case(sharer, case.pk, a.pk, [], consent_id=consent.pk)
    assert refused.value.code == "no_sections"
    other = services.open_case(sharer, body=body, summary="別のケース")
    foreign = services.add_section(sharer, other.pk, "note", body="別のケースの記録")
    with pytest.raises(ShareRefused) as refused:
        sharing_services.share_case(
            sharer, case.pk, a.pk, [sections[0].pk, foreign.pk], consent_id=consent.pk
        )
    assert refused.value.code == "foreign_section"


def test_staff_of_another_body_cannot_share_or_see(make_user, other_body, case, sections, councils):
    from .sharing_fixtures import SHARING

    stranger = make_user("stranger", *SHARING, "cases.override_consent", body=other_body)
    with pytest.raises(type(case).DoesNotExist):
        sharing_services.share_case(
            stranger, case.pk, councils[0].pk, [sections[0].pk], override_reason="理由"
        )
    with pytest.raises(type(case).DoesNotExist):
        council_selectors.shares_of_case(stranger, case.pk)


def test_retention_purge_deletes_a_shared_case_with_its_consents_and_shares(sharer, case, sections, councils):
    from datetime import timedelta

    from django.utils import timezone

    from tsunagari.cases import purge, services
    from tsunagari.cases.models import Case
    from tsunagari.cases.sharing_models import CaseShareSection, Consent

    a, _b = councils
    sharing_services.share_case(
        sharer, case.pk, a.pk, [sections[0].pk], consent_id=_consent(sharer, case, a).pk
    )
    services.close_case(
        sharer,
        case.pk,
        Case.objects.get(pk=case.pk).version,
        closed_at=timezone.now() - timedelta(days=366 * 6),
    )
    counts = purge.purge()
    assert counts["case"] == 1
    assert not (Case.objects.exists() or Consent.objects.exists() or CaseShare.objects.exists())
    assert not CaseShareSection.objects.exists()


def test_a_withdrawn_consent_ends_access_even_when_the_share_was_not_ended(
    sharer, case, sections, councils, member_a
):
    """Belt and braces: the policy checks the consent itself, not only the share's end."""
    from django.utils import timezone

    from tsunagari.cases.sharing_models import Consent

    a, _b = councils
    consent = _consent(sharer, case, a)
    share = sharing_services.share_case(sharer, case.pk, a.pk, [sections[0].pk], consent_id=consent.pk)
    Consent.objects.filter(pk=consent.pk).update(withdrawn_at=timezone.now())  # not through the service
    with pytest.raises(CaseShare.DoesNotExist):
        council_selectors.shared_case(member_a, share.pk)
    assert not policy.may_view_section(member_a, sections[0])
    assert council_selectors.shared_with_me(member_a) == []


def test_an_inactive_council_sees_nothing(sharer, case, sections, councils, member_a):
    a, _b = councils
    share = sharing_services.share_case(
        sharer, case.pk, a.pk, [sections[0].pk], consent_id=_consent(sharer, case, a).pk
    )
    type(a).objects.filter(pk=a.pk).update(active=False)
    with pytest.raises(CaseShare.DoesNotExist):
        council_selectors.shared_case(member_a, share.pk)
