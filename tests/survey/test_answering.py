"""Skip logic and answer checking (pure)."""

from __future__ import annotations

import pytest

from tests.survey.collection_fixtures import write_toy
from tsunagari.survey import answering
from tsunagari.survey.instrument import load_file


@pytest.fixture
def toy(tmp_path):
    return load_file(write_toy(tmp_path))


def _codes(questions):
    return [q.code for q in questions]


def test_follow_up_shown_only_after_the_filter_answer(toy):
    assert _codes(answering.shown_questions(toy, {})) == ["worried", "events"]
    assert _codes(answering.shown_questions(toy, {"worried": "1"})) == ["worried", "followup", "events"]
    assert _codes(answering.shown_questions(toy, {"worried": "2"})) == ["worried", "events"]


def test_next_and_previous_follow_the_skip_logic(toy):
    assert answering.next_question(toy, {}, None).code == "worried"
    assert answering.next_question(toy, {"worried": "2"}, "worried").code == "events"
    assert answering.next_question(toy, {"worried": "1"}, "worried").code == "followup"
    assert answering.next_question(toy, {}, "events") is None  # 'undocumented' is never asked
    assert answering.previous_question(toy, {"worried": "2"}, "events").code == "worried"
    assert answering.previous_question(toy, {"worried": "1"}, "events").code == "followup"
    assert answering.previous_question(toy, {}, "worried") is None


def test_clean_answer(toy):
    events = toy.question("events")
    assert answering.clean_answer(events, ["y", "x"]) == (["x", "y"], None)
    assert answering.clean_answer(events, []) == (None, None)
    assert "cannot be chosen together" in answering.clean_answer(events, ["x", "none"])[1]
    assert "is not an option" in answering.clean_answer(events, ["z"])[1]
    worried = toy.question("worried")
    assert answering.clean_answer(worried, "1") == ("1", None)
    assert "takes one answer" in answering.clean_answer(worried, ["1", "2"])[1]


def test_check_answers_reports_every_problem(toy):
    assert answering.check_answers(toy, {"worried": "1", "followup": "a", "events": ["none"]}) == []
    assert answering.check_answers(toy, {}) == []  # every question may be left unanswered (無回答)
    problems = dict(
        answering.check_answers(
            toy,
            {"worried": "2", "followup": "a", "events": ["x", "none"], "undocumented": "p", "nosuch": "1"},
        )
    )
    assert "answered although skipped" in problems["followup"]
    assert "cannot be chosen together" in problems["events"]
    assert "is not asked" in problems["undocumented"]
    assert "is not a question" in problems["nosuch"]


def test_changing_the_filter_drops_the_follow_up(toy):
    answers = {"worried": "2", "followup": "a", "events": ["x"]}
    assert answering.drop_skipped(toy, answers) == {"worried": "2", "events": ["x"]}
