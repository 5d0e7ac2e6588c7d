"""Taylor‑linearised variance of estimated totals, as R ``survey``'s ``svyrecvar``.

Every estimator in :mod:`tsunagari.survey.estimation` is reduced to a total of *influence values*
(one row per respondent, one column per statistic); :func:`linearized_variance` returns the design
variance of that total:

1. Calibration first: each post‑stratification step replaces the values by their residuals from
   the post‑stratum means, and a raking step by residuals from 10 rounds of back‑fitting over its
   margins — both exactly as R does (R's 10 rounds are an approximation; keeping them is what
   makes our numbers R's).
2. Stage 1: within each stratum the PSU totals are centred on the stratum mean (over *all* sampled
   PSUs of the stratum, so PSUs without rows in a domain count as zeros) and their sum of squares is
   scaled by ``(1 − f) · n/(n − 1)``.
3. Later stages, only when an fpc is given: each PSU adds the variance of its own subsample,
   multiplied by the sampling fraction of the stages above it.

``present`` marks the rows that R would still have in a subset design (R drops the rows of an
uncalibrated design that fall outside a domain, but keeps them with zero weight in a calibrated one);
this matters only for which strata a lonely‑PSU rule sees.
"""

from __future__ import annotations

import numpy as np

from tsunagari.survey.design import Design, LonelyPSUError, PostStratum, Raking

_CERTAINTY = 1e-7
_RAKING_ROUNDS = 10


def linearized_variance(x: np.ndarray, design: Design, present: np.ndarray | None = None) -> np.ndarray:
    """The p×p variance matrix of ``x.sum(axis=0)`` under ``design`` (``x`` is n×p or n)."""
    x = np.asarray(x, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    if x.shape[0] != design.n:
        raise ValueError(f"{x.shape[0]} influence values for a design of {design.n} rows")
    x = remove_calibration(x, design.calibrations)
    rows = np.arange(design.n) if present is None else np.flatnonzero(present)
    if rows.size == 0:
        return np.zeros((x.shape[1], x.shape[1]))
    return _multistage(x[rows], design, rows)


def remove_calibration(x: np.ndarray, calibrations: tuple[PostStratum | Raking, ...]) -> np.ndarray:
    """Residuals of ``x`` after each calibration step (R's ``postStrata`` loop in ``svyrecvar``)."""
    for step in calibrations:
        if isinstance(step, Raking):
            for _ in range(_RAKING_ROUNDS):
                for margin in step.margins:
                    psw = margin.weights[:, None]
                    x = x - psw * _group_means(x / psw, margin.index)
        else:
            psw = step.weights.copy()
            old = step.old_weights
            psw[(psw == 0) & (old == 0)] = 1.0
            sums = _group_sums(x * (old / psw)[:, None], step.index)
            weight_sums = np.bincount(step.index, weights=old, minlength=sums.shape[0])
            x = x - (sums / weight_sums[:, None])[step.index] * psw[:, None]
    return x


def _group_sums(x: np.ndarray, index: np.ndarray) -> np.ndarray:
    out = np.zeros((int(index.max()) + 1, x.shape[1]))
    np.add.at(out, index, x)
    return out


def _group_means(x: np.ndarray, index: np.ndarray) -> np.ndarray:
    sums = _group_sums(x, index)
    counts = np.bincount(index, minlength=sums.shape[0])
    return (sums / np.maximum(counts, 1)[:, None])[index]


def _multistage(x: np.ndarray, design: Design, rows: np.ndarray) -> np.ndarray:
    terms, ok = _stratum_terms(x, design, rows, stage=0)
    n_ok = int(ok.sum())
    total = terms[ok].sum(axis=0) * (ok.size / n_ok) if n_ok else np.full(terms.shape[1:], np.nan)
    if design.popsize is None:
        return total
    factor = np.ones(rows.size)
    for stage in range(1, design.stages):
        factor = factor * design.n_psu[rows, stage - 1] / design.popsize[rows, stage - 1]
        terms, ok = _stratum_terms(x, design, rows, stage)
        # Below stage 1 each stratum is one parent unit, R's own onestage() call with one stratum:
        # an "average" lonely unit there gives 0 · 1/0, i.e. NaN, as in R.
        terms[~ok] = np.nan
        _, first = np.unique(design.strata[rows, stage], return_index=True)
        total = total + np.einsum("h,hij->ij", factor[first], terms)
    return total


def _stratum_terms(
    x: np.ndarray, design: Design, rows: np.ndarray, stage: int
) -> tuple[np.ndarray, np.ndarray]:
    """Each stratum's variance term at ``stage`` (H×p×p, strata in code order) and whether it is
    usable (``False`` only for an "average" lonely PSU)."""
    strata = design.strata[rows, stage]
    _, psu_first, psu_of_row = np.unique(design.clusters[rows, stage], return_index=True, return_inverse=True)
    totals = np.zeros((psu_first.size, x.shape[1]))
    np.add.at(totals, psu_of_row, x)
    stratum_codes, s_first, stratum_of_psu = np.unique(
        strata[psu_first], return_index=True, return_inverse=True
    )
    first_row = psu_first[s_first]
    n_h = design.n_psu[rows[first_row], stage].astype(float)
    present_h = np.bincount(stratum_of_psu, minlength=n_h.size)
    if design.popsize is None:
        f = np.ones_like(n_h)
    else:
        big_n = design.popsize[rows[first_row], stage]
        with np.errstate(invalid="ignore"):
            f = np.where(np.isinf(big_n), 1.0, (big_n - n_h) / big_n)
    scale = np.where(n_h > 1, f * n_h / np.maximum(n_h - 1, 1), f)

    sums = np.zeros((n_h.size, x.shape[1]))
    np.add.at(sums, stratum_of_psu, totals)
    means = sums / n_h[:, None]
    dev = totals - means[stratum_of_psu]
    terms = np.zeros((n_h.size, x.shape[1], x.shape[1]))
    np.add.at(terms, stratum_of_psu, dev[:, :, None] * dev[:, None, :])
    # PSUs of the stratum with no rows here (outside a domain) are zeros around the mean.
    terms += (n_h - present_h)[:, None, None] * (means[:, :, None] * means[:, None, :])

    ok = np.ones(n_h.size, dtype=bool)
    certain = f < _CERTAINTY
    lonely = (n_h == 1) & ~certain
    if lonely.any():
        option = design.lonely_psu
        if option == "fail":
            code = int(stratum_codes[np.flatnonzero(lonely)[0]])
            raise LonelyPSUError(
                f"stratum {_stratum_name(design, stage, code)} has only one PSU at stage {stage + 1}"
            )
        if option == "adjust":  # centred on zero (the population mean of influence values), not on itself
            terms[lonely] = sums[lonely][:, :, None] * sums[lonely][:, None, :]
        elif option == "average":
            ok[lonely] = False
        # "remove" and "certainty": a single PSU centred on itself contributes zero, as in R.
    terms *= scale[:, None, None]
    terms[certain] = 0.0
    return terms, ok


def _stratum_name(design: Design, stage: int, code: int) -> str:
    if stage == 0:
        return repr(design.stratum_labels[code])
    return f"within stage-{stage} unit {design.cluster_labels[stage - 1][code]!r}"
