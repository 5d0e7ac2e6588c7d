"""Tests for tsunagari.helpline.erlang (pure: no Django).

Reference values are computed here independently: exact rationals for Erlang B and C, a truncated
birth–death chain plus uniformisation (transient analysis of a tagged caller) for Erlang A.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import pytest

from tsunagari.helpline import erlang
from tsunagari.helpline.erlang import evaluate


def exact_b(a: int, n: int) -> Fraction:
    terms = [Fraction(a**k, math.factorial(k)) for k in range(n + 1)]
    return terms[n] / sum(terms)


def exact_c(a: int, n: int) -> Fraction:
    terms = [Fraction(a**k, math.factorial(k)) for k in range(n)]
    top = Fraction(a**n, math.factorial(n)) * Fraction(n, n - a)
    return top / (sum(terms) + top)


def log_space_b(a: float, n: int) -> float:
    """Erlang B from log-factorials (an independent route for large N)."""
    logs = [k * math.log(a) - math.lgamma(k + 1) for k in range(n + 1)]
    peak = max(logs)
    return math.exp(logs[n] - peak - math.log(math.fsum(math.exp(v - peak) for v in logs)))


class BirthDeath:
    """Erlang A by brute force: the chain truncated at ``n + depth`` callers, in plain floats."""

    def __init__(self, a: float, n: int, aht: float, patience: float, depth: int = 400):
        self.n, self.aht, self.patience = n, aht, patience
        lam, mu, theta = a / aht, 1 / aht, 1 / patience
        weights = [1.0]
        for k in range(1, n + depth + 1):
            weights.append(weights[-1] * lam / (min(k, n) * mu + max(0, k - n) * theta))
        total = math.fsum(weights)
        self.pi = [w / total for w in weights]
        self.lam, self.mu, self.theta = lam, mu, theta
        self.queue = self.pi[n:]  # arrival sees j callers waiting with probability queue[j] (PASTA)

    @property
    def p_wait(self) -> float:
        return math.fsum(self.queue)

    @property
    def mean_queue(self) -> float:
        return math.fsum(j * p for j, p in enumerate(self.queue))

    @property
    def p_abandon(self) -> float:
        return self.theta * self.mean_queue / self.lam

    def answered_within(self, t: float, depth: int = 60) -> float:
        """P(answered within t), by uniformising the tagged caller's chain (i callers ahead)."""
        rate_ahead = [self.n * self.mu + i * self.theta for i in range(depth + 1)]
        big = self.n * self.mu + (depth + 1) * self.theta
        # state vector: index i = callers ahead (0..depth), then "served"
        vec = [self.queue[i] if i < len(self.queue) else 0.0 for i in range(depth + 1)] + [0.0]
        served = 0.0
        steps = int(big * t + 20 * math.sqrt(big * t) + 50)
        for step in range(steps + 1):
            if t > 0:  # Poisson(big·t) weight of this many uniformised steps, in log space
                weight = math.exp(-big * t + step * math.log(big * t) - math.lgamma(step + 1))
            else:
                weight = 1.0 if step == 0 else 0.0
            served += weight * vec[-1]
            new = [0.0] * (depth + 2)
            for i in range(depth + 1):
                p = vec[i]
                if p == 0.0:
                    continue
                down = rate_ahead[i] / big
                stay = 1.0 - down - self.theta / big
                new[i] += p * stay
                new[i - 1 if i > 0 else depth + 1] += p * down
            new[-1] += vec[-1]
            vec = new
        return (1.0 - self.p_wait) + served


# --- Erlang B and C ----------------------------------------------------------------------------


def test_textbook_values_match_exact_rationals():
    assert float(exact_b(10, 10)) == pytest.approx(0.2146, abs=5e-5)
    assert float(exact_c(10, 11)) == pytest.approx(0.6821, abs=5e-5)
    assert erlang.erlang_b(10, 10) == pytest.approx(float(exact_b(10, 10)), rel=1e-13)
    assert erlang.erlang_c(10, 11) == pytest.approx(float(exact_c(10, 11)), rel=1e-13)


@pytest.mark.parametrize("a", [1, 2, 5, 9, 17])
@pytest.mark.parametrize("n", [1, 3, 10, 25])
def test_b_and_c_against_exact_rationals(a, n):
    assert erlang.erlang_b(a, n) == pytest.approx(float(exact_b(a, n)), rel=1e-12)
    if a < n:
        assert erlang.erlang_c(a, n) == pytest.approx(float(exact_c(a, n)), rel=1e-12)
    else:
        assert erlang.erlang_c(a, n) == 1.0


