"""Erlang queueing formulas for sizing a consultation line (pure Python, standard library only).

Three models of a line with ``N`` answering lines (counsellors) and Poisson arrivals with offered load
``A = λ·AHT`` erlangs (λ calls per second, AHT the mean handling time in seconds, exponential):

* **Erlang B** (M/M/N/N): a caller who finds every line busy is *blocked* (busy tone) and lost.
* **Erlang C** (M/M/N): callers who find every line busy wait in an unlimited FIFO queue and never
  hang up. Stable only when ``A < N``.
* **Erlang A** (M/M/N+M, Palm's model): as Erlang C, but each waiting caller hangs up (abandons)
  after an exponential patience with mean ``patience_sec``. Always stable.

Numerical method and accuracy
-----------------------------
* Erlang B uses the recursion ``B(0) = 1, B(n) = A·B(n-1) / (n + A·B(n-1))``: every step is a
  convex combination, so it neither overflows nor cancels (relative error about ``n·ε``, ε = 2.2e-16).
  If ``B`` falls below 1e-250 the recursion continues on ``log B`` so that Erlang A still gets the
  exact logarithm; :func:`erlang_b` itself then returns the (sub)normal or zero float.
  Cost O(N): N = 10,000 takes about a millisecond.
* Erlang C follows from Erlang B: ``C = N·B / (N - A·(1 - B))`` for ``A < N``.
* Erlang A is solved as the birth–death chain of the number of callers in the system. Relative to
  the probability ``π_N`` of state N, the states below N sum to ``1/B(A, N) - 1`` (Erlang B again)
  and the queue states are ``t_j = Π_{i=1..j} x / (a + i)`` with ``a = N·P/AHT`` and
  ``x = A·P/AHT`` (P the mean patience). The ``t_j`` are summed outwards from their largest term
  (found in closed form, with ``lgamma`` when it is far out) and the sum is cut once a geometric
  bound on the rest is below 1e-17 of the total, so the truncation error is below 1e-16 relative
  and nothing can overflow (the scale is carried as a logarithm). Cost O(N + q), q being the range
  of queue lengths of non-negligible probability, about ``(A - N)⁺·P/AHT + 40·√(A·P/AHT)``.

  For a caller who finds ``j`` callers already waiting, the wait ``V`` it would have if it were
  infinitely patient is a sum of exponentials with rates ``(a + i)/P``, i = 0..j, so ``exp(-V/P)``
  is Beta(a, j+1)-distributed. With the caller's own patience ``τ ~ Exp(1/P)`` this gives, in
  closed form per ``j``: P(answered) = a/(a+j+1); P(answered within T) = a/(a+j+1)·(1 - F_j), F_j
  being a negative-binomial distribution function (summed in log space); and
  E[wait · 1{answered}] = P·a/(a+j+1)·Σ_{i=0..j} 1/(a+1+i). These are weighted by the arrival
  distribution over ``j`` (PASTA). Agreement with an independent birth–death/uniformisation
  computation and with the simulator is checked in the tests.

Definitions used throughout (all fractions are of *offered* calls):

* ``answered_fraction``: calls eventually answered. B: 1 - blocking; A: 1 - P(abandon); C: 1 when
  stable (when ``A ≥ N`` the long-run answered throughput is N/A of the offered calls).
* ``service_level``: calls answered within ``answer_within_sec`` (T) of arrival, including calls
  answered at once; blocked and abandoned calls count as failures. None when T is not given.
* ``mean_wait_sec``: mean time in the queue over all offered calls (blocked calls and calls
  answered at once count 0, an abandoning caller counts the time until hanging up).
* ``mean_answer_wait_sec`` (ASA): mean time in the queue of the answered calls.
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass, replace
from typing import Literal

Model = Literal["b", "c", "a"]

_EPS = 1e-17  # relative truncation tolerance for the Erlang A sums
_MAX_TERMS = 20_000_000  # refuse Erlang A inputs that would need more terms than this
_LOG_SWITCH = 1e-250  # Erlang B recursion continues on log B below this value
_MODELS = ("b", "c", "a")


@dataclass(frozen=True)
class Performance:
    """Steady-state performance of a line under one Erlang model (see the module docstring).

    ``blocking_probability`` is non-zero only for Erlang B, ``abandon_probability`` only for
    Erlang A. ``wait_probability`` is the probability that a caller finds every line busy and
    queues (0 for Erlang B, ``C`` for Erlang C). ``occupancy`` is the carried load per line (the
    mean fraction of time a line is busy). ``stable`` is False only for Erlang C with ``A ≥ N``,
    in which case waits and queue length are ``math.inf`` and the service level is 0.
    """

    model: str
    erlangs: float
    lines: int
    aht_sec: float
    answer_within_sec: float | None
    patience_sec: float | None
    blocking_probability: float
    wait_probability: float
    abandon_probability: float
    answered_fraction: float
    service_level: float | None
    mean_wait_sec: float
    mean_answer_wait_sec: float
    mean_queue_length: float
    occupancy: float
    stable: bool


# --- validation ------------------------------------------------------------------------------


def _check_erlangs(erlangs: float) -> float:
    try:
        value = float(erlangs)
    except (TypeError, ValueError):
        raise ValueError(f"erlangs must be a number, got {erlangs!r}") from None
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"erlangs (offered load) must be finite and >= 0, got {erlangs!r}")
    return value


def _check_lines(lines: int) -> int:
    if isinstance(lines, bool):
        raise ValueError(f"lines must be an integer >= 1, got {lines!r}")
    try:
        value = operator.index(lines)
    except TypeError:
        raise ValueError(f"lines must be an integer >= 1, got {lines!r}") from None
    if value < 1:
        raise ValueError(f"lines must be an integer >= 1, got {lines!r}")
    return value


def _check_positive(name: str, value: float, *, allow_inf: bool = False) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if math.isnan(number) or number <= 0 or (math.isinf(number) and not allow_inf):
        kind = "> 0" if allow_inf else "finite and > 0"
        raise ValueError(f"{name} must be {kind}, got {value!r}")
    return number


def _check_within(answer_within_sec: float | None) -> float | None:
    if answer_within_sec is None:
        return None
    try:
        number = float(answer_within_sec)
    except (TypeError, ValueError):
        raise ValueError(f"answer_within_sec must be a number, got {answer_within_sec!r}") from None
    if math.isnan(number) or number < 0:
        raise ValueError(f"answer_within_sec must be >= 0, got {answer_within_sec!r}")
    return number


# --- Erlang B and C --------------------------------------------------------------------------


def _log_erlang_b(erlangs: float, lines: int) -> float:
    """log B(A, N) for validated A > 0 and N >= 1 (see the module docstring)."""
    b = 1.0
    for n in range(1, lines + 1):
        ab = erlangs * b
        b = ab / (n + ab)
        if b < _LOG_SWITCH:
            log_b = math.log(b)
            log_a = math.log(erlangs)
            for m in range(n + 1, lines + 1):
                # log B_m = log(A·B_{m-1}) - log(m + A·B_{m-1}); A·B_{m-1} may underflow harmlessly.
                log_b = log_a + log_b - math.log(m + erlangs * math.exp(log_b))
            return log_b
    return math.log(b)


def erlang_b(erlangs: float, lines: int) -> float:
    """Blocking probability of an Erlang B (loss) system: P(all ``lines`` busy) for load ``erlangs``.

    Contract: ``erlangs`` finite ≥ 0, ``lines`` integer ≥ 1, else ValueError. Returns a float in
    [0, 1): 0.0 for zero load (and when the true value is below the smallest float).
    """
    a = _check_erlangs(erlangs)
    n = _check_lines(lines)
    if a == 0:
        return 0.0
    return math.exp(_log_erlang_b(a, n))


def _erlang_c_from_b(erlangs: float, lines: int, b: float) -> float:
    if erlangs >= lines:
        return 1.0
    return min(1.0, lines * b / (lines - erlangs * (1.0 - b)))


def erlang_c(erlangs: float, lines: int) -> float:
    """Probability that a caller must wait in an Erlang C system (unlimited queue, nobody hangs up).

    Contract: ``erlangs`` finite ≥ 0, ``lines`` integer ≥ 1, else ValueError. Returns a float in
    [0, 1]; exactly 1.0 when ``erlangs >= lines`` (unstable: the queue grows without bound).
    """
    a = _check_erlangs(erlangs)
    n = _check_lines(lines)
    if a == 0:
        return 0.0
    return _erlang_c_from_b(a, n, math.exp(_log_erlang_b(a, n)))


def _idle(
    model: str, a: float, n: int, aht: float, within: float | None, patience: float | None
) -> Performance:
    """Performance with no offered load: every call (there are none) would be answered at once."""
    return Performance(
        model=model,
        erlangs=a,
        lines=n,
        aht_sec=aht,
        answer_within_sec=within,
        patience_sec=patience,
        blocking_probability=0.0,
        wait_probability=0.0,
        abandon_probability=0.0,
        answered_fraction=1.0,
        service_level=None if within is None else 1.0,
        mean_wait_sec=0.0,
        mean_answer_wait_sec=0.0,
        mean_queue_length=0.0,
        occupancy=0.0,
        stable=True,
    )


def performance_b(
    erlangs: float, lines: int, *, aht_sec: float, answer_within_sec: float | None = None
) -> Performance:
    """Erlang B performance. Nobody waits, so the service level equals the answered fraction 1 - B
    for any T ≥ 0, and all waits are 0. ValueError on invalid inputs (see :func:`evaluate`)."""
    a = _check_erlangs(erlangs)
    n = _check_lines(lines)
    aht = _check_positive("aht_sec", aht_sec)
    within = _check_within(answer_within_sec)
    if a == 0:
        return _idle("b", a, n, aht, within, None)
    b = math.exp(_log_erlang_b(a, n))
    return Performance(
        model="b",
        erlangs=a,
        lines=n,
        aht_sec=aht,
        answer_within_sec=within,
        patience_sec=None,
        blocking_probability=b,
        wait_probability=0.0,
        abandon_probability=0.0,
        answered_fraction=1.0 - b,
        service_level=None if within is None else 1.0 - b,
        mean_wait_sec=0.0,
        mean_answer_wait_sec=0.0,
        mean_queue_length=0.0,
        occupancy=a * (1.0 - b) / n,
        stable=True,
    )


def performance_c(
    erlangs: float, lines: int, *, aht_sec: float, answer_within_sec: float | None = None
) -> Performance:
    """Erlang C performance: wait probability C, service level ``1 - C·exp(-(N-A)·T/AHT)``, mean
    wait ``C·AHT/(N-A)`` (the same for answered calls, as all are answered), mean queue length
    ``C·A/(N-A)``. When ``A ≥ N`` the result has ``stable=False``, C = 1, service level 0, infinite
    waits and queue, and answered fraction N/A (the long-run throughput). ValueError on invalid
    inputs (see :func:`evaluate`)."""
    a = _check_erlangs(erlangs)
    n = _check_lines(lines)
    aht = _check_positive("aht_sec", aht_sec)
    within = _check_within(answer_within_sec)
    if a == 0:
        return _idle("c", a, n, aht, within, None)
    if a >= n:
        return Performance(
            model="c",
            erlangs=a,
            lines=n,
            aht_sec=aht,
            answer_within_sec=within,
            patience_sec=None,
            blocking_probability=0.0,
            wait_probability=1.0,
            abandon_probability=0.0,
            answered_fraction=n / a,
            service_level=None if within is None else 0.0,
            mean_wait_sec=math.inf,
            mean_answer_wait_sec=math.inf,
            mean_queue_length=math.inf,
            occupancy=1.0,
            stable=False,
        )
    c = _erlang_c_from_b(a, n, math.exp(_log_erlang_b(a, n)))
    wait = c * aht / (n - a)
    sl = None if within is None else 1.0 - c * math.exp(-(n - a) * within / aht)
    return Performance(
        model="c",
        erlangs=a,
        lines=n,
        aht_sec=aht,
        answer_within_sec=within,
        patience_sec=None,
        blocking_probability=0.0,
        wait_probability=c,
        abandon_probability=0.0,
        answered_fraction=1.0,
        service_level=sl,
        mean_wait_sec=wait,
        mean_answer_wait_sec=wait,
        mean_queue_length=c * a / (n - a),
        occupancy=a / n,
        stable=True,
    )


# --- Erlang A --------------------------------------------------------------------------------


def _log_add(x: float, y: float) -> float:
    """log(exp(x) + exp(y)) without overflow; either argument may be -inf."""
    if x < y:
        x, y = y, x
    if y == -math.inf:
        return x
    return x + math.log1p(math.exp(y - x))


_PSI_COEFFS = (1 / 12, -1 / 120, 1 / 252, -1 / 240, 1 / 132)  # B_2k / (2k) for k = 1..5


def _psi_remainder(z: float) -> float:
    """ψ(z) - log(z) by the asymptotic series (error < 1e-14 for z ≥ 10)."""
    inv2 = 1.0 / (z * z)
    power = inv2
    total = -0.5 / z
    for coeff in _PSI_COEFFS:
        total -= coeff * power
        power *= inv2
    return total


def _harmonic_shift(z: float, n: int) -> float:
    """Σ_{i=0}^{n-1} 1/(z+i) for z > 0 (= ψ(z+n) - ψ(z)), summed directly when n is small."""
    if n <= 100_000:
        return math.fsum(1.0 / (z + i) for i in range(n))
    head = 0.0
    while z < 10.0:
        head += 1.0 / z
        z += 1.0
        n -= 1
    return head + math.log1p(n / z) + _psi_remainder(z + n) - _psi_remainder(z)


def _too_many_terms() -> ValueError:
    return ValueError(
        "Erlang A would need more than 20 million terms: the patience is far longer than the "
        "handling time on an overloaded line; use Erlang C (patience_sec=math.inf) instead"
    )


def performance_a(
    erlangs: float,
    lines: int,
    *,
    aht_sec: float,
    patience_sec: float,
    answer_within_sec: float | None = None,
) -> Performance:
    """Erlang A (M/M/N+M) performance: callers wait in a FIFO queue and hang up after an exponential
    patience with mean ``patience_sec``. ``patience_sec=math.inf`` gives the Erlang C result (with
    ``model="a"``). Accuracy and cost: see the module docstring. ValueError on invalid inputs (see
    :func:`evaluate`) or if the chain would need more than 20 million terms."""
    a_load = _check_erlangs(erlangs)
    n = _check_lines(lines)
    aht = _check_positive("aht_sec", aht_sec)
    patience = _check_positive("patience_sec", patience_sec, allow_inf=True)
    within = _check_within(answer_within_sec)
    if a_load == 0:
        return _idle("a", a_load, n, aht, within, patience)
    if math.isinf(patience):
        c_perf = performance_c(a_load, n, aht_sec=aht, answer_within_sec=within)
        return replace(c_perf, model="a", patience_sec=patience)

    a = n * patience / aht  # N·μ/θ
    x = a_load * patience / aht  # λ/θ
    log_b = _log_erlang_b(a_load, n)

    # Largest queue term t_j* (t_j increases while x/(a+j) >= 1).
    jstar = math.floor(x - a) if x - a >= 1.0 else 0
    if jstar > _MAX_TERMS:
        raise _too_many_terms()
    if jstar <= 10_000:
        log_tpk = math.fsum(math.log(x / (a + i)) for i in range(1, jstar + 1))
    else:
        log_tpk = jstar * math.log(x) - (math.lgamma(a + 1 + jstar) - math.lgamma(a + 1))

    # Walk down from the peak to where the terms become negligible (t values relative to t_j*).
    j, t, lower = jstar, 1.0, 1.0
    while j > 0:
        t *= (a + j) / x
        j -= 1
        lower += t
        q = (a + j) / x  # next downward ratio, < 1 here
        if t * q / (1.0 - q) <= _EPS * lower:
            break
    j_lo, t_lo = j, t

    # Negative-binomial distribution function F_j (for the service level) and harmonic sums, from 0.
    sl_mode = None if within is None else ("zero" if within == 0 else "inf" if math.isinf(within) else "sum")
    nb_k, nb_log_p, nb_log_f, nb_done, one_m_u0 = 0, 0.0, -math.inf, False, 0.0
    if sl_mode == "sum":
        one_m_u0 = -math.expm1(-within / patience)  # 1 - u0, u0 = exp(-T/P)
        nb_log_p = -(a + 1.0) * within / patience  # log p_0 = (a+1)·log u0

    def nb_include(upto: int) -> None:
        """Add p_k for k <= upto to F (log space); stop for good once the rest is below ε."""
        nonlocal nb_k, nb_log_p, nb_log_f, nb_done
        while not nb_done and nb_k <= upto:
            nb_log_f = _log_add(nb_log_f, nb_log_p)
            ratio = (a + nb_k + 1.0) / (nb_k + 1.0) * one_m_u0  # p_{k+1}/p_k, decreasing in k
            nb_log_p += math.log(ratio)
            nb_k += 1
            if ratio < 1.0 and nb_log_p - math.log1p(-ratio) < math.log(_EPS):
                nb_done = True

    if sl_mode == "sum":
        if j_lo > _MAX_TERMS:
            raise _too_many_terms()
        nb_include(j_lo - 1)
    harmonic = _harmonic_shift(a + 1.0, j_lo)  # Σ_{i=0}^{j_lo-1} 1/(a+1+i)

    s0 = s1 = s_ab = s_sl = s_asa = 0.0
    j, t, terms = j_lo, t_lo, 0
    while True:
        den = a + j + 1.0
        tw = t * a / den
        harmonic += 1.0 / den
        s0 += t
        s1 += j * t
        s_ab += t * (j + 1.0) / den
        s_asa += tw * harmonic
        if sl_mode == "sum":
            nb_include(j)
            s_sl += tw * -math.expm1(nb_log_f)
        if j >= jstar:
            r = x / den  # ratio t_{j+1}/t_j, < 1 past the peak
            tail0 = t * r / (1.0 - r)
            tail1 = t * (j * r / (1.0 - r) + r / (1.0 - r) ** 2)
            if tail0 <= _EPS * s0 and tail1 <= _EPS * (s0 + s1):
                break
        t *= x / den
        j += 1
        terms += 1
        if terms > _MAX_TERMS:
            raise _too_many_terms()

    b = math.exp(log_b)
    log_pi_n = -_log_add(math.log1p(-b) - log_b if b < 1.0 else -math.inf, log_tpk + math.log(s0))
    c = math.exp(log_pi_n + log_tpk)  # π_N · t_j*: converts the relative sums into probabilities
    p_wait = min(1.0, c * s0)
    p_ab = min(1.0, c * s_ab)
    answered = 1.0 - p_ab
    mean_wait = c * s_ab * patience  # E[min(V, τ)] = P·(j+1)/(a+j+1) given j waiting ahead
    if sl_mode is None:
        sl = None
    elif sl_mode == "zero":
        sl = 1.0 - p_wait
    elif sl_mode == "inf":
        sl = answered
    else:
        sl = min(answered, max(0.0, 1.0 - p_wait + c * s_sl))
    return Performance(
        model="a",
        erlangs=a_load,
        lines=n,
        aht_sec=aht,
        answer_within_sec=within,
        patience_sec=patience,
        blocking_probability=0.0,
        wait_probability=p_wait,
        abandon_probability=p_ab,
        answered_fraction=answered,
        service_level=sl,
        mean_wait_sec=mean_wait,
        mean_answer_wait_sec=(c * s_asa * patience / answered) if answered > 0 else 0.0,
        mean_queue_length=c * s1,
        occupancy=min(1.0, a_load * answered / n),
        stable=True,
    )


def evaluate(
    model: Model,
    erlangs: float,
    lines: int,
    *,
    aht_sec: float,
    answer_within_sec: float | None = None,
    patience_sec: float | None = None,
) -> Performance:
    """Performance of ``lines`` lines offered ``erlangs`` erlangs under ``model`` ("b", "c" or "a").

    Contract: ``erlangs`` finite ≥ 0; ``lines`` integer ≥ 1; ``aht_sec`` finite > 0;
    ``answer_within_sec`` None or ≥ 0 (service level is None when it is None); ``patience_sec``
    required (> 0, ``math.inf`` allowed) for model "a" and must be None for "b" and "c".
    Anything else raises ValueError with a message naming the argument.
    """
    key = str(model).lower()
    if key not in _MODELS:
        raise ValueError(f"model must be one of 'b', 'c', 'a', got {model!r}")
    if key == "a":
        if patience_sec is None:
            raise ValueError("patience_sec is required for model 'a' (Erlang A)")
        return performance_a(
            erlangs, lines, aht_sec=aht_sec, patience_sec=patience_sec, answer_within_sec=answer_within_sec
        )
    if patience_sec is not None:
        raise ValueError(f"patience_sec only applies to model 'a', not {model!r}")
    func = performance_b if key == "b" else performance_c
    return func(erlangs, lines, aht_sec=aht_sec, answer_within_sec=answer_within_sec)
