"""Tests for tsunagari.helpline.simulation (pure: no Django).

Statistical checks use independent replications with fixed seeds: 8 runs of 25,000 calls (200,000 in
all) after a warm-up, and require the mean over runs to be within 4 standard errors (estimated from
the spread of the runs) of the Erlang value. The seeds make every run deterministic.
"""

from __future__ import annotations

import math
import statistics

import pytest

from tsunagari.helpline import erlang
from tsunagari.helpline.simulation import simulate

AHT = 300.0
LOAD = 8.0
LINES = 10
RATE = LOAD / AHT * 3600  # calls per hour for 8 erlangs
REPS = 8
CALLS_PER_REP = 25_000
WARMUP_HOURS = 4.0  # 48 handling times


def replicate(first_seed, **kwargs):
    """REPS independent runs (seeds first_seed, first_seed+1, ...) of CALLS_PER_REP calls each."""
    hours = CALLS_PER_REP / RATE + WARMUP_HOURS
    return [
        simulate(RATE, LINES, aht_sec=AHT, hours=hours, seed=seed, warmup_hours=WARMUP_HOURS, **kwargs)
        for seed in range(first_seed, first_seed + REPS)
    ]


def summary(runs, metric):
    """Mean and standard error (from the spread of the runs) of ``metric(run)``."""
    values = [metric(r) for r in runs]
    return statistics.fmean(values), statistics.stdev(values) / math.sqrt(len(values))


def assert_close(sim, theory, label):
    mean, se = sim
    assert abs(mean - theory) <= 4 * se + 1e-12, (
        f"{label}: simulated {mean:.5f} ± {se:.5f}, theory {theory:.5f}"
    )


def test_agrees_with_erlang_b():
    perf = erlang.evaluate("b", LOAD, LINES, aht_sec=AHT)
    for name, sampler in (("exponential", None), ("deterministic", lambda rng: AHT)):
        runs = replicate(100, max_queue=0, service_sampler=sampler)
        # Erlang B is insensitive to the handling-time distribution.
        assert_close(
            summary(runs, lambda r: r.blocked / r.offered), perf.blocking_probability, f"blocking ({name})"
        )
        assert all(r.abandoned == 0 and r.mean_wait_sec == 0 for r in runs)


def test_agrees_with_erlang_c():
    perf = erlang.evaluate("c", LOAD, LINES, aht_sec=AHT, answer_within_sec=20)
    runs = replicate(200, answer_within_sec=20)
    assert_close(summary(runs, lambda r: r.service_level), perf.service_level, "service level")
    assert_close(summary(runs, lambda r: r.mean_wait_sec), perf.mean_wait_sec, "mean wait")
    assert all(r.answered == r.offered for r in runs)


def test_agrees_with_erlang_a():
    perf = erlang.evaluate("a", LOAD, LINES, aht_sec=AHT, patience_sec=120, answer_within_sec=20)
    runs = replicate(300, patience_sec=120, answer_within_sec=20)
    assert_close(summary(runs, lambda r: r.abandoned / r.offered), perf.abandon_probability, "abandonment")
    assert_close(summary(runs, lambda r: r.service_level), perf.service_level, "service level")
    assert_close(summary(runs, lambda r: r.mean_wait_sec), perf.mean_wait_sec, "mean wait")
    assert_close(summary(runs, lambda r: r.mean_answer_wait_sec), perf.mean_answer_wait_sec, "ASA")
    for r in runs:
        assert r.blocked == 0
        assert r.offered == r.answered + r.abandoned


def test_crisis_priority_waits_less_and_matches_cobham():
    """Non-preemptive priority in M/M/N (Cobham): W_k = C·AHT / (N·(1-σ_{k-1})·(1-σ_k))."""
    share = 0.2
    c = erlang.erlang_c(LOAD, LINES)
    sigma1 = share * LOAD / LINES
    sigma = LOAD / LINES
    w_crisis = c * AHT / LINES / (1 - sigma1)
    w_normal = c * AHT / LINES / ((1 - sigma1) * (1 - sigma))
    runs = replicate(400, priority_fraction=share)
    crisis = summary(runs, lambda r: r.priority.mean_wait_sec)
    normal = summary(runs, lambda r: r.normal.mean_wait_sec)
    assert crisis[0] < normal[0] / 3
    assert all(r.priority.mean_wait_sec < r.normal.mean_wait_sec for r in runs)
    assert_close(crisis, w_crisis, "crisis wait")
    assert_close(normal, w_normal, "normal wait")
    # the overall mean wait is that of Erlang C: the priority rule does not change the work
    assert_close(summary(runs, lambda r: r.mean_wait_sec), c * AHT / (LINES - LOAD), "overall wait")
    assert summary(runs, lambda r: r.priority.offered / r.offered)[0] == pytest.approx(share, abs=0.005)


