"""The published member counts: the shipped file loads, its rules catch bad data, and every quoted
line is really at that line of the seed document (when the seeds are at hand)."""

from __future__ import annotations

import copy
import os
import re
from datetime import date
from pathlib import Path

import pytest
import yaml

from tsunagari.network.member_counts import (
    DEFAULT_PATH,
    MemberCountsError,
    load_member_counts,
    parse_member_counts,
    reiwa_date,
)

SEEDS = Path(os.environ.get("TSUNAGARI_SEEDS_DIR", "/work/shared/seeds"))


def _raw():
    return yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))


def test_shipped_counts_are_the_seeds_figures():
    counts = load_member_counts()
    assert [(c.as_of, c.total) for c in counts] == [
        (date(2022, 6, 15), 257),
        (date(2022, 10, 1), 339),
        (date(2024, 4, 1), 559),
        (date(2025, 1, 1), 615),
    ]
    assert counts[-1].by_class == {"member": 407, "cooperating": 161, "supporting": 47}
    assert all(sum(c.by_class.values()) == c.total for c in counts)


@pytest.mark.skipif(not SEEDS.is_dir(), reason="seed documents not available")
def test_every_quote_is_at_its_line_of_the_seed():
    for count in load_member_counts():
        lines = (SEEDS / count.seed_file).read_text(encoding="utf-8").split("\n")
        for quote in (count.total_quote, *count.class_quotes.values()):
            assert "\n".join(lines[n - 1] for n in quote.lines) == quote.text, (count.as_of, quote)


def test_reiwa_dates():
    assert reiwa_date("※会員数257団体（令和４年６月15日時点）") == date(2022, 6, 15)
    assert reiwa_date("令和元年5月1日") == date(2019, 5, 1)
    assert reiwa_date("2022年") is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["counts"][0]["by_class"].update(member=151), "add up to 258, not the total 257"),
        (lambda d: d["counts"][1].update(total=340), "add up to 339, not the total 340"),
        (lambda d: d["counts"][0]["by_class"].pop("supporting"), "counts[0].by_class"),
        (lambda d: d["counts"][0].update(as_of=date(2022, 6, 16)), "令和 date is not 2022-06-16"),
        (lambda d: d["counts"][2]["source"]["member"].update(text="(367)"), "does not state (368)"),
        (lambda d: d["counts"][0]["source"].pop("seed_file"), "counts[0].source"),
        (lambda d: d["counts"][1]["source"]["total"].update(lines=[69]), "one text line per line number"),
        (lambda d: d["counts"].reverse(), "dates must strictly increase"),
        (lambda d: d.update(version=2), "unsupported version"),
        (lambda d: d["counts"][3].update(note="x"), "counts[3]: expected exactly"),
    ],
)
def test_bad_data_is_refused_with_its_path(change, message):
    data = copy.deepcopy(_raw())
    change(data)
    with pytest.raises(MemberCountsError, match=re.escape(message)):
        parse_member_counts(data)
