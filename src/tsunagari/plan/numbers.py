"""Showing stored decimals plainly (pure)."""

from __future__ import annotations

from decimal import Decimal


def plain(value: Decimal) -> Decimal:
    """4.500 -> 4.5 and 600.000 -> 600 (never 6E+2)."""
    return Decimal(format(value.normalize(), "f"))
