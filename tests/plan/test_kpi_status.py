"""The KPI status rules (pure): direction-aware, straight-line path from baseline to target."""

from decimal import Decimal as D

import pytest

from tsunagari.plan.kpi_status import ACHIEVED, BEHIND, NO_DATA, ON_TRACK, kpi_status


def status(direction, latest, *, baseline=D("10"), target=D("20"), base_year=2020, deadline=2030):
    return kpi_status(
        direction=direction,
        baseline_value=baseline,
        baseline_year=base_year,
        target_value=target,
        deadline_year=deadline,
        latest=latest,
    )


def test_no_value_after_the_baseline_is_no_data():
    result = status("up", None)
    assert result.code == NO_DATA and "実績値" in result.reason


def test_no_target_or_no_deadline_is_no_data_whatever_the_value():
    assert status("up", (2022, D("99")), target=None, deadline=None).code == NO_DATA
    assert status("up", (2022, D("99")), deadline=None).code == NO_DATA


@pytest.mark.parametrize(
    ("latest", "expected"),
    [
        ((2025, D("20")), ACHIEVED),  # reached exactly
        ((2023, D("25")), ACHIEVED),  # beyond, early
        ((2025, D("15")), ON_TRACK),  # half the time, half the way
        ((2022, D("13")), ON_TRACK),  # 20 % of the time, 30 % of the way
        ((2025, D("14.9")), BEHIND),  # just under the line
        ((2022, D("9")), BEHIND),  # wrong way
        ((2030, D("19.9")), BEHIND),  # deadline year, not reached
        ((2032, D("19")), BEHIND),  # past the deadline
    ],
)
def test_up_kpi(latest, expected):
    assert status("up", latest).code == expected


def test_down_kpi_reaches_target_by_going_down():
    def down(latest):
        return status("down", latest, baseline=D("4.8"), target=D("4.2"), base_year=2020, deadline=2026)

    assert down((2024, D("4.0"))).code == ACHIEVED
    assert down((2023, D("4.5"))).code == ON_TRACK  # half the time, half the way down
    result = down((2022, D("4.7")))  # a third of the time, a sixth of the way down
    assert result.code == BEHIND
    assert result.progress == D("0.1") / D("0.6") and result.expected == D(2) / D(6)


def test_the_same_value_is_read_the_other_way_for_a_down_kpi():
    up = status("up", (2025, D("16")))
    down = status("down", (2025, D("16")), baseline=D("20"), target=D("10"))
    assert up.code == ON_TRACK  # 60 % of the way up at half time
    assert down.code == BEHIND  # only 40 % of the way down at half time
    assert status("down", (2025, D("21")), baseline=D("20"), target=D("10")).code == BEHIND


def test_inconsistent_input_is_refused():
    with pytest.raises(ValueError, match="better side"):
        status("up", (2025, D("15")), target=D("5"))
    with pytest.raises(ValueError, match="direction"):
        status("sideways", (2025, D("15")))
    with pytest.raises(ValueError, match="deadline"):
        status("up", (2025, D("15")), deadline=2020)
    with pytest.raises(ValueError, match="after the baseline"):
        status("up", (2020, D("15")))
