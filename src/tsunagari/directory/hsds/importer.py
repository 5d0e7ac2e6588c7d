"""Read Open Referral HSDS 3.1 data into directory records (no database access).

* ``parse_hsds_json(path)``: a list of services (our ``services.json``), one service object, or an
  API page ``{"contents": [...]}``. Each object is validated against ``service.json`` first.
  Errors: ``row`` = 1-based index of the service in the list, ``column`` = JSON path inside it.
* ``parse_datapackage(path)``: a tabular package (its folder or its ``datapackage.json``), checked
  against the shipped table schemas first (see ``validate.read_datapackage``), then joined back
  into nested services. Errors: ``file`` = the CSV, ``row`` = record number (header = 1),
  ``column`` = the field.

Both return ``(organizations, services)`` or raise ``ImportValidationError`` with every problem.
Mapping (the inverse of ``serialize``): HSDS fields map to the fields of the same name; the
organization comes from the nested ``organization`` (or the organizations table) or, by
``organization_id``, from the database; ``assured_date`` is ``last_verified``; attributes whose term
belongs to the tsunagari topic/audience/channel taxonomies (known by term id, or by the taxonomy's
id or name plus the term code, with or without its ``topic:`` prefix) become topics/audiences/
channels; ``tsunagari-profile`` attributes give the Japan-profile facts (``is_24h`` and
``area_scope`` are derived again, so ignored). The record id is the ``local_id`` fact or else the
HSDS id. An organization description equal to its name is read as empty (see ``serialize``). Without a ``schedule`` fact, simple WEEKLY/MONTHLY HSDS schedules in Tokyo time are turned
into hours; anything else leaves the hours unknown. Terms of other taxonomies are ignored.
"""

from __future__ import annotations

import json
import math
import re
from datetime import date
from pathlib import Path

from tsunagari.core.ids import as_uuid, stable_uuid
from tsunagari.directory.hours import DAY_NAMES, ScheduleError, parse_schedule
from tsunagari.directory.hsds.serialize import PROFILE, PROFILE_TERMS
from tsunagari.directory.hsds.validate import object_errors, read_datapackage, resources_by_name
from tsunagari.directory.importers.errors import ImportValidationError, RowError
from tsunagari.directory.records import OrganizationRecord, PhoneRecord, ServiceRecord, SourceRecord
from tsunagari.directory.services import TAXONOMY_NAMES, VOCABULARIES

_KEYS = [*VOCABULARIES, PROFILE]
TAXONOMY_KEYS = {stable_uuid("taxonomy", k): k for k in _KEYS} | {v: k for k, v in TAXONOMY_NAMES.items()}
TAXONOMY_KEYS[PROFILE] = PROFILE
KNOWN_TERMS = {
    stable_uuid("taxonomy_term", f"{key}:{code}"): (key, code)
    for key, codes in [*VOCABULARIES.items(), (PROFILE, PROFILE_TERMS)]
    for code in codes
}
BOOLEAN_FACTS = {"crisis_line", "is_24h", "free_of_charge", "anonymous"}
DATE_FACTS = {"source_retrieved", "last_verified"}
_DAYS = dict(zip(("MO", "TU", "WE", "TH", "FR", "SA", "SU"), DAY_NAMES, strict=True))
_CHILDREN = {
    "phones": "phone", "schedules": "schedule", "service_areas": "service_area", "languages": "language",
    "contacts": "contact", "service_at_locations": "service_at_location",
}  # fmt: skip


class _Errors:
    """Collects errors; places them in the JSON item or, for rows from a CSV, in that CSV row."""

    def __init__(self, file: str) -> None:
        self.file, self.items = file, []

    def add(self, row: int, obj: dict, path: str, field: str, reason: str) -> None:
        if "_origin" in obj:
            self.items.append(RowError(obj["_origin"][0], obj["_origin"][1], field, reason))
        else:
            self.items.append(RowError(self.file, row, f"{path}.{field}" if path else field, reason))


def _term_key(attr: dict) -> tuple[str, str] | None:
    """(taxonomy key, code) of an attribute's term when it is one of ours, else None."""
    term = attr.get("taxonomy_term") or {}
    term_id = attr.get("taxonomy_term_id") or term.get("id")
    if term_id in KNOWN_TERMS:
        return KNOWN_TERMS[term_id]
    detail = term.get("taxonomy_detail") or {}
    for ref in (term.get("taxonomy_id"), detail.get("id"), term.get("taxonomy"), detail.get("name")):
        if ref in TAXONOMY_KEYS:
            key = TAXONOMY_KEYS[ref]
            return key, str(term.get("code") or "").removeprefix(f"{key}:")
    return None


