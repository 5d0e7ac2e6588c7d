"""Every read of case records. A read that returns personal data appends an audit entry (who,
which case or section, which fields) before returning; a case the user may not see raises
``Case.DoesNotExist`` (existence is not revealed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone

from tsunagari.cases import audit, dashboard, policy
from tsunagari.cases.models import Case, CaseContact, Referral, Section
from tsunagari.cases.referral_states import Status
from tsunagari.helpline.access import bodies_of

PERSON_FIELDS = ("person_name", "person_contact", "summary")
TIMELINE_FIELDS = ("sections.body", "sections.data")
HANDOVER_FIELDS = ("referrals.reason", "referrals.events.note")
CASE_PAGE_FIELDS = (*PERSON_FIELDS, *TIMELINE_FIELDS, *HANDOVER_FIELDS)


def _visible_case(user, case_id) -> Case:
    case = Case.objects.get(pk=case_id)
    if not policy.may_view_case(user, case):
        raise Case.DoesNotExist
    return case


def case_detail(user, case_id) -> Case:
    """The case with its personal fields (decrypted on access); audited as one read."""
    case = _visible_case(user, case_id)
    audit.record(audit.actor_of(user), audit.READ, "cases.case", case.pk, PERSON_FIELDS)
    return case


@dataclass(frozen=True)
class TimelineItem:
    at: datetime
    section: Section | None = None
    contact: CaseContact | None = None


def _timeline_items(case: Case) -> list[TimelineItem]:
    sections = list(Section.objects.filter(case=case).order_by("occurred_at", "created_at"))
    contacts = list(CaseContact.objects.filter(case=case).select_related("contact"))
    items = [TimelineItem(s.occurred_at, section=s) for s in sections]
    items += [TimelineItem(c.contact.started_at, contact=c) for c in contacts]
    items.sort(key=lambda item: item.at)
    return items


def timeline(user, case_id) -> list[TimelineItem]:
    """The case's sections and linked contacts, oldest first; audited as one read of the case's
    section contents."""
    case = _visible_case(user, case_id)
    items = _timeline_items(case)
    audit.record(audit.actor_of(user), audit.READ, "cases.case", case.pk, TIMELINE_FIELDS)
    return items


def open_cases(user) -> list[Case]:
    """Open cases the user may see, serious first — without personal fields (not audited)."""
    if not (user.is_active and user.has_perm("cases.view_case")):
        return []
    cases = (
        Case.objects.filter(status=Case.Status.OPEN)
        .defer("person_name", "person_contact", "summary")
        .order_by("-is_serious", "opened_at")
    )
    bodies = bodies_of(user)  # the same scope as policy.may_view_case, in one query
    return list(cases if bodies is None else cases.filter(body__in=bodies))


def referrals_of_case(user, case_id) -> list:
    """The case's handovers with their reasons, newest first; audited as one read."""
    case = _visible_case(user, case_id)
    result = list(Referral.objects.filter(case=case).order_by("-requested_at"))
    audit.record(audit.actor_of(user), audit.READ, "cases.case", case.pk, ("referrals.reason",))
    return result


@dataclass(frozen=True)
class WaitingCase:
    case_id: object
    opened_at: datetime
    handover_status: str | None  # the newest handover's status, or None when none was requested


