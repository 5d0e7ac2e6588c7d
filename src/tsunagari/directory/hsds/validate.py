"""Validation against the shipped Open Referral HSDS 3.1 schemas (pure; no Django).

* ``validate_object(kind, data, strict=False)`` checks one JSON object (``kind`` is a schema name:
  ``service``, ``organization``, ``taxonomy``, ``taxonomy_term``…) with JSON Schema Draft 2020-12
  (the dialect of HSDS's OpenAPI 3.1 file; the object schemas declare none). The ``$ref`` between
  the schema files are resolved with ``referencing`` from the files in ``schema/`` — nothing is
  fetched. Formats are checked: ``uuid`` and ``email`` by jsonschema, ``uri`` (RFC 3986: ASCII,
  scheme, no spaces) and ``date-time`` (RFC 3339) here, so no optional dependency is needed.
  ``strict=True`` also rejects properties the schemas do not define (HSDS itself allows them; our
  own exports must not contain any). Organizations may carry ``services`` (the nested form served
  by ``/organizations/{id}``). An unknown ``kind`` raises ``ValueError``.
* ``validate_datapackage(directory)`` checks a tabular package: ``datapackage.json`` present and
  naming HSDS resources, and every CSV against the table schema of the shipped ``datapackage.json``
  (header = exactly the field names in order, required, types and formats, enums, unique and
  primary keys, foreign keys).

Both return a list of human-readable problems; an empty list means valid. For the importer,
``object_errors`` returns them as ``(JSON path, reason)`` pairs (``phones[0].number``) and
``read_datapackage`` / ``datapackage_errors`` as ``RowError`` values whose ``row`` is the CSV record
number (header = 1; 0 = the whole file) and ``column`` the field.
"""

from __future__ import annotations

import copy
import csv
import json
import re
import uuid
from datetime import date, datetime, time
from functools import cache
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tsunagari.directory.importers.errors import RowError

BASE_URI = "file:///hsds-3.1/schema/"
_NOT_OBJECT_SCHEMAS = {"datapackage.json", "openapi.json"}
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|NaN|-?INF")
_INTEGER = re.compile(r"[+-]?\d+")
_DATE = re.compile(r"\d{4}-\d\d-\d\d")
_TIME = re.compile(r"\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)?")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")


def schema_files():
    """The ``schema`` folder shipped in the package (an importlib.resources Traversable)."""
    return resources.files("tsunagari.directory.hsds").joinpath("schema")


def load_schema(name: str) -> dict:
    """One shipped schema file, e.g. ``load_schema("datapackage.json")``."""
    folder = schema_files()
    for part in name.split("/"):
        folder = folder.joinpath(part)
    return json.loads(folder.read_text(encoding="utf-8"))


# -- formats ------------------------------------------------------------------------------------
def is_uri(value) -> bool:
    if not isinstance(value, str):
        return True
    if not value.isascii() or any(ch.isspace() for ch in value):
        return False
    parts = urlsplit(value)
    return bool(_SCHEME.fullmatch(parts.scheme or "")) and bool(parts.netloc or parts.path)


def is_datetime(value) -> bool:
    if not isinstance(value, str):
        return True
    if not re.fullmatch(r"\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)", value):
        return False
    try:
        datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def is_uuid(value) -> bool:
    try:
        return str(uuid.UUID(value)) == value.lower() and len(value) == 36
    except (ValueError, AttributeError, TypeError):
        return False


def _format_checker() -> FormatChecker:
    checker = copy.deepcopy(Draft202012Validator.FORMAT_CHECKER)
    checker.checks("uri")(is_uri)
    checker.checks("date-time")(is_datetime)
    return checker


