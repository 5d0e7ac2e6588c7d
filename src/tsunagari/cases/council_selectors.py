"""Reads of regional councils and of what is shared with them (need-to-know).

Contract
--------
- ``shared_with_me(user)``: the shares in force with the user's councils, as ``SharedCaseHeader``
  (a short case reference, council, basis, dates, number of sections) — no personal field, not
  audited. Empty without ``cases.view_shared_sections``.
- ``shared_case(user, share_id)``: one share for a member of its council: the minimal case header
  (reference, status, serious flag, month opened — never name or contact) and ONLY the sections of
  that share. Every section returned is audited as a read (``cases.section``, fields body and data,
  reason ``council:<id> share:<id>``). A share that ended, or of another council, raises
  ``CaseShare.DoesNotExist`` (existence is not revealed).
- ``shares_of_case(user, case_id)`` / ``consents_of_case(user, case_id)``: for the case's own staff
  (``policy.may_view_case``), audited (they carry the override reason and the consent's purpose).
- ``meeting(user, meeting_id)``: a meeting with its minutes, audited; ``policy.may_view_minutes``.
- ``councils_of(user)``, ``council_detail(user, council_id)``, ``councils_to_share_with(user)``:
  composition only (no case data), not audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Q

from tsunagari.cases import audit, policy
from tsunagari.cases.council_models import Council, CouncilMember, Meeting
from tsunagari.cases.models import Case, Section
from tsunagari.cases.sharing_models import CaseShare, Consent

SECTION_FIELDS = ("body", "data")


def case_reference(case_id) -> str:
    """The short reference shown instead of anything personal (first 8 hex digits of the id)."""
    return str(case_id)[:8]


@dataclass(frozen=True)
class SharedCaseHeader:
    share_id: object
    case_reference: str
    council: str
    basis: str
    basis_label: str
    shared_at: datetime
    section_count: int


@dataclass(frozen=True)
class SharedCase:
    share: CaseShare
    case_reference: str
    case_status: str
    is_serious: bool
    opened_month: str
    sections: list[Section]


def shared_with_me(user) -> list[SharedCaseHeader]:
    if not (user.is_active and user.has_perm(policy.SHARED_SECTIONS)):
        return []
    councils = policy.council_ids_of(user)
    shares = (
        CaseShare.objects.filter(council_id__in=councils, ended_at__isnull=True)
        .exclude(consent__withdrawn_at__isnull=False)
        .select_related("council")
        .defer("override_reason")
        .order_by("-shared_at")
    )
    return [
        SharedCaseHeader(
            share.pk,
            case_reference(share.case_id),
            share.council.name,
            share.basis,
            share.get_basis_display(),
            share.shared_at,
            share.sections.count(),
        )
        for share in shares
    ]


def shared_case(user, share_id) -> SharedCase:
    share = CaseShare.objects.select_related("council").defer("override_reason").get(pk=share_id)
    if not policy.may_view_share_as_member(user, share):
        raise CaseShare.DoesNotExist
    case = Case.objects.only("id", "status", "is_serious", "opened_at").get(pk=share.case_id)
    sections = list(share.sections.order_by("occurred_at", "created_at"))
    reason = f"council:{share.council_id} share:{share.pk}"
    with transaction.atomic():  # one commit for the page's entries, the log locked once
        audit.begin_write()
        for section in sections:
            audit.record(
                audit.actor_of(user), audit.READ, "cases.section", section.pk, SECTION_FIELDS, reason
            )
    return SharedCase(
        share=share,
        case_reference=case_reference(case.pk),
        case_status=case.get_status_display(),
        is_serious=case.is_serious,
        opened_month=f"{case.opened_at:%Y-%m}",
        sections=sections,
    )


def _case_of_staff(user, case_id) -> Case:
    case = Case.objects.only("id", "body_id").get(pk=case_id)
    if not policy.may_view_case(user, case):
        raise Case.DoesNotExist
    return case


def shares_of_case(user, case_id) -> list[CaseShare]:
    case = _case_of_staff(user, case_id)
    shares = list(
        CaseShare.objects.filter(case=case).select_related("council", "consent").prefetch_related("sections")
    )
    audit.record(audit.actor_of(user), audit.READ, "cases.case", case.pk, ("shares.override_reason",))
    return shares


def consents_of_case(user, case_id) -> list[Consent]:
    case = _case_of_staff(user, case_id)
    consents = list(Consent.objects.filter(case=case).select_related("council"))
    audit.record(audit.actor_of(user), audit.READ, "cases.case", case.pk, ("consents.purpose",))
    return consents


def meeting(user, meeting_id) -> Meeting:
    found = Meeting.objects.select_related("council").get(pk=meeting_id)
    if not policy.may_view_minutes(user, found):
        raise Meeting.DoesNotExist
    audit.record(audit.actor_of(user), audit.READ, "cases.meeting", found.pk, ("minutes",))
    return found


def councils_of(user) -> list[Council]:
    """The councils the user sits on and, for an area-limited user who runs councils
    (``cases.change_council``), those set up by a local government of their area."""
    mine = Q(pk__in=policy.council_ids_of(user))
    area = policy.area_codes_of(user) if user.is_active and user.has_perm("cases.change_council") else None
    if area:
        mine |= Q(local_governments__in=area)
    return list(Council.objects.filter(mine).distinct().order_by("name"))


def council_detail(user, council_id):
    council = Council.objects.get(pk=council_id)
    if not policy.may_view_council(user, council):
        raise Council.DoesNotExist
    members = list(
        CouncilMember.objects.filter(council=council, left_at__isnull=True).select_related(
            "user", "member_body"
        )
    )
    meetings = list(Meeting.objects.filter(council=council).defer("minutes").order_by("-held_at"))
    return council, list(council.member_bodies.all()), members, meetings


def councils_to_share_with(user) -> list[Council]:
    """Active councils (only for users who may share: ``cases.add_caseshare``)."""
    if not (user.is_active and user.has_perm("cases.add_caseshare")):
        return []
    return list(Council.objects.filter(active=True).order_by("name"))
