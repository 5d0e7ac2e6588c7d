"""Design construction rules (R's svydesign with nest=TRUE) and estimator properties."""

from __future__ import annotations

import numpy as np
import pytest

from tests.survey import r_cases
from tsunagari.survey import estimation
from tsunagari.survey.calibration import Margin, post_stratify, rake
from tsunagari.survey.design import DesignError, LonelyPSUError, make_design
from tsunagari.survey.tests_of_difference import domain_difference, independent_difference, pooled_z_test


def _apistrat(**kwargs):
    data = r_cases.table("apistrat.csv")
    return data, make_design(weights=data.numbers("pw"), strata=data.labels("stype"), **kwargs)


def test_nest_true_makes_cluster_ids_unique_within_strata():
    # The same cluster label "1" in two strata is two PSUs: SE as with distinct labels.
    y = np.array([1.0, 2.0, 3.0, 5.0, 8.0, 13.0])
    strata = ["a", "a", "a", "b", "b", "b"]
    reused = make_design(weights=[1] * 6, strata=strata, clusters=[["1", "1", "2", "1", "2", "2"]])
    distinct = make_design(weights=[1] * 6, strata=strata, clusters=[["1", "1", "2", "3", "4", "4"]])
    assert estimation.mean(reused, y).se == pytest.approx(estimation.mean(distinct, y).se)
    assert reused.n_psu[:, 0].tolist() == [2] * 6


def test_fpc_as_fraction_equals_fpc_as_population_size():
    data, by_size = _apistrat(fpc=[r_cases.table("apistrat.csv").numbers("fpc")])
    _, by_fraction = _apistrat(fpc=[data.numbers("fpc_fraction")])
    y = data.numbers("api00")
    assert estimation.mean(by_size, y).se == pytest.approx(
        estimation.mean(by_fraction, y).se, rel=1e-8
    )  # the CSV rounds 1/pw
    _, without = _apistrat()
    assert estimation.mean(without, y).se > estimation.mean(by_size, y).se  # the fpc shrinks the SE


def test_fpc_rules_follow_r():
    with pytest.raises(DesignError, match="all population sizes"):
        make_design(weights=[1, 1, 1], fpc=[[10, 0.5, 0.5]])
    with pytest.raises(DesignError, match="ambiguous"):
        make_design(weights=[1, 1, 1], fpc=[[1, 1, 1]])
    with pytest.raises(DesignError, match="more units sampled"):
        make_design(weights=[1, 1, 1], fpc=[[2, 2, 2]])
    with pytest.raises(DesignError, match="varies within stratum"):
        make_design(weights=[1, 1, 1, 1], strata=["a", "a", "b", "b"], fpc=[[10, 11, 10, 10]])
    with pytest.raises(DesignError, match="one fpc column per stage"):
        make_design(weights=[1, 1], clusters=[["a", "b"], ["1", "2"]], fpc=[[5, 5]])


def test_weights_default_to_the_fpc_product_as_in_r():
    data = r_cases.table("apiclus2.csv")
    design = make_design(
        clusters=[data.labels("dnum"), data.labels("snum")], fpc=[data.numbers("fpc1"), data.numbers("fpc2")]
    )
    assert design.weights == pytest.approx(np.array(data.numbers("pw")), rel=1e-4)


def test_bad_design_columns_name_the_row():
    with pytest.raises(DesignError, match="row 2: weight"):
        make_design(weights=[1, -1, 1])
    with pytest.raises(DesignError, match="row 3: missing value in strata"):
        make_design(weights=[1, 1, 1], strata=["a", "a", ""])
    with pytest.raises(DesignError, match="only one primary sampling unit"):
        make_design(weights=[1, 1], clusters=[["x", "x"]])
    with pytest.raises(DesignError, match="lonely_psu"):
        make_design(weights=[1, 1], lonely_psu="ignore")


