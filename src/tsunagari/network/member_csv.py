"""Parse a member-list CSV into plain rows (pure; no Django).

``parse_member_csv(path)`` returns one ``MemberRow`` per non-empty record, or raises
``ImportValidationError`` (the directory importers' convention: every problem as a ``RowError``
with file, row, column and reason; nothing partial is returned). Rows are CSV *record* numbers,
1-based, header = 1; row 0 means the whole file.

The header names columns by key or by Japanese label (``COLUMNS``); order does not matter. Cells:

- ``name`` 団体名 (required); ``member_class`` 会員種別: 会員 / 協力会員 / 賛助会員 or member /
  cooperating / supporting (required); ``joined_on`` 入会日 and ``left_on`` 退会日: YYYY-MM-DD
  (or YYYY/MM/DD), joined required, left not before joined;
- ``corporate_number`` 法人番号: empty or 13 digits with a right check digit (full-width allowed);
- ``topics`` 活動分野: topic codes separated by ";" or "、"; ``areas`` 活動地域: 全国地方公共団体
  codes (2, 5 or 6 digits) or 全国, separated the same way;
- ``listed_publicly`` 一覧掲載: はい/いいえ, yes/no, 1/0, true/false, empty = no (consent is never
  assumed);
- ``address`` 所在地, ``website`` 'http(s)://…', ``contact_name`` 担当者名, ``contact_department``
  担当部署, ``contact_email`` 担当者メール, ``contact_phone`` 担当者電話: optional; the contact
  columns need ``contact_name`` when any of them is filled.

Whether an area code names an existing local government, and duplicates against bodies already
stored, are checked by ``tsunagari.network.services.import_members``, which has the database.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from tsunagari.core import lgcode
from tsunagari.core.vocabulary import TOPICS
from tsunagari.directory.importers.errors import ImportValidationError, RowError
from tsunagari.network.classes import CLASS_BY_LABEL, MEMBER_CLASSES
from tsunagari.network.dedupe import corporate_number_is_valid

#: key → Japanese label; either may be used in the header.
COLUMNS: dict[str, str] = {
    "name": "団体名",
    "corporate_number": "法人番号",
    "member_class": "会員種別",
    "joined_on": "入会日",
    "left_on": "退会日",
    "address": "所在地",
    "website": "ウェブサイト",
    "topics": "活動分野",
    "areas": "活動地域",
    "listed_publicly": "一覧掲載",
    "contact_name": "担当者名",
    "contact_department": "担当部署",
    "contact_email": "担当者メール",
    "contact_phone": "担当者電話",
}
REQUIRED = ("name", "member_class", "joined_on")
NATIONWIDE = "全国"
_KEY_BY_HEADER = {**{k: k for k in COLUMNS}, **{label: k for k, label in COLUMNS.items()}}
_LIST_SEPARATOR = re.compile(r"[;；、,，]\s*")
_YES = {"はい", "yes", "y", "1", "true", "○", "同意"}
_NO = {"", "いいえ", "no", "n", "0", "false", "×", "不同意"}
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE = re.compile(r"[0-9+()\-]{6,20}")


@dataclass(frozen=True)
class MemberRow:
    """One valid row; texts are NFKC-normalised and stripped (names keep their own spelling)."""

    row: int
    name: str
    member_class: str
    joined_on: date
    left_on: date | None = None
    corporate_number: str = ""
    address: str = ""
    website: str = ""
    topics: tuple[str, ...] = ()
    area_codes: tuple[str, ...] = ()
    nationwide: bool = False
    listed_publicly: bool = False
    contact_name: str = ""
    contact_department: str = ""
    contact_email: str = ""
    contact_phone: str = ""


def _clean(text: str | None) -> str:
    return unicodedata.normalize("NFKC", text or "").strip()


def _date(text: str) -> date:
    for pattern in ("%Y-%m-%d", "%Y/%m/%d"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"'{text}' is not a date (YYYY-MM-DD)")


class _Row:
    """Collects one record's values and errors."""

    def __init__(self, file: str, number: int, cells: dict[str, str], errors: list[RowError]) -> None:
        self.file, self.number, self.cells, self.errors = file, number, cells, errors

    def error(self, column: str, reason: str) -> None:
        self.errors.append(RowError(self.file, self.number, column, reason))

    def get(self, key: str) -> str:
        return self.cells.get(key, "")


