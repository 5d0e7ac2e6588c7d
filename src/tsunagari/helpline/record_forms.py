"""Versioned definitions of the common consultation record (共通相談記録票) — pure, no Django.

Contract
--------
A definition is a YAML file ``data/record_forms/v<N>.yaml`` (``version: v<N>``, a ``title`` and
``sections`` of ``fields``). ``load_form(version)`` reads and validates one; ``FormDefinitionError``
names the file, section, field and key that are wrong. ``current_version()`` is the highest ``N``
in the directory; ``available_versions()`` lists them all. A released file is never edited: the
form evolves by adding ``v<N+1>.yaml``, and records keep the version they were written with, so
``load_form(record.form_version)`` still reads an old record.

``FormDefinition.validate(data, field_codes=...)`` checks submitted data (a mapping of field id →
value, as a web form or the JSON column holds it) and returns ``Validation(cleaned, errors)``:
``cleaned`` has every field of the version in canonical form (empty choice → None, empty text →
"", no choices → [], boolean → False); ``errors`` are ``FieldError(field, code, params)`` with
stable codes (translated by the web layer) and never repeat the submitted value, so they may be
logged. ``FormDefinition.describe(data)`` lays a stored record out for reading (labels of the
record's own version; unknown values and keys are shown as they are).

Field types: ``choice`` (one of ``options``), ``multichoice`` (some of ``options``; optional
``max_choices``), ``text`` (``max_length`` required; ``multiline`` for a text area), ``boolean``,
``field`` (a code of the line's consultation fields, 分野; checked against ``field_codes`` when
given). Any field may have ``help``; ``required`` (not for booleans); ``required_when`` names an
earlier boolean field: the field is required when it is true and must stay empty when it is false.
A field with id ``risk`` is the record's risk level: a choice among ``RISK_LEVELS``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

TYPES = ("choice", "multichoice", "text", "boolean", "field")
RISK_FIELD = "risk"
RISK_LEVELS = ("low", "medium", "high")  # = ConsultationRecord.Risk values (a test keeps them equal)
VERSION_PATTERN = re.compile(r"^v(\d+)$")
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_TEXT_LENGTH = 20000

_COMMON_KEYS = {"id", "type", "label", "help", "required", "required_when"}
_TYPE_KEYS = {
    "choice": {"options"},
    "multichoice": {"options", "max_choices"},
    "text": {"max_length", "multiline"},
    "boolean": set(),
    "field": set(),
}


def default_directory() -> Path:
    """The shipped definitions (``tsunagari/helpline/data/record_forms``)."""
    return Path(str(resources.files("tsunagari.helpline").joinpath("data/record_forms")))


class FormDefinitionError(ValueError):
    """A definition file is malformed; the message names file, section, field and key."""


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class FieldDef:
    id: str
    type: str
    label: str
    help: str = ""
    required: bool = False
    required_when: str | None = None
    options: tuple[Option, ...] = ()
    max_choices: int | None = None
    max_length: int | None = None
    multiline: bool = False

    def option_label(self, value: str) -> str | None:
        return next((o.label for o in self.options if o.value == value), None)


@dataclass(frozen=True)
class Section:
    id: str
    legend: str
    fields: tuple[FieldDef, ...]


@dataclass(frozen=True)
class FieldError:
    """A problem with one submitted field: ``code`` is stable (the web layer translates it)."""

    field: str
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        """An English description for developers and logs (never contains the submitted value)."""
        templates = {
            "required": "is required",
            "invalid_type": "has the wrong type (expected {expected})",
            "invalid_choice": "is not one of the options",
            "max_choices": "has more than {max} choices",
            "max_length": "is longer than {max} characters",
            "not_applicable": "must be empty unless {controller} is true",
            "unknown_code": "is not a known consultation field code",
            "unknown_field": "is not a field of this form version",
        }
        return f"{self.field}: " + templates.get(self.code, self.code).format(**self.params)


@dataclass(frozen=True)
class Validation:
    cleaned: dict[str, Any]
    errors: tuple[FieldError, ...]

    @property
    def ok(self) -> bool:
        return not self.errors

    def errors_by_field(self) -> dict[str, list[FieldError]]:
        result: dict[str, list[FieldError]] = {}
        for error in self.errors:
            result.setdefault(error.field, []).append(error)
        return result


@dataclass(frozen=True)
class DisplayItem:
    """One field of a stored record, for reading: ``labels`` are option labels of the record's
    version (to be translated), ``text`` is what the counsellor wrote or an unknown stored value
    (never translated), ``flag`` a boolean's value."""

    id: str
    label: str
    type: str
    labels: tuple[str, ...] = ()
    text: str = ""
    flag: bool | None = None
    unknown: bool = False