def test_lonely_psu_fails_only_where_a_domain_reaches_the_stratum():
    # Uncalibrated R drops rows outside a domain, so a lonely stratum outside it does not fail.
    design = make_design(
        weights=[1] * 5, strata=["a", "a", "a", "b", "b"], clusters=[["1", "2", "3", "4", "4"]]
    )
    y = np.arange(5.0)
    with pytest.raises(LonelyPSUError, match="stratum 'b'"):
        estimation.mean(design, y)
    in_a = np.array([True, True, True, False, False])
    assert estimation.mean(design, y, domain=in_a).estimate == pytest.approx(1.0)


def test_post_stratified_totals_hit_the_population_exactly():
    data, design = _apistrat(fpc=[r_cases.table("apistrat.csv").numbers("fpc")])
    population = {"No": 1072, "Yes": 5122}
    calibrated = post_stratify(design, Margin([data.labels("sch.wide")], population))
    yes = estimation.indicator(data.labels("sch.wide"), "Yes")
    result = estimation.total(calibrated, yes)
    assert result.estimate == pytest.approx(5122) and result.se == pytest.approx(0, abs=1e-6)
    with pytest.raises(DesignError, match="not in the population"):
        post_stratify(design, Margin([data.labels("sch.wide")], {"Yes": 5122}))


def test_rake_matches_every_margin():
    data = r_cases.table("apiclus1.csv")
    design = make_design(
        weights=data.numbers("pw"), clusters=[data.labels("dnum")], fpc=[data.numbers("fpc")]
    )
    margins = [
        Margin([data.labels("stype")], {"E": 4421, "H": 755, "M": 1018}),
        Margin([data.labels("sch.wide")], {"No": 1072, "Yes": 5122}),
    ]
    raked = rake(design, margins, maxit=50, epsilon=1e-9)
    for column, target in (
        ("stype", {"E": 4421, "H": 755, "M": 1018}),
        ("sch.wide", {"No": 1072, "Yes": 5122}),
    ):
        for value, count in target.items():
            got = estimation.total(raked, estimation.indicator(data.labels(column), value)).estimate
            assert got == pytest.approx(count, rel=1e-8)


def test_logit_interval_is_asymmetric_and_inside_0_1_for_small_proportions():
    data, design = _apistrat()
    y = estimation.indicator(data.labels("yr.rnd"), "Yes")
    logit = estimation.proportion(design, y, method="logit")
    wald = estimation.proportion(design, y, method="wald")
    assert 0 < logit.ci_low < logit.estimate < logit.ci_high < 1
    assert logit.estimate - logit.ci_low < logit.ci_high - logit.estimate
    assert wald.ci_high - wald.estimate == pytest.approx(wald.estimate - wald.ci_low)


def test_pooled_z_test_reproduces_the_reports_sometimes_decrease():
    test = pooled_z_test(0.158, 11218, 0.148, 11141)
    assert test.significant and test.direction == "decrease" and test.z == pytest.approx(-2.0768, abs=1e-4)
    assert not pooled_z_test(0.049, 11218, 0.048, 11141).significant
    with pytest.raises(ValueError):
        pooled_z_test(15.8, 11218, 0.148, 11141)


def test_design_based_differences():
    data = r_cases.table("apistrat.csv")
    design = make_design(weights=data.numbers("pw"), strata=data.labels("stype"))
    y = estimation.indicator(data.labels("sch.wide"), "Yes")
    stype = data.labels("stype")
    e = estimation.proportion(design, y, domain=np.array([s == "E" for s in stype]))
    h = estimation.proportion(design, y, domain=np.array([s == "H" for s in stype]))
    # Strata are sampled independently, so the domain test equals the independent-samples test.
    within = domain_difference(design, y, stype, "E", "H")
    independent = independent_difference(e, h)
    assert within.difference == pytest.approx(h.estimate - e.estimate)
    assert within.se == pytest.approx(independent.se, rel=1e-12)
    assert within.significant and within.direction == "decrease"
