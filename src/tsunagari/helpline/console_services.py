"""Write services of the counsellor and coordinator console: the only way the console changes data.

- ``save_record``: the common consultation record of an answered contact, in the current form
  version, validated by ``record_forms`` (field codes checked against ``Field`` rows). A contact
  has one record; marking it serious puts it in the coordinators' queue (a ``CoordinationCase``)
  in the same transaction.
- ``take_case`` / ``close_case``: a coordinator takes a waiting case and closes the cases they took.
- ``audit``: one line on the ``tsunagari.audit`` logger per staff access (user id, action, object
  id — never personal content). Reads are logged by the views, writes here.

Problems are exceptions: ``RecordInvalid`` (field errors of the form definition) and
``ConsoleConflict`` (the state does not allow the action; ``code`` says why).
"""

from __future__ import annotations

import logging

from django.db import transaction

from tsunagari.helpline import record_forms
from tsunagari.helpline.models import ConsultationRecord, Contact, ContactEvent, CoordinationCase, Field

audit_logger = logging.getLogger("tsunagari.audit")
if audit_logger.level == logging.NOTSET:
    # Staff access must be logged even when the settings do not configure this logger (the root
    # logger is at WARNING by default); a LOGGING entry for "tsunagari.audit" takes precedence.
    audit_logger.setLevel(logging.INFO)


def audit(user, action: str, object_id=None) -> None:
    """Log that ``user`` did ``action`` on ``object_id``. Never pass personal content here."""
    object_text = "-" if object_id is None else str(object_id)
    audit_logger.info(
        "user=%s action=%s object=%s",
        user.pk,
        action,
        object_text,
        extra={"audit_user_id": user.pk, "audit_action": action, "audit_object_id": object_text},
    )


class RecordInvalid(ValueError):
    """The submitted record does not satisfy its form version; ``errors`` are ``FieldError``s."""

    def __init__(self, errors):
        self.errors = tuple(errors)
        super().__init__("; ".join(e.message for e in self.errors))


class ConsoleConflict(Exception):
    """The action does not fit the current state. ``code``: ``not_answered``,
    ``already_recorded``, ``case_not_waiting``, ``case_not_in_progress`` or ``not_your_case``."""

    def __init__(self, code: str):
        self.code = code
        super().__init__(code)


def save_record(*, contact_id, counsellor, data: dict, serious: bool) -> ConsultationRecord:
    """Validate ``data`` against the current form version and save it as ``contact_id``'s record;
    with ``serious``, open a coordination case for it. Raises ``RecordInvalid`` (nothing saved),
    ``ConsoleConflict`` or ``Contact.DoesNotExist``."""
    definition = record_forms.load_form(record_forms.current_version())
    codes = set(Field.objects.values_list("code", flat=True))
    result = definition.validate(data, field_codes=codes)
    if not result.ok:
        raise RecordInvalid(result.errors)
    risk = result.cleaned.get(record_forms.RISK_FIELD) or ConsultationRecord.Risk.LOW
    with transaction.atomic():
        # The lock serialises two submissions for the same contact (double click, two tabs).
        contact = Contact.objects.select_for_update().get(pk=contact_id)
        if not contact.events.filter(kind=ContactEvent.Kind.ANSWERED).exists():
            raise ConsoleConflict("not_answered")
        if ConsultationRecord.objects.filter(contact=contact).exists():
            raise ConsoleConflict("already_recorded")
        record = ConsultationRecord.objects.create(
            contact=contact,
            counsellor=counsellor,
            form_version=definition.version,
            data=result.cleaned,
            risk=risk,
            serious=bool(serious),
        )
        case = CoordinationCase.objects.create(record=record) if serious else None
    audit(counsellor, "helpline.record.create", record.pk)
    if case is not None:
        audit(counsellor, "helpline.case.create", case.pk)
    return record


def take_case(*, case_id: int, coordinator) -> CoordinationCase:
    """``coordinator`` takes a waiting case (it becomes theirs, in progress)."""
    with transaction.atomic():
        case = CoordinationCase.objects.select_for_update().get(pk=case_id)
        if case.status != CoordinationCase.Status.WAITING:
            raise ConsoleConflict("case_not_waiting")
        case.status = CoordinationCase.Status.IN_PROGRESS
        case.coordinator = coordinator
        case.save(update_fields=["status", "coordinator"])
    audit(coordinator, "helpline.case.take", case.pk)
    return case


def close_case(*, case_id: int, coordinator) -> CoordinationCase:
    """``coordinator`` closes a case they took."""
    with transaction.atomic():
        case = CoordinationCase.objects.select_for_update().get(pk=case_id)
        if case.status != CoordinationCase.Status.IN_PROGRESS:
            raise ConsoleConflict("case_not_in_progress")
        if case.coordinator_id != coordinator.pk:
            raise ConsoleConflict("not_your_case")
        case.status = CoordinationCase.Status.CLOSED
        case.save(update_fields=["status"])
    audit(coordinator, "helpline.case.close", case.pk)
    return case
