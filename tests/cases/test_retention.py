"""cases.retention: retention periods per record type (pure)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tsunagari.cases.retention import DEFAULT_YEARS, RetentionConfigError, cutoff, parse_years


def test_defaults_and_overrides():
    assert parse_years("") == dict(DEFAULT_YEARS)
    years = parse_years('{"case": 10, "note": 3}')
    assert years["case"] == 10 and years["note"] == 3 and years["assessment"] == DEFAULT_YEARS["assessment"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[1]", "JSON"),
        ("nope", "JSON"),
        ('{"chat": 1}', "unknown record type"),
        ('{"note": 0}', "whole number"),
        ('{"note": true}', "whole number"),
        ('{"note": 2.5}', "whole number"),
        ('{"case": 2, "note": 3}', "longer than the case"),
    ],
)
def test_bad_configuration(text, message):
    with pytest.raises(RetentionConfigError, match=message):
        parse_years(text)


def test_cutoff_subtracts_whole_years():
    assert cutoff(datetime(2026, 5, 1, 12, tzinfo=UTC), 5) == datetime(2021, 5, 1, 12, tzinfo=UTC)
    assert cutoff(datetime(2024, 2, 29, tzinfo=UTC), 1) == datetime(2023, 2, 28, tzinfo=UTC)
