"""The characters a regular expression's matches can start with (pure; no Django).

``first_characters(regex)`` returns a frozenset of single characters such that every match of
``regex`` in any text starts with one of them, or None when that cannot be said (the pattern can
match the empty string, starts with ``.``, a negated class, ``\\w`` or ``\\s``, a back-reference, a
large character range, or uses IGNORECASE; ``\\d`` stands for every decimal digit of Unicode). A
text that contains none of the characters cannot hold a match, so ``regex.search`` need not be run
on it — crisis detection checks 109 patterns, most written for another script than the text's, and
each search walks the whole text (about 2 µs).

The answer is exact or None, never a guess: it is read from the parse tree of Python's own regex
compiler (``re._parser``, the module ``re.compile`` uses). Zero-width items (anchors, ``\\b``,
lookahead and lookbehind assertions) add no characters and let the next item start the match.
Anything the walk does not know gives None, so a new construct can only cost speed, not a match.
"""

from __future__ import annotations

import re
from functools import cache
from re import _constants as sre  # the parse tree's opcodes (private, as is the parser)
from re import _parser as sre_parse  # re.compile's own parser

#: A character range larger than this makes the answer None (the set would be too big to help).
MAX_RANGE = 4096

_ZERO_WIDTH = {sre.AT, sre.ASSERT, sre.ASSERT_NOT}
_REPEATS = {sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT}


class _Unknown(Exception):
    """The walk met something it cannot bound."""


def first_characters(regex: re.Pattern[str]) -> frozenset[str] | None:
    """The characters every match of ``regex`` starts with, or None (see the module docstring)."""
    if not isinstance(regex.pattern, str) or regex.flags & re.IGNORECASE:
        return None
    try:
        parsed = sre_parse.parse(regex.pattern, regex.flags)
        starts, nullable = _sequence(list(parsed))
    except (_Unknown, re.error, RecursionError):
        return None
    if nullable or not starts:
        return None
    return frozenset(chr(code) for code in starts)


def _sequence(items: list) -> tuple[set[int], bool]:
    """Start characters of a sequence of parse items and whether it can match the empty string."""
    starts: set[int] = set()
    for op, av in items:
        first, nullable = _item(op, av)
        starts |= first
        if not nullable:
            return starts, False
    return starts, True


def _item(op, av) -> tuple[set[int], bool]:
    if op is sre.LITERAL:
        return {av}, False
    if op is sre.IN:
        return _charset(av), False
    if op in _ZERO_WIDTH:
        return set(), True
    if op is sre.BRANCH:
        starts, nullable = set(), False
        for alternative in av[1]:
            first, empty = _sequence(list(alternative))
            starts |= first
            nullable = nullable or empty
        return starts, nullable
    if op is sre.SUBPATTERN:
        _group, add_flags, _del_flags, pattern = av
        if add_flags & sre.SRE_FLAG_IGNORECASE:
            raise _Unknown
        return _sequence(list(pattern))
    if op is sre.ATOMIC_GROUP:
        return _sequence(list(av))
    if op in _REPEATS:
        low, _high, pattern = av
        first, nullable = _sequence(list(pattern))
        return first, nullable or low == 0
    raise _Unknown  # ANY, NOT_LITERAL, GROUPREF, GROUPREF_EXISTS, CATEGORY at top level…


def _charset(members: list) -> set[int]:
    codes: set[int] = set()
    for op, av in members:
        if op is sre.LITERAL:
            codes.add(av)
        elif op is sre.RANGE:
            low, high = av
            if high - low >= MAX_RANGE:
                raise _Unknown
            codes.update(range(low, high + 1))
        elif op is sre.CATEGORY and av in _DIGIT_CATEGORIES:
            codes |= _decimal_digits()
        else:  # NEGATE, the other categories (\w, \s)
            raise _Unknown
    return codes


_DIGIT_CATEGORIES = {sre.CATEGORY_DIGIT, sre.CATEGORY_UNI_DIGIT}


@cache
def _decimal_digits() -> frozenset[int]:
    """What ``\\d`` matches in a str pattern: Unicode's decimal digits (category Nd), a superset of
    0-9 (so right under ``re.ASCII`` too)."""
    return frozenset(code for code in range(0x110000) if chr(code).isdecimal())
