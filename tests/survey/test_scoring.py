"""Scoring of the national instrument's answers (seed 000's definitions, 無回答 kept)."""

from __future__ import annotations

import itertools
import math

import pytest

from tsunagari.survey import scoring


def test_direct_question_codes_follow_the_questionnaire():
    labels = [scoring.direct_category(code).label for code in (1, 2, 3, 4, 5)]
    assert labels == ["決してない", "ほとんどない", "たまにある", "時々ある", "しばしばある・常にある"]
    assert scoring.direct_category("4").code == "sometimes"
    assert scoring.direct_category(5.0).code == "often_always"


@pytest.mark.parametrize("missing", [None, "", "  ", math.nan])
def test_missing_answers_are_their_own_category(missing):
    assert scoring.direct_category(missing).label == "無回答"
    assert scoring.ucla_category([1, missing, 2]).label == "無回答"
    assert scoring.willingness_to_help(missing).code == scoring.NO_ANSWER


@pytest.mark.parametrize("bad", [0, 6, 2.5, "x"])
def test_invalid_codes_are_rejected_not_hidden(bad):
    with pytest.raises(ValueError):
        scoring.direct_category(bad)


def test_ucla_total_and_bands_cover_3_to_12():
    totals = {sum(items): scoring.ucla_total(items) for items in itertools.product((1, 2, 3, 4), repeat=3)}
    assert totals == {t: t for t in range(3, 13)}
    bands = {t: scoring.ucla_band(t).code for t in range(3, 13)}
    assert bands == {
        3: "3",
        4: "4-6",
        5: "4-6",
        6: "4-6",
        7: "7-9",
        8: "7-9",
        9: "7-9",
        10: "10-12",
        11: "10-12",
        12: "10-12",
    }
    assert scoring.ucla_band(10).label == "10～12点（常にある）"
    with pytest.raises(ValueError):
        scoring.ucla_band(13)
    with pytest.raises(ValueError):
        scoring.ucla_total([1, 2])
    with pytest.raises(ValueError):
        scoring.ucla_total([1, 2, 5])


def test_relatively_high_group_of_figure_5():
    assert [scoring.direct_group(c) for c in (1, 2, 3, 4, 5, None)] == [
        "low",
        "low",
        "relatively_high",
        "relatively_high",
        "relatively_high",
        "no_answer",
    ]


def test_isolation_indicators():
    assert scoring.contact_never("全くない").code == "never"
    assert scoring.contact_never("月１回未満").code == "some_contact"
    assert scoring.participation(["特に参加はしていない"]).code == "none"
    assert scoring.participation(["スポーツ", ""]).code == "participating"
    assert scoring.participation([]).code == scoring.NO_ANSWER
    with pytest.raises(ValueError):
        scoring.participation(["特に参加はしていない", "スポーツ"])
    assert scoring.support_received("ない", "受けていない").code == scoring.NOT_APPLICABLE
    assert scoring.support_received(None, "受けている").code == scoring.NOT_APPLICABLE
    assert scoring.support_received("ある", "受けていない").code == "not_receiving"
    assert scoring.support_received("ある", None).code == scoring.NO_ANSWER
    assert scoring.willingness_to_help("しようと思う").code == "willing"
    with pytest.raises(ValueError):
        scoring.willingness_to_help("たぶん")