@dataclass(frozen=True)
class DisplaySection:
    legend: str
    items: tuple[DisplayItem, ...]


@dataclass(frozen=True)
class FormDefinition:
    version: str
    title: str
    sections: tuple[Section, ...]

    @property
    def number(self) -> int:
        return int(VERSION_PATTERN.match(self.version).group(1))

    @property
    def fields(self) -> tuple[FieldDef, ...]:
        return tuple(f for s in self.sections for f in s.fields)

    def field(self, field_id: str) -> FieldDef | None:
        return next((f for f in self.fields if f.id == field_id), None)

    # -- validation ------------------------------------------------------------------------------

    def validate(self, data: Mapping[str, Any], field_codes: Iterable[str] | None = None) -> Validation:
        """Check ``data`` against this version (see the module docstring)."""
        if not isinstance(data, Mapping):
            return Validation({}, (FieldError("__all__", "invalid_type", {"expected": "mapping"}),))
        codes = None if field_codes is None else frozenset(field_codes)
        cleaned: dict[str, Any] = {}
        errors: list[FieldError] = []
        for key in data:
            if self.field(str(key)) is None:
                errors.append(FieldError(str(key), "unknown_field"))
        for f in self.fields:
            value, problem = _clean_value(f, data.get(f.id), codes)
            cleaned[f.id] = value
            if problem is not None:
                errors.append(problem)
                continue
            required = f.required
            if f.required_when is not None:
                if any(e.field == f.required_when for e in errors):
                    continue  # whether it applies is unknown until the controlling field is fixed
                controller = bool(cleaned.get(f.required_when))
                required = required or controller
                if not controller and not _is_empty(value):
                    errors.append(FieldError(f.id, "not_applicable", {"controller": f.required_when}))
                    continue
            if required and _is_empty(value):
                errors.append(FieldError(f.id, "required"))
        return Validation(cleaned, tuple(errors))

    # -- display ---------------------------------------------------------------------------------

    def describe(self, data: Mapping[str, Any]) -> tuple[DisplaySection, ...]:
        """A stored record laid out by this version's sections; keys this version does not know
        come last in a section with an empty legend."""
        data = data if isinstance(data, Mapping) else {}
        sections = []
        for section in self.sections:
            items = tuple(_display_item(f, data.get(f.id)) for f in section.fields)
            sections.append(DisplaySection(section.legend, items))
        extra = tuple(
            DisplayItem(str(key), str(key), "unknown", text=_as_text(value), unknown=True)
            for key, value in data.items()
            if self.field(str(key)) is None
        )
        if extra:
            sections.append(DisplaySection("", extra))
        return tuple(sections)


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value is False


def _clean_value(f: FieldDef, raw: Any, codes: frozenset[str] | None) -> tuple[Any, FieldError | None]:
    """(canonical value, problem or None)."""
    if f.type == "boolean":
        if raw is None or raw == "":
            return False, None
        if not isinstance(raw, bool):
            return False, FieldError(f.id, "invalid_type", {"expected": "true or false"})
        return raw, None
    if f.type == "multichoice":
        if raw is None or raw == "":
            return [], None
        if not isinstance(raw, list | tuple) or not all(isinstance(v, str) for v in raw):
            return [], FieldError(f.id, "invalid_type", {"expected": "a list of option values"})
        values = list(dict.fromkeys(raw))
        allowed = {o.value for o in f.options}
        if any(v not in allowed for v in values):
            return [], FieldError(f.id, "invalid_choice")
        # Keep the definition's order so records compare and display alike.
        values = [o.value for o in f.options if o.value in values]
        if f.max_choices is not None and len(values) > f.max_choices:
            return values, FieldError(f.id, "max_choices", {"max": f.max_choices})
        return values, None
    if raw is None:
        return (None if f.type in ("choice", "field") else ""), None
    if not isinstance(raw, str):
        return None if f.type != "text" else "", FieldError(f.id, "invalid_type", {"expected": "text"})
    if f.type == "text":
        value = raw.strip().replace("\r\n", "\n")
        if len(value) > f.max_length:
            return value, FieldError(f.id, "max_length", {"max": f.max_length})
        return value, None
    value = raw.strip()
    if value == "":
        return None, None
    if f.type == "choice":
        if f.option_label(value) is None:
            return None, FieldError(f.id, "invalid_choice")
        return value, None
    # f.type == "field"
    if codes is not None and value not in codes:
        return None, FieldError(f.id, "unknown_code")
    return value, None


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value)
    return str(value)


