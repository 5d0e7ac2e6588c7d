"""Reads the curated consultation-windows YAML (``data/national_windows.yaml`` format; pure).

Format (version 1): ``organizations: [{id, name, url}]`` and ``services: [...]`` with the keys in
``SERVICE_KEYS``. Every problem is reported as a ``RowError`` whose ``row`` is the 1-based position
of the entry in ``services`` and whose column is the key; problems with ``organizations`` entries
have row 0 and column ``organizations[i]``. Nothing is returned on error.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml

from tsunagari.directory.importers.errors import ImportValidationError, RowError
from tsunagari.directory.records import OrganizationRecord, PhoneRecord, ServiceRecord, SourceRecord

REQUIRED_KEYS = {"id", "name", "organization", "topics", "audiences", "channels", "source", "verification"}
SERVICE_KEYS = REQUIRED_KEYS | {
    "description", "languages", "free_of_charge", "cost_note", "anonymous", "crisis_line", "area", "phones",
    "urls", "hours_text", "schedule", "last_verified", "verification_note", "alternate_name", "status",
    "eligibility", "minimum_age", "maximum_age",
}  # fmt: skip
VERIFICATIONS = {"verified", "unverified"}


def _date(value, column: str, problems: list[tuple[str, str]]) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        problems.append((column, f"'{value}' is not a date YYYY-MM-DD"))
        return None


def _strings(value, column: str, problems: list[tuple[str, str]]) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append((column, "must be a list of strings"))
        return ()
    return tuple(value)


def _bool(value, column: str, problems: list[tuple[str, str]]) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    problems.append((column, f"'{value}' must be true, false or null"))
    return None


def _service(entry: dict, problems: list[tuple[str, str]], row: int) -> ServiceRecord | None:
    unknown = set(entry) - SERVICE_KEYS
    problems += [(key, "unknown key") for key in sorted(unknown)]
    problems += [(key, "missing") for key in sorted(REQUIRED_KEYS - set(entry))]
    source = entry.get("source") or {}
    if not isinstance(source, dict) or not source.get("url"):
        problems.append(("source", "needs at least a url"))
        source = source if isinstance(source, dict) else {}
    verification = entry.get("verification")
    if verification not in VERIFICATIONS:
        problems.append(("verification", f"'{verification}' is not one of {sorted(VERIFICATIONS)}"))
    phones = []
    for n, phone in enumerate(entry.get("phones") or []):
        if not isinstance(phone, dict) or not str(phone.get("number", "")).strip():
            problems.append((f"phones[{n}]", "needs a number"))
            continue
        phones.append(
            PhoneRecord(
                str(phone["number"]).strip(), str(phone.get("label") or ""), phone.get("type", "voice")
            )
        )
    urls = _strings(entry.get("urls"), "urls", problems)
    schedule = entry.get("schedule")
    if schedule is not None and not isinstance(schedule, dict):
        problems.append(("schedule", "must be a mapping"))
        schedule = None
    area = entry.get("area", "national")
    area_code = "" if area in (None, "national") else str(area)
    cost_note = str(entry.get("cost_note") or "")
    src = SourceRecord(
        name=str(source.get("name") or ""),
        url=str(source.get("url") or ""),
        retrieved=_date(source.get("retrieved"), "source.retrieved", problems),
        last_verified=_date(entry.get("last_verified"), "last_verified", problems),
        verification=verification if verification in VERIFICATIONS else "unverified",
        verification_note=str(entry.get("verification_note") or ""),
    )
    free_of_charge = _bool(entry.get("free_of_charge"), "free_of_charge", problems)
    anonymous = _bool(entry.get("anonymous"), "anonymous", problems)
    topics = _strings(entry.get("topics"), "topics", problems)
    audiences = _strings(entry.get("audiences"), "audiences", problems)
    channels = _strings(entry.get("channels"), "channels", problems)
    languages = _strings(entry.get("languages"), "languages", problems) or ("ja",)
    if problems:
        return None
    return ServiceRecord(
        id=str(entry["id"]),
        organization_id=str(entry["organization"]),
        name=str(entry["name"]),
        alternate_name=str(entry.get("alternate_name") or ""),
        description=str(entry.get("description") or "").strip(),
        url=urls[0] if urls else "",
        status=str(entry.get("status") or "active"),
        eligibility_description=str(entry.get("eligibility") or ""),
        fees_description=cost_note,
        minimum_age=entry.get("minimum_age"),
        maximum_age=entry.get("maximum_age"),
        free_of_charge=free_of_charge,
        anonymous=anonymous,
        crisis_line=bool(entry.get("crisis_line")),
        hours_text=str(entry.get("hours_text") or ""),
        schedule=schedule,
        area_code=area_code,
        topics=topics,
        audiences=audiences,
        channels=channels,
        languages=languages,
        phones=tuple(phones),
        source=src,
        origin=(row, str(entry.get("id"))),
    )


def parse_windows_yaml(path: str | Path) -> tuple[list[OrganizationRecord], list[ServiceRecord]]:
    """Organizations and services of a windows YAML file, or ``ImportValidationError``."""
    path = Path(path)
    name = path.name
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ImportValidationError([RowError(name, 0, "", f"not valid YAML: {exc}")]) from None
    if not isinstance(doc, dict) or doc.get("version") != 1:
        raise ImportValidationError([RowError(name, 0, "version", "expected a mapping with version: 1")])
    errors: list[RowError] = []
    organizations = []
    for n, org in enumerate(doc.get("organizations") or [], start=1):
        if not isinstance(org, dict) or not org.get("id") or not org.get("name"):
            errors.append(RowError(name, 0, f"organizations[{n}]", "needs id and name"))
            continue
        organizations.append(
            OrganizationRecord(id=str(org["id"]), name=str(org["name"]), website=str(org.get("url") or ""))
        )
    services = []
    for row, entry in enumerate(doc.get("services") or [], start=1):
        problems: list[tuple[str, str]] = []
        if not isinstance(entry, dict):
            errors.append(RowError(name, row, "", "must be a mapping"))
            continue
        record = _service(entry, problems, row)
        errors += [RowError(name, row, column, reason) for column, reason in problems]
        if record is not None:
            services.append(record)
    if errors:
        raise ImportValidationError(errors)
    return organizations, services