def test_monotonicity():
    bs = [erlang.erlang_b(30, n) for n in range(1, 60)]
    assert all(x > y for x, y in itertools.pairwise(bs))
    cs = [erlang.erlang_c(30, n) for n in range(31, 60)]
    assert all(x > y for x, y in itertools.pairwise(cs))
    loads = [0.5 * k for k in range(1, 40)]
    assert all(erlang.erlang_b(x, 20) < erlang.erlang_b(y, 20) for x, y in itertools.pairwise(loads))
    assert all(erlang.erlang_b(a, 20) <= erlang.erlang_c(a, 20) for a in loads)


def test_large_systems_do_not_overflow():
    b = erlang.erlang_b(480, 500)
    assert b == pytest.approx(log_space_b(480, 500), rel=1e-10)
    c = erlang.erlang_c(480, 500)
    assert 0 < b < c < 1
    for model, extra in (("b", {}), ("c", {}), ("a", {"patience_sec": 120})):
        perf = evaluate(model, 480, 500, aht_sec=300, answer_within_sec=20, **extra)
        values = [v for v in perf.__dict__.values() if isinstance(v, float)]
        assert all(math.isfinite(v) for v in values), perf
    assert erlang.erlang_b(4000, 5000) == pytest.approx(log_space_b(4000, 5000), rel=1e-9)
    assert erlang.erlang_b(1, 3000) == 0.0  # true value ~1e-9131 underflows to 0, not NaN
    assert erlang.erlang_c(2999.5, 3000) < 1.0
    assert math.isfinite(evaluate("a", 1, 3000, aht_sec=300, patience_sec=60).abandon_probability)


def test_erlang_c_performance_formulas():
    perf = evaluate("c", 8, 10, aht_sec=300, answer_within_sec=20)
    c = float(exact_c(8, 10))
    assert perf.wait_probability == pytest.approx(c, rel=1e-12)
    assert perf.service_level == pytest.approx(1 - c * math.exp(-2 * 20 / 300), rel=1e-12)
    assert perf.mean_wait_sec == pytest.approx(c * 300 / 2, rel=1e-12)
    assert perf.mean_queue_length == pytest.approx(c * 8 / 2, rel=1e-12)
    assert perf.answered_fraction == 1.0
    assert perf.occupancy == pytest.approx(0.8)


def test_erlang_c_unstable():
    perf = evaluate("c", 12, 10, aht_sec=300, answer_within_sec=20)
    assert not perf.stable
    assert perf.wait_probability == 1.0
    assert perf.service_level == 0.0
    assert math.isinf(perf.mean_wait_sec)
    assert perf.answered_fraction == pytest.approx(10 / 12)


def test_erlang_b_performance():
    perf = evaluate("b", 10, 10, aht_sec=600, answer_within_sec=30)
    assert perf.blocking_probability == pytest.approx(0.2145823431, rel=1e-9)
    assert perf.answered_fraction == pytest.approx(1 - perf.blocking_probability)
    assert perf.service_level == perf.answered_fraction
    assert perf.mean_wait_sec == 0.0


def test_zero_load():
    for model, extra in (("b", {}), ("c", {}), ("a", {"patience_sec": 60})):
        perf = evaluate(model, 0, 3, aht_sec=300, answer_within_sec=10, **extra)
        assert perf.answered_fraction == 1.0
        assert perf.service_level == 1.0
        assert perf.occupancy == 0.0


# --- Erlang A --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "n", "patience"),
    [(4.5, 5, 120.0), (8.0, 10, 300.0), (12.0, 10, 600.0), (3.0, 2, 30.0), (1.0, 1, 900.0)],
)
def test_erlang_a_matches_birth_death_chain(a, n, patience):
    aht = 300.0
    ref = BirthDeath(a, n, aht, patience)
    perf = evaluate("a", a, n, aht_sec=aht, patience_sec=patience, answer_within_sec=20)
    assert perf.wait_probability == pytest.approx(ref.p_wait, rel=1e-10)
    assert perf.abandon_probability == pytest.approx(ref.p_abandon, rel=1e-10)
    assert perf.mean_queue_length == pytest.approx(ref.mean_queue, rel=1e-10)
    # Little's law: mean wait of all offered calls = E[queue] / λ
    assert perf.mean_wait_sec == pytest.approx(ref.mean_queue / ref.lam, rel=1e-10)
    for t in (0.0, 5.0, 20.0, 120.0):
        sl = evaluate("a", a, n, aht_sec=aht, patience_sec=patience, answer_within_sec=t).service_level
        assert sl == pytest.approx(ref.answered_within(t), abs=1e-9)


