"""Build tsunagari.survey designs and estimates from the case specifications that
tests/survey/r/make_expected.R wrote next to R's results (tests/survey/data/expected.json)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np

from tsunagari.survey import estimation, scoring
from tsunagari.survey.calibration import Margin, post_stratify, rake
from tsunagari.survey.csvdata import Table, read_table
from tsunagari.survey.design import Design, make_design
from tsunagari.survey.tests_of_difference import domain_difference

DATA = Path(__file__).parent / "data"


@cache
def expected() -> dict:
    return json.loads((DATA / "expected.json").read_text(encoding="utf-8"))


def cases() -> list[dict]:
    return expected()["cases"]


@cache
def table(name: str) -> Table:
    """The data file with, for the loneliness data, the columns derived by scoring.py."""
    data = read_table(DATA / name)
    if "ucla1" in data.columns:
        items = list(zip(data.column("ucla1"), data.column("ucla2"), data.column("ucla3"), strict=True))
        totals = [scoring.ucla_total(row) for row in items]
        data.columns["ucla_total"] = ["" if t is None else str(t) for t in totals]
        data.columns["ucla_band"] = [scoring.ucla_band(t).code for t in totals]
        data.columns["direct_category"] = [scoring.direct_category(a).code for a in data.column("direct")]
    return data


def _margin(data: Table, spec: dict) -> Margin:
    names = spec["variables"]
    population = spec["population"]
    keys = zip(*(population[name] for name in names), strict=True)
    counts = dict(zip((tuple(str(v) for v in key) for key in keys), population["Freq"], strict=True))
    return Margin(columns=[data.labels(name) for name in names], population=counts, names=names)


def design_for(case: dict) -> Design:
    data = table(case["data"])
    design = make_design(
        weights=data.numbers(case["weights"]) if case.get("weights") else None,
        strata=data.labels(case["strata"]) if case.get("strata") else None,
        clusters=[data.labels(c) for c in case.get("clusters", [])],
        fpc=[data.numbers(f) for f in case.get("fpc", [])],
        n=data.n,
        lonely_psu=case.get("lonely_psu") or "fail",
    )
    calibration = case.get("calibration")
    if calibration:
        margins = [_margin(data, m) for m in calibration["margins"]]
        if calibration["type"] == "poststratify":
            design = post_stratify(design, margins[0])
        else:
            design = rake(design, margins)
    return design


def run(case: dict) -> list[dict]:
    """Our results for ``case``, shaped like R's."""
    data = table(case["data"])
    design = design_for(case)
    stat, by = case["statistic"], case.get("by")
    if stat in ("mean", "total"):
        fn = estimation.mean if stat == "mean" else estimation.total
        y = np.array(data.numbers(case["variable"]))
        results = [fn(design, y)] if by is None else estimation.by_group(fn, design, y, data.labels(by))
        return [r.as_dict() for r in results]
    y = estimation.indicator(data.labels(case["variable"]), case.get("value"))
    if stat.startswith("prop_"):
        method = stat.removeprefix("prop_")
        if by is None:
            return [estimation.proportion(design, y, method=method).as_dict()]
        return [
            r.as_dict()
            for r in estimation.by_group(estimation.proportion, design, y, data.labels(by), method=method)
        ]
    if stat == "crosstab":
        return [
            r.as_dict() for r in estimation.crosstab(design, data.labels(by), data.labels(case["variable"]))
        ]
    if stat == "difference":
        first, second = case["groups"]
        test = domain_difference(design, y, data.labels(by), first, second)
        return [{"group": f"{first} vs {second}", "estimate": test.difference, "se": test.se}]
    raise ValueError(f"unknown statistic {stat}")
