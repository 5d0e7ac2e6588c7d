"""Report tables and chart geometry (pure): published figures with flags, never filled in; a wave's
weighted estimates agree with estimation.proportion; charts are proportional and labelled."""

from __future__ import annotations

import numpy as np
import pytest

from tsunagari.survey import estimation
from tsunagari.survey.charts import chart_for
from tsunagari.survey.design import make_design
from tsunagari.survey.report_tables import estimated_tables, published_tables


def _table(tables, table_id):
    return next(t for t in tables if t.id == table_id)


def test_published_direct_question_newest_first_with_flags():
    table = _table(published_tables(), "direct_question")
    assert [r.label for r in table.rows] == ["令和５年", "令和４年", "令和３年"]
    assert [r.n for r in table.rows] == [11141, 11218, 11867]
    codes = [c for c, _ in table.columns]
    sometimes = table.rows[0].cells[codes.index("sometimes")]
    assert sometimes.percent == 14.8 and sometimes.flag == "decrease"
    often = table.rows[0].cells[codes.index("often_always")]
    assert often.percent == 4.8 and often.flag is None  # 4.9 → 4.8 is not significant
    assert table.stacked and "000_" in table.source


def test_unprinted_figures_stay_empty():
    table = _table(published_tables(), "ucla_bands")
    codes = [c for c, _ in table.columns]
    row_2022 = next(r for r in table.rows if r.code == "2022")
    assert row_2022.cells[codes.index("10-12")].percent is None
    chart = chart_for(table)
    assert chart["rows"][1]["note"] == "※一部未掲載" and chart["rows"][0]["note"] == ""


def test_share_by_group_tables_are_bars():
    table = _table(published_tables(), "direct_often_by_sex")
    assert not table.stacked
    chart = chart_for(table)
    assert chart["kind"] == "bars" and [g["label"] for g in chart["groups"]] == ["男性", "女性"]
    widths = [b["w"] for g in chart["groups"] for b in g["bars"]]
    # 5.3 % vs 4.2 % on the same scale
    assert len(widths) == 4 and widths[0] / widths[2] == pytest.approx(5.3 / 4.2, rel=1e-3)


def test_stacked_chart_widths_are_proportional_and_described():
    table = _table(published_tables(), "direct_question")
    chart = chart_for(table)
    row = chart["rows"][0]
    plot_w = chart["plot_w"]
    assert chart["label_w"] + plot_w < chart["width"]
    assert row["segments"][0]["w"] == pytest.approx(plot_w * 0.048, abs=0.01)
    total = sum(table.rows[0].cells[k].percent for k in range(len(table.columns)))  # 100.1: rounding
    assert sum(s["w"] for s in row["segments"]) == pytest.approx(plot_w * total / 100, abs=0.1)
    assert "時々ある 14.8%（前回から有意に縮小）" in chart["desc"]


def _synthetic(n=80, seed=4):
    rng = np.random.default_rng(seed)
    strata = rng.choice(["A", "B", "C"], size=n).tolist()
    answers = []
    for _ in range(n):
        answers.append(
            {
                "direct": str(rng.integers(1, 6)) if rng.random() > 0.05 else None,
                "ucla_1": str(rng.integers(1, 5)),
                "ucla_2": str(rng.integers(1, 5)),
                "ucla_3": str(rng.integers(1, 5)),
                "sex": str(rng.choice(["male", "female"])),
                "age_band": str(rng.choice(["20-29", "40-49", "70-79"])),
            }
        )
    return answers, strata


def test_estimated_tables_match_estimation_proportion():
    answers, strata = _synthetic()
    sizes = {"A": 5000, "B": 3000, "C": 2000}
    tables = estimated_tables(answers, strata, sizes)
    assert {t.id for t in tables} == {
        "wave_direct", "wave_direct_by_age", "wave_direct_by_sex_age",
        "wave_ucla", "wave_ucla_by_age", "wave_ucla_by_sex_age",
    }  # fmt: skip
    counts = {s: strata.count(s) for s in sizes}
    design = make_design(weights=[sizes[s] / counts[s] for s in strata], strata=strata)
    direct = ["no_answer" if a["direct"] is None else
              {"1": "never", "2": "hardly_ever", "3": "occasionally", "4": "sometimes", "5": "often_always"}[a["direct"]]
              for a in answers]  # fmt: skip
    expected = estimation.proportion(design, estimation.indicator(direct, "sometimes"))
    table = _table(tables, "wave_direct")
    cell = table.rows[0].cells[[c for c, _ in table.columns].index("sometimes")]
    assert cell.percent == pytest.approx(100 * expected.estimate, rel=1e-12)
    assert cell.se == pytest.approx(100 * expected.se, rel=1e-9)
    assert sum(c.percent for c in table.rows[0].cells) == pytest.approx(100)
    by = _table(tables, "wave_direct_by_sex_age")
    assert [r.label for r in by.rows][:2] == ["男性 20～29歳", "男性 40～49歳"]
    assert sum(r.n for r in by.rows) == len(answers)


def test_estimated_tables_reject_bad_input():
    answers, strata = _synthetic(n=10)
    with pytest.raises(ValueError, match="not in the sample frame"):
        estimated_tables(answers, strata, {"A": 10})
    with pytest.raises(ValueError, match="at least two"):
        estimated_tables(answers[:1], strata[:1], {"A": 10, "B": 1, "C": 1})
    answers[0]["direct"] = "9"
    with pytest.raises(ValueError, match="direct question"):
        estimated_tables(answers, strata, {"A": 10, "B": 10, "C": 10})