# -- JSON objects -------------------------------------------------------------------------------
def _strictify(node):
    """A copy of a schema where every object schema forbids properties it does not define."""
    if isinstance(node, list):
        return [_strictify(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _strictify(value) for key, value in node.items()}
    if isinstance(node.get("properties"), dict):
        out["additionalProperties"] = False
    return out


@cache
def _registry(strict: bool) -> Registry:
    resources_ = []
    for entry in [*schema_files().iterdir(), *schema_files().joinpath("compiled").iterdir()]:
        if not entry.name.endswith(".json") or entry.name in _NOT_OBJECT_SCHEMAS:
            continue
        name = entry.name if entry.parent.name != "compiled" else f"compiled/{entry.name}"
        contents = json.loads(entry.read_text(encoding="utf-8"))
        if strict:
            contents = _strictify(contents)
            if name == "organization.json":
                contents["properties"]["services"] = {"type": "array", "items": {"$ref": "service.json"}}
        resource = Resource.from_contents(contents, default_specification=DRAFT202012)
        resources_.append((BASE_URI + name, resource))
    return Registry().with_resources(resources_)


@cache
def object_kinds() -> frozenset[str]:
    """The object schemas shipped (``service``, ``organization``…, ``compiled/service_list``…)."""
    return frozenset(uri.removeprefix(BASE_URI).removesuffix(".json") for uri in _registry(False))


@cache
def _validator(kind: str, strict: bool) -> Draft202012Validator:
    if kind not in object_kinds():
        raise ValueError(f"unknown HSDS object kind {kind!r}")
    return Draft202012Validator(
        {"$ref": BASE_URI + f"{kind}.json"}, registry=_registry(strict), format_checker=_format_checker()
    )


def _path(error) -> str:
    """Where the error is, e.g. ``phones[0].number`` (a missing required property is named)."""
    parts = list(error.absolute_path)
    if error.validator == "required" and (m := re.match(r"'(.+)' is a required property", error.message)):
        parts.append(m[1])
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def object_errors(kind: str, data, strict: bool = False) -> list[tuple[str, str]]:
    """``(path, message)`` for every schema violation of ``data`` as an HSDS ``kind`` object."""
    found = _validator(kind, strict).iter_errors(data)
    errors = sorted(found, key=lambda e: ([str(p) for p in e.absolute_path], e.message))
    return [(_path(e), _message(e)) for e in errors]


def _message(error) -> str:
    if error.validator == "additionalProperties":
        return error.message.replace("Additional properties are not allowed", "not an HSDS field")
    if error.validator == "required":
        return "required"
    if error.validator == "format":
        return f"{error.instance!r} is not a valid {error.validator_value}"
    return error.message


def validate_object(kind: str, data, strict: bool = False) -> list[str]:
    """Human-readable problems of ``data`` as an HSDS ``kind`` object; empty when valid."""
    return [f"{path or '(object)'}: {message}" for path, message in object_errors(kind, data, strict)]


# -- tabular package ----------------------------------------------------------------------------
@cache
def package_schema() -> dict:
    """The shipped HSDS tabular data package definition."""
    return load_schema("datapackage.json")


def resources_by_name() -> dict[str, dict]:
    return {r["name"]: r for r in package_schema()["resources"]}


def cell_problem(field: dict, value: str) -> str | None:
    """Why ``value`` (a non-empty CSV cell) does not fit ``field`` of a table schema, or None."""
    kind, fmt = field.get("type", "string"), field.get("format", "default")
    ok = True
    if kind == "string":
        ok = {"uuid": is_uuid, "uri": is_uri, "email": _EMAIL.fullmatch}.get(fmt, bool)(value)
    elif kind == "number":
        ok = _NUMBER.fullmatch(value)
    elif kind == "integer":
        ok = _INTEGER.fullmatch(value)
    elif kind == "boolean":
        ok = value in {"true", "True", "TRUE", "1", "false", "False", "FALSE", "0"}
    elif kind in {"date", "time", "datetime"}:
        ok = _temporal(kind, value)
    if not ok:
        return f"{value!r} is not a valid {kind if fmt == 'default' else fmt}"
    enum = field.get("constraints", {}).get("enum")
    if enum and value not in enum:
        return f"{value!r} is not one of {enum}"
    return None


def _temporal(kind: str, value: str) -> bool:
    try:
        if kind == "date":
            return bool(_DATE.fullmatch(value)) and bool(date.fromisoformat(value))
        if kind == "time":
            return bool(_TIME.fullmatch(value)) and bool(time.fromisoformat(value.replace("Z", "+00:00")))
        return is_datetime(value)
    except ValueError:
        return False


def read_table(path: Path) -> tuple[list[str], list[list[str]]]:
    """Header and records of a UTF-8 CSV file (a BOM is tolerated)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    return (rows[0] if rows else []), rows[1:]


def read_datapackage(directory: str | Path) -> tuple[list[RowError], dict[str, list[dict]]]:
    """Check the tabular package in ``directory``; return its problems and its tables.

    Tables are keyed by resource name (``service``, ``phone``…); each row is a dict of the CSV
    cells (strings) plus ``_row``, its record number (header = 1). Resources the descriptor does not
    list are absent; invalid rows are still returned (only use the tables when there is no error).
    """
    directory = Path(directory)
    try:
        declared = json.loads((directory / "datapackage.json").read_text(encoding="utf-8"))
        listed = {r["name"]: r["path"] for r in declared["resources"]}
    except FileNotFoundError:
        return [RowError("datapackage.json", 0, "", "missing")], {}
    except (ValueError, KeyError, TypeError) as exc:
        return [RowError("datapackage.json", 0, "", f"not a valid data package descriptor: {exc}")], {}
    known = resources_by_name()
    errors: list[RowError] = []
    tables: dict[str, list[dict]] = {}
    for name, path in listed.items():
        if name not in known or path != known[name]["path"]:
            reason = f"unknown HSDS resource {name!r} ({path})"
            errors.append(RowError("datapackage.json", 0, "resources", reason))
        elif not (directory / path).is_file():
            errors.append(RowError(path, 0, "", "missing (listed in datapackage.json)"))
        else:
            tables[name] = _check_table(directory / path, known[name], errors)
    for name, rows in tables.items():
        _check_foreign_keys(known[name], rows, tables, errors)
    return errors, tables


def datapackage_errors(directory: str | Path) -> list[RowError]:
    """Every problem of the tabular package in ``directory`` (see the module docstring)."""
    return read_datapackage(directory)[0]


def _check_table(path: Path, resource: dict, errors: list[RowError]) -> list[dict]:
    """Check one CSV against its table schema; return its records as dicts with ``_row``."""
    fields = resource["schema"]["fields"]
    names = [f["name"] for f in fields]
    try:
        header, records = read_table(path)
    except (UnicodeDecodeError, csv.Error) as exc:
        errors.append(RowError(path.name, 0, "", f"not a readable UTF-8 CSV file: {exc}"))
        return []
    if header != names:
        missing, extra = [n for n in names if n not in header], [h for h in header if h not in names]
        reason = f"header must be exactly {names}"
        reason += f"; missing {missing}" if missing else ""
        reason += f"; unexpected {extra}" if extra else ""
        errors.append(RowError(path.name, 1, ",".join(extra or missing), reason))
        return []
    unique = {f["name"] for f in fields if f.get("constraints", {}).get("unique")}
    key = resource["schema"].get("primaryKey", [])
    unique |= set(key.split(",") if isinstance(key, str) else key) & set(names)
    seen: dict[str, dict[str, int]] = {n: {} for n in unique}
    out = []
    for number, record in enumerate(records, start=2):
        if len(record) != len(names):
            errors.append(RowError(path.name, number, "", f"has {len(record)} cells, expected {len(names)}"))
            continue
        row = dict(zip(names, record, strict=True))
        for field in fields:
            value, name = row[field["name"]], field["name"]
            if value == "":
                if field.get("constraints", {}).get("required"):
                    errors.append(RowError(path.name, number, name, "required"))
                continue
            if problem := cell_problem(field, value):
                errors.append(RowError(path.name, number, name, problem))
            if name in seen:
                if value in seen[name]:
                    reason = f"{value!r} repeats row {seen[name][value]}"
                    errors.append(RowError(path.name, number, name, reason))
                seen[name].setdefault(value, number)
        out.append({"_row": number, **row})
    return out


def _check_foreign_keys(resource: dict, rows: list[dict], tables: dict, errors: list[RowError]) -> None:
    for key in resource["schema"].get("foreignKeys", []):
        field, target = key["fields"], key["reference"]
        if target["resource"] not in tables:
            continue
        targets = {row.get(target["fields"]) for row in tables[target["resource"]]}
        for row in rows:
            value = row.get(field, "")
            if value and value not in targets:
                reason = f"{value!r} is not an id in {tables_path(target['resource'])}"
                errors.append(RowError(resource["path"], row["_row"], field, reason))


def tables_path(name: str) -> str:
    return resources_by_name()[name]["path"]


def validate_datapackage(directory: str | Path) -> list[str]:
    """Human-readable problems of the tabular package in ``directory``; empty when valid."""
    return [str(error) for error in datapackage_errors(directory)]
