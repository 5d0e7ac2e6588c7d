"""Finding the same member body twice (pure; no Django).

Two records are the same body when they have the same 法人番号 (corporate number), or — when a
corporate number is missing on either side — the same name and the same address after
normalisation: NFKC (full-width letters and digits → half-width), case-folding, no white space, and
every dash-like character (‐ ‑ ‒ – — ― − ー between digits) as "-". A match is only a *candidate*:
the caller reports it and a person decides to merge. Two different corporate numbers never match,
whatever the names say (two branches of a chain may share a name and a building).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

CORPORATE_NUMBER = "corporate_number"
NAME_AND_ADDRESS = "name_and_address"

_SPACE = re.compile(r"\s+")
_DASHES = re.compile(r"[‐‑‒–—―−]")
_CHOONPU_BETWEEN_DIGITS = re.compile(r"(?<=\d)ー(?=\d)")


def normalize_key(text: str) -> str:
    """The comparison form of a name or an address (see the module docstring)."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    text = _DASHES.sub("-", _SPACE.sub("", text))
    return _CHOONPU_BETWEEN_DIGITS.sub("-", text)


def corporate_number_is_valid(number: str) -> bool:
    """True for a 13-digit 法人番号 whose first digit is the check digit of the other twelve
    (9 − (Σ Pn × Qn mod 9), Pn the n-th digit from the right, Qn 1 for odd n and 2 for even n)."""
    if len(number) != 13 or not number.isascii() or not number.isdigit():
        return False
    base = number[1:]
    total = sum(int(digit) * (1 if n % 2 else 2) for n, digit in enumerate(reversed(base), start=1))
    return int(number[0]) == 9 - total % 9


@dataclass(frozen=True)
class BodyKey:
    """What identifies a body for duplicate detection; ``ref`` is the caller's id (a primary key, a
    row number)."""

    ref: object
    corporate_number: str
    name: str
    address: str

    @property
    def name_key(self) -> str:
        return normalize_key(self.name)

    @property
    def address_key(self) -> str:
        return normalize_key(self.address)


@dataclass(frozen=True)
class Match:
    """``candidate`` looks like ``existing`` for ``reason`` (CORPORATE_NUMBER or NAME_AND_ADDRESS)."""

    candidate: BodyKey
    existing: BodyKey
    reason: str


class BodyIndex:
    """Known bodies, looked up by corporate number and by normalised name and address."""

    def __init__(self, bodies: Iterable[BodyKey] = ()) -> None:
        self._by_number: dict[str, BodyKey] = {}
        self._by_name_address: dict[tuple[str, str], list[BodyKey]] = {}
        for body in bodies:
            self.add(body)

    def add(self, body: BodyKey) -> None:
        if body.corporate_number:
            self._by_number.setdefault(body.corporate_number, body)
        if body.address_key:  # a name alone is too weak to call two bodies the same
            self._by_name_address.setdefault((body.name_key, body.address_key), []).append(body)

    def find(self, body: BodyKey) -> Match | None:
        """The first known body that ``body`` duplicates, or None."""
        if body.corporate_number and body.corporate_number in self._by_number:
            return Match(body, self._by_number[body.corporate_number], CORPORATE_NUMBER)
        if not body.address_key:
            return None
        for known in self._by_name_address.get((body.name_key, body.address_key), ()):
            if not (body.corporate_number and known.corporate_number):
                return Match(body, known, NAME_AND_ADDRESS)
        return None
