"""Discrete-event simulation of a consultation line (pure Python, standard library only).

Model: callers arrive as a non-homogeneous Poisson process whose rate is constant within each hour
(rates per hour of day, 24 values, or per hour of week, 168 values; simulation time 0 is hour 0 of
the cycle). A caller is answered at once if a line is free; otherwise it joins a FIFO queue — or is
*blocked* (lost) when ``max_queue`` callers are already waiting — and hangs up (*abandons*) if its
patience runs out before a line takes it. A fraction ``priority_fraction`` of callers belong to a
crisis class that is served before every ordinary caller (FIFO within each class). The number of
lines follows a shift plan by hour; when it drops, calls in progress finish and only new answers
wait for a line to free up. Handling times are exponential with mean ``aht_sec`` unless a sampler
is given; patience is exponential with mean ``patience_sec`` (None: infinitely patient) unless a
sampler is given.

Arrivals stop at ``hours``; the line then keeps running (following the shift plan) until every
caller has been answered or has abandoned. Statistics cover calls *arriving* at or after
``warmup_hours`` and are attributed to the hour of the cycle in which the call arrived.

Implementation: one pending arrival, a heap of completion times (floats only), a heap of
abandonment deadlines (only when patience is finite), two deques of small mutable records, hour
boundary events only when the shift plan varies; random numbers from ``random.Random(seed)`` so a
run is reproducible. About 1 million calls take a few seconds.
"""

from __future__ import annotations

import math
import random
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from heapq import heappop, heappush

Sampler = Callable[[random.Random], float]

_HOUR = 3600.0
_CYCLES = (24, 168)


@dataclass(frozen=True)
class ClassStats:
    """Outcome counts of one caller class (or of all callers).

    ``answered_within`` counts answered calls whose wait was ≤ ``answer_within_sec`` (0 when that
    was not given). ``total_wait_sec`` sums the queue time of answered and abandoning callers
    (blocked callers wait 0); ``answered_wait_sec`` only that of answered callers.
    """

    offered: int
    answered: int
    abandoned: int
    blocked: int
    answered_within: int
    total_wait_sec: float
    answered_wait_sec: float

    @property
    def answer_rate(self) -> float:
        """Answered / offered (1.0 when nothing was offered)."""
        return self.answered / self.offered if self.offered else 1.0

    @property
    def mean_wait_sec(self) -> float:
        """Mean queue time over all offered calls, as in :class:`erlang.Performance`."""
        return self.total_wait_sec / self.offered if self.offered else 0.0

    @property
    def mean_answer_wait_sec(self) -> float:
        """Mean queue time of answered calls (ASA)."""
        return self.answered_wait_sec / self.answered if self.answered else 0.0


@dataclass(frozen=True)
class HourStats:
    """Counts for calls arriving in one hour of the cycle (0-23 or 0-167), summed over all cycles."""

    hour: int
    offered: int
    answered: int
    abandoned: int
    blocked: int
    answered_within: int


@dataclass(frozen=True)
class SimulationResult:
    """Result of :func:`simulate`. ``overall`` = ``normal`` + ``priority``.

    ``service_level`` is answered-within-T over offered (None when T was not given);
    ``calls_simulated`` includes calls arriving during the warm-up.
    """

    overall: ClassStats
    normal: ClassStats
    priority: ClassStats
    per_hour: tuple[HourStats, ...]
    answer_within_sec: float | None
    hours: float
    warmup_hours: float
    calls_simulated: int
    seed: int

    @property
    def offered(self) -> int:
        return self.overall.offered

    @property
    def answered(self) -> int:
        return self.overall.answered

    @property
    def abandoned(self) -> int:
        return self.overall.abandoned

    @property
    def blocked(self) -> int:
        return self.overall.blocked

    @property
    def answer_rate(self) -> float:
        return self.overall.answer_rate

    @property
    def mean_wait_sec(self) -> float:
        return self.overall.mean_wait_sec

    @property
    def mean_answer_wait_sec(self) -> float:
        return self.overall.mean_answer_wait_sec

    @property
    def service_level(self) -> float | None:
        if self.answer_within_sec is None:
            return None
        return self.overall.answered_within / self.overall.offered if self.overall.offered else 1.0


