"""Export the whole directory as Open Referral HSDS 3.1 (JSON files or the tabular data package).

* ``export_hsds_json(directory)`` writes ``services.json`` (full services, see
  ``serialize.service_to_hsds``), ``organizations.json`` (with phones, contacts, profile attributes
  and the id/name/status of their services), ``taxonomies.json`` and ``taxonomy_terms.json``
  (including the ``tsunagari-profile`` taxonomy); it returns the path of ``services.json``.
* ``export_datapackage(directory)`` writes ``datapackage.json`` (the shipped HSDS descriptor) and
  one CSV per resource it lists, header = exactly its field names in order (tables we have no data
  for are header-only); it returns the path of ``datapackage.json``. HSDS 3.1 ships two resources
  whose table schema is itself invalid (``service_capacity``: primary key ``id`` is not a field;
  ``unit``: no fields); we hold no such data and leave them out, so the package also passes
  Frictionless (``frictionless validate``). Nested objects become rows of
  their tables; attribute rows carry only ``taxonomy_term_id``. Times are written ``HH:MM:SS``.

Both returned paths can be given to ``tsunagari directory import``. Output is deterministic:
UTF-8, top-level objects sorted by id, child rows in their parent's order (a service's phones keep
their order). Output is written to a temporary folder, validated with ``validate.py`` and only
then moved into ``directory``; invalid output raises ``HSDSExportError`` and leaves nothing.
"""

from __future__ import annotations

import csv
import json
import tempfile
from pathlib import Path

from tsunagari.directory.hsds.serialize import (
    PROFILE_TERMS,
    SERVICE_PREFETCH,
    location_to_hsds,
    organization_to_hsds,
    profile_taxonomy_to_hsds,
    profile_term_to_hsds,
    service_to_hsds,
    taxonomy_term_to_hsds,
    taxonomy_to_hsds,
)
from tsunagari.directory.hsds.validate import package_schema, validate_datapackage, validate_object
from tsunagari.directory.models import Location, Organization, Service, Taxonomy, TaxonomyTerm

JSON_FILES = {
    "services.json": "service",
    "organizations.json": "organization",
    "taxonomies.json": "taxonomy",
    "taxonomy_terms.json": "taxonomy_term",
}
#: nested list key → tabular resource, per parent resource
CHILDREN = {
    "organization": {"phones": "phone", "contacts": "contact", "attributes": "attribute"},
    "service": {
        "phones": "phone", "schedules": "schedule", "service_areas": "service_area", "languages": "language",
        "contacts": "contact", "attributes": "attribute", "service_at_locations": "service_at_location",
    },
    "location": {"addresses": "address"},
}  # fmt: skip


class HSDSExportError(ValueError):
    """The export did not validate; ``errors`` lists the problems."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = list(errors)
        super().__init__("HSDS export is invalid:\n" + "\n".join(f"  {e}" for e in self.errors[:50]))


def _by_id(items: list[dict]) -> list[dict]:
    return sorted(items, key=lambda item: item["id"])


def hsds_objects() -> dict[str, list[dict]]:
    """Every object of the directory as HSDS dicts, keyed by the JSON file name."""
    services = Service.objects.select_related("organization").prefetch_related(*SERVICE_PREFETCH)
    organizations = Organization.objects.prefetch_related("phones", "contacts", "services")
    terms = TaxonomyTerm.objects.select_related("taxonomy")
    return {
        "services.json": _by_id([service_to_hsds(s) for s in services.order_by("pk")]),
        "organizations.json": _by_id([organization_to_hsds(o, services=True) for o in organizations]),
        "taxonomies.json": _by_id(
            [taxonomy_to_hsds(t) for t in Taxonomy.objects.all()] + [profile_taxonomy_to_hsds()]
        ),
        "taxonomy_terms.json": _by_id(
            [taxonomy_term_to_hsds(t) for t in terms] + [profile_term_to_hsds(n) for n in PROFILE_TERMS]
        ),
    }


def _publish(staging: Path, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for item in sorted(staging.iterdir()):
        item.replace(directory / item.name)


def _write_json(path: Path, data) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def export_hsds_json(directory: str | Path) -> Path:
    """Write the four HSDS JSON files into ``directory``; return the path of ``services.json``."""
    directory = Path(directory)
    objects = hsds_objects()
    errors = [
        f"{name}[{n}] ({item.get('id')}): {problem}"
        for name, items in objects.items()
        for n, item in enumerate(items)
        for problem in validate_object(JSON_FILES[name], item, strict=True)
    ]
    if errors:
        raise HSDSExportError(errors)
    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=directory, prefix=".export-") as staging:
        for name, items in objects.items():
            _write_json(Path(staging) / name, items)
        _publish(Path(staging), directory)
    return directory / "services.json"


def _cell(field: dict, value) -> str:
    if value is None:
        return ""
    if field["type"] == "time" and isinstance(value, str) and len(value) == 5:
        return value + ":00"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _tables(objects: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """Rows (dicts) for every tabular resource, flattened from the nested HSDS objects."""
    tables: dict[str, list[dict]] = {r["name"]: [] for r in package_schema()["resources"]}
    seen: set[tuple[str, str]] = set()

    def add(resource: str, obj: dict) -> None:
        if (resource, obj["id"]) in seen:
            return
        seen.add((resource, obj["id"]))
        tables[resource].append(obj)
        for key, child in CHILDREN.get(resource, {}).items():
            for item in obj.get(key, []):
                add(child, item)
        if resource == "service_at_location" and "location" in obj:
            add("location", obj["location"])

    for org in objects["organizations.json"]:
        add("organization", org)
    for service in objects["services.json"]:
        add("service", service)
    for location in Location.objects.order_by("pk"):
        add("location", location_to_hsds(location))
    for taxonomy in objects["taxonomies.json"]:
        add("taxonomy", taxonomy)
    for term in objects["taxonomy_terms.json"]:
        add("taxonomy_term", term)
    return tables


def _well_formed(resource: dict) -> bool:
    """Whether a resource's table schema is valid (has fields, primary key among them)."""
    names = {f["name"] for f in resource["schema"]["fields"]}
    key = resource["schema"].get("primaryKey", [])
    return bool(names) and set(key.split(",") if isinstance(key, str) else key) <= names


def export_datapackage(directory: str | Path) -> Path:
    """Write the HSDS tabular data package into ``directory``; return the ``datapackage.json`` path."""
    directory = Path(directory)
    descriptor = dict(package_schema())
    descriptor["resources"] = [r for r in descriptor["resources"] if _well_formed(r)]
    tables = _tables(hsds_objects())
    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=directory, prefix=".export-") as staging:
        staging = Path(staging)
        _write_json(staging / "datapackage.json", descriptor)
        for resource in descriptor["resources"]:
            fields = resource["schema"]["fields"]
            with (staging / resource["path"]).open("w", encoding="utf-8", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow([f["name"] for f in fields])
                for row in tables[resource["name"]]:
                    writer.writerow([_cell(f, row.get(f["name"])) for f in fields])
        errors = validate_datapackage(staging)
        if errors:
            raise HSDSExportError(errors)
        _publish(staging, directory)
    return directory / "datapackage.json"
