"""Every write to case records. Each call checks ``cases.policy``, runs in one transaction that
first takes the audit log's lock (``audit.begin_write``) and appends an audit entry naming the
personal fields written (never their values).

Optimistic locking: updates take the ``version`` the caller read; if the row has moved on, nothing
is written and ``StaleRecordError`` is raised (no lost update). A case the user may not see raises
``Case.DoesNotExist`` (as if it did not exist); one they may see but not change raises
``PermissionDenied``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagari.cases import audit, policy, record_forms
from tsunagari.cases.errors import InvalidRecordError, StaleRecordError
from tsunagari.cases.models import Case, CaseContact, Section

CASE_PERSONAL_FIELDS = ("person_name", "person_contact", "summary")
CASE_OTHER_FIELDS = ("is_serious",)
SECTION_KINDS_WITH_FORM = {Section.Kind.ASSESSMENT}


def _case_to_change(user, case_id) -> Case:
    case = Case.objects.get(pk=case_id)
    if not policy.may_view_case(user, case):
        raise Case.DoesNotExist
    if not policy.may_change_case(user, case):
        raise PermissionDenied
    return case


def _claim_version(model: type[models.Model], pk, expected_version: int, label: str) -> None:
    """Compare-and-set the version column: the row is ours (and locked) until commit."""
    if not model.objects.filter(pk=pk, version=expected_version).update(version=F("version") + 1):
        raise StaleRecordError(label, expected_version)


def open_case(
    user,
    *,
    body=None,
    person_name: str = "",
    person_contact: str = "",
    summary: str = "",
    is_serious: bool = False,
    opened_at: datetime | None = None,
) -> Case:
    if not policy.may_add_case(user, getattr(body, "pk", body)):
        raise PermissionDenied
    with transaction.atomic():
        audit.begin_write()
        case = Case(
            body_id=getattr(body, "pk", body),
            person_name=person_name,
            person_contact=person_contact,
            summary=summary,
            is_serious=is_serious,
            opened_at=opened_at or timezone.now(),
            created_by=user,
        )
        case.save(force_insert=True)
        audit.record(audit.actor_of(user), audit.CREATE, "cases.case", case.pk, CASE_PERSONAL_FIELDS)
    return case


def update_case(user, case_id, expected_version: int, **changes: Any) -> Case:
    unknown = set(changes) - set(CASE_PERSONAL_FIELDS) - set(CASE_OTHER_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        audit.begin_write()
        _case_to_change(user, case_id)
        _claim_version(Case, case_id, expected_version, _("ケース"))
        case = Case.objects.get(pk=case_id)
        for name, value in changes.items():
            setattr(case, name, value)
        case.save(update_fields=[*changes, "updated_at"])
        audit.record(audit.actor_of(user), audit.UPDATE, "cases.case", case.pk, sorted(changes))
    return case


def close_case(user, case_id, expected_version: int, closed_at: datetime | None = None) -> Case:
    with transaction.atomic():
        audit.begin_write()
        _case_to_change(user, case_id)
        _claim_version(Case, case_id, expected_version, _("ケース"))
        case = Case.objects.get(pk=case_id)
        case.status, case.closed_at = Case.Status.CLOSED, closed_at or timezone.now()
        case.save(update_fields=["status", "closed_at", "updated_at"])
        audit.record(audit.actor_of(user), audit.UPDATE, "cases.case", case.pk, ["status"])
    return case


def link_contact(user, case_id, contact) -> CaseContact:
    with transaction.atomic():
        audit.begin_write()
        _case_to_change(user, case_id)
        link, _created = CaseContact.objects.get_or_create(
            case_id=case_id, contact=contact, defaults={"linked_by": user}
        )
        audit.record(audit.actor_of(user), audit.UPDATE, "cases.case", case_id, ["contacts"])
    return link


def _clean_form_data(kind: str, form_version: str, data: Mapping | None) -> dict | None:
    if kind not in SECTION_KINDS_WITH_FORM:
        if data is not None:
            raise InvalidRecordError([record_forms.FieldError("__all__", "unknown_field")])
        return None
    validation = record_forms.load_form(form_version).validate(data or {})
    if not validation.ok:
        raise InvalidRecordError(validation.errors)
    return validation.cleaned


def add_section(
    user,
    case_id,
    kind: str,
    *,
    occurred_at: datetime | None = None,
    body: str = "",
    data: Mapping | None = None,
) -> Section:
    """A new timeline entry; an assessment's ``data`` is validated against the current form."""
    kind = Section.Kind(kind)
    form_version = record_forms.current_version() if kind in SECTION_KINDS_WITH_FORM else ""
    cleaned = _clean_form_data(kind, form_version, data)
    with transaction.atomic():
        audit.begin_write()
        _case_to_change(user, case_id)
        section = Section(
            case_id=case_id,
            kind=kind,
            occurred_at=occurred_at or timezone.now(),
            form_version=form_version,
            data=cleaned,
            body=body,
            created_by=user,
        )
        section.save(force_insert=True)
        written = ["body", "data"] if cleaned is not None else ["body"]
        audit.record(audit.actor_of(user), audit.CREATE, "cases.section", section.pk, written)
    return section


def update_section(
    user, section_id, expected_version: int, *, body: str | None = None, data: Mapping | None = None
) -> Section:
    """Change a section's narrative and/or form data; the data keeps the section's form version."""
    with transaction.atomic():
        audit.begin_write()
        current = Section.objects.only("case_id", "kind", "form_version").get(pk=section_id)
        _case_to_change(user, current.case_id)
        changed = []
        cleaned = None
        if data is not None:
            cleaned = _clean_form_data(current.kind, current.form_version, data)
            changed.append("data")
        if body is not None:
            changed.append("body")
        _claim_version(Section, section_id, expected_version, _("記録"))
        section = Section.objects.get(pk=section_id)
        if data is not None:
            section.data = cleaned
        if body is not None:
            section.body = body
        section.save(update_fields=[*changed, "updated_at"])
        audit.record(audit.actor_of(user), audit.UPDATE, "cases.section", section.pk, changed)
    return section
