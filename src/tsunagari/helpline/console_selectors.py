"""Read selectors of the counsellor and coordinator console.

- ``incoming_contacts``: contacts answered by a line (an ``ANSWERED`` event) that have no record
  yet, newest first, each with the line and field it was routed to (the latest event naming one);
  with ``body_ids`` (need-to-know, see ``access``), only those answered by one of these bodies.
- ``contact_summary``: the same facts for one contact, and its record if it has one.
- ``record_view`` / ``record_visible_to``: a record laid out by the form version it was written
  with, and who may read it (holders of ``view_consultationrecord``, and its author).
- ``coordinators_queue``: the open coordination cases, waiting ones first, oldest first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.db.models import Case, Exists, IntegerField, OuterRef, Subquery, Value, When
from django.utils import timezone

from tsunagari.helpline import record_forms
from tsunagari.helpline.models import ConsultationRecord, Contact, ContactEvent, CoordinationCase, Field, Line

INCOMING_DAYS = 7
INCOMING_LIMIT = 100


@dataclass(frozen=True)
class ContactSummary:
    contact: Contact
    answered_at: datetime | None
    field: Field | None
    line: Line | None
    record_id: int | None = None


def _contacts():
    events = ContactEvent.objects.filter(contact=OuterRef("pk"))
    return Contact.objects.annotate(
        answered_at=Subquery(
            events.filter(kind=ContactEvent.Kind.ANSWERED).order_by("at", "id").values("at")[:1]
        ),
        assigned_line=Subquery(events.filter(line__isnull=False).order_by("-at", "-id").values("line")[:1]),
        assigned_field=Subquery(
            events.filter(field__isnull=False).order_by("-at", "-id").values("field")[:1]
        ),
        record_id=Subquery(
            ConsultationRecord.objects.filter(contact=OuterRef("pk")).order_by("created_at").values("pk")[:1]
        ),
    )


def _summaries(contacts: list[Contact]) -> list[ContactSummary]:
    fields = Field.objects.in_bulk({c.assigned_field for c in contacts if c.assigned_field})
    lines = Line.objects.select_related("body").in_bulk(
        {c.assigned_line for c in contacts if c.assigned_line}
    )
    return [
        ContactSummary(
            contact=c,
            answered_at=c.answered_at,
            field=fields.get(c.assigned_field),
            line=lines.get(c.assigned_line),
            record_id=c.record_id,
        )
        for c in contacts
    ]


def incoming_contacts(
    *,
    field_code: str | None = None,
    line_id: int | None = None,
    days: int = INCOMING_DAYS,
    limit: int = INCOMING_LIMIT,
    now: datetime | None = None,
    body_ids: Iterable[int] | None = None,
) -> list[ContactSummary]:
    """Answered contacts of the last ``days`` without a record, optionally of one field or line,
    and only those answered by ``body_ids`` when given (``None``: every body)."""
    since = (now or timezone.now()) - timedelta(days=days)
    queryset = (
        _contacts()
        .filter(answered_at__gte=since)
        .exclude(Exists(ConsultationRecord.objects.filter(contact=OuterRef("pk"))))
    )
    if body_ids is not None:
        answered_by = ContactEvent.objects.filter(
            contact=OuterRef("pk"), kind=ContactEvent.Kind.ANSWERED, body_id__in=list(body_ids)
        )
        queryset = queryset.filter(Exists(answered_by))
    if field_code:
        queryset = queryset.filter(assigned_field=field_code)
    if line_id:
        queryset = queryset.filter(assigned_line=line_id)
    return _summaries(list(queryset.order_by("-answered_at", "-started_at")[:limit]))


def contact_summary(contact_id) -> ContactSummary | None:
    contact = _contacts().filter(pk=contact_id).first()
    return _summaries([contact])[0] if contact is not None else None


def filter_choices(body_ids: Iterable[int] | None = None) -> tuple[list[Field], list[Line]]:
    """Fields and active lines (of ``body_ids`` when given) for the contact list's filter."""
    lines = Line.objects.filter(active=True).select_related("body")
    if body_ids is not None:
        lines = lines.filter(body_id__in=list(body_ids))
    return list(Field.objects.all()), list(lines)


def field_choices() -> list[tuple[str, str]]:
    """(code, name) of every consultation field, in menu order."""
    return list(Field.objects.values_list("code", "name"))


def record_visible_to(user, record: ConsultationRecord) -> bool:
    return user.has_perm("helpline.view_consultationrecord") or record.counsellor_id == user.pk


@dataclass(frozen=True)
class RecordView:
    record: ConsultationRecord
    case: CoordinationCase | None
    contact: ContactSummary
    title: str | None  # None when the record's form version cannot be loaded
    sections: tuple[record_forms.DisplaySection, ...]


def get_record(record_id) -> ConsultationRecord | None:
    return ConsultationRecord.objects.select_related("contact", "counsellor").filter(pk=record_id).first()


def record_view(record: ConsultationRecord) -> RecordView:
    """``record`` laid out by its own form version (field codes shown by the field's name). If the
    version's definition is gone, every stored key is shown as it is."""
    try:
        definition = record_forms.load_form(record.form_version)
    except record_forms.FormDefinitionError:
        definition = None
    if definition is not None:
        title = definition.title
        sections = definition.describe(record.data)
    else:
        title = None
        data = record.data if isinstance(record.data, dict) else {}
        sections = record_forms.FormDefinition(record.form_version, "", ()).describe(data)
    names = dict(Field.objects.values_list("code", "name"))
    sections = tuple(
        replace(
            s,
            items=tuple(
                replace(i, text=names.get(i.text, i.text)) if i.type == "field" and i.text else i
                for i in s.items
            ),
        )
        for s in sections
    )
    case = CoordinationCase.objects.select_related("coordinator").filter(record=record).first()
    return RecordView(record, case, contact_summary(record.contact_id), title, sections)


@dataclass(frozen=True)
class QueueEntry:
    case: CoordinationCase
    field: Field | None


def coordinators_queue() -> list[QueueEntry]:
    """Open coordination cases: waiting first, then in progress; oldest first within each."""
    cases = list(
        CoordinationCase.objects.exclude(status=CoordinationCase.Status.CLOSED)
        .select_related("record", "record__contact", "coordinator")
        .annotate(
            waiting_first=Case(
                When(status=CoordinationCase.Status.WAITING, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("waiting_first", "created_at", "pk")
    )
    codes = {c.pk: _field_code(c.record) for c in cases}
    fields = Field.objects.in_bulk({code for code in codes.values() if code})
    return [QueueEntry(c, fields.get(codes[c.pk])) for c in cases]


def _field_code(record: ConsultationRecord) -> str | None:
    code = record.data.get("field") if isinstance(record.data, dict) else None
    return code if isinstance(code, str) else None


def get_case(case_id) -> CoordinationCase | None:
    return CoordinationCase.objects.filter(pk=case_id).first()
