"""Verification codes of supporter-training certificates (pure; no Django).

A code is 15 random symbols of Crockford's base-32 alphabet (``0-9 A-Z`` without ``I L O U``) drawn
with ``secrets`` — nothing in it is derived from the holder, the course or the date — followed by
one check symbol (Luhn mod 32 over the 15), printed in groups of four: ``7KQ2-M9XD-4TFB-R8HD``.

Why this is safe to check on a public page without a rate limit
---------------------------------------------------------------
15 symbols carry 75 random bits: 2**75 ≈ 3.8e22 codes. Even with a million certificates issued,
one guess hits some certificate with probability 1e6 / 3.8e22 ≈ 2.6e-17; guessing 1,000 codes a
second for a year (3.2e10 guesses) finds one with probability ≈ 8e-7. Enumeration is therefore
not a practical attack, and the page shows only what the holder chose to show by presenting the
certificate (status, course, completion date, name as printed).

The check symbol is not a secret (anyone can compute it); it catches typing mistakes before a
lookup: every single wrong symbol changes it, and so does every swap of two neighbouring different
symbols except ``0``↔``Z`` (the one blind spot of Luhn mod 32). ``normalise`` forgives what people
do when typing a code: full-width characters, lower case, spaces and hyphens, and the look-alikes
``O``→``0`` and ``I``/``L``→``1`` (Crockford's rule).
"""

from __future__ import annotations

import secrets
import unicodedata

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
BODY_LENGTH = 15
LENGTH = BODY_LENGTH + 1
_VALUE = {symbol: index for index, symbol in enumerate(ALPHABET)}
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


class CodeError(ValueError):
    """The text is not a well-formed code (``reason``: ``length``, ``symbol`` or ``check``)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def check_symbol(body: str) -> str:
    """The Luhn mod 32 check symbol of ``body`` (symbols of ``ALPHABET``)."""
    total, factor = 0, 2
    for symbol in reversed(body):
        addend = factor * _VALUE[symbol]
        total += addend // 32 + addend % 32
        factor = 1 if factor == 2 else 2
    return ALPHABET[(32 - total % 32) % 32]


def generate() -> str:
    """A new random code, compact (16 symbols, no separators)."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return body + check_symbol(body)


def normalise(text: str) -> str:
    """The compact code in ``text``, or ``CodeError`` saying why it cannot be one."""
    text = unicodedata.normalize("NFKC", text)
    compact = "".join(text.split()).replace("-", "").replace("ー", "").upper()
    compact = compact.translate(_LOOKALIKES)
    if len(compact) != LENGTH:
        raise CodeError("length")
    if any(symbol not in _VALUE for symbol in compact):
        raise CodeError("symbol")
    if check_symbol(compact[:BODY_LENGTH]) != compact[BODY_LENGTH]:
        raise CodeError("check")
    return compact


def display(code: str) -> str:
    """``code`` in groups of four joined by hyphens, as printed."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))