def _facts(owner: dict, row: int, path: str, errors: _Errors) -> tuple[dict, dict[str, list[str]]]:
    """Profile facts and tsunagari terms of an object's attributes."""
    facts: dict = {}
    terms: dict[str, list[str]] = {key: [] for key in VOCABULARIES}
    for n, attr in enumerate(owner.get("attributes") or []):
        key = _term_key(attr)
        where = (row, attr, f"{path}attributes[{n}]")
        if key is None:
            continue
        if key[0] != PROFILE:
            if key[1] and key[1] not in terms[key[0]]:
                terms[key[0]].append(key[1])
            continue
        name, value = key[1], attr.get("value", "")
        if name not in PROFILE_TERMS:
            errors.add(*where, "taxonomy_term_id", f"unknown {PROFILE} term '{name}'")
        elif name in BOOLEAN_FACTS and value not in ("true", "false"):
            errors.add(*where, "value", f"{name}: '{value}' is not true or false")
        elif name in BOOLEAN_FACTS:
            facts[name] = value == "true"
        elif name in DATE_FACTS:
            facts[name] = _date(value, where, "value", errors)
        elif name == "schedule":
            try:
                facts[name] = json.loads(value)
            except ValueError as exc:
                errors.add(*where, "value", f"schedule is not JSON: {exc}")
        else:
            facts[name] = value
    return facts, terms


def _date(value, where: tuple, field: str, errors: _Errors) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        errors.add(*where, field, f"'{value}' is not a date YYYY-MM-DD")
        return None


def _local_id(kind: str, obj: dict, facts: dict, where: tuple, errors: _Errors) -> str:
    local = facts.get("local_id") or obj["id"]
    if as_uuid(kind, local) != obj["id"]:
        errors.add(*where, "id", f"does not match local_id '{local}' (expected {as_uuid(kind, local)})")
    return local


def _source(facts: dict, last_verified: date | None) -> SourceRecord:
    return SourceRecord(
        name=facts.get("source_name", ""),
        url=facts.get("source_url", ""),
        retrieved=facts.get("source_retrieved"),
        attribution=facts.get("attribution", ""),
        last_verified=last_verified,
        verification=facts.get("verification", "unverified"),
        verification_note=facts.get("verification_note", ""),
    )


def _organization(org: dict, row: int, errors: _Errors) -> OrganizationRecord:
    facts, _terms = _facts(org, row, "organization.", errors)
    description = org.get("description", "")
    return OrganizationRecord(
        id=_local_id("organization", org, facts, (row, org, "organization"), errors),
        name=org["name"],
        website=org.get("website", ""),
        description="" if description == org["name"] else description,
        email=org.get("email", ""),
        source=_source(facts, facts.get("last_verified")),
    )


def _hhmm(value) -> str | None:
    m = re.fullmatch(r"(\d\d):(\d\d)(:00)?(\+09:00)?", str(value or ""))
    return None if not m else ("24:00" if m[0].startswith("23:59") else f"{m[1]}:{m[2]}")


def schedule_from_hsds(schedules: list[dict]) -> dict | None:
    """Hours (``tsunagari.directory.hours`` format) of simple HSDS schedules, or None."""
    rules = []
    for s in schedules:
        opens, closes = _hhmm(s.get("opens_at")), _hhmm(s.get("closes_at"))
        if s.get("timezone", 9) != 9 or not opens or not closes or opens == "24:00":
            return None
        parts = [p.strip() for p in str(s.get("byday") or s.get("bymonthday") or "").split(",")]
        if s.get("freq") == "WEEKLY" and s.get("byday") and all(p in _DAYS for p in parts):
            rules.append({"days": [_DAYS[p] for p in parts], "opens": opens, "closes": closes})
        elif s.get("freq") == "MONTHLY" and s.get("bymonthday") and all(p.isdigit() for p in parts):
            rules.append({"days_of_month": [int(p) for p in parts], "opens": opens, "closes": closes})
        else:
            return None
    try:
        return parse_schedule({"rules": rules}).data if rules else None
    except ScheduleError:
        return None


def _age(item: dict, field: str, row: int, errors: _Errors) -> int | None:
    value = item.get(field)
    if value is None:
        return None
    if not math.isfinite(value) or value != int(value) or not 0 <= value <= 200:
        errors.add(row, item, "", field, f"{value} is not an age in whole years")
        return None
    return int(value)


def _phone(phone: dict) -> PhoneRecord:
    extension = phone.get("extension")
    if isinstance(extension, float) and extension.is_integer():
        extension = int(extension)
    return PhoneRecord(
        number=phone["number"],
        description=phone.get("description", ""),
        type=phone.get("type") or "voice",
        extension="" if extension is None else str(extension),
    )