def _display_item(f: FieldDef, value: Any) -> DisplayItem:
    if f.type == "boolean":
        if isinstance(value, bool) or value is None:
            return DisplayItem(f.id, f.label, f.type, flag=bool(value))
        return DisplayItem(f.id, f.label, f.type, text=_as_text(value), unknown=True)
    if f.type in ("choice", "multichoice"):
        values = value if isinstance(value, list | tuple) else ([] if value in (None, "") else [value])
        labels = [f.option_label(str(v)) for v in values]
        if all(label is not None for label in labels):
            return DisplayItem(f.id, f.label, f.type, labels=tuple(labels))
        return DisplayItem(f.id, f.label, f.type, text=_as_text(value), unknown=True)
    return DisplayItem(f.id, f.label, f.type, text=_as_text(value))


# -- loading -------------------------------------------------------------------------------------


def parse_form(data: Any, source: str = "<record form>") -> FormDefinition:
    """Validate a definition document and build it; errors name file, section, field and key."""
    if not isinstance(data, dict):
        raise FormDefinitionError(f"{source}: expected a mapping with version, title and sections")
    unknown = set(data) - {"version", "title", "sections"}
    if unknown:
        raise FormDefinitionError(f"{source}: unknown key(s) {', '.join(sorted(map(str, unknown)))}")
    version = data.get("version")
    if not isinstance(version, str) or not VERSION_PATTERN.match(version):
        raise FormDefinitionError(f"{source}: version must look like 'v1' (got {version!r})")
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        raise FormDefinitionError(f"{source}: title is required")
    if not isinstance(data.get("sections"), list) or not data["sections"]:
        raise FormDefinitionError(f"{source}: sections must be a non-empty list")
    sections: list[Section] = []
    seen_sections: set[str] = set()
    seen_fields: dict[str, FieldDef] = {}
    for number, raw in enumerate(data["sections"]):
        where = f"{source}: sections[{number}]"
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str) or not ID_PATTERN.match(raw["id"]):
            raise FormDefinitionError(f"{where}: every section needs an id (lower case, digits, _)")
        where = f"{source}: section {raw['id']!r}"
        if raw["id"] in seen_sections:
            raise FormDefinitionError(f"{where}: duplicate section id")
        seen_sections.add(raw["id"])
        unknown = set(raw) - {"id", "legend", "fields"}
        if unknown:
            raise FormDefinitionError(f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))}")
        if not isinstance(raw.get("legend"), str) or not raw["legend"].strip():
            raise FormDefinitionError(f"{where}: legend is required")
        if not isinstance(raw.get("fields"), list) or not raw["fields"]:
            raise FormDefinitionError(f"{where}: fields must be a non-empty list")
        fields = []
        for index, raw_field in enumerate(raw["fields"]):
            f = _field(raw_field, where, index, seen_fields)
            seen_fields[f.id] = f
            fields.append(f)
        sections.append(Section(raw["id"], raw["legend"], tuple(fields)))
    return FormDefinition(version, title, tuple(sections))


