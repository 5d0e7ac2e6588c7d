"""Write services of the directory: every create/update/delete of directory data goes through here.

``validate_records`` checks a whole batch (vocabulary codes, hours, area codes, references, the
crisis-line rule) and returns every problem; ``apply_records`` writes a validated batch in one
transaction, upserting by stable id, recording change history and re-indexing what changed.
Re-applying the same records changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction

from tsunagari.core.ids import as_uuid, stable_uuid
from tsunagari.core.lgcode import normalize as normalize_lgcode
from tsunagari.core.models import LocalGovernment
from tsunagari.core.vocabulary import AUDIENCES, CHANNELS, TOPICS
from tsunagari.directory.hours import ScheduleError, parse_schedule
from tsunagari.directory.importers.errors import ImportValidationError, RowError
from tsunagari.directory.models import (
    Language,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAttribute,
    ServiceChange,
    Taxonomy,
    TaxonomyTerm,
)
from tsunagari.directory.records import OrganizationRecord, ServiceRecord
from tsunagari.directory.search_index import index_services

VOCABULARIES = {"topic": TOPICS, "audience": AUDIENCES, "channel": CHANNELS}
TAXONOMY_NAMES = {
    "topic": "tsunagari topics",
    "audience": "tsunagari audiences",
    "channel": "tsunagari channels",
}
STATUSES = {choice.value for choice in Service.Status}


@dataclass
class ApplyReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    organizations_written: int = 0
    changed_ids: list[str] = field(default_factory=list)


def ensure_taxonomies() -> None:
    """Create or update the tsunagari taxonomies and their terms from the shared vocabulary."""
    for taxonomy_id, vocabulary in VOCABULARIES.items():
        Taxonomy.objects.update_or_create(
            id=taxonomy_id, defaults={"name": TAXONOMY_NAMES[taxonomy_id], "version": "1"}
        )
        for code, label in vocabulary.items():
            TaxonomyTerm.objects.update_or_create(
                id=f"{taxonomy_id}:{code}", defaults={"taxonomy_id": taxonomy_id, "code": code, "name": label}
            )


def _record_errors(
    record: ServiceRecord, known_areas: set[str], organization_ids: set[str]
) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    if not record.id:
        problems.append(("id", "missing"))
    if not record.name.strip():
        problems.append(("name", "missing"))
    if record.organization_id not in organization_ids:
        problems.append(("organization", f"unknown organization '{record.organization_id}'"))
    if record.status not in STATUSES:
        problems.append(("status", f"'{record.status}' is not one of {sorted(STATUSES)}"))
    for taxonomy, codes in (
        ("topics", record.topics),
        ("audiences", record.audiences),
        ("channels", record.channels),
    ):
        vocabulary = VOCABULARIES[taxonomy[:-1]]
        problems += [(taxonomy, f"unknown code '{code}'") for code in codes if code not in vocabulary]
    if record.schedule is not None:
        try:
            parse_schedule(record.schedule)
        except ScheduleError as exc:
            problems.append(("schedule", str(exc)))
    if record.area_code:
        try:
            code = normalize_lgcode(record.area_code)
        except ValueError as exc:
            problems.append(("area", str(exc)))
        else:
            if code not in known_areas:
                problems.append(("area", f"unknown 地方公共団体コード {code}"))
    if record.crisis_line and record.source.verification != "verified":
        problems.append(("crisis_line", "only a verified entry may be flagged as a crisis line"))
    if record.source.verification == "verified" and record.source.last_verified is None:
        problems.append(("last_verified", "a verified entry needs its last-verified date"))
    for phone in record.phones:
        if not any(ch.isdigit() for ch in phone.number):
            problems.append(("phones", f"'{phone.number}' has no digits"))
    return problems


def validate_records(
    file: str, organizations: list[OrganizationRecord], services: list[ServiceRecord]
) -> None:
    """Raise ``ImportValidationError`` listing every problem of the batch; return None if clean."""
    known_areas = set(LocalGovernment.objects.values_list("code", flat=True))
    organization_ids = {o.id for o in organizations} | set(
        Organization.objects.values_list("local_id", flat=True)
    )
    organization_ids |= set(Organization.objects.values_list("id", flat=True))
    errors: list[RowError] = []
    seen: set[str] = set()
    for record in services:
        row = record.origin[0]
        if record.id in seen:
            errors.append(RowError(file, row, "id", f"duplicate id '{record.id}'"))
        seen.add(record.id)
        errors += [
            RowError(file, row, column, reason)
            for column, reason in _record_errors(record, known_areas, organization_ids)
        ]
    if errors:
        raise ImportValidationError(errors)


def snapshot(service: Service) -> dict:
    """A comparable picture of a stored service, in the shape of a ServiceRecord."""
    terms = sorted(service.attributes.values_list("term_id", flat=True))
    return {
        **{f: getattr(service, f) for f in _SCALAR_FIELDS},
        "area_code": service.area_id or "",
        "terms": terms,
        "languages": sorted(service.languages.values_list("code", flat=True)),
        "phones": [[p.number, p.description, p.type, p.extension] for p in service.phones.all()],
    }


_SCALAR_FIELDS = (
    "local_id", "organization_id", "name", "alternate_name", "description", "url", "email", "status",
    "eligibility_description", "application_process", "fees_description", "minimum_age", "maximum_age",
    "free_of_charge", "anonymous", "crisis_line", "is_24h", "hours_text", "schedule_spec", "area_scope",
    "prefecture_code", "source_name", "source_url", "source_retrieved", "attribution", "last_verified",
    "verification", "verification_note",
)  # fmt: skip


def _record_values(record: ServiceRecord, areas: dict[str, LocalGovernment]) -> dict:
    """The stored values of a record, in the shape ``snapshot`` returns."""
    area = areas[normalize_lgcode(record.area_code)] if record.area_code else None
    if area is None:
        scope = Service.Scope.NATIONAL
    elif area.kind == LocalGovernment.Kind.PREFECTURE:
        scope = Service.Scope.PREFECTURE
    else:
        scope = Service.Scope.MUNICIPALITY
    schedule = parse_schedule(record.schedule) if record.schedule is not None else None
    src = record.source
    return {
        "local_id": record.id,
        "organization_id": as_uuid("organization", record.organization_id),
        "name": record.name.strip(),
        "alternate_name": record.alternate_name,
        "description": record.description,
        "url": record.url,
        "email": record.email,
        "status": record.status,
        "eligibility_description": record.eligibility_description,
        "application_process": record.application_process,
        "fees_description": record.fees_description,
        "minimum_age": record.minimum_age,
        "maximum_age": record.maximum_age,
        "free_of_charge": record.free_of_charge,
        "anonymous": record.anonymous,
        "crisis_line": record.crisis_line,
        "is_24h": bool(schedule and schedule.is_24h),
        "hours_text": record.hours_text,
        "schedule_spec": record.schedule,
        "area_scope": scope,
        "prefecture_code": area.prefecture_code if area else "",
        "source_name": src.name,
        "source_url": src.url,
        "source_retrieved": src.retrieved,
        "attribution": src.attribution,
        "last_verified": src.last_verified,
        "verification": src.verification,
        "verification_note": src.verification_note,
        "area_code": area.code if area else "",
        "terms": sorted(
            [f"topic:{c}" for c in record.topics]
            + [f"audience:{c}" for c in record.audiences]
            + [f"channel:{c}" for c in record.channels]
        ),
        "languages": sorted(set(record.languages)),
        "phones": [[p.number, p.description, p.type, p.extension] for p in record.phones],
    }


def _jsonable(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def _diff(old: dict | None, new: dict) -> dict:
    if old is None:
        return {k: [None, _jsonable(v)] for k, v in new.items() if v not in (None, "", [], False)}
    return {k: [_jsonable(old.get(k)), _jsonable(v)] for k, v in new.items() if old.get(k) != v}


def _write_children(service: Service, values: dict) -> None:
    ServiceAttribute.objects.filter(service=service).delete()
    ServiceAttribute.objects.bulk_create(
        [ServiceAttribute(service=service, term_id=t) for t in values["terms"]]
    )
    Language.objects.filter(service=service).delete()
    Language.objects.bulk_create(
        [
            Language(id=stable_uuid("language", f"{service.pk}:{code}"), service=service, code=code)
            for code in values["languages"]
        ]
    )
    Phone.objects.filter(service=service).delete()
    Phone.objects.bulk_create(
        [
            Phone(
                id=stable_uuid("phone", f"{service.pk}:{n}"),
                service=service,
                number=num,
                description=desc,
                type=kind,
                extension=extension,
                position=n,
            )
            for n, (num, desc, kind, extension) in enumerate(values["phones"])
        ]
    )
    Schedule.objects.filter(service=service).delete()
    if values["schedule_spec"] is not None:
        hsds = parse_schedule(values["schedule_spec"]).to_hsds()
        Schedule.objects.bulk_create(
            [
                Schedule(
                    id=stable_uuid("schedule", f"{service.pk}:{n}"),
                    service=service,
                    position=n,
                    freq=row.get("freq", ""),
                    byday=row.get("byday", ""),
                    bymonthday=str(row.get("bymonthday", "") or ""),
                    opens_at=row.get("opens_at", "") or "",
                    closes_at=row.get("closes_at", "") or "",
                    description=row.get("description", "") or "",
                )
                for n, row in enumerate(hsds)
            ]
        )
    ServiceArea.objects.filter(service=service).delete()
    area_name = service.area.name if service.area_id else "全国"
    ServiceArea.objects.create(
        id=stable_uuid("service_area", service.pk), service=service, area_id=service.area_id, name=area_name
    )


def apply_records(
    organizations: Iterable[OrganizationRecord],
    services: Iterable[ServiceRecord],
    via: str,
    actor=None,
    progress: Callable[[int, int], None] | None = None,
) -> ApplyReport:
    """Upsert the (already validated) records in one transaction and re-index changed services."""
    services = list(services)
    report = ApplyReport()
    areas = {a.code: a for a in LocalGovernment.objects.all()}
    with transaction.atomic():
        ensure_taxonomies()
        for org in organizations:
            src = org.source
            Organization.objects.update_or_create(
                id=as_uuid("organization", org.id),
                defaults={
                    "local_id": org.id, "name": org.name, "website": org.website, "description": org.description, "email": org.email,
                    "source_name": src.name, "source_url": src.url, "source_retrieved": src.retrieved,
                    "attribution": src.attribution, "last_verified": src.last_verified,
                    "verification": src.verification, "verification_note": src.verification_note,
                },
            )  # fmt: skip
            report.organizations_written += 1
        pks = [as_uuid("service", r.id) for r in services]
        existing = {s.pk: s for s in Service.objects.filter(pk__in=pks)}
        for number, (pk, record) in enumerate(zip(pks, services, strict=True), start=1):
            new = _record_values(record, areas)
            service = existing.get(pk)
            old = snapshot(service) if service else None
            changes = _diff(old, new)
            if service is not None and not changes:
                report.unchanged += 1
            else:
                scalar = {k: new[k] for k in _SCALAR_FIELDS}
                scalar["area_id"] = new["area_code"] or None
                service, created = Service.objects.update_or_create(id=pk, defaults=scalar)
                _write_children(service, new)
                ServiceChange.objects.create(
                    service_id_ref=pk, actor=actor, via=via, action="create" if created else "update",
                    changes=changes,
                )  # fmt: skip
                report.changed_ids.append(pk)
                if created:
                    report.created += 1
                else:
                    report.updated += 1
            if progress and (number % 100 == 0 or number == len(services)):
                progress(number, len(services))
        if report.changed_ids:
            index_services(Service.objects.filter(pk__in=report.changed_ids).select_related("organization"))
    return report


def record_admin_change(service: Service, before: dict | None, actor, action: str) -> None:
    """Record an edit made outside the importers (admin), and re-index the service."""
    after = snapshot(service)
    changes = _diff(before, after)
    if changes or action == "delete":
        ServiceChange.objects.create(
            service_id_ref=service.pk, actor=actor, via="admin", action=action, changes=changes
        )
    if action != "delete":
        index_services([service])
