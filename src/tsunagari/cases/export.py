"""The pseudonymised export of case records for statistics (``tsunagari cases export-pseudonymised``).

Contract
--------
One CSV row per section (a case without sections: one row with the section columns empty):

    case_pseudonym, case_status, case_serious, case_opened_month, case_closed_month,
    section_pseudonym, section_kind, section_month, form_version, <code columns>

- Pseudonyms are keyed: ``HMAC-SHA256(key, "<kind>:<uuid>")``, first 128 bits in hex. With the same
  key a case keeps its pseudonym from one export to the next (statistics can follow it); without
  the key nothing maps back to the record, and another key gives unrelated pseudonyms. The key is
  dedicated to the export (not a field-encryption key): ``TSUNAGARI_PSEUDONYM_KEY`` in the
  environment or ``--key-file``, at least ``MIN_KEY_LENGTH`` characters.
- Dates are coarsened to the month (``YYYY-MM``, Asia/Tokyo).
- Only coded fields are kept: for each section, the ``choice``, ``multichoice`` and ``boolean``
  fields of the record form version it was written with (age band, topics, risk … as their stable
  codes; several codes joined with ``;``). Names, contacts, summaries, narrative (``body``) and
  every free-text form field are never written.
- The export reads the encrypted form data, so it is audited: one entry (actor
  ``system:export``) with the numbers of cases and sections exported.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any, TextIO

from django.utils import timezone

from tsunagari.cases import audit, record_forms

ACTOR = "system:export"
MIN_KEY_LENGTH = 32
CODED_TYPES = frozenset({"choice", "multichoice", "boolean"})
CASE_COLUMNS = ("case_pseudonym", "case_status", "case_serious", "case_opened_month", "case_closed_month")
SECTION_COLUMNS = ("section_pseudonym", "section_kind", "section_month", "form_version")


class ExportKeyError(ValueError):
    """The pseudonym key is missing or too short (the message says which)."""


def check_key(key: str | None) -> bytes:
    if not key:
        raise ExportKeyError("no pseudonym key: set TSUNAGARI_PSEUDONYM_KEY or pass --key-file")
    key = key.strip()
    if len(key) < MIN_KEY_LENGTH:
        raise ExportKeyError(
            f"the pseudonym key has {len(key)} characters; at least {MIN_KEY_LENGTH} are needed"
        )
    return key.encode()


def pseudonym(key: bytes, kind: str, value: object) -> str:
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:32]


def month(value: datetime | None) -> str:
    return "" if value is None else f"{timezone.localtime(value):%Y-%m}"


def _coded_fields(version: str):
    try:
        definition = record_forms.load_form(version)
    except (record_forms.FormDefinitionError, FileNotFoundError):
        return ()
    return tuple(f for f in definition.fields if f.type in CODED_TYPES)


def code_columns(versions: Iterable[str]) -> list[str]:
    """The coded field ids of all form versions, in order of first appearance."""
    columns: dict[str, None] = {}
    for version in versions:
        for f in _coded_fields(version):
            columns.setdefault(f.id, None)
    return list(columns)


def coded_values(version: str, data: Mapping[str, Any] | None) -> dict[str, str]:
    """The section's coded fields as text; free text is never taken."""
    data = data if isinstance(data, Mapping) else {}
    values = {}
    for f in _coded_fields(version):
        raw = data.get(f.id)
        if f.type == "boolean":
            values[f.id] = "" if raw is None else ("1" if raw is True else "0")
        elif f.type == "multichoice":
            options = {o.value for o in f.options}
            values[f.id] = ";".join(str(v) for v in (raw or []) if str(v) in options)
        else:
            values[f.id] = str(raw) if raw is not None and str(raw) in {o.value for o in f.options} else ""
    return values


def rows(key: bytes) -> Iterator[dict[str, str]]:
    from tsunagari.cases.models import Case, Section

    cases = Case.objects.only("id", "status", "is_serious", "opened_at", "closed_at").order_by(
        "opened_at", "id"
    )
    for case in cases.iterator(chunk_size=500):
        head = {
            "case_pseudonym": pseudonym(key, "case", case.pk),
            "case_status": case.status,
            "case_serious": "1" if case.is_serious else "0",
            "case_opened_month": month(case.opened_at),
            "case_closed_month": month(case.closed_at),
        }
        sections = Section.objects.filter(case=case).only("id", "kind", "occurred_at", "form_version", "data")
        empty = True
        for section in sections.order_by("occurred_at", "created_at"):
            empty = False
            yield {
                **head,
                "section_pseudonym": pseudonym(key, "section", section.pk),
                "section_kind": section.kind,
                "section_month": month(section.occurred_at),
                "form_version": section.form_version,
                **(coded_values(section.form_version, section.data) if section.form_version else {}),
            }
        if empty:
            yield head


def write(out: TextIO, key: bytes) -> tuple[int, int]:
    """Write the CSV to ``out``; returns (cases, sections) exported. Audited."""
    from django.db import transaction

    columns = [*CASE_COLUMNS, *SECTION_COLUMNS, *code_columns(record_forms.available_versions())]
    writer = csv.DictWriter(out, fieldnames=columns, restval="", extrasaction="ignore")
    writer.writeheader()
    cases, sections = set(), 0
    with transaction.atomic():
        for row in rows(key):
            writer.writerow(row)
            cases.add(row["case_pseudonym"])
            sections += bool(row.get("section_pseudonym"))
        audit.record(
            ACTOR,
            audit.READ,
            "cases.section",
            "",
            ("data",),
            reason=f"pseudonymised export: {len(cases)} cases, {sections} sections",
        )
    return len(cases), sections