def _field(raw: Any, section: str, index: int, earlier: Mapping[str, FieldDef]) -> FieldDef:
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str) or not ID_PATTERN.match(raw["id"]):
        raise FormDefinitionError(
            f"{section}, fields[{index}]: every field needs an id (lower case, digits, _)"
        )
    where = f"{section}, field {raw['id']!r}"
    if raw["id"] in earlier:
        raise FormDefinitionError(f"{where}: duplicate field id")
    kind = raw.get("type")
    if kind not in TYPES:
        raise FormDefinitionError(f"{where}: type must be one of {', '.join(TYPES)} (got {kind!r})")
    unknown = set(raw) - _COMMON_KEYS - _TYPE_KEYS[kind]
    if unknown:
        raise FormDefinitionError(
            f"{where}: key(s) {', '.join(sorted(map(str, unknown)))} not allowed for type {kind}"
        )
    if not isinstance(raw.get("label"), str) or not raw["label"].strip():
        raise FormDefinitionError(f"{where}: label is required")
    if not isinstance(raw.get("help", ""), str):
        raise FormDefinitionError(f"{where}: help must be text")
    required = raw.get("required", False)
    if not isinstance(required, bool):
        raise FormDefinitionError(f"{where}: required must be true or false")
    if required and kind == "boolean":
        raise FormDefinitionError(f"{where}: a boolean cannot be required (unticked is an answer)")
    controller = raw.get("required_when")
    if controller is not None:
        if not isinstance(controller, str) or controller not in earlier:
            raise FormDefinitionError(
                f"{where}: required_when must name an earlier field (got {controller!r})"
            )
        if earlier[controller].type != "boolean":
            raise FormDefinitionError(f"{where}: required_when must name a boolean field")
        if required:
            raise FormDefinitionError(f"{where}: use either required or required_when")
    values: dict[str, Any] = {}
    if kind in ("choice", "multichoice"):
        values["options"] = _options(raw.get("options"), where)
        if kind == "multichoice" and raw.get("max_choices") is not None:
            max_choices = raw["max_choices"]
            if not isinstance(max_choices, int) or isinstance(max_choices, bool) or max_choices < 1:
                raise FormDefinitionError(f"{where}: max_choices must be a positive whole number")
            values["max_choices"] = max_choices
    if kind == "text":
        max_length = raw.get("max_length")
        if (
            not isinstance(max_length, int)
            or isinstance(max_length, bool)
            or not 1 <= max_length <= MAX_TEXT_LENGTH
        ):
            raise FormDefinitionError(
                f"{where}: max_length must be a whole number from 1 to {MAX_TEXT_LENGTH}"
            )
        if not isinstance(raw.get("multiline", False), bool):
            raise FormDefinitionError(f"{where}: multiline must be true or false")
        values["max_length"] = max_length
        values["multiline"] = raw.get("multiline", False)
    if raw["id"] == RISK_FIELD:
        if kind != "choice":
            raise FormDefinitionError(f"{where}: the risk field must be a choice")
        stray = [o.value for o in values["options"] if o.value not in RISK_LEVELS]
        if stray:
            raise FormDefinitionError(
                f"{where}: risk options must be among {', '.join(RISK_LEVELS)} (got {', '.join(stray)})"
            )
    return FieldDef(
        raw["id"],
        kind,
        raw["label"],
        help=raw.get("help", ""),
        required=required,
        required_when=controller,
        **values,
    )


def _options(raw: Any, where: str) -> tuple[Option, ...]:
    if not isinstance(raw, list) or not raw:
        raise FormDefinitionError(f"{where}: options must be a non-empty list")
    options, seen = [], set()
    for index, item in enumerate(raw):
        at = f"{where}, options[{index}]"
        if not isinstance(item, dict) or set(item) - {"value", "label"}:
            raise FormDefinitionError(f"{at}: an option is {{value, label}}")
        value, label = item.get("value"), item.get("label")
        if not isinstance(value, str) or not ID_PATTERN.match(value):
            raise FormDefinitionError(f"{at}: value must be a code (lower case, digits, _; got {value!r})")
        if value in seen:
            raise FormDefinitionError(f"{at}: duplicate option value {value!r}")
        if not isinstance(label, str) or not label.strip():
            raise FormDefinitionError(f"{at} {value!r}: label is required")
        seen.add(value)
        options.append(Option(value, label))
    return tuple(options)


def available_versions(directory: Path | None = None) -> list[str]:
    """Versions in ``directory`` (default: the shipped ones), oldest first."""
    directory = Path(directory) if directory is not None else default_directory()
    found = [p.stem for p in directory.glob("v*.yaml") if VERSION_PATTERN.match(p.stem)]
    return sorted(found, key=lambda v: int(v[1:]))


def current_version(directory: Path | None = None) -> str:
    """The version new records are written with: the highest one in ``directory``."""
    versions = available_versions(directory)
    if not versions:
        raise FormDefinitionError(
            f"{directory or default_directory()}: no record form definition (v<N>.yaml)"
        )
    return versions[-1]


def load_form(version: str, directory: Path | None = None) -> FormDefinition:
    """The definition ``version`` (validated; cached per process)."""
    if not isinstance(version, str) or not VERSION_PATTERN.match(version):
        raise FormDefinitionError(f"unknown record form version {version!r}")
    return _load(version, str(Path(directory) if directory is not None else default_directory()))


@lru_cache(maxsize=32)
def _load(version: str, directory: str) -> FormDefinition:
    path = Path(directory) / f"{version}.yaml"
    name = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FormDefinitionError(f"{name}: no such record form version in {directory}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise FormDefinitionError(f"{name}: not valid YAML ({exc})") from None
    definition = parse_form(data, name)
    if definition.version != version:
        raise FormDefinitionError(f"{name}: version is {definition.version!r}, expected {version!r}")
    return definition


def clear_cache() -> None:
    """Forget loaded definitions (tests that write definition files)."""
    _load.cache_clear()
