"""A KPI's status from its baseline, target, deadline and latest value (pure; no Django).

:func:`kpi_status` returns a :class:`KpiStatus` with one of four codes:

- ``no_data``: no value after the baseline yet, or no target or deadline to judge against (the
  reason says which);
- ``achieved``: the latest value reached the target (``>=`` for direction ``up``, ``<=`` for ``down``);
- ``on_track``: not achieved, the deadline year not passed, and the progress made from the baseline
  (in the KPI's direction) is at least the share of the way to the deadline that has gone by at the
  latest value's year (straight-line path from baseline to target);
- ``behind``: otherwise (including: the deadline year has passed without reaching the target, or the
  value moved the wrong way).

Years are plain integers (calendar or fiscal, as long as one KPI uses one kind). Values are Decimals.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

NO_DATA = "no_data"
ACHIEVED = "achieved"
ON_TRACK = "on_track"
BEHIND = "behind"
STATUSES = (ACHIEVED, ON_TRACK, BEHIND, NO_DATA)
#: How staff pages and exports name the statuses (staff pages are Japanese only).
LABELS = {ACHIEVED: "達成", ON_TRACK: "順調", BEHIND: "遅れ", NO_DATA: "判定不可（データなし）"}


@dataclass(frozen=True)
class KpiStatus:
    code: str
    reason: str
    progress: Decimal | None = None  # share of the way from baseline to target (1 = reached)
    expected: Decimal | None = None  # share of the time from baseline year to deadline gone by

    @property
    def label(self) -> str:
        return LABELS[self.code]


def kpi_status(
    *,
    direction: str,
    baseline_value: Decimal,
    baseline_year: int,
    target_value: Decimal | None,
    deadline_year: int | None,
    latest: tuple[int, Decimal] | None,
) -> KpiStatus:
    """The status of one KPI; ``latest`` is (year, value) of its newest value after the baseline."""
    if direction not in ("up", "down"):
        raise ValueError(f"direction must be 'up' or 'down', not {direction!r}")
    if target_value is None or deadline_year is None:
        return KpiStatus(NO_DATA, "目標値または期限が定められていないため、判定できません。")
    if deadline_year <= baseline_year:
        raise ValueError("the deadline year must be after the baseline year")
    if latest is None:
        return KpiStatus(NO_DATA, "基準年より後の実績値がまだありません。")
    year, value = latest
    if year <= baseline_year:
        raise ValueError("the latest value must be from a year after the baseline year")
    sign = 1 if direction == "up" else -1
    gap = (target_value - baseline_value) * sign
    if gap <= 0:
        raise ValueError(f"a '{direction}' target must be on the better side of the baseline")
    progress = (value - baseline_value) * sign / gap
    expected = min(Decimal(1), Decimal(year - baseline_year) / Decimal(deadline_year - baseline_year))
    if progress >= 1:
        return KpiStatus(ACHIEVED, f"{year}年の実績で目標値に達しています。", progress, expected)
    if year >= deadline_year:
        return KpiStatus(
            BEHIND, f"期限（{deadline_year}年）までに目標値に達していません。", progress, expected
        )
    if progress >= expected:
        return KpiStatus(
            ON_TRACK, "基準値から目標値への直線的な推移と同じか、それより進んでいます。", progress, expected
        )
    return KpiStatus(BEHIND, "基準値から目標値への直線的な推移より遅れています。", progress, expected)
