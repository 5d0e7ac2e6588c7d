"""Tests of the difference of two proportions (pure).

* :func:`pooled_z_test` — the classical two‑sample test on counts with a pooled proportion, the
  test the national report applies to year‑on‑year changes (seed 000: 「比率の差の検定を行い、統計学的に
  有意差（信頼度95％）が認められる場合にのみ判定」). The seeds do not say which variant is used; the
  pooled z‑test (identical to R's ``prop.test(correct=FALSE)``, whose X‑squared is z²) is what the
  brief asks for. The report publishes percentages and respondent counts, so the counts are
  reconstructed as p × n; the test then ignores the survey design.
* :func:`independent_difference` — the design‑based alternative for two independent samples (two
  survey years): z = (p₂ − p₁) / √(SE₁² + SE₂²) with each SE from its own design.
* :func:`domain_difference` — two domains of one design (e.g. men and women in one year):
  the linearised SE of p₂ − p₁ includes the covariance the shared PSUs induce; it equals the
  coefficient and SE of R's ``svyglm(y ~ group)`` restricted to the two groups.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from tsunagari.survey.design import Design
from tsunagari.survey.distributions import qnorm, two_sided_normal_p
from tsunagari.survey.estimation import Estimate, EstimationError, group_labels
from tsunagari.survey.variance import linearized_variance


@dataclass(frozen=True)
class DifferenceTest:
    """``difference`` = p₂ − p₁ with its SE, z, two‑sided p‑value and interval at ``level``."""

    p1: float
    p2: float
    difference: float
    se: float
    z: float
    p_value: float
    ci_low: float
    ci_high: float
    level: float = 0.95

    @property
    def significant(self) -> bool:
        """Significant at the test's level (two‑sided)."""
        return self.p_value < 1 - self.level

    @property
    def direction(self) -> str:
        """``"increase"``, ``"decrease"`` or ``"none"`` (not significant)."""
        if not self.significant:
            return "none"
        return "increase" if self.difference > 0 else "decrease"

    def as_dict(self) -> dict:
        return {**asdict(self), "significant": self.significant, "direction": self.direction}


def _finish(p1: float, p2: float, se_pooled: float, se_unpooled: float, level: float) -> DifferenceTest:
    difference = p2 - p1
    z = (
        difference / se_pooled
        if se_pooled > 0
        else (0.0 if difference == 0 else math.copysign(math.inf, difference))
    )
    half = qnorm(1 - (1 - level) / 2) * se_unpooled
    return DifferenceTest(
        p1, p2, difference, se_pooled, z, two_sided_normal_p(z), difference - half, difference + half, level
    )


def pooled_z_test(p1: float, n1: float, p2: float, n2: float, *, level: float = 0.95) -> DifferenceTest:
    """The pooled two‑proportion z‑test of p₁ (n₁ respondents) against p₂ (n₂).

    Proportions are fractions (0–1). The interval is the unpooled Wald interval of the difference.
    """
    for name, p in (("p1", p1), ("p2", p2)):
        if not 0 <= p <= 1:
            raise ValueError(f"{name} must be a proportion between 0 and 1, got {p}")
    for name, n in (("n1", n1), ("n2", n2)):
        if not n > 0 or math.isinf(n):
            raise ValueError(f"{name} must be a positive number of respondents, got {n}")
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level}")
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    se_pooled = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    se_unpooled = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    return _finish(p1, p2, se_pooled, se_unpooled, level)


def independent_difference(first: Estimate, second: Estimate, *, level: float = 0.95) -> DifferenceTest:
    """Design‑based test of two estimates from independent samples (e.g. two survey years)."""
    se = math.sqrt(first.se**2 + second.se**2)
    return _finish(first.estimate, second.estimate, se, se, level)


def domain_difference(
    design: Design,
    y: Sequence[float] | np.ndarray,
    groups: Sequence[object],
    first: str,
    second: str,
    *,
    level: float = 0.95,
) -> DifferenceTest:
    """Design‑based test of mean(y | second) − mean(y | first) for two groups of one design."""
    y = np.asarray(y, dtype=float)
    labels, _ = group_labels(groups)
    observed = ~np.isnan(y)
    in_first = observed & np.array([g == str(first) for g in labels])
    in_second = observed & np.array([g == str(second) for g in labels])
    y0 = np.where(observed, y, 0.0)
    influence = np.zeros(design.n)
    means = []
    for mask in (in_first, in_second):
        w = np.where(mask, design.weights, 0.0)
        weight_sum = w.sum()
        if weight_sum <= 0:
            raise EstimationError("no respondents in one of the groups")
        average = float((w * y0).sum() / weight_sum)
        means.append(average)
        influence = influence + (1 if mask is in_second else -1) * (y0 - average) * w / weight_sum
    present = None if design.calibrated else (in_first | in_second)
    se = math.sqrt(float(linearized_variance(influence, design, present)[0, 0]))
    return _finish(means[0], means[1], se, se, level)
