"""Calibration to population counts: R ``survey``'s ``postStratify`` and ``rake``.

A *margin* is a set of columns (e.g. sex, or sex × age band) and the population count of each of
their value combinations, given as a mapping ``{(value, ...): count}`` (a 1‑tuple for one column;
plain values are accepted for one column too). Values are compared as strings, so ``1`` and
``"1"`` are the same post‑stratum.

:func:`post_stratify` multiplies each weight by population count / weighted sample count of its
post‑stratum. :func:`rake` post‑stratifies on each margin in turn and repeats, with R's stopping rule
(at most ``maxit=10`` rounds; stop when no cell of the joint weighted table of all margin columns
moved by less than ``epsilon``; an ``epsilon`` below 1 is a fraction of the total weight). Both
record the steps on the design so that :mod:`tsunagari.survey.variance` can linearise them.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from tsunagari.survey.design import Design, DesignError, PostStratum, Raking


@dataclass(frozen=True)
class Margin:
    """Columns of the sample (one sequence per variable) and population counts per combination."""

    columns: Sequence[Sequence[object]]
    population: Mapping[object, float]
    names: Sequence[str] = ()


def _key(values: Sequence[object]) -> tuple[str, ...]:
    return tuple(_text(v) for v in values)


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _name(margin: Margin, i: int) -> str:
    return margin.names[i] if i < len(margin.names) else f"column {i + 1}"


def _row_keys(design: Design, margin: Margin) -> list[tuple[str, ...]]:
    if not margin.columns:
        raise DesignError("a margin needs at least one column")
    keys = []
    for row, values in enumerate(zip(*margin.columns, strict=True), 1):
        for i, value in enumerate(values):
            if value is None or (isinstance(value, str) and not value.strip()) or value != value:
                raise DesignError(
                    f"row {row}: missing value in post-stratification variable {_name(margin, i)}"
                )
        keys.append(_key(values))
    if len(keys) != design.n:
        raise DesignError(f"a margin column has {len(keys)} values for {design.n} rows")
    return keys


def _population(margin: Margin, width: int) -> dict[tuple[str, ...], float]:
    out: dict[tuple[str, ...], float] = {}
    for key, count in margin.population.items():
        parts = key if isinstance(key, tuple) else (key,)
        if len(parts) != width:
            raise DesignError(f"population cell {key!r} does not have {width} value(s)")
        try:
            value = float(count)
        except (TypeError, ValueError):
            raise DesignError(f"population count for {key!r} is not a number: {count!r}") from None
        if not np.isfinite(value) or value < 0:
            raise DesignError(f"population count for {key!r} must be a non-negative number, got {count!r}")
        out[_key(parts)] = value
    return out


def post_stratify(design: Design, margin: Margin, *, partial: bool = False) -> Design:
    """The design post‑stratified to ``margin`` (R's ``postStratify``).

    A post‑stratum present in the sample but absent (or zero) in the population is an error; one in
    the population but not in the sample is an error unless ``partial=True``, which ignores it.
    """
    keys = _row_keys(design, margin)
    population = _population(margin, len(margin.columns))
    sample: dict[tuple[str, ...], float] = {}
    for key, w in zip(keys, design.weights, strict=True):
        sample[key] = sample.get(key, 0.0) + float(w)
    only_sample = [k for k, v in sample.items() if v > 0 and population.get(k, 0.0) == 0]
    if only_sample:
        raise DesignError(f"post-strata in the sample but not in the population: {sorted(only_sample)}")
    only_population = [k for k, v in population.items() if v > 0 and sample.get(k, 0.0) == 0]
    if only_population and not partial:
        raise DesignError(
            f"post-strata in the population but not in the sample: {sorted(only_population)} "
            "(partial=True ignores them)"
        )
    cells = sorted(sample)
    cell_of = {key: i for i, key in enumerate(cells)}
    index = np.array([cell_of[key] for key in keys], dtype=np.int64)
    factor = np.array([population[key] / sample[key] for key in cells])
    new_weights = design.weights * factor[index]
    step = PostStratum(index=index, old_weights=design.weights, weights=new_weights)
    return replace(design, weights=new_weights, calibrations=(*design.calibrations, step))


def _joint_table(design: Design, keys: list[tuple[str, ...]]) -> dict[tuple[str, ...], float]:
    table: dict[tuple[str, ...], float] = {}
    for key, w in zip(keys, design.weights, strict=True):
        table[key] = table.get(key, 0.0) + float(w)
    return table


def rake(design: Design, margins: Sequence[Margin], *, maxit: int = 10, epsilon: float = 1.0) -> Design:
    """The design raked to ``margins`` (R's ``rake`` with ``control=list(maxit, epsilon)``).

    Warns (``RuntimeWarning``) when the weights have not converged after ``maxit`` rounds, as R does.
    """
    if not margins:
        raise DesignError("rake needs at least one margin")
    tolerance = epsilon * float(design.weights.sum()) if epsilon < 1 else epsilon
    joint_keys = [sum(parts, ()) for parts in zip(*(_row_keys(design, m) for m in margins), strict=True)]
    old_table = _joint_table(design, joint_keys)
    current = design
    converged = False
    for _ in range(maxit):
        current = replace(current, calibrations=())
        for margin in margins:
            current = post_stratify(current, margin)
        new_table = _joint_table(current, joint_keys)
        delta = max(
            abs(old_table.get(k, 0.0) - new_table.get(k, 0.0)) for k in old_table.keys() | new_table.keys()
        )
        if delta < tolerance:
            converged = True
            break
        old_table = new_table
    if not converged:
        warnings.warn(f"raking did not converge after {maxit} iterations", RuntimeWarning, stacklevel=2)
    steps = tuple(step for step in current.calibrations if isinstance(step, PostStratum))
    return replace(current, calibrations=(*design.calibrations, Raking(margins=steps)))
