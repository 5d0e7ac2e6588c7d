"""Design‑based estimates with Taylor‑linearised standard errors (pure; numpy only).

The estimators and their intervals follow R ``survey`` 4.1:

* :func:`mean` — ``svymean(~y, design, na.rm=TRUE)``; a missing ``y`` leaves the respondent out.
  Interval: Wald with the normal quantile (R's ``confint`` of a ``svystat``).
* :func:`total` — ``svytotal(~y, design, na.rm=TRUE)``; Wald interval.
* :func:`proportion` — the weighted mean of a 0/1 indicator (``svymean``), with the interval of
  ``svyciprop``: ``"logit"`` (R's default: a Wald interval for logit(p) using the t quantile with
  ``degf(design)`` degrees of freedom, back‑transformed — it stays inside (0, 1) and is asymmetric
  near 0, which is why it is our default for small proportions), ``"beta"`` (Korn & Graubard's
  interval with the design‑effect‑adjusted effective sample size) or ``"wald"`` (normal). A missing
  indicator (NaN) leaves the respondent out; to keep 無回答 in the denominator, as the national
  report does, build the indicator with :func:`indicator`, which counts a missing answer as
  "not this value".
* :func:`by_group` — ``svyby(~y, ~g, design, FUN)``: one estimate per group (domain estimation:
  every PSU of the design still counts, with zeros outside the group). Rows whose group is missing
  are left out, as R's default ``na.rm.by=FALSE`` does in effect. Groups come sorted (numerically
  when every label is a number).
* :func:`crosstab` — row percentages of one categorical column within each level of another
  (``svyby(~factor(col), ~row, design, svymean)``), each cell with its proportion interval.

A ``domain`` (boolean mask) restricts any estimate to a subpopulation. R keeps the rows outside a
domain in a calibrated design (zero weight) but drops them from an uncalibrated one; the two differ
only in which strata a lonely‑PSU rule and the degrees of freedom see, and both are reproduced.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

import numpy as np

from tsunagari.survey.design import Design
from tsunagari.survey.distributions import qbeta, qnorm, qt
from tsunagari.survey.variance import linearized_variance

CI_METHODS = ("logit", "beta", "wald")


class EstimationError(ValueError):
    """The estimate is not defined (e.g. nobody in the domain)."""


@dataclass(frozen=True)
class Estimate:
    """One estimate with its standard error and confidence interval; ``group`` is None overall,
    and ``level`` is the column value of a cross‑tab cell (None otherwise)."""

    group: str | None
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    level: str | None = None

    def as_dict(self) -> dict:
        data = asdict(self)
        if self.level is None:
            del data["level"]
        return data


def values_of(column: Sequence[object]) -> np.ndarray:
    """Floats of a column; None, "" and NaN become NaN (missing). Non‑numbers raise ValueError."""
    out = np.empty(len(column))
    for row, value in enumerate(column, 1):
        if value is None or (isinstance(value, str) and not value.strip()):
            out[row - 1] = np.nan
            continue
        try:
            out[row - 1] = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise ValueError(f"row {row}: {value!r} is not a number") from None
    return out


def _label(value: object) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


def indicator(column: Sequence[object], value: object) -> np.ndarray:
    """1.0 where the answer equals ``value`` (compared as text), else 0.0 — missing answers
    included as 0, i.e. counted in the denominator like the report's 無回答."""
    target = _label(value)
    return np.array([1.0 if _label(v) == target else 0.0 for v in column])


def _mask(design: Design, domain: np.ndarray | None, y: np.ndarray) -> np.ndarray:
    if y.shape[0] != design.n:
        raise ValueError(f"{y.shape[0]} values for a design of {design.n} rows")
    mask = ~np.isnan(y)
    if domain is not None:
        mask &= np.asarray(domain, dtype=bool)
    return mask


def _present(design: Design, mask: np.ndarray) -> np.ndarray | None:
    return None if design.calibrated else mask


def _quantile(level: float) -> float:
    if not 0 < level < 1:
        raise ValueError(f"confidence level must be between 0 and 1, got {level}")
    return qnorm(1 - (1 - level) / 2)


def _mean_and_variance(design: Design, y: np.ndarray, mask: np.ndarray) -> tuple[float, float]:
    w = np.where(mask, design.weights, 0.0)
    weight_sum = w.sum()
    if weight_sum <= 0:
        raise EstimationError("no respondents in the domain")
    y0 = np.where(mask, y, 0.0)
    average = float((w * y0).sum() / weight_sum)
    influence = (y0 - average) * w / weight_sum
    return average, float(linearized_variance(influence, design, _present(design, mask))[0, 0])


def mean(
    design: Design, y: Sequence[float] | np.ndarray, *, domain: np.ndarray | None = None, level: float = 0.95
) -> Estimate:
    """The weighted mean of ``y`` (NaN = missing, left out) with a Wald interval."""
    y = np.asarray(y, dtype=float)
    average, variance = _mean_and_variance(design, y, _mask(design, domain, y))
    se = math.sqrt(variance)
    z = _quantile(level)
    return Estimate(None, average, se, average - z * se, average + z * se)


