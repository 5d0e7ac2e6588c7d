"""Parse the CPSV-J-style CSV of national support systems (notalone-cas-2021) (pure; no Django).

The file (``data/notalone-cas-2021/data.csv``): record 1 holds the column keys, record 2 Japanese
labels, record 3 the CPSV-J types; services start at record 4. The first column (本文, whose key is
the source spreadsheet's address) is a summary text; ``raw`` keeps it under ``"body"``.

``parse_cpsvj(path)`` returns one ``CpsvjService`` per non-empty record, or raises
``ImportValidationError`` listing *every* problem (nothing partial is returned):

- the header lacks a required key (``REQUIRED_COLUMNS``): one error per missing column, row 1;
- record 3 is not the CPSV-J type row (so data would silently start at the wrong record);
- a service has an empty ``name``;
- ``detail_url`` is not empty and is not one or more http(s) URLs separated by white space;
- two services have the same stable id (same provider and name);
- a record has more non-empty cells than the header has columns.

Row numbers in errors and in ``CpsvjService.row`` are CSV *record* numbers, 1-based, header = 1,
so the first service is row 4. They are NOT physical line numbers: quoted cells span several lines.
Row 0 means the whole file (unreadable, not UTF-8, malformed quoting).

Stable id: ``"cas2021-"`` + the first 12 hex digits of SHA-1 of ``provider + "|" + name`` (each
NFKC-normalised and stripped), so re-importing the same file upserts the same records.

Topics, audiences and channels come from the versioned rules of ``data/cpsvj_mapping.yaml``
(``load_mapping``; the file's header documents the rules). Display texts are kept as the source
writes them (only line endings and blank lines are tidied): directory entries are shown verbatim.
"""

from __future__ import annotations

import csv
import hashlib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from tsunagari.core.vocabulary import AUDIENCE_AGES, AUDIENCES, CHANNELS, TOPICS
from tsunagari.directory.importers.errors import ImportValidationError, RowError
from tsunagari.directory.importers.phones import extract_phones, extract_urls

ID_PREFIX = "cas2021-"
SOURCE_NAME = (
    "内閣官房 孤独・孤立対策担当室「あなたはひとりじゃない」チャットボット掲載の支援制度"
    "（2021年11月、Civichat抽出）"
)
SOURCE_URL = "https://github.com/Civichat/notalone-cas.go.jp"
SOURCE_LICENCE = "CC BY 4.0"
DEFAULT_MAPPING = Path(__file__).resolve().parent.parent / "data" / "cpsvj_mapping.yaml"

REQUIRED_COLUMNS = (
    "provider", "name", "abstract", "provisions", "target", "how_to_apply", "detail_url", "contact",
    "issue_type",
)  # fmt: skip
BODY = "body"  # the first column, whatever its header cell says
FIRST_DATA_ROW = 4
_TYPE_PREFIXES = ("xsd:", "ic:")


@dataclass(frozen=True)
class CpsvjService:
    """One support system of the file, with the vocabulary codes the mapping gave it."""

    id: str
    row: int  # CSV record number, header = 1
    name: str
    organization: str  # provider, e.g. 厚生労働省; "" when the file names none
    description: str  # abstract + provisions
    eligibility: str  # target
    application: str  # how_to_apply
    url: str  # first URL of detail_url, "" if none
    urls: tuple[str, ...]  # every other http(s) URL in the row, in order
    phones: tuple[dict, ...] = field(hash=False)  # from 本文, contact, how_to_apply; phones.extract_phones
    issue_type: str = ""
    topics: tuple[str, ...] = ()
    audiences: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    raw: dict[str, str] = field(default_factory=dict, hash=False, repr=False)


# --------------------------------------------------------------------------- mapping


class MappingError(ValueError):
    """The mapping YAML is invalid; the message names the offending key."""


@dataclass(frozen=True)
class Rule:
    keywords: tuple[str, ...]
    excepts: tuple[str, ...] = ()

    def matches(self, text: str) -> bool:
        for phrase in self.excepts:
            text = text.replace(phrase, " ")
        return any(keyword in text for keyword in self.keywords)


@dataclass(frozen=True)
class Mapping:
    version: int
    topics: dict[str, Rule]
    audiences: dict[str, Rule]
    channels: dict[str, Rule]
    default_audiences: tuple[str, ...]
    overrides: dict[str, dict[str, tuple[str, ...]]]

    def classify(self, service_id: str, name: str, text: str, channel_text: str, has_phone: bool):
        """(topics, audiences, channels) for one row; ``text`` feeds topics and audiences."""
        text, channel_text = _fold(text), _fold(channel_text)
        topics = {code for code, rule in self.topics.items() if rule.matches(text)}
        audiences = {code for code, rule in self.audiences.items() if rule.matches(text)}
        if not audiences & set(AUDIENCE_AGES):
            audiences |= set(self.default_audiences)
        channels = {code for code, rule in self.channels.items() if rule.matches(channel_text)}
        if has_phone:
            channels.add("phone")
        override = self.overrides.get(service_id) or self.overrides.get(name.strip()) or {}
        topics = set(override.get("topics", topics))
        audiences = set(override.get("audiences", audiences))
        channels = set(override.get("channels", channels))
        return _ordered(topics, TOPICS), _ordered(audiences, AUDIENCES), _ordered(channels, CHANNELS)


