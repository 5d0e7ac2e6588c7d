"""Crisis and youth lines as the pages show them: a tuple of services equal by what is shown.

Pages and fragments kept rendered in the process (``{% ttl_fragment %}``, the navigator's kept pages)
are keyed by the values they show. A ``Service`` compares and hashes by its id only, so a key holding
the crisis lines would not change when a line's phone number does: the kept rendering would outlive
the crisis lines' own cache and show the old number. :class:`ShownLines` compares and hashes by
:attr:`ShownLines.shown` — each line's id, name and phone numbers, everything the crisis-line
templates print (``tel:`` links are made from the numbers) — so a changed number is a new key as soon
as the crisis lines are read again. A template that shows more of a line must add it to ``shown``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


class ShownLines(tuple):
    """Services (phones prefetched) in the order shown; equal to another ``ShownLines`` showing the same."""

    shown: tuple

    def __new__(cls, services: Iterable[Any] = ()) -> ShownLines:
        lines = super().__new__(cls, services)
        lines.shown = tuple(
            (line.pk, line.name, tuple(phone.number for phone in line.phones.all())) for line in lines
        )
        lines._hash = hash(lines.shown)
        return lines

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ShownLines) and self.shown == other.shown

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return self._hash

    def __add__(self, other: Iterable[Any]) -> ShownLines:
        return ShownLines((*self, *other))

    def __repr__(self) -> str:
        return f"ShownLines({[line.pk for line in self]!r})"