def _parse_row(r: _Row) -> MemberRow | None:
    before = len(r.errors)
    for key in REQUIRED:
        if not r.get(key):
            r.error(key, "required")
    member_class = r.get("member_class")
    member_class = CLASS_BY_LABEL.get(member_class, member_class.casefold())
    if r.get("member_class") and member_class not in MEMBER_CLASSES:
        r.error("member_class", f"unknown class '{r.get('member_class')}' (会員, 協力会員 or 賛助会員)")
    joined_on = left_on = None
    for key in ("joined_on", "left_on"):
        if r.get(key):
            try:
                value = _date(r.get(key))
            except ValueError as exc:
                r.error(key, str(exc))
                continue
            joined_on, left_on = (value, left_on) if key == "joined_on" else (joined_on, value)
    if joined_on and left_on and left_on < joined_on:
        r.error("left_on", "before joined_on")
    number = r.get("corporate_number").replace("-", "").replace(" ", "")
    if number and not corporate_number_is_valid(number):
        r.error(
            "corporate_number",
            f"'{r.get('corporate_number')}' is not a valid 法人番号 (13 digits, check digit)",
        )
    website = r.get("website")
    if website and not re.fullmatch(r"https?://\S+", website):
        r.error("website", f"'{website}' is not an http(s) URL")
    topics = tuple(dict.fromkeys(t for t in _LIST_SEPARATOR.split(r.get("topics")) if t))
    for topic in topics:
        if topic not in TOPICS:
            r.error("topics", f"unknown topic '{topic}'")
    areas, nationwide = [], False
    for area in (a for a in _LIST_SEPARATOR.split(r.get("areas")) if a):
        if area == NATIONWIDE:
            nationwide = True
            continue
        try:
            areas.append(lgcode.normalize(area))
        except ValueError as exc:
            r.error("areas", str(exc))
    listed = r.get("listed_publicly").casefold()
    if listed not in _YES | _NO:
        r.error("listed_publicly", f"'{r.get('listed_publicly')}' is not はい/いいえ (yes/no)")
    contact = {key: r.get(key) for key in ("contact_department", "contact_email", "contact_phone")}
    if any(contact.values()) and not r.get("contact_name"):
        r.error("contact_name", "required when other contact columns are filled")
    if contact["contact_email"] and not _EMAIL.fullmatch(contact["contact_email"]):
        r.error("contact_email", f"'{contact['contact_email']}' is not an e-mail address")
    if contact["contact_phone"] and not _PHONE.fullmatch(contact["contact_phone"]):
        r.error("contact_phone", f"'{contact['contact_phone']}' is not a phone number")
    if len(r.errors) > before:
        return None
    return MemberRow(
        row=r.number,
        name=r.get("name"),
        member_class=member_class,
        joined_on=joined_on,
        left_on=left_on,
        corporate_number=number,
        address=r.get("address"),
        website=website,
        topics=topics,
        area_codes=tuple(dict.fromkeys(areas)),
        nationwide=nationwide,
        listed_publicly=listed in _YES,
        contact_name=r.get("contact_name"),
        **contact,
    )


def parse_member_csv(path: str | Path) -> list[MemberRow]:
    """Every row of the file, or ``ImportValidationError`` with every problem (module docstring)."""
    path = Path(path)
    file = path.name
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            records = list(csv.reader(handle, strict=True))
    except FileNotFoundError:
        raise ImportValidationError([RowError(file, 0, "", "file not found")]) from None
    except UnicodeDecodeError:
        raise ImportValidationError([RowError(file, 0, "", "not UTF-8 text")]) from None
    except csv.Error as exc:
        raise ImportValidationError([RowError(file, 0, "", f"malformed CSV: {exc}")]) from None
    if not records:
        raise ImportValidationError([RowError(file, 0, "", "empty file")])
    errors: list[RowError] = []
    header = [_KEY_BY_HEADER.get(_clean(cell)) for cell in records[0]]
    for index, cell in enumerate(records[0]):
        if header[index] is None and _clean(cell):
            errors.append(RowError(file, 1, _clean(cell), "unknown column"))
    keys = [key for key in header if key]
    for key in {key for key in keys if keys.count(key) > 1}:
        errors.append(RowError(file, 1, key, "column given twice"))
    for key in REQUIRED:
        if key not in keys:
            errors.append(RowError(file, 1, key, "missing column"))
    if errors:
        raise ImportValidationError(errors)
    rows = []
    for number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue
        if len(record) > len(header) and any(cell.strip() for cell in record[len(header) :]):
            errors.append(RowError(file, number, "", f"{len(record)} cells, the header has {len(header)}"))
            continue
        cells = {key: _clean(cell) for key, cell in zip(header, record, strict=False) if key}
        row = _parse_row(_Row(file, number, cells, errors))
        if row is not None:
            rows.append(row)
    if errors:
        raise ImportValidationError(errors)
    return rows
