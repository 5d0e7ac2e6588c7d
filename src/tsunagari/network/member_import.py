"""``import_members``: write a member-list CSV (``member_csv``) into a platform, all or nothing.

1. The file is parsed completely (``parse_member_csv``); then every area code is checked against
   the stored local governments. Any problem raises ``ImportValidationError`` listing every
   ``RowError`` (file, row, column, reason) and nothing is written.
2. In one transaction, each row is matched against the stored bodies and the rows before it
   (``dedupe.BodyIndex``: same 法人番号, or same normalised name and address). A match is not
   created again: it is reported as a ``MergeCandidate`` for a person to merge
   (``services.merge_bodies``). Other rows create a body, its topics, areas, contact person and a
   membership of the platform.

Any error while writing (a constraint, a concurrent import of the same corporate number) rolls the
whole file back. ``dry_run`` runs everything and rolls back, so the report shows what would happen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from tsunagari.core.models import LocalGovernment
from tsunagari.directory.importers.errors import ImportValidationError, RowError
from tsunagari.network import services
from tsunagari.network.dedupe import BodyIndex, BodyKey
from tsunagari.network.member_csv import MemberRow, parse_member_csv
from tsunagari.network.models import MemberBody, Platform


@dataclass(frozen=True)
class MergeCandidate:
    """Row ``row`` looks like an already known body: a stored one (``body_id``) or the body created
    from an earlier row of the same file (``same_as_row``)."""

    row: int
    name: str
    reason: str  # dedupe.CORPORATE_NUMBER or dedupe.NAME_AND_ADDRESS
    body_id: int
    body_name: str
    same_as_row: int | None = None

    def __str__(self) -> str:
        where = f"row {self.same_as_row} of this file" if self.same_as_row else "a stored body"
        return (
            f"row {self.row} '{self.name}' looks like {where}: #{self.body_id} '{self.body_name}' "
            f"(same {self.reason.replace('_', ' ')}); not created, merge if they are the same body"
        )


@dataclass
class ImportReport:
    created: int = 0
    merge_candidates: list[MergeCandidate] = field(default_factory=list)
    dry_run: bool = False


def _check_areas(file: str, rows: list[MemberRow]) -> None:
    codes = {code for row in rows for code in row.area_codes}
    known = set(LocalGovernment.objects.filter(code__in=codes).values_list("code", flat=True))
    errors = [
        RowError(file, row.row, "areas", f"no local government with code {code}")
        for row in rows
        for code in row.area_codes
        if code not in known
    ]
    if errors:
        raise ImportValidationError(errors)


def _stored_bodies() -> BodyIndex:
    rows = MemberBody.objects.values_list("pk", "corporate_number", "name", "address")
    return BodyIndex(BodyKey(pk, number, name, address) for pk, number, name, address in rows.iterator())


def _create(platform: Platform, row: MemberRow) -> MemberBody:
    body = services.save_body(
        name=row.name,
        corporate_number=row.corporate_number,
        address=row.address,
        website=row.website,
        nationwide=row.nationwide,
        topics=row.topics,
        area_codes=row.area_codes,
    )
    if row.contact_name:
        services.add_contact(
            body,
            row.contact_name,
            department=row.contact_department,
            email=row.contact_email,
            phone=row.contact_phone,
        )
    membership = services.join(
        platform, body, row.member_class, row.joined_on, listed_publicly=row.listed_publicly
    )
    if row.left_on:
        services.leave(membership, row.left_on)
    return body


def import_members(path: str | Path, platform: Platform, *, dry_run: bool = False) -> ImportReport:
    """Import a member list into ``platform`` (module docstring); raises ``ImportValidationError``."""
    path = Path(path)
    rows = parse_member_csv(path)
    _check_areas(path.name, rows)
    report = ImportReport(dry_run=dry_run)
    with transaction.atomic():
        index = _stored_bodies()
        created_row: dict[int, int] = {}  # body pk → row it was created from
        names: dict[int, str] = {}
        for row in rows:
            key = BodyKey(None, row.corporate_number, row.name, row.address)
            match = index.find(key)
            if match is not None:
                body_id = match.existing.ref
                body_name = names.get(body_id) or match.existing.name
                report.merge_candidates.append(
                    MergeCandidate(
                        row.row, row.name, match.reason, body_id, body_name, created_row.get(body_id)
                    )
                )
                continue
            body = _create(platform, row)
            created_row[body.pk], names[body.pk] = row.row, body.name
            index.add(BodyKey(body.pk, body.corporate_number, body.name, body.address))
            report.created += 1
        if dry_run:
            transaction.set_rollback(True)
    return report
