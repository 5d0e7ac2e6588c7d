"""Writes of case sharing with regional councils: consents and shares. Each call checks
``cases.policy``, runs in one transaction holding the audit log's lock and appends an audit entry.

Contract
--------
- ``record_consent(user, case_id, council_id, purpose=, given_by=, given_at=, recorded_how=)``: the
  person's consent to share with that council for that purpose (``policy.may_record_consent``).
- ``withdraw_consent(user, consent_id)``: records the withdrawal and ends every share resting on it
  (``end_reason = consent_withdrawn``); members lose access at once.
- ``share_case(user, case_id, council_id, section_ids, consent_id=None, override_reason="")``: shares
  exactly the chosen sections of the case. With a consent in force for this case and council
  (audited ``create``, reason ``consent:<id>``), or, without one, as an override: the user needs
  ``policy.may_override_consent`` and a non-empty written reason (audited ``override`` with the
  reason). Refusals raise ``ShareRefused`` with a stable ``code``: ``no_sections``,
  ``foreign_section``, ``consent_not_in_force``, ``consent_mismatch``, ``reason_required``,
  ``council_inactive``; a user without the right to override ``PermissionDenied``.
- ``end_share(user, share_id)``: revokes a share (``end_reason = revoked``).
A case the user may not see raises ``Case.DoesNotExist`` (existence is not revealed).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagari.cases import audit, policy
from tsunagari.cases.council_models import Council
from tsunagari.cases.models import Case, Section
from tsunagari.cases.sharing_models import CaseShare, CaseShareSection, Consent

REFUSALS = {
    "no_sections": _("共有する記録を1つ以上選んでください。"),
    "foreign_section": _("このケースの記録だけを共有できます。"),
    "consent_not_in_force": _("この同意は撤回されています。"),
    "consent_mismatch": _("この同意は、このケース・この協議会のためのものではありません。"),
    "reason_required": _("同意によらずに共有する理由を書いてください。"),
    "council_inactive": _("この協議会は活動していません。"),
}


class ShareRefused(ValueError):
    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(str(REFUSALS[code]))


def _visible_case(user, case_id) -> Case:
    case = Case.objects.get(pk=case_id)
    if not policy.may_view_case(user, case):
        raise Case.DoesNotExist
    return case


def record_consent(
    user,
    case_id,
    council_id,
    *,
    purpose: str,
    given_by: str,
    recorded_how: str,
    given_at: datetime | None = None,
) -> Consent:
    given_by, recorded_how = Consent.GivenBy(given_by), Consent.RecordedHow(recorded_how)
    if not purpose.strip():
        raise ValueError("a consent names its purpose")
    with transaction.atomic():
        audit.begin_write()
        case = _visible_case(user, case_id)
        if not policy.may_record_consent(user, case):
            raise PermissionDenied
        council = Council.objects.get(pk=council_id)
        consent = Consent(
            case=case,
            council=council,
            purpose=purpose.strip(),
            given_by=given_by,
            given_at=given_at or timezone.now(),
            recorded_how=recorded_how,
            recorded_by=user,
        )
        consent.save(force_insert=True)
        audit.record(audit.actor_of(user), audit.CREATE, "cases.consent", consent.pk, ["purpose"])
    return consent


def _end(share: CaseShare, user, reason: str, now) -> None:
    share.ended_at, share.ended_by, share.end_reason = now, user, reason
    share.save(update_fields=["ended_at", "ended_by", "end_reason"])


def withdraw_consent(user, consent_id, withdrawn_at: datetime | None = None) -> Consent:
    with transaction.atomic():
        audit.begin_write()
        consent = Consent.objects.select_for_update().get(pk=consent_id)
        case = _visible_case(user, consent.case_id)
        if not policy.may_record_consent(user, case):
            raise PermissionDenied
        now = withdrawn_at or timezone.now()
        if consent.withdrawn_at is None:
            consent.withdrawn_at, consent.withdrawn_recorded_by = now, user
            consent.save(update_fields=["withdrawn_at", "withdrawn_recorded_by"])
        audit.record(audit.actor_of(user), audit.UPDATE, "cases.consent", consent.pk, ["withdrawn_at"])
        for share in CaseShare.objects.select_for_update().filter(consent=consent, ended_at__isnull=True):
            _end(share, user, CaseShare.EndReason.CONSENT_WITHDRAWN, now)
            audit.record(
                audit.actor_of(user),
                audit.UPDATE,
                "cases.caseshare",
                share.pk,
                ["ended_at"],
                reason=f"consent_withdrawn:{consent.pk}",
            )
    return consent


def share_case(
    user,
    case_id,
    council_id,
    section_ids: Iterable,
    *,
    consent_id=None,
    override_reason: str = "",
) -> CaseShare:
    wanted = {str(s) for s in section_ids}
    if not wanted:
        raise ShareRefused("no_sections")
    with transaction.atomic():
        audit.begin_write()
        case = _visible_case(user, case_id)
        if not policy.may_share_case(user, case):
            raise PermissionDenied
        council = Council.objects.get(pk=council_id)
        if not council.active:
            raise ShareRefused("council_inactive")
        sections = list(Section.objects.filter(pk__in=wanted, case=case).values_list("pk", flat=True))
        if len(sections) != len(wanted):
            raise ShareRefused("foreign_section")
        consent = None
        if consent_id is not None:
            consent = Consent.objects.select_for_update().get(pk=consent_id)
            if consent.case_id != case.pk or consent.council_id != council.pk:
                raise ShareRefused("consent_mismatch")
            if not consent.in_force:
                raise ShareRefused("consent_not_in_force")
            basis, reason = CaseShare.Basis.CONSENT, ""
        else:
            if not policy.may_override_consent(user, case):
                raise PermissionDenied
            reason = override_reason.strip()
            if not reason:
                raise ShareRefused("reason_required")
            basis = CaseShare.Basis.OVERRIDE
        share = CaseShare(
            case=case,
            council=council,
            basis=basis,
            consent=consent,
            override_reason=reason,
            shared_by=user,
            shared_at=timezone.now(),
        )
        share.save(force_insert=True)
        CaseShareSection.objects.bulk_create([CaseShareSection(share=share, section_id=s) for s in sections])
        if basis == CaseShare.Basis.OVERRIDE:
            audit.record(
                audit.actor_of(user),
                audit.OVERRIDE,
                "cases.caseshare",
                share.pk,
                ["sections", "override_reason"],
                reason=reason,
            )
        else:
            audit.record(
                audit.actor_of(user),
                audit.CREATE,
                "cases.caseshare",
                share.pk,
                ["sections"],
                reason=f"consent:{consent.pk}",
            )
    return share


def end_share(user, share_id) -> CaseShare:
    with transaction.atomic():
        audit.begin_write()
        share = CaseShare.objects.select_for_update().get(pk=share_id)
        if not policy.may_view_case(user, share.case):
            raise CaseShare.DoesNotExist
        if not policy.may_end_share(user, share):
            raise PermissionDenied
        if share.ended_at is None:
            _end(share, user, CaseShare.EndReason.REVOKED, timezone.now())
        audit.record(audit.actor_of(user), audit.UPDATE, "cases.caseshare", share.pk, ["ended_at"])
    return share
