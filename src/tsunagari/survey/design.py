"""A complex sample design, as R ``survey``'s ``svydesign(ids=, strata=, weights=, fpc=, nest=TRUE)``.

:func:`make_design` takes plain columns (one value per respondent) and returns a :class:`Design`:
sampling weights, first‑stage strata, one or more stages of clusters and, optionally, a finite
population correction per stage. The semantics are those of ``svydesign(..., nest=TRUE)`` in R
``survey`` 4.1:

* **Stages.** ``clusters=[]`` is ``ids=~1`` (every respondent is its own PSU); ``[C1]`` is a one‑stage
  cluster sample; ``[C1, C2, …]`` a multistage sample. Cluster ids are nested: a stage‑1 id is
  made unique within its stratum (``nest=TRUE``), and a stage‑k id within its stage‑(k−1) cluster,
  so the same label in two strata (or two PSUs) denotes two units. Strata apply to the first stage;
  later stages are unstratified within their parent cluster (R's default when one strata column is
  given).
* **FPC.** One column per stage, either the population size of the stratum (all values ≥ 1, some
  > 1) or the sampling fraction (all values ≤ 1) — R's rule, including its rejection of a mixture
  and of a column that is all 1. A fraction is turned into a population size as
  ``sampled units / fraction``. Without fpc the first stage is treated as sampled with replacement
  and later stages add nothing (R's default); with fpc every stage contributes, each weighted by
  the sampling fraction of the stages above it.
* **Weights.** Given, or — with fpc and no weights — the product over stages of population size /
  sampled units, as R does; without either every weight is 1.
* **Single‑PSU strata** ("lonely PSUs") are handled as R's ``options(survey.lonely.psu=…)``:
  ``"fail"`` (R's default, kept as ours: an error naming the stratum and stage), ``"remove"``,
  ``"certainty"``, ``"adjust"`` or ``"average"``. A stratum whose fpc says every unit was sampled
  contributes no variance, whatever its number of PSUs. R's ``survey.adjust.domain.lonely`` option
  is not offered (its default, FALSE, is what is implemented).

Deliberate differences from R: fpc must be constant within a stratum (R only warns and then mixes
per‑row fractions), weights must be positive and finite, and a missing value in a design column
is an error naming the row (R's ``na.fail`` names none).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

LONELY_PSU_OPTIONS = ("fail", "remove", "certainty", "adjust", "average")


class DesignError(ValueError):
    """The design's columns are inconsistent; the message says which row or stratum."""


class LonelyPSUError(DesignError):
    """A stratum has a single PSU and ``lonely_psu="fail"`` (R's default)."""


@dataclass(frozen=True)
class PostStratum:
    """One post‑stratification step, kept for the variance (R's ``postStrata`` entry).

    ``index`` is the post‑stratum of each row; ``old_weights`` and ``weights`` are the weights just
    before and just after the step.
    """

    index: np.ndarray
    old_weights: np.ndarray
    weights: np.ndarray


@dataclass(frozen=True)
class Raking:
    """The post‑stratification steps of the last raking iteration, one per margin."""

    margins: tuple[PostStratum, ...]


@dataclass(frozen=True)
class Design:
    """A sample design over ``n`` rows. Arrays are indexed by row; stage ``k`` is column ``k``.

    ``clusters`` and ``strata`` hold integer codes that are already nested (unique across the
    whole sample); ``n_psu[i, k]`` is the number of stage‑k units sampled in row i's stage‑k stratum
    and ``popsize[i, k]`` the number in the population (``None`` without fpc).
    """

    weights: np.ndarray
    clusters: np.ndarray
    strata: np.ndarray
    n_psu: np.ndarray
    popsize: np.ndarray | None
    stratum_labels: tuple[str, ...]
    cluster_labels: tuple[tuple[str, ...], ...]
    lonely_psu: str = "fail"
    calibrations: tuple[PostStratum | Raking, ...] = field(default=())

    @property
    def n(self) -> int:
        return int(self.weights.shape[0])

    @property
    def stages(self) -> int:
        return int(self.clusters.shape[1])

    @property
    def calibrated(self) -> bool:
        """True after post‑stratification or raking (R's ``is.calibrated``)."""
        return bool(self.calibrations)

    def with_lonely_psu(self, option: str) -> Design:
        _check_lonely(option)
        return replace(self, lonely_psu=option)


def _check_lonely(option: str) -> None:
    if option not in LONELY_PSU_OPTIONS:
        raise DesignError(f"lonely_psu must be one of {', '.join(LONELY_PSU_OPTIONS)}, not {option!r}")


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and value != value:
        return True
    return isinstance(value, str) and value.strip() == ""


def _labels(column: Sequence[object], n: int, what: str) -> list[str]:
    if len(column) != n:
        raise DesignError(f"{what} has {len(column)} values for {n} rows")
    out = []
    for row, value in enumerate(column, 1):
        if _is_missing(value):
            raise DesignError(f"row {row}: missing value in {what}")
        out.append(str(value).strip() if isinstance(value, str) else _format_number(value))
    return out


