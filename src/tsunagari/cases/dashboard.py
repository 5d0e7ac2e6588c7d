"""Figures of the coordinators' dashboard — pure, no Django.

``summarise(handovers, now, overdue_after)`` takes ``Handover(status, requested_at,
first_response_at)`` rows and returns a ``Summary``: count per status, per status the count in each
age band (``AGE_BANDS``: time since the request), how many still wait for an answer past
``overdue_after``, and the time to first response (median and 90th percentile in hours over the
handovers answered, nearest-rank; ``None`` when none was answered). Counts only: nothing personal.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tsunagari.cases.referral_states import Status, is_overdue

AGE_BANDS: tuple[tuple[str, timedelta], ...] = (
    ("under_1d", timedelta(days=1)),
    ("1d_3d", timedelta(days=3)),
    ("3d_7d", timedelta(days=7)),
    ("over_7d", timedelta.max),
)


@dataclass(frozen=True)
class Handover:
    status: str
    requested_at: datetime
    first_response_at: datetime | None = None


@dataclass
class Summary:
    by_status: dict[str, int] = field(default_factory=lambda: {s.value: 0 for s in Status})
    by_age: dict[str, dict[str, int]] = field(
        default_factory=lambda: {s.value: {band: 0 for band, _ in AGE_BANDS} for s in Status}
    )
    overdue: int = 0
    answered: int = 0
    first_response_median_hours: float | None = None
    first_response_p90_hours: float | None = None


def age_band(age: timedelta) -> str:
    return next(band for band, upper in AGE_BANDS if age < upper)


def _nearest_rank(sorted_values: list[float], fraction: float) -> float:
    return sorted_values[max(0, math.ceil(fraction * len(sorted_values)) - 1)]


def summarise(handovers: Iterable[Handover], now: datetime, overdue_after: timedelta) -> Summary:
    summary = Summary()
    waits: list[float] = []
    for h in handovers:
        status = Status(h.status).value
        summary.by_status[status] += 1
        summary.by_age[status][age_band(now - h.requested_at)] += 1
        summary.overdue += is_overdue(status, h.requested_at, now, overdue_after)
        if h.first_response_at is not None:
            waits.append((h.first_response_at - h.requested_at).total_seconds() / 3600)
    waits.sort()
    summary.answered = len(waits)
    if waits:
        summary.first_response_median_hours = _nearest_rank(waits, 0.5)
        summary.first_response_p90_hours = _nearest_rank(waits, 0.9)
    return summary