def test_reproducible_with_same_seed():
    kwargs = {
        "aht_sec": AHT,
        "hours": 200,
        "patience_sec": 120,
        "priority_fraction": 0.1,
        "answer_within_sec": 20,
    }
    first = simulate(RATE, LINES, seed=7, **kwargs)
    again = simulate(RATE, LINES, seed=7, **kwargs)
    other = simulate(RATE, LINES, seed=8, **kwargs)
    assert first == again
    assert first != other


def test_counts_add_up_and_max_queue_blocks():
    result = simulate(
        RATE * 1.5,
        LINES,
        aht_sec=AHT,
        hours=300,
        seed=3,
        patience_sec=200,
        max_queue=3,
        priority_fraction=0.1,
    )
    for part in (result.overall, result.normal, result.priority):
        assert part.offered == part.answered + part.abandoned + part.blocked
    assert result.blocked > 0
    assert result.normal.offered + result.priority.offered == result.offered
    assert sum(h.offered for h in result.per_hour) == result.offered
    assert sum(h.blocked for h in result.per_hour) == result.blocked
    assert result.service_level is None


def test_hourly_profile_and_shift_plan():
    rates = [0.0] * 8 + [30.0] * 14 + [0.0] * 2  # open 08:00-22:00
    plan = {h: 4 for h in range(8, 22)}  # no lines at night
    plan[12] = 1  # lunch: lines drop, calls in progress finish
    result = simulate(rates, plan, aht_sec=600, hours=24 * 60, seed=11, answer_within_sec=60)
    assert len(result.per_hour) == 24
    assert all(result.per_hour[h].offered == 0 for h in (*range(8), 22, 23))
    assert all(result.per_hour[h].offered > 1000 for h in range(8, 22))
    assert result.answered == result.offered  # nobody hangs up; the queue drains
    lunch, before = result.per_hour[12], result.per_hour[10]
    assert lunch.answered_within / lunch.offered < before.answered_within / before.offered


def test_weekly_rates():
    rates = {h: (10.0 if h < 120 else 40.0) for h in range(168)}  # weekend busier
    result = simulate(rates, 6, aht_sec=600, hours=168 * 10, seed=5, patience_sec=120)
    assert len(result.per_hour) == 168
    weekday = sum(h.offered for h in result.per_hour[:120]) / 120
    weekend = sum(h.offered for h in result.per_hour[120:]) / 48
    assert weekend == pytest.approx(4 * weekday, rel=0.1)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"arrival_rates": -1.0}, "arrival_rates"),
        ({"arrival_rates": [1.0] * 10}, "24"),
        ({"lines": 0}, "lines"),
        ({"lines": {30: 2.5}}, "lines"),
        ({"aht_sec": 0}, "aht_sec"),
        ({"hours": 0}, "hours"),
        ({"warmup_hours": 10}, "warmup_hours"),
        ({"patience_sec": -3}, "patience_sec"),
        ({"max_queue": -1}, "max_queue"),
        ({"priority_fraction": 1.5}, "priority_fraction"),
        ({"seed": None}, "seed"),
        ({"service_sampler": lambda rng: -1.0}, "service_sampler"),
        (
            {"patience_sec": 60, "arrival_rates": 100.0, "patience_sampler": lambda rng: math.nan},
            "patience_sampler",
        ),
    ],
)
def test_invalid_inputs(kwargs, message):
    args = {"arrival_rates": 10.0, "lines": 2, "aht_sec": 300, "hours": 5, "seed": 1, **kwargs}
    with pytest.raises(ValueError, match=message):
        simulate(**args)