def _format_number(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _numbers(column: Sequence[object], n: int, what: str) -> np.ndarray:
    if len(column) != n:
        raise DesignError(f"{what} has {len(column)} values for {n} rows")
    out = np.empty(n)
    for row, value in enumerate(column, 1):
        if _is_missing(value):
            raise DesignError(f"row {row}: missing value in {what}")
        try:
            out[row - 1] = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise DesignError(f"row {row}: {what} {value!r} is not a number") from None
    return out


def _codes(*keys: Sequence[object]) -> np.ndarray:
    """Integer codes of the row‑wise tuples of ``keys`` (the nesting of R's ``interaction``)."""
    seen: dict[tuple, int] = {}
    return np.array([seen.setdefault(key, len(seen)) for key in zip(*keys, strict=True)], dtype=np.int64)


def _count_units(units: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """For each row, the number of distinct ``units`` in its ``groups`` value."""
    pairs = np.unique(np.stack([groups, units], axis=1), axis=0)
    per_group = np.bincount(pairs[:, 0], minlength=int(groups.max()) + 1)
    return per_group[groups]


def make_design(
    *,
    weights: Sequence[object] | None = None,
    strata: Sequence[object] | None = None,
    clusters: Sequence[Sequence[object]] = (),
    fpc: Sequence[Sequence[object]] = (),
    n: int | None = None,
    lonely_psu: str = "fail",
) -> Design:
    """Build a design from columns; see the module docstring for the semantics.

    ``n`` is needed only when no column gives the number of rows (an unweighted, unclustered,
    unstratified design).
    """
    _check_lonely(lonely_psu)
    columns = [c for c in (weights, strata, *clusters, *fpc) if c is not None]
    if n is None:
        if not columns:
            raise DesignError("give at least one column or n")
        n = len(columns[0])
    if n == 0:
        raise DesignError("the sample is empty")

    stratum_values = _labels(strata, n, "strata") if strata is not None else ["1"] * n
    stage_values = [_labels(col, n, f"cluster (stage {k})") for k, col in enumerate(clusters, 1)]
    if not stage_values:  # ids=~1: every row is its own PSU
        stage_values = [[str(i) for i in range(1, n + 1)]]
    if strata is None and len(set(stage_values[0])) == 1:
        raise DesignError("the design has only one primary sampling unit")
    stages = len(stage_values)

    cluster_codes = np.empty((n, stages), dtype=np.int64)
    strata_codes = np.empty((n, stages), dtype=np.int64)
    strata_codes[:, 0] = _codes(stratum_values)
    cluster_codes[:, 0] = _codes(stratum_values, stage_values[0])
    for k in range(1, stages):
        strata_codes[:, k] = cluster_codes[:, k - 1]
        cluster_codes[:, k] = _codes(cluster_codes[:, k - 1], stage_values[k])
    n_psu = np.stack([_count_units(cluster_codes[:, k], strata_codes[:, k]) for k in range(stages)], axis=1)

    popsize = _popsize(fpc, n, stages, strata_codes, n_psu, stratum_values) if fpc else None

    if weights is not None:
        w = _numbers(weights, n, "weight")
        bad = np.flatnonzero(~np.isfinite(w) | (w <= 0))
        if bad.size:
            raise DesignError(f"row {bad[0] + 1}: weight {w[bad[0]]!r} is not a positive number")
    elif popsize is not None:
        w = np.prod(popsize / n_psu, axis=1)
    else:
        w = np.ones(n)

    first_labels = {}
    for code, label in zip(strata_codes[:, 0], stratum_values, strict=True):
        first_labels.setdefault(int(code), label)
    labels_by_stage = []
    for k in range(stages):
        seen: dict[int, str] = {}
        for code, label in zip(cluster_codes[:, k], stage_values[k], strict=True):
            seen.setdefault(int(code), label)
        labels_by_stage.append(tuple(seen[i] for i in range(len(seen))))
    return Design(
        weights=w,
        clusters=cluster_codes,
        strata=strata_codes,
        n_psu=n_psu,
        popsize=popsize,
        stratum_labels=tuple(first_labels[i] for i in range(len(first_labels))),
        cluster_labels=tuple(labels_by_stage),
        lonely_psu=lonely_psu,
    )


def _popsize(
    fpc: Sequence[Sequence[object]],
    n: int,
    stages: int,
    strata_codes: np.ndarray,
    n_psu: np.ndarray,
    stratum_values: list[str],
) -> np.ndarray:
    if len(fpc) != stages:
        raise DesignError(f"give one fpc column per stage: {stages} stage(s), {len(fpc)} fpc column(s)")
    values = np.stack([_numbers(col, n, f"fpc (stage {k})") for k, col in enumerate(fpc, 1)], axis=1)
    if np.any(~np.isfinite(values) & (values != np.inf)) or np.any(values <= 0):
        row = int(np.argwhere((values <= 0) | np.isnan(values))[0, 0]) + 1
        raise DesignError(f"row {row}: fpc must be a positive population size or sampling fraction")
    is_popsize = bool(np.any(values > 1))
    if is_popsize != bool(np.all(values >= 1)):
        raise DesignError(
            "fpc must be all population sizes (>= 1) or all sampling fractions (<= 1); "
            "a column of only 1s is ambiguous, as in R"
        )
    popsize = values if is_popsize else n_psu / values
    too_big = np.argwhere(popsize < n_psu)
    if too_big.size:
        row, stage = (int(v) for v in too_big[0])
        raise DesignError(
            f"row {row + 1}, stage {stage + 1}: fpc implies more units sampled ({n_psu[row, stage]}) "
            f"than in the population ({popsize[row, stage]:g})"
        )
    for k in range(stages):
        order = np.lexsort((popsize[:, k], strata_codes[:, k]))
        s, p = strata_codes[order, k], popsize[order, k]
        varying = np.flatnonzero((s[1:] == s[:-1]) & (p[1:] != p[:-1]))
        if varying.size:
            row = int(order[varying[0] + 1])
            raise DesignError(
                f"row {row + 1}: fpc varies within stratum {stratum_values[row]!r} at stage {k + 1} "
                f"({p[varying[0]]:g} and {p[varying[0] + 1]:g})"
            )
    return popsize