def test_erlang_a_mean_answer_wait_by_integration():
    """ASA = ∫ (P(answered) - P(answered within s)) ds / P(answered), by Simpson's rule."""
    a, n, aht, patience = 4.5, 5, 300.0, 120.0
    ref = BirthDeath(a, n, aht, patience)
    answered = 1 - ref.p_abandon
    upper, steps = 1200.0, 160
    h = upper / steps
    values = [answered - ref.answered_within(k * h, depth=30) for k in range(steps + 1)]
    integral = h / 3 * (values[0] + values[-1] + 4 * sum(values[1:-1:2]) + 2 * sum(values[2:-1:2]))
    perf = evaluate("a", a, n, aht_sec=aht, patience_sec=patience)
    assert perf.mean_answer_wait_sec == pytest.approx(integral / answered, rel=1e-6)


def test_erlang_a_tends_to_erlang_c():
    c = evaluate("c", 8, 10, aht_sec=300, answer_within_sec=20)
    gaps = []
    for patience in (1e3, 1e5, 1e7, 1e9):
        perf = evaluate("a", 8, 10, aht_sec=300, patience_sec=patience, answer_within_sec=20)
        gaps.append(abs(perf.service_level - c.service_level))
        # the gap shrinks like 1/patience (about 1.7e-4 relative at 1e7 s here): check at 1e9 s
        if patience >= 1e9:
            assert perf.wait_probability == pytest.approx(c.wait_probability, rel=1e-5)
            assert perf.service_level == pytest.approx(c.service_level, rel=1e-5)
            assert perf.mean_wait_sec == pytest.approx(c.mean_wait_sec, rel=1e-5)
            assert perf.mean_answer_wait_sec == pytest.approx(c.mean_answer_wait_sec, rel=1e-5)
            assert perf.abandon_probability < 1e-6
    assert gaps == sorted(gaps, reverse=True)
    inf = evaluate("a", 8, 10, aht_sec=300, patience_sec=math.inf, answer_within_sec=20)
    assert inf.model == "a"
    assert inf.service_level == c.service_level


def test_erlang_a_tends_to_erlang_b_as_patience_vanishes():
    perf = evaluate("a", 8, 10, aht_sec=300, patience_sec=1e-6)
    assert perf.abandon_probability == pytest.approx(erlang.erlang_b(8, 10), rel=1e-6)


def test_erlang_a_monotone():
    by_lines = [evaluate("a", 20, n, aht_sec=300, patience_sec=90).answered_fraction for n in range(5, 40)]
    assert all(x < y for x, y in itertools.pairwise(by_lines))
    by_patience = [
        evaluate("a", 20, 20, aht_sec=300, patience_sec=p).abandon_probability for p in (10, 30, 90, 300, 900)
    ]
    assert all(x > y for x, y in itertools.pairwise(by_patience))
    by_t = [
        evaluate("a", 20, 20, aht_sec=300, patience_sec=90, answer_within_sec=t).service_level
        for t in (0, 5, 20, 60, 300)
    ]
    assert all(x < y for x, y in itertools.pairwise(by_t))


def test_erlang_a_heavy_overload_is_fluid_like():
    perf = evaluate("a", 5000, 4000, aht_sec=300, patience_sec=600, answer_within_sec=20)
    assert perf.abandon_probability == pytest.approx(0.2, rel=1e-6)  # (A - N) / A
    assert perf.mean_queue_length == pytest.approx(2000, rel=1e-6)
    assert 0 <= perf.service_level < 1e-6


# --- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"model": "b", "erlangs": -1, "lines": 3}, "erlangs"),
        ({"model": "b", "erlangs": math.nan, "lines": 3}, "erlangs"),
        ({"model": "b", "erlangs": 1, "lines": 0}, "lines"),
        ({"model": "c", "erlangs": 1, "lines": 2.5}, "lines"),
        ({"model": "c", "erlangs": 1, "lines": True}, "lines"),
        ({"model": "c", "erlangs": 1, "lines": 2, "aht_sec": 0}, "aht_sec"),
        ({"model": "c", "erlangs": 1, "lines": 2, "answer_within_sec": -1}, "answer_within_sec"),
        ({"model": "a", "erlangs": 1, "lines": 2}, "patience_sec"),
        ({"model": "a", "erlangs": 1, "lines": 2, "patience_sec": 0}, "patience_sec"),
        ({"model": "b", "erlangs": 1, "lines": 2, "patience_sec": 60}, "patience_sec"),
        ({"model": "x", "erlangs": 1, "lines": 2}, "model"),
    ],
)
def test_invalid_inputs(kwargs, message):
    kwargs = {"aht_sec": 300, **kwargs}
    with pytest.raises(ValueError, match=message):
        evaluate(**kwargs)


def test_invalid_inputs_plain_functions():
    with pytest.raises(ValueError, match="lines"):
        erlang.erlang_b(1, -2)
    with pytest.raises(ValueError, match="erlangs"):
        erlang.erlang_c(math.inf, 2)