def total(
    design: Design, y: Sequence[float] | np.ndarray, *, domain: np.ndarray | None = None, level: float = 0.95
) -> Estimate:
    """The estimated population total of ``y`` (NaN = missing, counted as 0) with a Wald interval."""
    y = np.asarray(y, dtype=float)
    mask = _mask(design, domain, y)
    influence = np.where(mask, y, 0.0) * np.where(mask, design.weights, 0.0)
    estimate = float(influence.sum())
    se = math.sqrt(float(linearized_variance(influence, design, _present(design, mask))[0, 0]))
    z = _quantile(level)
    return Estimate(None, estimate, se, estimate - z * se, estimate + z * se)


def degrees_of_freedom(design: Design, mask: np.ndarray | None = None) -> int:
    """R's ``degf``: stage‑1 PSUs minus strata, counting only rows in ``mask`` (the domain)."""
    rows = np.ones(design.n, dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    rows &= design.weights != 0
    return int(np.unique(design.clusters[rows, 0]).size - np.unique(design.strata[rows, 0]).size)


def proportion(
    design: Design,
    y: Sequence[float] | np.ndarray,
    *,
    domain: np.ndarray | None = None,
    method: str = "logit",
    level: float = 0.95,
) -> Estimate:
    """The weighted share of respondents with ``y == 1`` (NaN = left out) and the ``method`` interval.

    For p = 0 or 1 the logit interval degenerates to the point (R's glm returns numerically
    degenerate bounds there).
    """
    if method not in CI_METHODS:
        raise ValueError(f"method must be one of {', '.join(CI_METHODS)}, not {method!r}")
    y = np.asarray(y, dtype=float)
    if np.any((y != 0) & (y != 1) & ~np.isnan(y)):
        raise ValueError("a proportion needs a 0/1 indicator")
    mask = _mask(design, domain, y)
    p, variance = _mean_and_variance(design, y, mask)
    se = math.sqrt(variance)
    _quantile(level)  # validates the level
    alpha = 1 - level
    if method == "wald":
        z = qnorm(1 - alpha / 2)
        return Estimate(None, p, se, p - z * se, p + z * se)
    df = degrees_of_freedom(design, mask)
    if method == "logit":
        if df <= 0:
            return Estimate(None, p, se, math.nan, math.nan)
        if p <= 0 or p >= 1:
            return Estimate(None, p, se, p, p)
        t = qt(1 - alpha / 2, df)
        centre = math.log(p / (1 - p))
        half = t * se / (p * (1 - p))
        return Estimate(None, p, se, _expit(centre - half), _expit(centre + half))
    # Korn & Graubard (R's method="beta").
    if variance == 0 or df <= 0:
        return Estimate(None, p, se, p, p) if variance == 0 else Estimate(None, p, se, math.nan, math.nan)
    rows = int(mask.sum()) if not design.calibrated else design.n
    n_eff = p * (1 - p) / variance
    n_eff *= (qt(alpha / 2, rows - 1) / qt(alpha / 2, df)) ** 2
    low = qbeta(alpha / 2, n_eff * p, n_eff * (1 - p) + 1)
    high = qbeta(1 - alpha / 2, n_eff * p + 1, n_eff * (1 - p))
    return Estimate(None, p, se, low, high)


def _expit(x: float) -> float:
    return 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))


def group_labels(column: Sequence[object]) -> tuple[list[str | None], list[str]]:
    """Each row's group label (None when missing) and the sorted distinct labels."""
    labels = [_label(v) for v in column]
    distinct = {label for label in labels if label is not None}
    try:
        ordered = sorted(distinct, key=float)
    except ValueError:
        ordered = sorted(distinct)
    return labels, ordered


def by_group(
    statistic: Callable[..., Estimate],
    design: Design,
    y: Sequence[float] | np.ndarray,
    groups: Sequence[object],
    *,
    domain: np.ndarray | None = None,
    **options,
) -> list[Estimate]:
    """``statistic`` (mean, total or proportion) in each group, as ``svyby``."""
    labels, ordered = group_labels(groups)
    if len(labels) != design.n:
        raise ValueError(f"{len(labels)} group values for a design of {design.n} rows")
    base = np.ones(design.n, dtype=bool) if domain is None else np.asarray(domain, dtype=bool)
    out = []
    for label in ordered:
        in_group = base & np.array([g == label for g in labels])
        if not in_group.any():
            continue
        estimate = statistic(design, y, domain=in_group, **options)
        out.append(Estimate(label, estimate.estimate, estimate.se, estimate.ci_low, estimate.ci_high))
    return out


def crosstab(
    design: Design,
    rows: Sequence[object],
    columns: Sequence[object],
    *,
    method: str = "logit",
    level: float = 0.95,
) -> list[Estimate]:
    """Row percentages: for each row group, the share of each column value (missing column values
    left out), as proportions with ``method`` intervals; ``group`` is the row, ``level`` the column."""
    column_labels, column_levels = group_labels(columns)
    out = []
    for level_value in column_levels:
        y = np.array([np.nan if c is None else float(c == level_value) for c in column_labels])
        for cell in by_group(proportion, design, y, rows, method=method, level=level):
            out.append(Estimate(cell.group, cell.estimate, cell.se, cell.ci_low, cell.ci_high, level_value))
    order = {g: i for i, g in enumerate(group_labels(rows)[1])}
    out.sort(key=lambda e: (order[e.group], column_levels.index(e.level)))
    return out
