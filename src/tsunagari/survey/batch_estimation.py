"""Many proportions at once: a whole report table in one pass (pure; numpy only).

:func:`distribution` estimates, for every group (overall, or each level of a grouping column) and
every category of one answer column, the weighted share with its Taylor‑linearised SE and interval —
the same numbers as calling :func:`tsunagari.survey.estimation.proportion` with
``domain=group`` on the indicator of each category (``svyby(~factor(q), ~g, design, svymean)`` in
R), but with the influence values of all cells in one matrix and only the *diagonal* of their
variance computed.

Two shortcuts make an 11,000 × 30 report fast; both are exact rearrangements, not approximations:

* :func:`remove_calibration` — R's raking residuals are 10 rounds of back‑fitting over the margins.
  Each round only subtracts, per margin, ``weight × (level mean)``; so the rounds are run on the
  small matrices of level sums (levels × cells) and the big n × cells matrix is touched twice per
  margin instead of 20 times. Post‑stratification steps are one pass as in :mod:`variance`.
* :func:`diagonal_variance` — for a design whose variance comes from stage 1 only (one stage, or
  no fpc), PSU totals are centred within their stratum and squared column by column. Designs with
  later‑stage terms or a stratum with a single PSU go through :func:`variance.linearized_variance`
  one cell at a time, so every design is still handled exactly as there.

As in :mod:`estimation`, every row of the design stays in every domain (zeros outside it), which is
R's rule for calibrated designs and gives the same variance for uncalibrated ones without lonely
PSUs.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tsunagari.survey.design import Design, PostStratum, Raking
from tsunagari.survey.distributions import qt
from tsunagari.survey.estimation import Estimate, EstimationError, degrees_of_freedom, group_labels
from tsunagari.survey.variance import _CERTAINTY, _RAKING_ROUNDS, linearized_variance

_CACHE: dict[int, tuple[object, object]] = {}
_CACHE_SIZE = 64


def _cached(key_object: object, make):
    """``make()`` computed once per live object (identity, not value): design arrays and calibration
    steps are immutable, and the same ones come back for every table of a report."""
    hit = _CACHE.get(id(key_object))
    if hit is not None and hit[0] is key_object:
        return hit[1]
    value = make()
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[id(key_object)] = (key_object, value)
    return value


def _sums(x: np.ndarray, index: np.ndarray, size: int) -> np.ndarray:
    """Column sums of ``x`` per value of ``index`` (0 … size−1), by sorting once per index array.

    (A one‑hot matrix product would be shorter but goes through a multi‑threaded BLAS, which was
    many times slower on a busy two‑core machine.)"""
    order, keys, starts = _cached(index, lambda: _sorting(index))
    out = np.zeros((size, x.shape[1]))
    out[keys[starts]] = np.add.reduceat(x[order], starts, axis=0)
    return out


def _sorting(index: np.ndarray):
    order = np.argsort(index, kind="stable")
    keys = index[order]
    return order, keys, np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])


def remove_calibration(x: np.ndarray, calibrations: Sequence[PostStratum | Raking]) -> np.ndarray:
    """The same residuals as :func:`tsunagari.survey.variance.remove_calibration` (see above)."""
    for step in calibrations:
        if isinstance(step, Raking):
            x = _raking_residuals(x, step)
            continue
        psw = step.weights.copy()
        old = step.old_weights
        psw[(psw == 0) & (old == 0)] = 1.0
        size = int(step.index.max()) + 1
        sums = _sums(x * (old / psw)[:, None], step.index, size)
        weight_sums = np.bincount(step.index, weights=old, minlength=size)
        x = x - (sums / weight_sums[:, None])[step.index] * psw[:, None]
    return x


def _raking_residuals(x: np.ndarray, step: Raking) -> np.ndarray:
    margins = step.margins
    sizes, counts, cross = _cached(step, lambda: _raking_parts(step))
    base = [_sums(x / m.weights[:, None], m.index, s) for m, s in zip(margins, sizes, strict=False)]
    coefficients = [np.zeros((s, x.shape[1])) for s in sizes]
    for _ in range(_RAKING_ROUNDS):
        for m in range(len(margins)):
            current = base[m] - sum(cross[m][j] @ coefficients[j] for j in range(len(margins)))
            coefficients[m] = coefficients[m] + current / counts[m][:, None]
    out = x.copy()
    for margin, c in zip(margins, coefficients, strict=False):
        out -= margin.weights[:, None] * c[margin.index]
    return out


def _raking_parts(step: Raking):
    """Levels and rows per margin, and K[m][j] = level‑by‑level sums of psw_j/psw_m (how a
    correction on margin j moves margin m's sums of x/psw_m)."""
    margins = step.margins
    sizes = [int(m.index.max()) + 1 for m in margins]
    counts = [
        np.maximum(np.bincount(m.index, minlength=s), 1).astype(float)
        for m, s in zip(margins, sizes, strict=False)
    ]
    cross = [
        [
            _sums(np.eye(sj)[mj.index] * (mj.weights / mm.weights)[:, None], mm.index, sm)
            for mj, sj in zip(margins, sizes, strict=False)
        ]
        for mm, sm in zip(margins, sizes, strict=False)
    ]
    return sizes, counts, cross


def _stage_one_only(design: Design) -> bool:
    return design.stages == 1 or design.popsize is None


def diagonal_variance(x: np.ndarray, design: Design) -> np.ndarray:
    """The variances of the column totals of ``x`` (n × p) — the diagonal of
    ``linearized_variance(x, design)`` with every row present."""
    x = np.asarray(x, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    if not _stage_one_only(design):
        return _slow(x, design)
    psu = design.clusters[:, 0]
    n_units = int(psu.max()) + 1
    totals = x if n_units == design.n and np.array_equal(psu, np.arange(design.n)) else None
    _, first = np.unique(psu, return_index=True)
    stratum_of_psu = design.strata[first, 0]
    n_h_of_psu = design.n_psu[first, 0].astype(float)
    if np.any(n_h_of_psu == 1):
        certain = _fraction(design, first) < _CERTAINTY
        if np.any((n_h_of_psu == 1) & ~certain):
            return _slow(x, design)  # a lonely PSU: the general code applies the chosen rule
    x = remove_calibration(x, design.calibrations)
    totals = x if totals is not None else _sums(x, psu, n_units)
    n_strata = int(stratum_of_psu.max()) + 1
    stratum_sums = _sums(totals, stratum_of_psu, n_strata)
    n_h = np.zeros(n_strata)
    n_h[stratum_of_psu] = n_h_of_psu
    dev = totals - (stratum_sums / np.maximum(n_h, 1)[:, None])[stratum_of_psu]
    squares = _sums(dev * dev, stratum_of_psu, n_strata)
    f = np.ones(n_strata)
    f[stratum_of_psu] = _fraction(design, first)
    scale = np.where(n_h > 1, f * n_h / np.maximum(n_h - 1, 1), f)
    scale[f < _CERTAINTY] = 0.0
    return (squares * scale[:, None]).sum(axis=0)


def _fraction(design: Design, first: np.ndarray) -> np.ndarray:
    """1 − sampling fraction at stage 1 for the PSUs whose first rows are ``first``."""
    if design.popsize is None:
        return np.ones(first.size)
    big_n = design.popsize[first, 0]
    n = design.n_psu[first, 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(np.isinf(big_n), 1.0, (big_n - n) / big_n)


def _slow(x: np.ndarray, design: Design) -> np.ndarray:
    return np.array([float(linearized_variance(x[:, [k]], design)[0, 0]) for k in range(x.shape[1])])


@dataclass(frozen=True)
class Domains:
    """The groups of a grouping column, prepared once for many :func:`distribution` calls:
    labels in :func:`estimation.group_labels` order (None = overall), row masks and each
    domain's degrees of freedom."""

    labels: tuple[str | None, ...]
    masks: tuple[np.ndarray, ...]
    degrees_of_freedom: tuple[int, ...]


def domains(design: Design, groups: Sequence[object] | None = None) -> Domains:
    """The domains of ``groups`` (None: one overall domain); rows with a missing group are left out."""
    if groups is None:
        masks: list[np.ndarray] = [np.ones(design.n, dtype=bool)]
        labels: list[str | None] = [None]
    else:
        row_labels, labels = group_labels(groups)
        if len(row_labels) != design.n:
            raise ValueError(f"{len(row_labels)} group values for a design of {design.n} rows")
        array = np.array(["\0" if g is None else g for g in row_labels], dtype=object)
        masks = [array == g for g in labels]
    return Domains(tuple(labels), tuple(masks), tuple(degrees_of_freedom(design, m) for m in masks))


def distribution(
    design: Design,
    answers: Sequence[object],
    categories: Sequence[str],
    groups: Sequence[object] | None = None,
    *,
    level: float = 0.95,
    prepared: Domains | None = None,
) -> list[Estimate]:
    """Weighted shares of each of ``categories`` among all respondents of each group.

    ``answers`` holds one category code per row (compared as text; a code not in ``categories``
    counts in the denominator only — map missing answers to ``"no_answer"`` and list it to show
    無回答). Returns one :class:`Estimate` per (group, category), groups in
    :func:`estimation.group_labels` order (``group`` None overall), ``level`` = the category, with
    R's logit interval (``svyciprop``; t quantile with the domain's ``degf``). ``prepared`` (from
    :func:`domains`) replaces ``groups`` when many answer columns share one grouping.
    """
    if len(answers) != design.n:
        raise ValueError(f"{len(answers)} answers for a design of {design.n} rows")
    if isinstance(answers, np.ndarray) and answers.dtype.kind == "U":
        text = answers  # already text: no per-row conversion
    else:
        text = np.array(["\0" if a is None else str(a) for a in answers])
    indicators = np.stack([(text == str(c)) for c in categories], axis=1).astype(float)
    prepared = prepared or domains(design, groups)
    w = design.weights
    k_count = len(categories)
    x = np.empty((design.n, k_count * len(prepared.labels)))
    shares, meta = [], []
    for group, mask, df in zip(prepared.labels, prepared.masks, prepared.degrees_of_freedom, strict=False):
        wg = np.where(mask, w, 0.0)
        weight_sum = wg.sum()
        if weight_sum <= 0:
            continue
        p = (wg @ indicators) / weight_sum
        block = x[:, len(meta) * k_count : (len(meta) + 1) * k_count]
        np.multiply(indicators - p[None, :], (wg / weight_sum)[:, None], out=block)
        shares.append(p)
        meta.append((group, df))
    if not meta:
        raise EstimationError("no respondents in any group")
    variances = diagonal_variance(x[:, : len(meta) * k_count], design)
    alpha = 1 - level
    out = []
    for b, ((group, df), p) in enumerate(zip(meta, shares, strict=False)):
        t = _t_quantile(1 - alpha / 2, df)
        for k, category in enumerate(categories):
            share = float(p[k])
            se = math.sqrt(max(float(variances[b * k_count + k]), 0.0))
            out.append(Estimate(group, share, se, *_logit_interval(share, se, t), level=str(category)))
    return out


@functools.lru_cache(maxsize=1024)
def _t_quantile(probability: float, df: int) -> float:
    return qt(probability, df) if df > 0 else math.nan


def _logit_interval(p: float, se: float, t: float) -> tuple[float, float]:
    if math.isnan(t):
        return math.nan, math.nan
    if p <= 0 or p >= 1:
        return p, p
    centre = math.log(p / (1 - p))
    half = t * se / (p * (1 - p))
    return _expit(centre - half), _expit(centre + half)


def _expit(x: float) -> float:
    return 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))
