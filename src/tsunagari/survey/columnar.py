"""Weighted proportions with Taylor‑linearised SEs by group, computed inside DuckDB (columnar).

For samples far larger than the national survey (e.g. 10 million synthetic respondents) the
respondent‑level arrays of :mod:`tsunagari.survey.estimation` do not fit comfortably in memory;
:func:`proportions_by_group` instead lets DuckDB reduce the table to one row per (group, stratum)
of weighted sums in a single scan, and finishes in numpy on those few rows.

Design semantics: ``svydesign(ids=~1, strata=~S, weights=~W)`` — a stratified sample of
individuals with the given (possibly calibrated, here treated as fixed) weights, no fpc, no
clusters. For group g and indicator y (1 when the answer equals the value, else 0; a missing answer
counts as 0, i.e. in the denominator like the report's 無回答):

    p̂_g = Σ w·y·1_g / Σ w·1_g,     z_i = w_i·(y_i − p̂_g)·1_g(i) / Σ w·1_g
    V(p̂_g) = Σ_h n_h/(n_h − 1) · ( Σ_{i∈h} z_i² − (Σ_{i∈h} z_i)² / n_h )

with n_h all sampled rows of stratum h (rows outside the group count as zeros — R's domain
estimation). Since y is 0/1 the two sums per (g, h) follow from Σw, Σw², Σw·y and Σw²·y. The 95 %
interval is R's logit interval (``svyciprop``) with the domain's degrees of freedom (rows of the
group minus the strata they are in). These are the numbers of :func:`estimation.by_group` with
:func:`estimation.proportion` on the same design (``tests/survey/test_columnar.py`` checks 1e‑9).

Identifiers (table and column names) are checked against ``[A-Za-z_][A-Za-z0-9_]*``; values are
bound as parameters.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from tsunagari.survey.distributions import qt

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class ColumnarError(ValueError):
    """Bad identifiers, an empty group, or a stratum with a single row."""


@dataclass(frozen=True)
class GroupProportion:
    indicator: str
    group: object
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    n: int


def _name(value: str, what: str) -> str:
    if not isinstance(value, str) or not _IDENTIFIER.match(value):
        raise ColumnarError(f"{what} {value!r} is not a plain column or table name")
    return f'"{value}"'


def proportions_by_group(
    connection,
    table: str,
    *,
    weight: str,
    strata: str,
    indicators: Mapping[str, tuple[str, object]],
    by: str | None = None,
    level: float = 0.95,
) -> list[GroupProportion]:
    """One :class:`GroupProportion` per indicator and group (``by`` None: overall only).

    ``indicators`` maps a name to ``(column, value)``. Groups come sorted; rows whose group is NULL
    are left out (as :func:`estimation.by_group`).
    """
    if not indicators:
        raise ColumnarError("no indicators")
    t, w, h = _name(table, "table"), _name(weight, "weight"), _name(strata, "strata")
    g = _name(by, "by") if by is not None else "NULL"
    names = list(indicators)
    parts, params = [], []
    for k, name in enumerate(names):
        column, value = indicators[name]
        c = _name(column, "indicator column")
        parts.append(f"sum(CASE WHEN {c} = ? THEN {w} ELSE 0 END) AS swy{k}")
        parts.append(f"sum(CASE WHEN {c} = ? THEN {w} * {w} ELSE 0 END) AS sw2y{k}")
        params += [value, value]
    sql = (
        f"SELECT {g} AS g, {h} AS h, count(*) AS cnt, sum({w}) AS sw, sum({w} * {w}) AS sw2, "
        + ", ".join(parts)
        + f" FROM {t} GROUP BY ALL"
    )
    rows = connection.execute(sql, params).fetchall()
    if not rows:
        raise ColumnarError("the table is empty")
    n_h: dict[object, int] = {}
    for row in rows:
        n_h[row[1]] = n_h.get(row[1], 0) + row[2]
    lonely = [stratum for stratum, count in n_h.items() if count < 2]
    if lonely:
        raise ColumnarError(f"stratum {lonely[0]!r} has a single sampled row")
    by_group: dict[object, list[tuple]] = {}
    for row in rows:
        if by is not None and row[0] is None:
            continue
        by_group.setdefault(row[0], []).append(row)
    alpha = 1 - level
    out = []
    for group in sorted(by_group, key=lambda v: (v is None, v)):
        cells = np.array([row[2:] for row in by_group[group]], dtype=float)
        counts = cells[:, 0]
        strata_n = np.array([n_h[row[1]] for row in by_group[group]], dtype=float)
        sw, sw2 = cells[:, 1], cells[:, 2]
        total_w = sw.sum()
        if total_w <= 0:
            raise ColumnarError(f"group {group!r} has no weight")
        df = int(counts.sum()) - len(by_group[group])
        t_quantile = qt(1 - alpha / 2, df) if df > 0 else math.nan
        for k, name in enumerate(names):
            swy, sw2y = cells[:, 3 + 2 * k], cells[:, 4 + 2 * k]
            p = float(swy.sum() / total_w)
            s1 = (swy - p * sw) / total_w
            s2 = (sw2y * (1 - 2 * p) + p * p * sw2) / total_w**2
            variance = float(np.sum(strata_n / (strata_n - 1) * (s2 - s1 * s1 / strata_n)))
            se = math.sqrt(max(variance, 0.0))
            low, high = _logit(p, se, t_quantile)
            out.append(GroupProportion(name, group, p, se, low, high, int(counts.sum())))
    return out


def _logit(p: float, se: float, t: float) -> tuple[float, float]:
    if math.isnan(t):
        return math.nan, math.nan
    if p <= 0 or p >= 1:
        return p, p
    centre, half = math.log(p / (1 - p)), t * se / (p * (1 - p))
    return 1 / (1 + math.exp(-(centre - half))), 1 / (1 + math.exp(-(centre + half)))