def _service(item: dict, row: int, orgs: dict, errors: _Errors) -> ServiceRecord:
    facts, terms = _facts(item, row, "", errors)
    org_id = item.get("organization_id") or (item.get("organization") or {}).get("id")
    if not org_id:
        errors.add(row, item, "", "organization_id", "required (or a nested organization)")
    elif item.get("organization") and item["organization"]["id"] != org_id:
        errors.add(row, item, "", "organization_id", "differs from organization.id")
    return ServiceRecord(
        id=_local_id("service", item, facts, (row, item, ""), errors),
        organization_id=orgs[org_id].id if org_id in orgs else org_id or "",
        name=item["name"],
        description=item.get("description", ""),
        alternate_name=item.get("alternate_name", ""),
        url=item.get("url", ""),
        email=item.get("email", ""),
        status=item["status"],
        eligibility_description=item.get("eligibility_description", ""),
        application_process=item.get("application_process", ""),
        fees_description=item.get("fees_description", ""),
        minimum_age=_age(item, "minimum_age", row, errors),
        maximum_age=_age(item, "maximum_age", row, errors),
        free_of_charge=facts.get("free_of_charge"),
        anonymous=facts.get("anonymous"),
        crisis_line=facts.get("crisis_line", False),
        hours_text=facts.get("hours_text", ""),
        schedule=facts["schedule"]
        if "schedule" in facts
        else schedule_from_hsds(item.get("schedules") or []),
        area_code=facts.get("area_code", ""),
        topics=tuple(terms["topic"]),
        audiences=tuple(terms["audience"]),
        channels=tuple(terms["channel"]),
        languages=tuple(lang["code"] for lang in item.get("languages") or [] if lang.get("code")),
        phones=tuple(_phone(p) for p in item.get("phones") or []),
        source=_source(facts, _date(item.get("assured_date"), (row, item, ""), "assured_date", errors)),
        origin=(row, item["name"]),
    )


def _records(
    items: list[tuple[int, dict]], file: str
) -> tuple[list[OrganizationRecord], list[ServiceRecord]]:
    errors = _Errors(file)
    orgs: dict[str, OrganizationRecord] = {}
    for row, item in items:
        org = item.get("organization")
        if org and org["id"] not in orgs:
            orgs[org["id"]] = _organization(org, row, errors)
    services = [_service(item, row, orgs, errors) for row, item in items]
    if errors.items:
        raise ImportValidationError(errors.items)
    return list(orgs.values()), services


def parse_hsds_json(path: str | Path) -> tuple[list[OrganizationRecord], list[ServiceRecord]]:
    """Records of an HSDS JSON file (see the module docstring); raises ``ImportValidationError``."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ImportValidationError(
            [RowError(path.name, 0, "", f"not a readable JSON file: {exc}")]
        ) from None
    if isinstance(data, dict) and isinstance(data.get("contents"), list):
        data = data["contents"]
    items = data if isinstance(data, list) else [data]
    errors = [
        RowError(path.name, row, column, reason)
        for row, item in enumerate(items, start=1)
        for column, reason in object_errors("service", item)
    ]
    if errors:
        raise ImportValidationError(errors)
    return _records(list(enumerate(items, start=1)), path.name)


def _typed(resource: str, row: dict) -> dict:
    """A CSV row as an HSDS object: empty cells dropped, numbers as numbers, ``_origin`` added."""
    fields = {f["name"]: f for f in resources_by_name()[resource]["schema"]["fields"]}
    out: dict = {"_origin": (resources_by_name()[resource]["path"], row["_row"])}
    for name, value in row.items():
        if name == "_row" or value == "":
            continue
        if fields[name]["type"] == "number":
            value = float(value)
            value = int(value) if value.is_integer() else value
        out[name] = value
    return out


def _nest(tables: dict[str, list[dict]]) -> list[tuple[int, dict]]:
    """The services of a package as nested HSDS services, with their services.csv record number."""
    rows = {name: [_typed(name, r) for r in table] for name, table in tables.items()}
    taxonomies = {t["id"]: t for t in rows.get("taxonomy", [])}
    terms = {
        t["id"]: {**t, "taxonomy_detail": taxonomies.get(t.get("taxonomy_id"), {})}
        for t in rows.get("taxonomy_term", [])
    }
    by_parent: dict[tuple[str, str], list[dict]] = {}
    for attr in rows.get("attribute", []):
        attr["taxonomy_term"] = terms.get(attr["taxonomy_term_id"], {})
        by_parent.setdefault(("attributes", attr["link_id"]), []).append(attr)
    for key, resource in _CHILDREN.items():
        for child in rows.get(resource, []):
            if child.get("service_id"):
                by_parent.setdefault((key, child["service_id"]), []).append(child)
    orgs = {
        o["id"]: {**o, "attributes": by_parent.get(("attributes", o["id"]), [])}
        for o in rows.get("organization", [])
    }
    services = []
    for service in rows.get("service", []):
        nested = {key: by_parent.get((key, service["id"]), []) for key in [*_CHILDREN, "attributes"]}
        if service.get("organization_id") in orgs:
            nested["organization"] = orgs[service["organization_id"]]
        services.append((service["_origin"][1], {**service, **nested}))
    return services


def parse_datapackage(path: str | Path) -> tuple[list[OrganizationRecord], list[ServiceRecord]]:
    """Records of an HSDS tabular package (folder or ``datapackage.json``); raises on any problem."""
    path = Path(path)
    directory = path if path.is_dir() else path.parent
    errors, tables = read_datapackage(directory)
    if errors:
        raise ImportValidationError(errors)
    return _records(_nest(tables), "services.csv")
