"""How many answering lines a consultation line needs (pure Python, built on :mod:`.erlang`).

The target is a fraction of *offered* calls and depends on the model:

* ``"b"`` (Erlang B, no queue) and ``"a"`` (Erlang A, queue with abandonment): the **answered
  fraction** (1 - blocking, resp. 1 - abandonment) must be ≥ ``target``.
* ``"c"`` (Erlang C, queue, nobody hangs up): the **service level** P(answered within
  ``answer_within_sec``) must be ≥ ``target``; without ``answer_within_sec`` it is the fraction
  answered without waiting at all (1 - C), i.e. T = 0.

An ``answer_within_sec`` given with "b" or "a" does not change the target; the service level is
then just reported in the performance.

Loads are stationary within an hour: ``erlangs = calls_per_hour · aht_sec / 3600``. Counts of
calls are taken to be offered calls; repeat calls from callers who could not get through inflate
them, so lines sized from raw call counts of an overloaded period overstate the need somewhat.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

from .erlang import Model, Performance, evaluate

_MODELS = ("b", "c", "a")


@dataclass(frozen=True)
class StaffingResult:
    """Minimal lines meeting a target, with what they achieve.

    ``target_metric`` is "answered_fraction" (models b, a) or "service_level" (model c);
    ``achieved`` is that metric's value at ``lines``. With no calls, ``lines`` is 0, ``achieved``
    1.0 and ``performance`` None.
    """

    model: str
    lines: int
    calls_per_hour: float
    erlangs: float
    target: float
    target_metric: str
    achieved: float
    performance: Performance | None


def _check_model(model: str) -> str:
    key = str(model).lower()
    if key not in _MODELS:
        raise ValueError(f"model must be one of 'b', 'c', 'a', got {model!r}")
    return key


def _check_number(name: str, value: float, *, low: float, low_inclusive: bool = True) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if value < low or (value == low and not low_inclusive):
        raise ValueError(f"{name} must be {'>=' if low_inclusive else '>'} {low}, got {value!r}")
    return float(value)


def _check_target(target: float) -> float:
    if isinstance(target, bool) or not isinstance(target, (int, float)) or not 0 < target < 1:
        raise ValueError(f"target must be a fraction strictly between 0 and 1, got {target!r}")
    return float(target)


def _metric(model: str, perf: Performance) -> float:
    return perf.service_level if model == "c" else perf.answered_fraction


def lines_needed(
    model: Model,
    calls_per_hour: float,
    aht_sec: float,
    target: float,
    patience_sec: float | None = None,
    answer_within_sec: float | None = None,
    *,
    max_lines: int = 1_000_000,
) -> StaffingResult:
    """The smallest number of lines whose target metric (module docstring) is ≥ ``target``.

    Contract: ``calls_per_hour`` finite ≥ 0; ``aht_sec`` finite > 0; 0 < ``target`` < 1;
    ``patience_sec`` required for "a" and not allowed otherwise; ``answer_within_sec`` ≥ 0 or
    None. Raises ValueError on bad inputs or if more than ``max_lines`` lines would be needed.
    The metrics increase with the number of lines, so the search gallops up from a lower bound
    (the carried load for b/a, stability for c) and then bisects.
    """
    key = _check_model(model)
    calls = _check_number("calls_per_hour", calls_per_hour, low=0.0)
    aht = _check_number("aht_sec", aht_sec, low=0.0, low_inclusive=False)
    goal = _check_target(target)
    metric_name = "service_level" if key == "c" else "answered_fraction"
    within = answer_within_sec
    if key == "c" and within is None:
        within = 0.0
    erlangs = calls * aht / 3600.0

    def perf_at(n: int) -> Performance:
        return evaluate(key, erlangs, n, aht_sec=aht, answer_within_sec=within, patience_sec=patience_sec)

    if calls == 0:
        perf_at(1)  # validates the remaining arguments
        return StaffingResult(key, 0, calls, 0.0, goal, metric_name, 1.0, None)

    low = math.floor(erlangs) + 1 if key == "c" else max(1, math.ceil(goal * erlangs - 1e-9))
    if low > max_lines:
        raise ValueError(f"more than max_lines={max_lines} lines would be needed for target {goal}")
    best = perf_at(low)
    if _metric(key, best) >= goal:
        return StaffingResult(key, low, calls, erlangs, goal, metric_name, _metric(key, best), best)
    failing, step = low, 1
    while True:
        high = failing + step
        if high > max_lines:
            raise ValueError(f"more than max_lines={max_lines} lines would be needed for target {goal}")
        perf = perf_at(high)
        if _metric(key, perf) >= goal:
            best = perf
            break
        failing, step = high, step * 2
    while high - failing > 1:
        mid = (failing + high) // 2
        perf = perf_at(mid)
        if _metric(key, perf) >= goal:
            high, best = mid, perf
        else:
            failing = mid
    return StaffingResult(key, high, calls, erlangs, goal, metric_name, _metric(key, best), best)


def plan(
    hourly_calls: Mapping[Hashable, float] | Sequence[float],
    aht_sec: float,
    target: float,
    model: Model,
    patience_sec: float | None = None,
    answer_within_sec: float | None = None,
) -> dict[Hashable, int]:
    """Lines needed in each hour: ``{hour: lines}`` for ``{hour: calls in that hour}``.

    A sequence is read as hours 0, 1, 2, ... The hours (keys) are kept as given, so a plan made
    from 24 hours of day or 168 hours of week can be passed to :func:`simulation.simulate` as its
    shift plan. Hours with no calls get 0 lines. Each hour is sized independently with
    :func:`lines_needed` (same contract); call it directly for the achieved metrics.
    """
    items = hourly_calls.items() if isinstance(hourly_calls, Mapping) else enumerate(hourly_calls)
    return {
        hour: lines_needed(model, calls, aht_sec, target, patience_sec, answer_within_sec).lines
        for hour, calls in items
    }


@dataclass(frozen=True)
class PeriodStaffing:
    """Lines a period's traffic would have needed (see :func:`period_staffing`).

    ``hourly_calls`` is the mean number of calls in each hour of the day (0-23), ``by_hour`` the
    sizing of each hour, ``lines_by_hour`` its lines (0 for hours without calls),
    ``line_hours_per_day`` their sum. ``answered_fraction`` and ``service_level`` are the
    call-weighted values these lines would achieve (service level None without T).
    ``observed_answered_calls`` and ``implied_lines`` are None unless an observed answer rate was
    given; ``implied_lines`` is the smallest number of lines, kept all day, whose call-weighted
    answered fraction under the model reaches the observed rate (None for model "c", where
    everyone is eventually answered, and for observed rates of 0 or 1).
    """

    model: str
    total_calls: float
    days: float
    calls_per_day: float
    target: float
    hourly_calls: dict[int, float]
    by_hour: dict[int, StaffingResult]
    lines_by_hour: dict[int, int]
    peak_lines: int
    line_hours_per_day: int
    answered_fraction: float
    service_level: float | None
    observed_answer_rate: float | None
    observed_answered_calls: float | None
    implied_lines: int | None


def _profile(hourly_profile: Mapping[int, float] | Sequence[float] | None) -> list[float]:
    if hourly_profile is None:
        return [1.0] * 24
    if isinstance(hourly_profile, Mapping):
        for key in hourly_profile:
            if isinstance(key, bool) or not isinstance(key, int) or not 0 <= key < 24:
                raise ValueError(f"hourly_profile keys must be hours 0-23, got {key!r}")
        weights = [hourly_profile.get(h, 0.0) for h in range(24)]
    else:
        weights = list(hourly_profile)
        if len(weights) != 24:
            raise ValueError(f"hourly_profile must have 24 values (hours 0-23), got {len(weights)}")
    for w in weights:
        _check_number("hourly_profile weight", w, low=0.0)
    if sum(weights) <= 0:
        raise ValueError("hourly_profile must have at least one hour with a positive weight")
    return [float(w) for w in weights]


def period_staffing(
    total_calls: float,
    days: float,
    aht_sec: float,
    target: float,
    *,
    model: Model = "a",
    hourly_profile: Mapping[int, float] | Sequence[float] | None = None,
    patience_sec: float | None = None,
    answer_within_sec: float | None = None,
    observed_answer_rate: float | None = None,
) -> PeriodStaffing:
    """Lines per hour of day that ``total_calls`` offered over ``days`` days would have needed.

    ``hourly_profile`` gives relative weights of the hours of the day (24 values or {hour:
    weight}, missing hours 0 = closed; default flat over 24 hours); the mean calls of hour h are
    ``total_calls / days · w_h / Σw``. Each hour is sized with :func:`lines_needed` (model,
    target, ``patience_sec`` and ``answer_within_sec`` as there). If ``observed_answer_rate``
    (0-1) is given, the result also shows the calls that were answered and the constant number of
    lines consistent with that rate (``implied_lines``), for comparison with the lines needed.
    ValueError on bad inputs.
    """
    key = _check_model(model)
    total = _check_number("total_calls", total_calls, low=0.0)
    n_days = _check_number("days", days, low=0.0, low_inclusive=False)
    weights = _profile(hourly_profile)
    if observed_answer_rate is not None:
        rate = _check_number("observed_answer_rate", observed_answer_rate, low=0.0)
        if rate > 1:
            raise ValueError(f"observed_answer_rate must be between 0 and 1, got {observed_answer_rate!r}")
    per_day = total / n_days
    weight_sum = sum(weights)
    hourly = {h: per_day * w / weight_sum for h, w in enumerate(weights)}
    by_hour = {
        h: lines_needed(key, calls, aht_sec, target, patience_sec, answer_within_sec)
        for h, calls in hourly.items()
    }
    lines_by_hour = {h: r.lines for h, r in by_hour.items()}

    answered = math.fsum(
        hourly[h] * (r.performance.answered_fraction if r.performance else 1.0) for h, r in by_hour.items()
    )
    service = None
    if answer_within_sec is not None:
        service = math.fsum(
            hourly[h] * (r.performance.service_level if r.performance else 1.0) for h, r in by_hour.items()
        )
    calls_sum = math.fsum(hourly.values())

    implied = None
    if observed_answer_rate is not None and key != "c" and 0 < observed_answer_rate < 1 and calls_sum > 0:
        implied = _implied_lines(key, hourly, aht_sec, patience_sec, float(observed_answer_rate))

    return PeriodStaffing(
        model=key,
        total_calls=total,
        days=n_days,
        calls_per_day=per_day,
        target=float(target),
        hourly_calls=hourly,
        by_hour=by_hour,
        lines_by_hour=lines_by_hour,
        peak_lines=max(lines_by_hour.values()),
        line_hours_per_day=sum(lines_by_hour.values()),
        answered_fraction=answered / calls_sum if calls_sum else 1.0,
        service_level=None if service is None else (service / calls_sum if calls_sum else 1.0),
        observed_answer_rate=None if observed_answer_rate is None else float(observed_answer_rate),
        observed_answered_calls=None if observed_answer_rate is None else total * observed_answer_rate,
        implied_lines=implied,
    )


def _implied_lines(
    model: str, hourly: dict[int, float], aht_sec: float, patience_sec: float | None, rate: float
) -> int:
    """Smallest constant N whose call-weighted answered fraction is ≥ rate (gallop + bisect)."""
    busy_hours = {h: c for h, c in hourly.items() if c > 0}
    total = math.fsum(busy_hours.values())

    def answered(n: int) -> float:
        return (
            math.fsum(
                c
                * evaluate(
                    model, c * aht_sec / 3600.0, n, aht_sec=aht_sec, patience_sec=patience_sec
                ).answered_fraction
                for c in busy_hours.values()
            )
            / total
        )

    if answered(1) >= rate:
        return 1
    failing, step = 1, 1
    while answered(failing + step) < rate:
        failing, step = failing + step, step * 2
    high = failing + step
    while high - failing > 1:
        mid = (failing + high) // 2
        if answered(mid) >= rate:
            high = mid
        else:
            failing = mid
    return high
