"""How long case records are kept — pure, no Django.

Contract
--------
Retention runs from a case's closure: a closed case's sections of type ``T`` are due for deletion
``years[T]`` years after ``closed_at``, and the case itself (with whatever sections remain) after
``years["case"]``. Open cases are never due. ``DEFAULT_YEARS`` is overridden per type by a JSON
mapping (``parse_years``); a section type may not be kept longer than the case (its sections are
deleted with it, so the setting would be a lie): ``parse_years`` refuses that.
``cutoff(now, years)`` is the latest closure time that is due: ``now`` minus whole years
(29 February → 28 February).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime

RECORD_TYPES = ("case", "note", "assessment", "referral", "document")
DEFAULT_YEARS: Mapping[str, int] = {"case": 5, "note": 5, "assessment": 5, "referral": 5, "document": 5}


class RetentionConfigError(ValueError):
    pass


def parse_years(text: str | Mapping | None) -> dict[str, int]:
    """Defaults overridden by ``text`` (JSON ``{type: years}`` or a mapping; empty: defaults)."""
    years = dict(DEFAULT_YEARS)
    if not text:
        return years
    try:
        data = json.loads(text) if isinstance(text, str) else dict(text)
    except (json.JSONDecodeError, TypeError, ValueError):
        raise RetentionConfigError("retention must be JSON {record type: years}") from None
    if not isinstance(data, dict):
        raise RetentionConfigError("retention must be JSON {record type: years}")
    for kind, value in data.items():
        if kind not in RECORD_TYPES:
            raise RetentionConfigError(f"unknown record type {kind!r} (one of {', '.join(RECORD_TYPES)})")
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 100:
            raise RetentionConfigError(f"{kind}: years must be a whole number from 1 to 100")
        years[kind] = value
    longer = [k for k in RECORD_TYPES if k != "case" and years[k] > years["case"]]
    if longer:
        raise RetentionConfigError(
            f"{', '.join(longer)}: kept longer than the case itself ({years['case']} years)"
        )
    return years


def cutoff(now: datetime, years: int) -> datetime:
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February in a year without one
        return now.replace(year=now.year - years, day=28)
