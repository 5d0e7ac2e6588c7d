"""全国地方公共団体コード (local government codes) and the shipped list of Japan's local governments.

A code has six digits: the two-digit prefecture code (JIS X 0401, 01–47), a three-digit
municipality code (JIS X 0402; ``000`` for the prefecture itself) and a check digit.
The check digit, as defined by 総務省, is found by weighting the first five digits by 6, 5, 4, 3, 2,
taking the remainder ``r`` of their sum divided by 11, and keeping the last digit of ``11 - r``
(so ``r = 0`` gives 1 and ``r = 1`` gives 0). Examples: 北海道 010006, 千代田区 131016.

``data/local_governments.csv`` lists every prefecture, city, designated city and its wards,
Tokyo special ward, town and village; ``data/local_governments.SOURCE.md`` says where it came from.
This module imports nothing from Django so pure modules can use it.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from pathlib import Path

DATA_PATH = Path(__file__).parent / "data" / "local_governments.csv"

KINDS = ("prefecture", "designated_city", "ward", "special_ward", "city", "town", "village")
COLUMNS = ("code", "prefecture_code", "kind", "name", "name_kana", "parent_code")

_WEIGHTS = (6, 5, 4, 3, 2)
_DIGITS = re.compile(r"[0-9]+")


def check_digit(code5: str) -> str:
    """Return the check digit (one character) for the first five digits of a code.

    >>> check_digit("13101")
    '6'
    """
    if not (len(code5) == 5 and _DIGITS.fullmatch(code5)):
        raise ValueError(f"check_digit() needs exactly five ASCII digits, got {code5!r}")
    remainder = sum(int(digit) * weight for digit, weight in zip(code5, _WEIGHTS, strict=True)) % 11
    return str((11 - remainder) % 10)


def _has_known_prefecture(code: str) -> bool:
    return 1 <= int(code[:2]) <= 47


def is_valid(code: str) -> bool:
    """Whether ``code`` is a well-formed six-digit code: ASCII digits, prefecture 01–47, right check digit.

    This is strict (no full-width digits or spaces); use :func:`normalize` to clean input first.
    It says nothing about whether a local government with that code exists.
    """
    return (
        isinstance(code, str)
        and len(code) == 6
        and _DIGITS.fullmatch(code) is not None
        and _has_known_prefecture(code)
        and code[5] == check_digit(code[:5])
    )


def normalize(code: str) -> str:
    """Return the six-digit code for a prefecture code, a five-digit code or a six-digit code.

    Accepts ``"13"`` (prefecture, JIS X 0401), ``"13101"`` (JIS X 0402 without check digit) and
    ``"131016"``; full-width digits and surrounding spaces are allowed. Raises ``ValueError``
    for anything else, including a six-digit code whose check digit is wrong.

    >>> normalize("13"), normalize("13101"), normalize("１３１０１６")
    ('130001', '131016', '131016')
    """
    if not isinstance(code, str):
        raise TypeError(f"a local government code must be a str, got {type(code).__name__}")
    cleaned = unicodedata.normalize("NFKC", code).strip()
    if not _DIGITS.fullmatch(cleaned) or len(cleaned) not in (2, 5, 6):
        raise ValueError(
            f"not a local government code: {code!r} (expected 2 digits for a prefecture, "
            "5 digits without check digit, or 6 digits)"
        )
    if not _has_known_prefecture(cleaned):
        raise ValueError(f"not a local government code: {code!r} (prefecture part must be 01–47)")
    if len(cleaned) == 2:
        return prefecture_lgcode(cleaned)
    if len(cleaned) == 5:
        return cleaned + check_digit(cleaned)
    expected = check_digit(cleaned[:5])
    if cleaned[5] != expected:
        raise ValueError(f"wrong check digit in {code!r}: the last digit should be {expected}")
    return cleaned


def prefecture_code(code: str) -> str:
    """Return the two-digit prefecture code (JIS X 0401) of any code :func:`normalize` accepts."""
    return normalize(code)[:2]


def prefecture_lgcode(pref2: str) -> str:
    """Return the six-digit code of a prefecture from its two-digit code: ``"13"`` gives ``"130001"``."""
    cleaned = unicodedata.normalize("NFKC", pref2).strip() if isinstance(pref2, str) else ""
    if not (len(cleaned) == 2 and _DIGITS.fullmatch(cleaned) and _has_known_prefecture(cleaned)):
        raise ValueError(f"not a prefecture code: {pref2!r} (expected two digits, 01–47)")
    return cleaned + "000" + check_digit(cleaned + "000")


def is_prefecture(code: str) -> bool:
    """Whether a code (any form :func:`normalize` accepts) is a prefecture's.

    Raises ``ValueError`` if the code is malformed, as :func:`normalize` does.
    """
    return normalize(code)[2:5] == "000"


def load_local_governments(path: str | Path | None = None) -> list[dict[str, str]]:
    """Read and validate the local governments CSV (the shipped one by default).

    Returns one dict per row with the keys of :data:`COLUMNS`, all values strings
    (``parent_code`` is ``""`` for prefectures). Raises ``ValueError`` naming the file, the row
    (its line number, the header being line 1) and the column of the first bad value found:
    an invalid or duplicate code, a prefecture_code that does not match, an unknown kind,
    an empty name, or a parent that is missing or of the wrong kind.
    """
    path = Path(path) if path is not None else DATA_PATH
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise ValueError(f"{path}: header must be {','.join(COLUMNS)}, got {reader.fieldnames}")
        rows = [(reader.line_num, row) for row in reader]

    def fail(line: int, column: str, message: str) -> ValueError:
        return ValueError(f"{path}: row {line}, column {column!r}: {message}")

    kind_by_code: dict[str, str] = {}
    for line, row in rows:
        code = row["code"]
        if not is_valid(code):
            raise fail(line, "code", f"{code!r} is not a valid six-digit code")
        if code in kind_by_code:
            raise fail(line, "code", f"duplicate code {code}")
        if row["prefecture_code"] != code[:2]:
            raise fail(line, "prefecture_code", f"{row['prefecture_code']!r} does not match code {code}")
        if row["kind"] not in KINDS:
            raise fail(line, "kind", f"unknown kind {row['kind']!r} (expected one of {', '.join(KINDS)})")
        if (row["kind"] == "prefecture") != (code[2:5] == "000"):
            raise fail(line, "kind", f"kind {row['kind']!r} does not fit code {code}")
        if not row["name"]:
            raise fail(line, "name", "empty name")
        kind_by_code[code] = row["kind"]

    for line, row in rows:
        parent, kind = row["parent_code"], row["kind"]
        if kind == "prefecture":
            expected = ""
        elif kind == "ward":
            expected = parent if kind_by_code.get(parent) == "designated_city" else "a designated city's code"
        else:
            expected = prefecture_lgcode(row["code"][:2])
        if parent != expected:
            wanted = expected or "empty"
            raise fail(line, "parent_code", f"{parent!r} is wrong for a {kind}, expected {wanted}")
        if parent and parent not in kind_by_code:
            raise fail(line, "parent_code", f"parent {parent} is not in the file")
        if parent and parent[:2] != row["code"][:2]:
            raise fail(line, "parent_code", f"parent {parent} is in another prefecture")
    return [row for _, row in rows]