def _hourly(name: str, value, *, integer: bool) -> list:
    """Expand a constant, a 24/168 sequence or a {hour: value} mapping (missing hours = 0)."""
    kind = "an integer" if integer else "a number"

    def check(v):
        if integer:
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                raise ValueError(f"{name} values must be integers >= 0, got {v!r}")
            return v
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
            raise ValueError(f"{name} values must be finite numbers >= 0, got {v!r}")
        return float(v)

    if isinstance(value, Mapping):
        if not value:
            raise ValueError(f"{name} mapping is empty")
        for key in value:
            if isinstance(key, bool) or not isinstance(key, int) or not 0 <= key < 168:
                raise ValueError(f"{name} keys must be hours 0-23 (of day) or 0-167 (of week), got {key!r}")
        cycle = 24 if max(value) < 24 else 168
        return [check(value.get(h, 0)) for h in range(cycle)]
    if isinstance(value, Sequence) and not isinstance(value, str):
        if len(value) not in _CYCLES:
            raise ValueError(
                f"{name} must have 24 (hours of day) or 168 (hours of week) values, got {len(value)}"
            )
        return [check(v) for v in value]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return [check(value)]
    raise ValueError(f"{name} must be {kind}, a sequence of 24 or 168, or a mapping hour -> value")


def _positive(name: str, value: float) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or value <= 0
    ):
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


def _checked(sampler: Sampler | None, name: str, *, allow_inf: bool) -> Sampler | None:
    """Wrap a user sampler so that a negative, NaN (or, for handling times, infinite) draw fails."""
    if sampler is None:
        return None
    if not callable(sampler):
        raise ValueError(f"{name} must be a callable taking a random.Random, got {sampler!r}")

    def draw(rng: random.Random) -> float:
        value = sampler(rng)
        if not value >= 0 or (value == math.inf and not allow_inf):
            raise ValueError(f"{name} returned {value!r}; it must return seconds >= 0")
        return value

    return draw