def coordinator_dashboard(user, now: datetime | None = None):
    """Serious open cases still waiting for support to take them (no handover accepted, under way
    or completed), oldest first, and the handover figures (``dashboard.Summary``) — ids, times and
    counts only, so not audited. Needs ``cases.view_referral``; limited to the user's bodies."""
    if not (user.is_active and user.has_perm("cases.view_referral")):
        raise PermissionDenied
    now = now or timezone.now()
    bodies = bodies_of(user)
    cases = Case.objects.filter(status=Case.Status.OPEN, is_serious=True)
    handovers = Referral.objects.all()
    if bodies is not None:
        cases = cases.filter(body__in=bodies)
        handovers = handovers.filter(Q(from_body__in=bodies) | Q(to_body__in=bodies))
    taken = [Status.ACCEPTED.value, Status.IN_PROGRESS.value, Status.COMPLETED.value]
    waiting = []
    for case_id, opened_at in (
        cases.exclude(referrals__status__in=taken).order_by("opened_at").values_list("pk", "opened_at")
    ):
        newest = (
            Referral.objects.filter(case_id=case_id)
            .order_by("-requested_at")
            .values_list("status", flat=True)
            .first()
        )
        waiting.append(WaitingCase(case_id, opened_at, newest))
    rows = handovers.values_list("status", "requested_at", "first_response_at")
    summary = dashboard.summarise(
        (dashboard.Handover(*row) for row in rows.iterator()),
        now,
        timedelta(hours=settings.TSUNAGARI_REFERRAL_OVERDUE_HOURS),
    )
    return waiting, summary


def _handovers(case: Case) -> list[tuple[Referral, list]]:
    from tsunagari.cases.referral_models import ReferralEvent

    handovers = list(Referral.objects.filter(case=case).select_related("to_body", "from_body"))
    events: dict = {}
    for event in ReferralEvent.objects.filter(referral__case=case).order_by("at"):
        events.setdefault(event.referral_id, []).append(event)
    return [(referral, events.get(referral.pk, [])) for referral in handovers]


@dataclass(frozen=True)
class CasePage:
    case: Case
    items: list[TimelineItem]
    handovers: list[tuple[Referral, list]]


def case_page(user, case_id) -> CasePage:
    """What the case page shows — the case with its personal fields, its timeline and its
    handovers (newest first, each with its status changes oldest first: the closed loop) — after one
    visibility check, audited as one read naming every field it returns (one audit entry and one
    commit per page)."""
    case = _visible_case(user, case_id)
    page = CasePage(case, _timeline_items(case), _handovers(case))
    audit.record(audit.actor_of(user), audit.READ, "cases.case", case.pk, CASE_PAGE_FIELDS)
    return page


def overdue_handovers(user, now: datetime | None = None) -> list[Referral]:
    """Handovers of the user's bodies still waiting for an answer after
    ``TSUNAGARI_REFERRAL_OVERDUE_HOURS`` (``referrals.overdue``), oldest first — ids, kinds,
    statuses and times only (the reason is deferred), so not audited. Needs ``cases.view_referral``."""
    from tsunagari.cases.referrals import overdue

    if not (user.is_active and user.has_perm("cases.view_referral")):
        raise PermissionDenied
    handovers = overdue(now).select_related("from_body", "to_body")
    bodies = bodies_of(user)
    if bodies is not None:
        handovers = handovers.filter(Q(from_body__in=bodies) | Q(to_body__in=bodies))
    return list(handovers)


def referral_detail(user, referral_id):
    """One handover with its status changes, oldest first, for the case's staff or either party
    (``policy.may_view_referral``); audited as one read of the reason and notes. Anyone else:
    ``Referral.DoesNotExist``."""
    referral = Referral.objects.select_related("from_body", "to_body").get(pk=referral_id)
    if not policy.may_view_referral(user, referral):
        raise Referral.DoesNotExist
    events = list(referral.events.order_by("at"))
    audit.record(audit.actor_of(user), audit.READ, "cases.referral", referral.pk, ("reason", "events.note"))
    return referral, events


def open_handovers(user) -> list[Referral]:
    """Handovers from or to the user's bodies that have not ended, oldest first — no personal
    field (the reason is deferred), so not audited. Needs ``cases.view_referral``."""
    from tsunagari.cases.referral_states import TERMINAL

    if not (user.is_active and user.has_perm("cases.view_referral")):
        raise PermissionDenied
    handovers = (
        Referral.objects.exclude(status__in=[s.value for s in TERMINAL])
        .select_related("from_body", "to_body")
        .defer("reason")
        .order_by("requested_at")
    )
    bodies = bodies_of(user)
    if bodies is not None:
        handovers = handovers.filter(Q(from_body__in=bodies) | Q(to_body__in=bodies))
    return list(handovers)
