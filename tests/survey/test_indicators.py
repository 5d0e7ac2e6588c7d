"""KPI indicators read the published national figures: printed values only, sourced, None when absent."""

from __future__ import annotations

import copy

import pytest
import yaml

from tsunagari.survey.indicators import INDICATORS, UnknownIndicator, indicator_series, indicator_value
from tsunagari.survey.published import DEFAULT_PATH, parse_national_results


def test_direct_question_share_per_year_with_n_and_source():
    value = indicator_value("direct_often_always", 2023)
    assert (value.percent, value.n, value.year) == (4.8, 11141, 2023)
    assert value.source.seed_file.startswith("000_") and "図１" in value.source.where
    assert [v.percent for v in indicator_series("direct_often_always")] == [4.5, 4.9, 4.8]


def test_sum_of_positive_levels_only_from_printed_parts():
    value = indicator_value("direct_any", 2023)
    assert value.percent == 39.3  # 4.8 + 14.8 + 19.7
    assert value.summed == ("often_always", "sometimes", "occasionally")
    assert indicator_value("direct_any", 2021).percent == 36.4  # 4.5 + 14.5 + 17.4


def test_year_not_printed_gives_none():
    assert indicator_value("ucla_10_12", 2023).percent == 6.9
    assert indicator_value("ucla_10_12", 2022) is None  # the seed does not print it; never derived
    assert indicator_value("ucla_7_12", 2022) is None
    assert indicator_value("contact_never", 2022) is None
    assert indicator_value("contact_never", 2021).percent == 11.2
    assert indicator_value("direct_often_always", 1999) is None


def test_unknown_code_is_a_clear_error():
    with pytest.raises(UnknownIndicator, match="unknown survey indicator 'nope'"):
        indicator_value("nope", 2023)


def test_every_indicator_has_a_published_year_and_follows_the_data():
    for code in INDICATORS:
        assert indicator_series(code), code
    document = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    changed = copy.deepcopy(document)
    changed["tables"]["direct_question"]["series"][0]["values"]["often_always"] = 5.0
    changed["tables"]["direct_question"]["series"][0]["values"]["never"] = 17.7
    results = parse_national_results(changed)
    assert indicator_value("direct_often_always", 2023, results).percent == 5.0
    assert indicator_value("direct_often_always", 2023).as_dict()["source"]["seed_file"]
