"""Instrument files: the shipped national and Tottori instruments, and the checker's errors (pure)."""

from __future__ import annotations

import shutil

import pytest
import yaml

from tests.survey.collection_fixtures import TOY, write_toy
from tsunagari.survey import scoring
from tsunagari.survey.instrument import INSTRUMENTS_DIR, InstrumentError, load_file, load_instrument
from tsunagari.survey.published import national_results


def test_national_direct_and_ucla_match_the_scoring_module():
    national = load_instrument("national", 1)
    direct = national.question("direct")
    assert direct.text["ja"] == "あなたはどの程度、孤独であると感じることがありますか。"
    assert {o.code: o.label["ja"] for o in direct.options} == {
        str(k): v.label for k, v in scoring.DIRECT_OPTIONS.items()
    }
    for code in ("ucla_1", "ucla_2", "ucla_3"):
        item = national.question(code)
        assert {o.code: o.label["ja"] for o in item.options} == {
            str(k): v for k, v in scoring.UCLA_ITEM_OPTIONS.items()
        }
    assert (
        national.question("ucla_2").text["ja"] == "あなたは、自分は取り残されていると感じることがありますか。"
    )


def test_national_events_are_the_published_categories_and_multi_answer():
    events = load_instrument("national", 1).question("events")
    published = national_results().tables["events"].categories
    assert events.type == "multi"
    assert [o.code for o in events.options] == [c for c in published if c != "no_answer"]
    assert [o.code for o in events.options if o.exclusive] == ["none"]


def test_only_questions_with_wording_and_all_options_are_asked():
    national = load_instrument("national", 1)
    assert [q.code for q in national.asked] == [
        "direct",
        "ucla_1",
        "ucla_2",
        "ucla_3",
        "events",
        "willingness_to_help",
        "age_band",
    ]
    # the support question's filter is not asked (only 「ある」 is printed), so neither is it
    assert national.question("support").ask_if[0].question == "worries"
    assert not national.question("support").asked
    for question in national.questions:
        if not question.text:
            assert question.gaps, f"{question.code} has no printed wording but no gap is noted"


def test_tottori_extends_the_national_instrument():
    tottori = load_instrument("tottori", 1)
    national = load_instrument("national", 1)
    assert tottori.local_government == "310000"
    assert tottori.extends == ("national", 1)
    assert [q.code for q in tottori.questions[: len(national.questions)]] == [
        q.code for q in national.questions
    ]
    own = tottori.question("tottori_views_on_support")
    assert own.type == "unspecified" and not own.asked and own.gaps
    assert tottori.asked == national.asked


def test_a_local_instrument_may_ask_on_national_answers(tmp_path):
    shutil.copy(INSTRUMENTS_DIR / "national_v1.yaml", tmp_path)
    write_toy(
        tmp_path,
        """
instrument: town
version: 1
extends: {instrument: national, version: 1}
local_government: "312011"
title: {ja: テスト}
questions:
  - code: town_followup
    label: test
    type: single
    text: {ja: 質問}
    ask_if: [{question: direct, any_of: ["4", "5"]}]
    options: [{code: "1", label: {ja: はい}}]
""",
        "town_v1.yaml",
    )
    town = load_instrument("town", 1, tmp_path)
    assert town.question("town_followup").asked


def _problems(tmp_path, change) -> list[str]:
    data = yaml.safe_load(TOY)
    change(data)
    path = write_toy(tmp_path, yaml.safe_dump(data, allow_unicode=True))
    with pytest.raises(InstrumentError) as caught:
        load_file(path)
    for problem in caught.value.problems:
        assert str(path) in problem
    return caught.value.problems


def test_unknown_skip_target_names_file_question_and_key(tmp_path):
    def change(data):
        data["questions"][1]["ask_if"] = [{"question": "nosuch", "any_of": ["1"]}]

    [problem] = _problems(tmp_path, change)
    assert "question 'followup'" in problem and "key 'ask_if'" in problem and "'nosuch'" in problem


def test_condition_on_a_later_question_and_on_a_missing_option(tmp_path):
    def change(data):
        data["questions"][0]["ask_if"] = [{"question": "events", "any_of": ["x"]}]
        data["questions"][1]["ask_if"] = [{"question": "worried", "any_of": ["9"]}]

    problems = _problems(tmp_path, change)
    assert any("'worried'" in p and "comes later" in p for p in problems)
    assert any("'followup'" in p and "'9' is not an option of 'worried'" in p for p in problems)


def test_duplicates_and_bad_keys_are_all_reported(tmp_path):
    def change(data):
        data["questions"][2]["options"].append({"code": "x", "label": {"ja": "重複"}})
        data["questions"].append(dict(data["questions"][0]))
        data["questions"][0]["options"][0]["exclusive"] = True
        data["questions"][1]["wording"] = "?"
        data["questions"][1]["type"] = "free"

    problems = "\n".join(_problems(tmp_path, change))
    assert "question 'events': key 'options[4].code': duplicate option code 'x'" in problems
    assert "question 'worried': key 'code': duplicate question code" in problems
    assert "key 'options[1].exclusive'" in problems
    assert "question 'followup': key 'wording': unknown key" in problems
    assert "question 'followup': key 'type'" in problems


def test_missing_file_and_missing_parent(tmp_path):
    with pytest.raises(InstrumentError, match="no such instrument file"):
        load_instrument("absent", 1, tmp_path)
    write_toy(
        tmp_path,
        "instrument: x\nversion: 1\ntitle: {ja: x}\nextends: {instrument: gone, version: 1}\n"
        "questions: [{code: a, label: a, type: single, text: {ja: a}, options: [{code: '1', label: {ja: a}}]}]\n",
        "x_v1.yaml",
    )
    with pytest.raises(InstrumentError, match="key 'extends'"):
        load_instrument("x", 1, tmp_path)
