"""What the four #9999 trials would have needed: lines to reach a target answered fraction.

Pure Python (reads ``data/trials.yaml`` through :mod:`.scenarios`, sizes with :mod:`.staffing`).

Published, per trial (``trials.yaml``, each with its source): calls offered (呼出件数), connected calls
(接続完了), the dates and 24-hour operation. **Not published, so assumed** (:class:`Assumptions`,
shown with every result): the handling time of a call, the callers' patience in the queue, how calls
spread over the hours of the day (flat over 24 hours unless a profile is given), and that the calls
are independent arrivals. 呼出件数 counts every attempt, including the redials of callers who could
not get through, so sizing from it overstates what the same callers would have needed.

For each trial, :func:`trial_needs` gives the lines per hour needed to reach ``target`` under the
model (Erlang A by default: a queue whose callers hang up after their patience) and the constant
number of lines consistent with the answer rate the trial reached (``implied_lines``), for comparison.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from tsunagari.helpline import scenarios
from tsunagari.helpline.staffing import PeriodStaffing, period_staffing


@dataclass(frozen=True)
class Assumptions:
    """Figures the trials did not publish; every result states the ones it used."""

    aht_sec: float = 1200.0  # 20 minutes a call
    patience_sec: float = 60.0  # Erlang A: mean time a caller waits before hanging up
    target: float = 0.8  # answered fraction to reach (models a and b) or service level (c)
    model: str = "a"
    answer_within_sec: float | None = None  # model c: answered within this many seconds

    def __post_init__(self):
        if self.model not in ("a", "b", "c"):
            raise ValueError(f"model must be 'a', 'b' or 'c', got {self.model!r}")
        if self.model != "a" and self.patience_sec is not None:
            object.__setattr__(self, "patience_sec", None)  # patience only means something in Erlang A


@dataclass(frozen=True)
class TrialNeed:
    trial_id: str
    name: str
    first: str  # ISO date of the scenario's first day (the trials' years are inferred, see trials.yaml)
    last: str
    days: int
    offered: int
    connected: int
    answer_rate: Decimal  # as published (percent)
    staffing: PeriodStaffing
    assumptions: Assumptions


def trial_need(trial: scenarios.Trial, assumptions: Assumptions) -> TrialNeed:
    """The sizing of one trial's published traffic under ``assumptions`` (ValueError on bad ones)."""
    days = len(trial.days)
    staffing = period_staffing(
        trial.offered,
        days,
        assumptions.aht_sec,
        assumptions.target,
        model=assumptions.model,
        patience_sec=assumptions.patience_sec,
        answer_within_sec=assumptions.answer_within_sec,
        observed_answer_rate=trial.connected / trial.offered if trial.offered else None,
    )
    return TrialNeed(
        trial.id,
        trial.name,
        trial.first.isoformat(),
        trial.last.isoformat(),
        days,
        trial.offered,
        trial.connected,
        trial.answer_rate,
        staffing,
        assumptions,
    )


def trial_needs(assumptions: Assumptions | None = None) -> list[TrialNeed]:
    """Every trial of ``trials.yaml``, in its order, sized under ``assumptions`` (default ones)."""
    chosen = assumptions or Assumptions()
    return [trial_need(trial, chosen) for trial in scenarios.trials()]


def as_dict(need: TrialNeed) -> dict:
    """A JSON-ready summary (the CLI's ``--json``)."""
    s = need.staffing
    return {
        "trial": need.trial_id,
        "name": need.name,
        "first": need.first,
        "last": need.last,
        "days": need.days,
        "offered": need.offered,
        "connected": need.connected,
        "published_answer_rate_percent": str(need.answer_rate),
        "calls_per_hour": round(s.calls_per_day / 24, 3),
        "lines_needed_peak": s.peak_lines,
        "line_hours_per_day": s.line_hours_per_day,
        "answered_fraction_with_them": round(s.answered_fraction, 6),
        "lines_consistent_with_published_rate": s.implied_lines,
        "assumptions": {
            "model": need.assumptions.model,
            "aht_sec": need.assumptions.aht_sec,
            "patience_sec": need.assumptions.patience_sec,
            "target": need.assumptions.target,
            "answer_within_sec": need.assumptions.answer_within_sec,
            "hourly_profile": "flat over 24 hours",
            "published": False,
        },
    }
