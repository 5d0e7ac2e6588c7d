"""The four #9999 trials: their published aggregates (data/trials.yaml, checked against the seed
documents) loaded as scenario data, and the statistics report reproducing the published answer
rates exactly."""

from __future__ import annotations

import os
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from tsunagari.helpline import record_forms, scenarios, statistics, stats_selectors

ROOT = Path(__file__).resolve().parents[2]


def _seeds_dir() -> Path | None:
    candidates = [os.environ.get("TSUNAGARI_SEEDS_DIR"), ROOT.parent / "shared" / "seeds"]
    for candidate in candidates:
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return None


# The published figures, written out here so that a change to trials.yaml cannot move them.
PUBLISHED = {
    "trial1": {
        "offered": 14678,
        "connected": 3823,
        "rate": "26.0",
        "fields": {"loneliness": "10.5", "suicide": "86.9", "poverty": "12.6"},
        "selectable": 8,
        "serious": 38,
    },
    "trial2": {
        "offered": 10353,
        "connected": 1998,
        "rate": "19.3",
        "fields": {"loneliness": "27.3", "suicide": "78.6", "poverty": "47.1", "under18": "26.5"},
        "field_offered": {"under18": 49},
        "selectable": 8,
        "serious": 30,
    },
    "newyear": {
        "offered": 26567,
        "connected": 1165,
        "rate": "4.4",
        "fields": {"under18": "57.8", "gender_sexuality": "18.3", "loneliness": "6.1"},
        "selectable": 3,
        "serious": 17,
    },
    "inochi": {
        "offered": 813,
        "connected": 489,
        "rate": "60.1",
        "fields": {"under18": "60.0", "over18": "78.4"},
        "field_offered": {"under18": 65},
        "selectable": 2,
        "serious": 12,
    },
}
PERIODS = {
    "trial1": ("07-07", "07-14"),
    "trial2": ("08-30", "09-06"),
    "newyear": ("12-28", "01-04"),
    "inochi": ("12-01", "12-01"),
}


def test_the_data_file_holds_the_four_trials_as_published():
    trials = {t.id: t for t in scenarios.trials()}
    assert list(trials) == ["trial1", "trial2", "newyear", "inochi"]
    for trial_id, expected in PUBLISHED.items():
        t = trials[trial_id]
        assert (t.offered, t.connected, t.answer_rate) == (
            expected["offered"],
            expected["connected"],
            Decimal(expected["rate"]),
        )
        assert t.field_rates == {k: Decimal(v) for k, v in expected["fields"].items()}
        assert t.serious_cases == expected["serious"]
        assert t.fields_selectable == expected["selectable"]
        dates = t.raw["dates"]
        assert (dates["start"], dates["end"]) == PERIODS[trial_id]
        assert dates["year"] is None  # no seed states the year; the scenario's year is an inference
        assert "not stated" in dates["scenario_year_basis"].lower()
        assert (t.first.strftime("%m-%d"), t.last.strftime("%m-%d")) == PERIODS[trial_id]
        assert t.raw["scenario"]["constructed"] is True and t.raw["scenario"]["construction"]


def test_published_totals_give_the_published_rates():
    for expected in PUBLISHED.values():
        assert statistics.answer_rate(expected["connected"], expected["offered"]) == Decimal(expected["rate"])


def test_every_quote_is_in_its_seed_document():
    seeds = _seeds_dir()
    if seeds is None:
        pytest.skip("the seed documents (shared/seeds) are not beside the repository")
    data = scenarios._data()
    checked = 0
    for t in data["trials"]:
        for source in t["sources"]:
            name = data["sources"][source["seed"]]["file"]
            lines = (seeds / name).read_text(encoding="utf-8").split("\n")
            assert lines[source["line"] - 1].strip() == source["quote"], (t["id"], name, source["line"])
            checked += 1
    assert checked >= 40


def test_scenario_counts_reproduce_each_published_field_rate():
    for t in scenarios.trials():
        for code, rate in t.field_rates.items():
            counts = t.scenario_fields[code]
            assert statistics.answer_rate(counts.connected, counts.offered) == rate, (t.id, code)
        for code, offered in t.field_offered.items():
            assert t.scenario_fields[code].offered == offered
        ranking = t.raw["published"].get("field_ranking")
        if ranking:  # the published order of the most chosen fields holds in the scenario
            volumes = {code: c.offered for code, c in t.scenario_fields.items()}
            top = sorted(volumes, key=volumes.get, reverse=True)[: len(ranking)]
            assert top == ranking, t.id


