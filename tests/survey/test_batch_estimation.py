"""The one-pass report estimates equal estimation.proportion cell by cell, for plain, clustered,
post-stratified and raked designs (the fast paths are rearrangements, not approximations)."""

from __future__ import annotations

import numpy as np
import pytest

from tsunagari.survey import batch_estimation, estimation
from tsunagari.survey.calibration import Margin, post_stratify, rake
from tsunagari.survey.design import make_design
from tsunagari.survey.variance import linearized_variance

CATEGORIES = ("1", "2", "3", "4", "5", "no_answer")


def _sample(seed: int, n: int = 600):
    rng = np.random.default_rng(seed)
    region = rng.choice(["A", "B", "C", "D"], size=n)
    sex = rng.choice(["male", "female"], size=n)
    age = rng.choice(["16-39", "40-64", "65+"], size=n, p=[0.3, 0.4, 0.3])
    answer = rng.choice(list(CATEGORIES), size=n, p=[0.2, 0.4, 0.2, 0.12, 0.05, 0.03])
    weight = rng.uniform(500, 2500, size=n)
    cluster = np.array([f"{r}{k}" for r, k in zip(region, rng.integers(0, 6, size=n), strict=False)])
    return region, sex, age, answer.tolist(), weight, cluster


def _designs(seed: int):
    region, sex, age, answer, weight, cluster = _sample(seed)
    plain = make_design(weights=weight, strata=region)
    clustered = make_design(weights=weight, strata=region, clusters=[cluster])
    with_fpc = make_design(weights=weight, strata=region, fpc=[[5000] * len(region)])
    total = weight.sum()
    sex_margin = Margin([sex], {"male": total * 0.48, "female": total * 0.52})
    age_margin = Margin([age], {"16-39": total * 0.3, "40-64": total * 0.38, "65+": total * 0.32})
    raked = rake(plain, [sex_margin, age_margin])
    post = post_stratify(
        clustered,
        Margin(
            [sex, age], {(s, a): total / 6 for s in ("male", "female") for a in ("16-39", "40-64", "65+")}
        ),
    )
    return (
        {"plain": plain, "clustered": clustered, "fpc": with_fpc, "raked": raked, "post": post},
        answer,
        sex,
        age,
    )


@pytest.mark.parametrize("name", ["plain", "clustered", "fpc", "raked", "post"])
def test_cells_equal_estimation_proportion(name):
    designs, answer, sex, age = _designs(11)
    design = designs[name]
    groups = [f"{s}:{a}" for s, a in zip(sex, age, strict=False)]
    cells = batch_estimation.distribution(design, answer, CATEGORIES, groups)
    assert len(cells) == 6 * len(CATEGORIES)
    for cell in cells:
        y = estimation.indicator(answer, cell.level)
        domain = np.array([g == cell.group for g in groups])
        expected = estimation.proportion(design, y, domain=domain)
        assert cell.estimate == pytest.approx(expected.estimate, rel=1e-12)
        assert cell.se == pytest.approx(expected.se, rel=1e-9)
        assert cell.ci_low == pytest.approx(expected.ci_low, rel=1e-9)
        assert cell.ci_high == pytest.approx(expected.ci_high, rel=1e-9)


def test_overall_shares_add_up_and_match():
    designs, answer, _, _ = _designs(5)
    cells = batch_estimation.distribution(designs["raked"], answer, CATEGORIES)
    assert {c.group for c in cells} == {None}
    assert sum(c.estimate for c in cells) == pytest.approx(1.0)
    one = estimation.proportion(designs["raked"], estimation.indicator(answer, "2"))
    assert cells[1].se == pytest.approx(one.se, rel=1e-9)


def test_fast_calibration_residuals_equal_the_reference():
    designs, _answer, _, _ = _designs(3)
    x = np.random.default_rng(0).normal(size=(designs["raked"].n, 4))
    for name in ("raked", "post"):
        design = designs[name]
        fast = batch_estimation.diagonal_variance(x, design)
        slow = np.diag(linearized_variance(x, design))
        np.testing.assert_allclose(fast, slow, rtol=1e-10)


def test_lonely_psu_goes_through_the_general_rule():
    region, _, _, answer, weight, _ = _sample(2, n=50)
    strata = list(region)
    strata[0] = "solo"
    design = make_design(weights=weight, strata=strata, lonely_psu="adjust")
    cells = batch_estimation.distribution(design, answer, CATEGORIES)
    expected = estimation.proportion(design, estimation.indicator(answer, "2"))
    assert cells[1].se == pytest.approx(expected.se, rel=1e-12)


def test_wrong_length_is_an_error():
    designs, answer, _, _ = _designs(1)
    with pytest.raises(ValueError, match="answers for a design"):
        batch_estimation.distribution(designs["plain"], answer[:-1], CATEGORIES)
