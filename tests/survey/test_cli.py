"""``tsunagari survey estimate|compare`` through the real entry point."""

from __future__ import annotations

import json

import pytest

from tests.survey import r_cases
from tsunagari.cli import main

APISTRAT = str(r_cases.DATA / "apistrat.csv")
LONELINESS = str(r_cases.DATA / "loneliness.csv")


def _run(capsys, *argv):
    assert main(["survey", *argv]) == 0
    return json.loads(capsys.readouterr().out)


def _case(case_id):
    return next(c for c in r_cases.cases() if c["id"] == case_id)


def test_estimate_mean_by_group_matches_r(capsys):
    data = _run(
        capsys,
        "estimate",
        APISTRAT,
        "--weight",
        "pw",
        "--strata",
        "stype",
        "--fpc",
        "fpc",
        "--mean",
        "api00",
        "--by",
        "stype",
        "--json",
    )
    expected = {row["group"]: row for row in _case("apistrat_mean_api00_by_stype")["results"]}
    assert [row["group"] for row in data["estimates"]] == ["E", "H", "M"]
    for row in data["estimates"]:
        assert set(row) == {"group", "estimate", "se", "ci_low", "ci_high"}
        for field in ("estimate", "se", "ci_low", "ci_high"):
            assert row[field] == pytest.approx(expected[row["group"]][field], rel=1e-6)


def test_estimate_two_stage_proportion_matches_r(capsys):
    # direct=5 is しばしばある・常にある; missing answers stay in the denominator (無回答).
    data = _run(
        capsys,
        "estimate",
        LONELINESS,
        "--weight",
        "weight",
        "--strata",
        "region",
        "--cluster",
        "muni",
        "--cluster",
        "id",
        "--fpc",
        "fpc1",
        "--fpc",
        "fpc2",
        "--prop",
        "direct=5",
        "--json",
    )
    (row,) = data["estimates"]
    expected = _case("lon2_prop_logit_direct_often_always")["results"][0]
    assert row["group"] is None
    for field in ("estimate", "se", "ci_low", "ci_high"):
        assert row[field] == pytest.approx(expected[field], rel=1e-6)


def test_compare_reports_the_significant_decrease(capsys):
    data = _run(
        capsys, "compare", "--p1", "15.8%", "--n1", "11218", "--p2", "0.148", "--n2", "11141", "--json"
    )
    assert data["significant"] is True and data["direction"] == "decrease"
    assert data["p_value"] == pytest.approx(0.0378, abs=1e-4)


def _error(capsys, tmp_path, content, *extra):
    path = tmp_path / "data.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        main(["survey", "estimate", str(path), *extra])
    return str(exc.value.code)


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        ("w,y\n1,2\n2,3\n", ["--weight", "w", "--mean", "z"], "no column 'z'"),
        (
            "w,y\n1,2\nabc,3\n",
            ["--weight", "w", "--mean", "y"],
            "row 2 (line 3), column 'w': 'abc' is not a number",
        ),
        (
            "w,y\n1,2\n0,3\n",
            ["--weight", "w", "--mean", "y"],
            "row 2 (line 3), column 'w': '0' must be a positive number",
        ),
        (
            "w,y\n1,2\n1,x\n",
            ["--weight", "w", "--mean", "y"],
            "row 2 (line 3), column 'y': 'x' is not a number",
        ),
        (
            "w,s,y\n1,a,2\n1,,3\n",
            ["--weight", "w", "--strata", "s", "--mean", "y"],
            "row 2 (line 3), column 's': missing value",
        ),
        ("w,y\n1,2\n1\n", ["--weight", "w", "--mean", "y"], "row 2 (line 3) has 1 cells"),
        (
            "w,s,y\n1,a,2\n1,a,3\n1,b,4\n",
            ["--weight", "w", "--strata", "s", "--mean", "y"],
            "stratum 'b' has only one PSU",
        ),
        ("w,y\n1,2\n1,3\n", ["--weight", "w", "--prop", "y"], "--prop wants VAR=VALUE"),
    ],
)
def test_bad_input_is_a_clear_error(capsys, tmp_path, content, args, message):
    assert message in _error(capsys, tmp_path, content, *args)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(SystemExit) as exc:
        main(["survey", "estimate", str(tmp_path / "nope.csv"), "--weight", "w", "--mean", "y"])
    assert "no such file" in str(exc.value.code)


def test_compare_rejects_a_bad_proportion(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["survey", "compare", "--p1", "158", "--n1", "10", "--p2", "0.1", "--n2", "10"])
    assert exc.value.code == 2
    assert "not between 0 and 1" in capsys.readouterr().err