def test_the_plan_is_deterministic_and_adds_up():
    t = scenarios.trial("trial2")
    calls = scenarios.plan(t)
    assert calls == scenarios.plan(t)
    assert len(calls) == 10353
    outcomes = Counter(c.outcome for c in calls)
    assert outcomes[scenarios.ANSWERED] == 1998
    assert outcomes[scenarios.GUIDANCE] == t.unselected
    assert sum(c.serious for c in calls) == 30
    assert all(c.outcome == scenarios.ANSWERED for c in calls if c.serious)
    assert [c.started_at for c in calls] == sorted(c.started_at for c in calls)
    assert {c.started_at.date() for c in calls} == set(t.days)
    assert {c.started_at.hour for c in calls} == set(range(24))  # the trials ran 24 hours a day


@pytest.mark.django_db
@pytest.mark.parametrize("trial_id", list(PUBLISHED))
def test_the_report_reproduces_the_published_answer_rates(trial_id):
    expected = PUBLISHED[trial_id]
    loaded = scenarios.load(trial_id)
    assert loaded.created and loaded.contacts == expected["offered"]
    t = scenarios.trial(trial_id)
    period = stats_selectors.Filter(t.first, t.last)
    report = stats_selectors.report(period)

    assert report.total.offered == expected["offered"]
    assert report.total.connected == expected["connected"]
    assert report.total.answer_rate == Decimal(expected["rate"])
    assert str(report.total.answer_rate) == expected["rate"]
    for code, rate in expected["fields"].items():
        assert report.field(code).answer_rate == Decimal(rate), code
    for code, offered in expected.get("field_offered", {}).items():
        assert report.field(code).offered == offered
    chosen = [r for r in report.by_field if r.key is not None and r.figures.offered]
    assert len(chosen) == expected["selectable"]
    assert [r.key for r in report.by_day] == t.days
    assert all(r.figures.offered for r in report.by_day)
    assert all(r.figures.offered for r in report.by_hour)
    # each field's calls are answered by its own (synthetic) partner body
    assert (
        sum(r.figures.offered for r in report.by_body if r.key is not None)
        == expected["offered"] - t.unselected
    )

    records = stats_selectors.record_summary(period, band_order=scenarios.age_bands())
    assert records.coordinated == expected["serious"]
    assert records.serious == expected["serious"]

    # the same figures for one field through the filter
    code, rate = next(iter(expected["fields"].items()))
    assert stats_selectors.report(
        stats_selectors.Filter(t.first, t.last, field=code)
    ).total.answer_rate == Decimal(rate)


@pytest.mark.django_db
def test_trial1_records_show_the_published_age_and_consultation_types():
    scenarios.load("trial1")
    t = scenarios.trial("trial1")
    summary = stats_selectors.record_summary(
        stats_selectors.Filter(t.first, t.last), band_order=scenarios.age_bands()
    )
    assert summary.records == 3823  # one record per connected call
    # 「中高年の利用が８割」 (中高年 read as 40 and over)
    assert summary.age_share(t.raw["scenario"]["middle_aged_and_older"]) == Decimal("80.0")
    # 「心の病気や不調、自分の悩みを話せる場所がない、暮らし・お金、家庭や家族、同居人との関係、死にたい・消えたい気持ちの順」
    assert [s.key for s in summary.types] == [
        "mental_health",
        "no_place_to_talk",
        "living_money",
        "family",
        "housemates",
        "suicidal_feelings",
    ]
    assert summary.coordinated == 38


def test_scenario_records_are_valid_common_records_without_personal_content():
    form = record_forms.load_form(scenarios.FORM_VERSION)
    codes = list(scenarios.field_definitions())
    for trial_id in ("trial1", "inochi"):
        t = scenarios.trial(trial_id)
        records = scenarios.record_data(t, scenarios.plan(t))
        assert records
        for data in records.values():
            assert form.validate(data, field_codes=codes).ok
            assert data["gender"] == "unknown" and data["summary"] == scenarios.SYNTHETIC_TEXT


@pytest.mark.django_db
def test_loading_twice_changes_nothing():
    first = scenarios.load("inochi")
    again = scenarios.load("inochi")
    assert first.created and not again.created
    assert (again.contacts, again.events, again.records, again.cases) == (
        first.contacts,
        first.events,
        first.records,
        first.cases,
    )
