"""The guided conversation as data: validation, step order, answers → criteria (pure)."""

from __future__ import annotations

import copy

import pytest
import yaml

from tsunagari.core.vocabulary import TOPICS
from tsunagari.navigator.flow import FlowError, load_flow, parse_flow

MINIMAL = {
    "version": 1,
    "steps": [
        {
            "id": "age",
            "kind": "single",
            "question": "q",
            "options": [{"id": "a", "label": "l", "sets": {"age": 15}}],
        },
        {"id": "area", "kind": "area", "question": "q"},
    ],
}


def test_shipped_flow_is_valid_and_covers_every_topic():
    flow = load_flow()
    assert [s.id for s in flow.steps] == ["age", "topics", "situation", "channel", "when", "area"]
    offered = {t for s in flow.steps for o in s.options for t in o.topics}
    assert set(TOPICS) <= offered


def test_steps_follow_in_order_and_can_be_skipped():
    flow = load_flow()
    assert flow.next_step(None).id == "age"
    assert flow.next_step("age").id == "topics"
    assert flow.next_step("area") is None
    criteria = flow.criteria({})
    assert criteria.topics == [] and criteria.age is None and not criteria.open_now


def test_answers_become_criteria_with_chosen_topics_first():
    flow = load_flow()
    answers = {
        "age": ["under18"],
        "topics": ["bullying_school", "loneliness"],
        "situation": ["living_alone", "foreign"],
        "channel": ["sns"],
        "when": ["now"],
        "area": ["131016"],
    }
    criteria = flow.criteria(answers, triaged_topics=["family", "loneliness"])
    assert criteria.topics == ["bullying_school", "loneliness", "foreign_resident", "family"]
    assert criteria.audiences == ["under18", "foreign_resident"]
    assert criteria.channels == ["line", "sms", "chat"]
    assert criteria.age == 15 and criteria.open_now and criteria.area == "131016"
    assert not criteria.crisis_chosen
    assert flow.criteria({"topics": ["suicide"]}).crisis_chosen


def test_submitted_values_are_cleaned():
    flow = load_flow()
    assert flow.clean_answer("age", ["age65", "under18"]) == ["age65"]  # single: first valid
    assert flow.clean_answer("topics", ["housing", "nope", "housing"]) == ["housing"]
    assert flow.clean_answer("area", ["  131016 "]) == ["131016"]
    assert flow.clean_answer("nope", ["x"]) == []


def _broken(path: list, value) -> dict:
    data = copy.deepcopy(MINIMAL)
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


@pytest.mark.parametrize(
    "data, message",
    [
        ({"version": 2, "steps": []}, "version: 1"),
        (_broken(["steps", 0, "kind"], "slider"), "step 'age': kind must be one of"),
        (_broken(["steps", 0, "question"], ""), "step 'age': question is required"),
        (_broken(["steps", 0, "options"], []), "step 'age': a single step needs options"),
        (_broken(["steps", 0, "options", 0, "label"], ""), "option 'a': label is required"),
        (
            _broken(["steps", 0, "options", 0, "sets"], {"topics": ["nope"]}),
            "option 'a': sets.topics: unknown code",
        ),
        (_broken(["steps", 0, "options", 0, "sets"], {"colour": 1}), "option 'a': sets has unknown field"),
        (_broken(["steps", 0, "options", 0, "sets"], {"age": 400}), "option 'a': sets.age"),
        (_broken(["steps", 1, "id"], "age"), "step 'age': duplicate step id"),
    ],
)
def test_flow_is_validated_with_clear_errors(data, message):
    with pytest.raises(FlowError, match=message.replace("(", r"\(")):
        parse_flow(data, "flow.yaml")


def test_shipped_file_round_trips_through_yaml():
    from importlib import resources

    raw = yaml.safe_load(resources.files("tsunagari.navigator").joinpath("data/flow.yaml").read_text())
    assert parse_flow(raw) == load_flow()
