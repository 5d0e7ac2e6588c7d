"""The plan file: the shipped data is the seeds' text, and bad files are refused with the entry's path."""

from __future__ import annotations

import copy
import os
from pathlib import Path

import pytest
import yaml

from tsunagari.plan.plan_data import DEFAULT_PATH, PlanDataError, load_plan, parse_plan, read_plan

SEEDS = Path(os.environ.get("TSUNAGARI_SEEDS_DIR", "/work/shared/seeds"))


def raw() -> dict:
    with open(DEFAULT_PATH, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def all_sources(plan):
    yield plan.source
    for item in (*plan.policies, *plan.measures):
        yield item.source
    for kpi in plan.kpis:
        yield kpi.baseline.source
        for figure in kpi.values:
            yield figure.source
        if kpi.target:
            yield kpi.target.source


def test_the_shipped_plan_loads():
    plan = load_plan()
    assert plan.decided_on.isoformat() == "2024-06-11"
    assert [p.code for p in plan.policies] == ["1", "2", "3", "4"]
    assert len(plan.measures) == 13
    # the seeds give no owner per measure and no target: left empty and said so, never guessed
    assert all(m.ministry is None and any("所管府省庁" in g for g in m.gaps) for m in plan.measures)
    assert all(k.target is None and any("目標値" in g for g in k.gaps) for k in plan.kpis)
    loneliness = {k.code: k for k in plan.kpis}["loneliness_often_always"]
    assert loneliness.direction == "down"
    assert [(f.year, str(f.value)) for f in (loneliness.baseline, *loneliness.values)] == [
        (2021, "4.5"),
        (2022, "4.9"),
        (2023, "4.8"),
    ]


@pytest.mark.skipif(not SEEDS.is_dir(), reason="seed documents not available")
def test_every_quote_is_at_its_lines_in_the_seed_file():
    for source in all_sources(load_plan()):
        lines = (SEEDS / source.seed_file).read_text(encoding="utf-8").split("\n")
        found = "\n".join(lines[n - 1] for n in source.lines)
        assert found == source.text, f"{source}: {found!r} != {source.text!r}"


def broken(change) -> str:
    data = copy.deepcopy(raw())
    change(data)
    with pytest.raises(PlanDataError) as info:
        parse_plan(data)
    return str(info.value)


def test_bad_files_are_refused_with_the_entry_and_the_reason():
    assert broken(lambda d: d.update(version=2)) == "version: unsupported version 2"
    assert broken(lambda d: d["measures"][0].pop("ministry")) == "measures[0]: missing ministry"
    assert broken(lambda d: d["measures"][1].update(title="架空の施策")).startswith(
        "measures[1].title: the title does not appear"
    )
    assert broken(lambda d: d["measures"][2].update(policy="9")) == "measures[2].policy: no policy '9'"
    assert broken(lambda d: d["kpis"][0]["baseline"].update(value=4.6)).startswith(
        "kpis[0].baseline.value: 4.6 does not appear"
    )
    assert broken(lambda d: d["kpis"][0]["baseline"].update(year=2019)).startswith("kpis[0].baseline.year:")
    assert broken(lambda d: d["kpis"][1].update(direction="sideways")).startswith("kpis[1].direction:")
    assert broken(lambda d: d["kpis"][0]["values"].append(d["kpis"][0]["values"][0])) == (
        "kpis[0].values[2].year: 2022 is given twice"
    )
    assert broken(lambda d: d["kpis"][1]["baseline"]["source"].update(lines=[323, 325])) == (
        "kpis[1].baseline.source.lines: expected consecutive line numbers"
    )
    assert broken(lambda d: d["kpis"].append(copy.deepcopy(d["kpis"][0]))) == (
        "kpis[2].code: 'loneliness_often_always' is used twice"
    )
    assert broken(lambda d: d["kpis"][0].update(extra=1)) == "kpis[0]: unknown key(s) extra"


def test_a_target_must_be_later_and_on_the_better_side():
    def with_target(value, year):
        def change(d):
            # a target quoting the baseline's own line, so only the rule under test can fail
            d["kpis"][0]["target"] = {
                "value": value,
                "year": year,
                "source": d["kpis"][0]["values"][1]["source"],
            }

        return change

    assert broken(with_target(4.9, 2023)).startswith("kpis[0].target.value: a 'down' target")
    assert broken(with_target(4.8, 2021)).startswith("kpis[0].target.year:")


def test_unreadable_or_invalid_yaml_is_a_plan_error(tmp_path):
    bad = tmp_path / "plan.yaml"
    bad.write_text("version: [1\n", encoding="utf-8")
    with pytest.raises(PlanDataError, match="not valid YAML"):
        read_plan(bad)
    with pytest.raises(PlanDataError, match="cannot read"):
        read_plan(tmp_path / "missing.yaml")
