"""Tests for tsunagari.navigator.regex_starts and the crisis check's use of it (pure: no Django).

The start characters must be exact or None: a character missing from a set would hide a crisis sign.
So besides small cases, every match of every bundled crisis pattern in the labelled corpora must
start with one of its pattern's characters, and the detection must give the same result with the
pre-check as with every pattern searched.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
import yaml

from tsunagari.navigator import crisis
from tsunagari.navigator.crisis import PatternSet, default_patterns, detect_crisis, normalize
from tsunagari.navigator.regex_starts import MAX_RANGE, first_characters

HERE = Path(__file__).parent


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("abc", "a"),
        ("a|b|cd", "abc"),
        ("(?:x|y)z", "xy"),
        ("x?y", "xy"),  # an optional item lets the next one start the match
        ("x*y+z", "xy"),
        ("(?:a?b?)c", "abc"),
        ("(?:ab){0,2}c", "ac"),
        (r"\bfoo", "f"),  # anchors and assertions are zero-width
        ("^(?=q)qr", "q"),
        ("(?<=x)y", "y"),
        ("(?<!x)y", "y"),
        ("(?!a)[a-c]d", "abc"),
        ("[ぁ-ぃ]た", "ぁあぃ"),
        ("(?>ab|c)", "ac"),
        ("死(?:に|ぬ)たい|しにたい", "死し"),
        ("x{0,3}?y", "xy"),
    ],
)
def test_first_characters(pattern, expected):
    assert first_characters(re.compile(pattern)) == frozenset(expected)


def test_decimal_digits_count_every_unicode_digit():
    starts = first_characters(re.compile(r"\d+錠"))
    assert {"0", "9", "٣", "४", "３"} <= starts  # ASCII, Arabic-Indic, Devanagari, full width
    assert "a" not in starts and "錠" not in starts


@pytest.mark.parametrize(
    "pattern",
    [
        "a*",  # can match the empty string
        "(?:a|)",
        "(?=a)",
        ".a",
        "[^a]b",
        r"\wb",
        r"\sb",
        r"(a)?\1b",  # a back-reference that may start the match
        "(?i)abc",  # case-insensitive: other cases would start a match too
        "(?i:a)b",
        f"[\\u0000-\\u{MAX_RANGE + 1:04x}]",  # too large a range to be worth a set
        "(a)?(?(1)b|c)",
    ],
)
def test_unknown_starts_are_none(pattern):
    assert first_characters(re.compile(pattern)) is None


def test_ignorecase_flag_is_none():
    assert first_characters(re.compile("abc", re.IGNORECASE)) is None


def _corpus_texts() -> list[str]:
    texts = []
    data = yaml.safe_load((HERE / "crisis_corpus.yaml").read_text(encoding="utf-8"))
    for section in ("positives", "holdout_positives"):
        for categories in data[section].values():
            for items in categories.values():
                texts += items
    for items in data["negatives"].values():
        texts += items
    triage = yaml.safe_load((HERE / "triage_corpus.yaml").read_text(encoding="utf-8"))
    texts += [item["text"] for item in triage["messages"]]
    return texts


TEXTS = _corpus_texts()


def test_every_match_starts_with_a_listed_character():
    patterns = default_patterns()
    every = patterns.signals + patterns.suppressions
    assert sum(p.first is not None for p in every) >= 0.9 * len(every)  # the pre-check does its job
    checked = 0
    for text in TEXTS:
        normalized = normalize(text)
        for pattern in every:
            if pattern.first is None:
                continue
            for start, _end in crisis._spans(pattern.regex, normalized):
                assert normalized[start] in pattern.first, (pattern.id, text)
                checked += 1
    assert checked > 500


def test_detection_is_the_same_with_every_pattern_searched():
    patterns = default_patterns()
    unfiltered = PatternSet(
        patterns.version,
        tuple(dataclasses.replace(p, first=None) for p in patterns.signals),
        tuple(dataclasses.replace(p, first=None) for p in patterns.suppressions),
    )
    mixed = [f"{a} {b}" for a, b in zip(TEXTS, reversed(TEXTS), strict=True)][:400]  # scripts mixed
    for text in TEXTS + mixed:
        assert detect_crisis(text, patterns) == detect_crisis(text, unfiltered), text


def test_patterns_for_other_scripts_are_skipped():
    patterns = default_patterns()
    present = set(normalize("最近ずっと眠れなくて仕事にも行けない"))
    searched = [p for p in patterns.signals if p.may_match(present)]
    assert all(p.language in ("ja", "zh") for p in searched)
    assert len(searched) < len(patterns.signals) / 2