def simulate(
    arrival_rates: float | Sequence[float] | Mapping[int, float],
    lines: int | Sequence[int] | Mapping[int, int],
    *,
    aht_sec: float,
    hours: float,
    seed: int,
    patience_sec: float | None = None,
    max_queue: int | None = None,
    priority_fraction: float = 0.0,
    answer_within_sec: float | None = None,
    warmup_hours: float = 0.0,
    service_sampler: Sampler | None = None,
    patience_sampler: Sampler | None = None,
) -> SimulationResult:
    """Simulate the line for ``hours`` hours of arrivals (see the module docstring for the model).

    Contract:

    * ``arrival_rates``: calls per hour; a constant, 24 or 168 values, or a mapping hour -> rate
      (keys all < 24 mean hours of day, otherwise hours of week; missing hours have rate 0).
    * ``lines``: the shift plan, same forms (missing hours have 0 lines); at least one hour must
      have a line.
    * ``aht_sec`` > 0: mean handling time (exponential) unless ``service_sampler(rng)`` is given,
      which must return handling times ≥ 0 in seconds.
    * ``patience_sec``: mean of exponential patience; None = nobody abandons. ``patience_sampler``
      overrides it (return seconds ≥ 0, ``math.inf`` allowed).
    * ``max_queue``: None = unlimited queue; an integer ≥ 0 (0 = pure loss system, Erlang B).
      A crisis caller finding the queue full is blocked too.
    * ``priority_fraction`` in [0, 1]: share of crisis callers, served ahead of the others.
    * ``answer_within_sec``: T for the service level (None: not measured).
    * ``hours`` > 0 and 0 ≤ ``warmup_hours`` < ``hours``; ``seed``: an int for random.Random.

    Returns a :class:`SimulationResult`; ValueError on invalid inputs.
    """
    rates = _hourly("arrival_rates", arrival_rates, integer=False)
    plan = _hourly("lines", lines, integer=True)
    if not any(plan):
        raise ValueError("lines: at least one hour must have a line")
    if not any(rates):
        raise ValueError("arrival_rates: at least one hour must have calls")
    aht = _positive("aht_sec", aht_sec)
    horizon = _positive("hours", hours) * _HOUR
    if (
        isinstance(warmup_hours, bool)
        or not isinstance(warmup_hours, (int, float))
        or not 0 <= warmup_hours < hours
    ):
        raise ValueError(f"warmup_hours must be >= 0 and < hours, got {warmup_hours!r}")
    warmup = float(warmup_hours) * _HOUR
    patience_mean = None if patience_sec is None else _positive("patience_sec", patience_sec)
    if max_queue is not None and (
        isinstance(max_queue, bool) or not isinstance(max_queue, int) or max_queue < 0
    ):
        raise ValueError(f"max_queue must be None or an integer >= 0, got {max_queue!r}")
    if not isinstance(priority_fraction, (int, float)) or not 0 <= priority_fraction <= 1:
        raise ValueError(f"priority_fraction must be between 0 and 1, got {priority_fraction!r}")
    if answer_within_sec is not None and (
        not isinstance(answer_within_sec, (int, float))
        or math.isnan(answer_within_sec)
        or answer_within_sec < 0
    ):
        raise ValueError(f"answer_within_sec must be None or >= 0, got {answer_within_sec!r}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"seed must be an integer, got {seed!r}")

    service_sampler = _checked(service_sampler, "service_sampler", allow_inf=False)
    patience_sampler = _checked(patience_sampler, "patience_sampler", allow_inf=True)

    cycle = max(len(rates), len(plan), 24)
    rate_cycle, plan_cycle = len(rates), len(plan)
    rates_per_sec = [r / _HOUR for r in rates]
    within = math.inf if answer_within_sec is None else float(answer_within_sec)
    queue_limit = math.inf if max_queue is None else max_queue
    abandon = patience_mean is not None or patience_sampler is not None

    rng = random.Random(seed)
    rand = rng.random
    log = math.log
    inf = math.inf

    # Statistics: index 0 = normal, 1 = crisis; per-hour lists are indexed by hour of the cycle.
    offered = [0, 0]
    answered = [0, 0]
    abandoned = [0, 0]
    blocked = [0, 0]
    ans_within = [0, 0]
    wait_answered = [0.0, 0.0]
    wait_abandoned = [0.0, 0.0]
    h_offered = [0] * cycle
    h_answered = [0] * cycle
    h_abandoned = [0] * cycle
    h_blocked = [0] * cycle
    h_within = [0] * cycle

    def next_arrival(t: float) -> float:
        """Next arrival after t of the piecewise-constant Poisson process (inf after the horizon)."""
        hour = int(t // _HOUR)
        while t < horizon:
            rate = rates_per_sec[hour % rate_cycle]
            end = (hour + 1) * _HOUR
            if rate > 0.0:
                t_next = t - log(1.0 - rand()) / rate
                if t_next < end:
                    return t_next if t_next < horizon else inf
            t = end
            hour += 1
        return inf

    busy: list[float] = []  # completion times of calls in progress
    deadlines: list = []  # (deadline, seq, record) of waiting callers, when patience is finite
    queues = (deque(), deque())  # normal, crisis; records: [arrival, state, class, hour, counted]
    waiting = 0  # callers in the queues who have neither been answered nor abandoned
    seq = 0
    calls = 0
    capacity = plan[0]
    next_boundary = _HOUR if plan_cycle > 1 or len(set(plan)) > 1 else inf
    boundary_hour = 1
    t_arr = next_arrival(0.0)

    def answer(now: float) -> None:
        """Start queued calls (crisis first) while lines are free."""
        nonlocal waiting
        while waiting and len(busy) < capacity:
            queue = queues[1] if queues[1] else queues[0]
            rec = queue.popleft()
            if rec[1]:  # already abandoned
                continue
            rec[1] = 1
            waiting -= 1
            if rec[4]:
                cls, wait = rec[2], now - rec[0]
                answered[cls] += 1
                wait_answered[cls] += wait
                h_answered[rec[3]] += 1
                if wait <= within:
                    ans_within[cls] += 1
                    h_within[rec[3]] += 1
            svc = service_sampler(rng) if service_sampler else -log(1.0 - rand()) * aht
            heappush(busy, now + svc)

    while True:
        t_done = busy[0] if busy else inf
        t_dead = deadlines[0][0] if deadlines else inf
        if t_arr <= t_done and t_arr <= t_dead and t_arr <= next_boundary:
            if t_arr == inf:
                break  # nothing left: no arrivals, calls or waiting callers, and a fixed plan
            now = t_arr
            calls += 1
            cls = 1 if priority_fraction and rand() < priority_fraction else 0
            hour = int(now // _HOUR) % cycle
            counted = now >= warmup
            if counted:
                offered[cls] += 1
                h_offered[hour] += 1
            if len(busy) < capacity:  # a free line implies an empty queue
                if counted:
                    answered[cls] += 1
                    ans_within[cls] += 1
                    h_answered[hour] += 1
                    h_within[hour] += 1
                svc = service_sampler(rng) if service_sampler else -log(1.0 - rand()) * aht
                heappush(busy, now + svc)
            elif waiting >= queue_limit:
                if counted:
                    blocked[cls] += 1
                    h_blocked[hour] += 1
            else:
                rec = [now, 0, cls, hour, counted]
                queues[cls].append(rec)
                waiting += 1
                if abandon:
                    if patience_sampler:
                        patience = patience_sampler(rng)
                    else:
                        patience = -log(1.0 - rand()) * patience_mean
                    if patience < inf:
                        seq += 1
                        heappush(deadlines, (now + patience, seq, rec))
            t_arr = next_arrival(now)
        elif t_done <= t_dead and t_done <= next_boundary:
            heappop(busy)
            if waiting and len(busy) < capacity:
                answer(t_done)
        elif t_dead <= next_boundary:
            now, _, rec = heappop(deadlines)
            if rec[1] == 0:  # still waiting: hangs up
                rec[1] = 2
                waiting -= 1
                if rec[4]:
                    cls = rec[2]
                    abandoned[cls] += 1
                    wait_abandoned[cls] += now - rec[0]
                    h_abandoned[rec[3]] += 1
        else:
            if t_arr == inf and not busy and not waiting:
                break
            capacity = plan[boundary_hour % plan_cycle]
            boundary_hour += 1
            now = next_boundary
            next_boundary += _HOUR
            if waiting and len(busy) < capacity:
                answer(now)

    def stats(idx: tuple[int, ...]) -> ClassStats:
        return ClassStats(
            offered=sum(offered[i] for i in idx),
            answered=sum(answered[i] for i in idx),
            abandoned=sum(abandoned[i] for i in idx),
            blocked=sum(blocked[i] for i in idx),
            answered_within=sum(ans_within[i] for i in idx) if answer_within_sec is not None else 0,
            total_wait_sec=sum(wait_answered[i] + wait_abandoned[i] for i in idx),
            answered_wait_sec=sum(wait_answered[i] for i in idx),
        )

    per_hour = tuple(
        HourStats(
            hour=h,
            offered=h_offered[h],
            answered=h_answered[h],
            abandoned=h_abandoned[h],
            blocked=h_blocked[h],
            answered_within=h_within[h] if answer_within_sec is not None else 0,
        )
        for h in range(cycle)
    )
    return SimulationResult(
        overall=stats((0, 1)),
        normal=stats((0,)),
        priority=stats((1,)),
        per_hour=per_hour,
        answer_within_sec=answer_within_sec,
        hours=float(hours),
        warmup_hours=float(warmup_hours),
        calls_simulated=calls,
        seed=seed,
    )
