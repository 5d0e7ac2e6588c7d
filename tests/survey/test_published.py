"""The bundled national figures load, are sourced, and bad files fail with the entry's path."""

from __future__ import annotations

import copy

import pytest
import yaml

from tsunagari.survey.published import (
    DEFAULT_PATH,
    PublishedDataError,
    load_national_results,
    parse_national_results,
)

SEED_FILES = {"000_4608b7b397bdd4b6.txt", "003_8c087b0ea5a84cc6.txt"}


@pytest.fixture(scope="module")
def document():
    return yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))


def test_bundled_file_loads_with_three_years():
    results = load_national_results()
    assert sorted(results.years) == [2021, 2022, 2023]
    assert results.years[2023].valid == 11141 and results.years[2021].valid == 11867
    direct = results.tables["direct_question"]
    assert direct.series_for(2022).values["sometimes"] == 15.8
    assert direct.series_for(2023).values["sometimes"] == 14.8
    assert [direct.series_for(y).n for y in (2021, 2022, 2023)] == [11867, 11218, 11141]


def test_every_figure_names_its_seed_and_place():
    results = load_national_results()
    for table in results.tables.values():
        for series in table.series:
            assert series.source.seed_file in SEED_FILES and series.source.where
        for claim in table.claims:
            assert claim.source.seed_file in SEED_FILES


def test_figures_not_printed_are_absent_not_derived():
    ucla = load_national_results().tables["ucla_bands"]
    assert "10-12" in ucla.series_for(2023).values
    assert "10-12" not in ucla.series_for(2022).values and "10-12" not in ucla.series_for(2021).values


def _broken(document, edit):
    doc = copy.deepcopy(document)
    edit(doc)
    with pytest.raises(PublishedDataError) as exc:
        parse_national_results(doc)
    return str(exc.value)


def test_validation_errors_point_at_the_entry(document):
    def percent(d):
        d["tables"]["direct_question"]["series"][1]["values"]["sometimes"] = 158

    assert "tables.direct_question.series[1].values.sometimes: 158 is not a percentage" in _broken(
        document, percent
    )

    def total(d):
        d["tables"]["direct_question"]["series"][0]["values"]["never"] = 27.9

    assert "add up to 110.1" in _broken(document, total)

    def source(d):
        del d["tables"]["ucla_bands"]["series"][0]["source"]

    assert "tables.ucla_bands.series[0]: missing key(s) ['source']" in _broken(document, source)

    def seed(d):
        d["tables"]["ucla_bands"]["series"][0]["source"]["seed"] = "009"

    assert "unknown seed '009'" in _broken(document, seed)

    def category(d):
        d["tables"]["ucla_bands"]["series"][0]["values"]["13-15"] = 1.0

    assert "values.13-15: not a category" in _broken(document, category)

    def boolean_key(d):
        d["tables"]["direct_often_by_unlabelled_a"]["categories"][True] = "いる"

    assert "quote yes/no" in _broken(document, boolean_key)

    def sample_sizes(d):
        d["sample_sizes"]["by_age"]["80+"] = 1070

    assert "adds up to 11142" in _broken(document, sample_sizes)

    def rate(d):
        d["years"][2023]["valid"] = 11500

    assert "valid/distributed" in _broken(document, rate)


def test_load_names_the_file(tmp_path):
    path = tmp_path / "results.yaml"
    path.write_text("version: 2\nseeds: {}\nyears: {}\ntables: {}\n", encoding="utf-8")
    with pytest.raises(PublishedDataError, match=r"results.yaml: version: unsupported version 2"):
        load_national_results(path)
