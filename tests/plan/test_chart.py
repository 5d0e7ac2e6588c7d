"""The KPI chart's geometry (pure)."""

from decimal import Decimal as D

from tsunagari.plan.chart import BASE, LEFT, RIGHT, TOP, kpi_chart


def test_points_years_and_target_line_are_placed_on_the_scale():
    chart = kpi_chart(
        "c",
        "t",
        "d",
        baseline=(2020, D("50")),
        values=[(2022, D("75"))],
        target=(2024, D("100")),
        unit="団体",
    )
    first, second = chart["marks"]
    assert first["css"] == "baseline" and second["css"] == "value"
    assert first["x"] == LEFT and chart["labels"][-1]["x"] == RIGHT  # 2020 .. 2024 spans the width
    assert second["x"] == (LEFT + RIGHT) / 2
    top_value = float(chart["ticks"][-1]["text"].replace(",", ""))
    assert top_value >= 100 * 1.1  # room above the target
    assert chart["target"]["y"] < first["y"] and TOP <= chart["target"]["y"] <= BASE
    # linear: 50 and 100 sit at 50/top and 100/top of the height above the base
    assert abs((BASE - first["y"]) * 2 - (BASE - chart["target"]["y"])) <= 0.2
    assert [label["text"] for label in chart["labels"]] == ["2020", "2022", "2024"]
    assert chart["path"] == f"{first['x']},{first['y']} {second['x']},{second['y']}"


def test_without_target_or_values_the_chart_still_has_the_baseline():
    chart = kpi_chart("c", "t", "d", baseline=(2021, D("4.5")), values=[], target=None, unit="%")
    assert chart["target"] is None
    assert len(chart["marks"]) == 1 and chart["marks"][0]["tip"] == "2021年: 4.5%（基準値）"
