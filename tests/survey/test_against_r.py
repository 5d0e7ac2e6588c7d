"""Estimates, SEs and CIs agree with R ``survey`` (expected values written by r/make_expected.R).

Tolerance: 1e-6 relative. An absolute floor of 1e-9 covers quantities that are exactly zero in
exact arithmetic, where R's glm or floating-point sums leave ~1e-12 (a proportion of 0 in a domain,
the SE of a post-stratification variable's own share).
"""

from __future__ import annotations

import math

import pytest

from tests.survey import r_cases
from tsunagari.survey.design import LonelyPSUError
from tsunagari.survey.distributions import qbeta, qnorm, qt
from tsunagari.survey.tests_of_difference import pooled_z_test

REL, ABS = 1e-6, 1e-9
FIELDS = ("estimate", "se", "ci_low", "ci_high")
CASES = r_cases.cases()


def _key(row: dict) -> tuple:
    return row["group"], row.get("level")


def test_expected_values_come_from_r_survey():
    generated = r_cases.expected()["generated_by"]
    assert generated["survey"] == "4.1.1" and generated["R"].startswith("R version 4.2.2")
    assert len(CASES) > 150


@pytest.mark.parametrize("case", [c for c in CASES if "error" not in c], ids=lambda c: c["id"])
def test_matches_r(case):
    ours = {_key(row): row for row in r_cases.run(case)}
    theirs = {_key(row): row for row in case["results"]}
    assert ours.keys() == theirs.keys()
    for key, expected in theirs.items():
        for field in FIELDS:
            if expected.get(field) is None:  # R gives no CI for this statistic
                continue
            assert ours[key][field] == pytest.approx(expected[field], rel=REL, abs=ABS), (key, field)


@pytest.mark.parametrize("case", [c for c in CASES if "error" in c], ids=lambda c: c["id"])
def test_fails_where_r_fails(case):
    assert "only one PSU" in case["error"]
    with pytest.raises(LonelyPSUError, match=r"stratum 'R6' has only one PSU at stage 1"):
        r_cases.run(case)


def test_lonely_psu_options_change_the_se():
    """The options are not all the same computation: adjust and average differ from remove."""
    by_option = {}
    for case in CASES:
        if (
            case["id"].startswith("lonelypsu1_")
            and case["id"].endswith("_mean_ucla_total")
            and "results" in case
        ):
            by_option[case["lonely_psu"]] = r_cases.run(case)[0]["se"]
    assert set(by_option) == {"remove", "adjust", "certainty", "average"}
    assert by_option["remove"] == pytest.approx(by_option["certainty"])
    assert by_option["adjust"] > by_option["remove"] and by_option["average"] > by_option["remove"]


@pytest.mark.parametrize(
    "row", r_cases.expected()["pooled_z_tests"], ids=lambda r: f"{r['x1']}/{r['n1']}-{r['x2']}/{r['n2']}"
)
def test_pooled_z_test_is_prop_test_without_correction(row):
    test = pooled_z_test(row["x1"] / row["n1"], row["n1"], row["x2"] / row["n2"], row["n2"])
    assert test.z**2 == pytest.approx(row["chi_squared"], rel=1e-10)
    assert test.p_value == pytest.approx(row["p_value"], rel=1e-8)


def _distribution_rows():
    import json

    return json.loads((r_cases.DATA / "distributions.json").read_text())["quantiles"]


@pytest.mark.parametrize(
    "row", _distribution_rows(), ids=lambda r: "-".join(f"{k}={v}" for k, v in r.items() if k != "value")
)
def test_quantiles_match_r(row):
    if row["kind"] == "qnorm":
        value = qnorm(row["p"])
    elif row["kind"] == "qt":
        value = qt(row["p"], row["df"])
    else:
        value = qbeta(row["p"], row["a"], row["b"])
    assert math.isclose(value, row["value"], rel_tol=1e-10, abs_tol=1e-300)