def load_mapping(path: str | Path = DEFAULT_MAPPING) -> Mapping:
    """Read and validate the mapping YAML; raise ``MappingError`` naming the bad key."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise MappingError(f"{path}: cannot read mapping: {exc}") from exc
    if not isinstance(data, dict):
        raise MappingError(f"{path}: the mapping must be a YAML mapping")
    unknown = set(data) - {"version", "topics", "audiences", "channels", "default_audiences", "overrides"}
    if unknown:
        raise MappingError(f"{path}: unknown top-level key(s) {sorted(unknown)}")
    if not isinstance(data.get("version"), int):
        raise MappingError(f"{path}: 'version' must be an integer")
    vocab = {"topics": TOPICS, "audiences": AUDIENCES, "channels": CHANNELS}
    rules = {key: _rules(path, key, data.get(key), vocab[key]) for key in vocab}
    return Mapping(
        version=data["version"],
        topics=rules["topics"],
        audiences=rules["audiences"],
        channels=rules["channels"],
        default_audiences=_codes(path, "default_audiences", data.get("default_audiences") or [], AUDIENCES),
        overrides=_overrides(path, data.get("overrides") or {}, vocab),
    )


def _rules(path, key: str, section, vocabulary: dict) -> dict[str, Rule]:
    if not isinstance(section, dict):
        raise MappingError(f"{path}: '{key}' must map codes to keyword rules")
    for code in section:
        if code not in vocabulary:
            raise MappingError(f"{path}: {key}.{code}: unknown code (see tsunagari.core.vocabulary)")
    return {code: _rule(path, f"{key}.{code}", value) for code, value in section.items()}


def _rule(path, where: str, value) -> Rule:
    if isinstance(value, list):
        value = {"keywords": value}
    if not isinstance(value, dict) or set(value) - {"keywords", "except"}:
        raise MappingError(f"{path}: {where}: a rule is a keyword list or {{keywords: [...], except: [...]}}")
    words = {}
    for part in ("keywords", "except"):
        items = value.get(part) or []
        if not isinstance(items, list) or not all(isinstance(w, str) and w.strip() for w in items):
            raise MappingError(f"{path}: {where}.{part}: must be a list of non-empty strings")
        words[part] = tuple(_fold(w) for w in items)
    return Rule(words["keywords"], words["except"])


def _codes(path, where: str, value, vocabulary: dict) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise MappingError(f"{path}: {where}: must be a list of codes")
    for code in value:
        if code not in vocabulary:
            raise MappingError(f"{path}: {where}: unknown code {code!r}")
    return tuple(value)


def _overrides(path, section, vocab: dict[str, dict]) -> dict[str, dict[str, tuple[str, ...]]]:
    if not isinstance(section, dict):
        raise MappingError(f"{path}: 'overrides' must map a stable id or a name to lists of codes")
    result = {}
    for key, value in section.items():
        where = f"overrides.{key}"
        if not isinstance(value, dict) or not value or set(value) - set(vocab):
            raise MappingError(f"{path}: {where}: give some of {sorted(vocab)}")
        result[str(key).strip()] = {part: _codes(path, f"{where}.{part}", codes, vocab[part])
                                    for part, codes in value.items()}  # fmt: skip
    return result


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").casefold()


def _ordered(codes: Iterable[str], vocabulary: dict) -> tuple[str, ...]:
    chosen = set(codes)
    return tuple(code for code in vocabulary if code in chosen)


# --------------------------------------------------------------------------- parsing


def stable_id(provider: str, name: str) -> str:
    """``cas2021-`` + 12 hex digits of SHA-1 over NFKC(provider) | NFKC(name)."""
    key = unicodedata.normalize("NFKC", provider).strip() + "|" + unicodedata.normalize("NFKC", name).strip()
    return ID_PREFIX + hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


def parse_cpsvj(path: str | Path, mapping: Mapping | None = None) -> list[CpsvjService]:
    """Every service of the file, in file order; see the module docstring for the contract."""
    path = Path(path)
    mapping = mapping or load_mapping()
    records, errors = _read_records(path)
    if errors:
        raise ImportValidationError(errors)
    errors = _check_header(path.name, records)
    if errors:
        raise ImportValidationError(errors)

    keys = [BODY, *records[0][1:]]
    services: list[CpsvjService] = []
    seen: dict[str, int] = {}
    for number, cells in enumerate(records[FIRST_DATA_ROW - 1 :], start=FIRST_DATA_ROW):
        if not any(cell.strip() for cell in cells):
            continue
        service, row_errors = _service(path.name, number, keys, cells, mapping)
        if service and service.id in seen:
            row_errors.append(RowError(path.name, number, "name",
                                       f"same provider and name as row {seen[service.id]} "
                                       f"(stable id {service.id})"))  # fmt: skip
        errors += row_errors
        if service and not row_errors:
            seen[service.id] = number
            services.append(service)
    if errors:
        raise ImportValidationError(errors)
    return services


def _read_records(path: Path) -> tuple[list[list[str]], list[RowError]]:
    records: list[list[str]] = []
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for cells in csv.reader(handle, strict=True):
                records.append(cells)
    except UnicodeDecodeError as exc:
        return [], [RowError(path.name, 0, "", f"not UTF-8 text ({exc.reason} at byte {exc.start})")]
    except csv.Error as exc:
        return [], [RowError(path.name, 0, "", f"malformed CSV after record {len(records)}: {exc}")]
    except OSError as exc:
        return [], [RowError(path.name, 0, "", f"cannot read file: {exc}")]
    return records, []


def _check_header(file: str, records: list[list[str]]) -> list[RowError]:
    if len(records) < FIRST_DATA_ROW - 1:
        return [RowError(file, 0, "", "expected 3 header rows (keys, labels, CPSV-J types)")]
    header = [cell.strip() for cell in records[0]]
    errors = [RowError(file, 1, key, "required column is missing from the header row")
              for key in REQUIRED_COLUMNS if key not in header[1:]]  # fmt: skip
    duplicates = sorted({key for key in header[1:] if key and header[1:].count(key) > 1})
    errors += [RowError(file, 1, key, "column key appears more than once") for key in duplicates]
    if not any(cell.strip().startswith(_TYPE_PREFIXES) for cell in records[2]):
        errors.append(
            RowError(file, 3, "", "not the CPSV-J type row (no xsd:/ic: types); data must start at row 4")
        )
    return errors


def _service(file: str, number: int, keys: list[str], cells: list[str], mapping: Mapping):
    """(service or None, errors) for one record."""
    errors: list[RowError] = []
    extra = [cell for cell in cells[len(keys) :] if cell.strip()]
    if extra:
        errors.append(
            RowError(file, number, "", f"{len(cells)} cells but the header has {len(keys)} columns")
        )
    raw = {key: (cells[i] if i < len(cells) else "") for i, key in enumerate(keys)}
    name = raw["name"].strip()
    if not name:
        errors.append(RowError(file, number, "name", "name is empty"))

    detail = raw["detail_url"].split()
    bad = [token for token in detail if not _is_http_url(token)]
    if bad:
        errors.append(RowError(file, number, "detail_url", f"not an http(s) URL: {bad[0]!r}"))
    if not name:
        return None, errors

    provider = raw["provider"].strip()
    service_id = stable_id(provider, name)
    phones = _merge_phones(raw[column] for column in (BODY, "contact", "how_to_apply"))
    url = detail[0] if detail and not bad else ""
    texts = [
        raw[BODY],
        raw["abstract"],
        raw["provisions"],
        raw["target"],
        raw["how_to_apply"],
        raw["contact"],
    ]
    urls = [u for u in dict.fromkeys([*detail[1:], *(u for t in texts for u in extract_urls(t))]) if u != url]
    topic_text = "\n".join([name, raw["abstract"], raw["provisions"], raw["target"]])
    topics, audiences, channels = mapping.classify(service_id, name, topic_text, "\n".join([name, *texts]),
                                                   bool(phones))  # fmt: skip
    return CpsvjService(
        id=service_id,
        row=number,
        name=name,
        organization=provider,
        description=_join(raw["abstract"], raw["provisions"]),
        eligibility=_clean(raw["target"]),
        application=_clean(raw["how_to_apply"]),
        url=url,
        urls=tuple(urls),
        phones=tuple(phones),
        issue_type=raw["issue_type"].strip(),
        topics=topics,
        audiences=audiences,
        channels=channels,
        raw=raw,
    ), errors


def _is_http_url(token: str) -> bool:
    try:
        parts = urlsplit(token)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and "." in parts.netloc


def _merge_phones(texts: Iterable[str]) -> list[dict]:
    """Phones of several cells, deduplicated by digits; a later cell may fill an empty label."""
    merged: dict[str, dict] = {}
    for text in texts:
        for phone in extract_phones(text):
            known = merged.setdefault(phone["digits"], phone)
            for key in ("label", "extension"):
                known[key] = known[key] or phone[key]
    return list(merged.values())


def _clean(text: str) -> str:
    """Unify line endings, drop trailing spaces and runs of blank lines; the words stay as written."""
    lines = [line.rstrip() for line in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    cleaned: list[str] = []
    for line in lines:
        if line or (cleaned and cleaned[-1]):
            cleaned.append(line)
    return "\n".join(cleaned).strip()


def _join(abstract: str, provisions: str) -> str:
    first, second = _clean(abstract), _clean(provisions)
    if not second or second in first:
        return first
    if not first or first in second:
        return second
    return f"{first}\n\n{second}"
