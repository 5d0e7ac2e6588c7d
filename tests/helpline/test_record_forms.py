"""Versioned record form definitions (pure): loading, clear errors, validation, old versions."""

from __future__ import annotations

import copy
import re
import shutil
from pathlib import Path

import pytest
import yaml

from tsunagari.helpline import record_forms
from tsunagari.helpline.record_forms import FormDefinitionError, load_form, parse_form

V1_PATH = record_forms.default_directory() / "v1.yaml"
SEED_000 = sorted(Path("/work/shared/seeds").glob("000_*.txt"))


def v1_raw() -> dict:
    return yaml.safe_load(V1_PATH.read_text(encoding="utf-8"))


def valid_data(**changes) -> dict:
    data = {
        "age_band": "age_40s",
        "gender": "unknown",
        "field": "loneliness",
        "consultation_types": ["no_place_to_talk", "mental_health"],
        "risk": "medium",
        "summary": "  話し相手がいないという相談  ",
        "actions": "傾聴",
        "referral_needed": True,
        "referral_to": "地域包括支援センター",
    }
    data.update(changes)
    return data


def test_shipped_v1_is_current_and_loads():
    assert record_forms.available_versions() == ["v1"]
    assert record_forms.current_version() == "v1"
    form = load_form("v1")
    assert form.version == "v1" and form.number == 1
    assert [f.id for f in form.fields] == [
        "age_band",
        "gender",
        "field",
        "consultation_types",
        "risk",
        "summary",
        "actions",
        "referral_needed",
        "referral_to",
    ]


def test_v1_options_are_the_agreed_ones():
    form = load_form("v1")
    labels = {f.id: [o.label for o in f.options] for f in form.fields}
    assert labels["age_band"] == ["〜19歳", "20代", "30代", "40代", "50代", "60代", "70代〜", "不明"]
    assert labels["gender"] == ["男性", "女性", "その他", "不明"]
    assert labels["consultation_types"] == [
        "心の病気や不調",
        "自分の悩みを話せる場所がない",
        "暮らし・お金",
        "家庭や家族",
        "同居人との関係",
        "死にたい・消えたい気持ち",
        "仕事",
        "学校",
        "その他",
    ]
    assert [o.value for o in form.field("risk").options] == list(record_forms.RISK_LEVELS)


def test_risk_levels_match_the_model():
    from tsunagari.helpline.models import ConsultationRecord

    assert tuple(ConsultationRecord.Risk.values) == record_forms.RISK_LEVELS


@pytest.mark.skipif(not SEED_000, reason="seed 000 is not available")
def test_consultation_types_follow_seed_000_and_the_file_quotes_it():
    seed = re.sub(r"\s+", "", SEED_000[0].read_text(encoding="utf-8"))
    quoted = "相談の類型は、心の病気や不調、自分の悩みを話せる場所がない、暮らし・お金、家庭や家族、同居人との関係、死にたい・消えたい気持ちの順に多かった。"
    assert quoted in seed
    comment = re.sub(
        r"[\s#]+",
        "",
        "".join(line for line in V1_PATH.read_text(encoding="utf-8").splitlines() if line.startswith("#")),
    )
    assert quoted in comment
    seed_order = [
        "心の病気や不調",
        "自分の悩みを話せる場所がない",
        "暮らし・お金",
        "家庭や家族",
        "同居人との関係",
        "死にたい・消えたい気持ち",
    ]
    labels = [o.label for o in load_form("v1").field("consultation_types").options]
    assert labels[:6] == seed_order


def test_valid_data_is_cleaned_to_canonical_form():
    result = load_form("v1").validate(valid_data(consultation_types=["family", "mental_health", "family"]))
    assert result.ok, [e.message for e in result.errors]
    assert result.cleaned["summary"] == "話し相手がいないという相談"
    assert result.cleaned["consultation_types"] == ["mental_health", "family"]  # definition order, once


def test_empty_values_are_canonical():
    data = valid_data(referral_needed=False, referral_to="")
    cleaned = load_form("v1").validate(data).cleaned
    assert cleaned["referral_needed"] is False and cleaned["referral_to"] == ""
    assert load_form("v1").validate({}).cleaned == {
        "age_band": None,
        "gender": None,
        "field": None,
        "consultation_types": [],
        "risk": None,
        "summary": "",
        "actions": "",
        "referral_needed": False,
        "referral_to": "",
    }


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"age_band": ""}, "age_band", "required"),
        ({"age_band": "age_15"}, "age_band", "invalid_choice"),
        ({"gender": 3}, "gender", "invalid_type"),
        ({"consultation_types": []}, "consultation_types", "required"),
        ({"consultation_types": ["loneliness"]}, "consultation_types", "invalid_choice"),
        ({"consultation_types": "family"}, "consultation_types", "invalid_type"),
        ({"risk": "critical"}, "risk", "invalid_choice"),
        ({"summary": "あ" * 2001}, "summary", "max_length"),
        ({"summary": "   "}, "summary", "required"),
        ({"referral_needed": "yes"}, "referral_needed", "invalid_type"),
        ({"referral_to": ""}, "referral_to", "required"),
        ({"referral_needed": False}, "referral_to", "not_applicable"),
        ({"field": "unknown-field"}, "field", "unknown_code"),
        ({"notes": "x"}, "notes", "unknown_field"),
    ],
)
def test_invalid_data_gives_a_field_error(changes, field, code):
    result = load_form("v1").validate(valid_data(**changes), field_codes={"loneliness", "suicide"})
    assert not result.ok
    assert [(e.field, e.code) for e in result.errors] == [(field, code)]


def test_all_problems_are_reported_at_once():
    result = load_form("v1").validate({"age_band": "x", "summary": "あ" * 3000})
    fields = set(result.errors_by_field())
    assert fields == {"age_band", "gender", "field", "consultation_types", "risk", "summary", "actions"}


def test_field_codes_are_only_checked_when_given():
    assert load_form("v1").validate(valid_data(field="anything")).ok


def test_max_choices():
    raw = v1_raw()
    raw["sections"][1]["fields"][1]["max_choices"] = 2
    form = parse_form(raw, "t.yaml")
    result = form.validate(valid_data(consultation_types=["family", "work", "school"]))
    assert [(e.field, e.code, dict(e.params)) for e in result.errors] == [
        ("consultation_types", "max_choices", {"max": 2})
    ]


def test_error_messages_never_contain_the_submitted_value():
    secret = "山田太郎 090-1234-5678"
    data = valid_data(summary=secret * 200, age_band=secret, referral_needed=False, referral_to=secret)
    result = load_form("v1").validate(data)
    assert result.errors
    for error in result.errors:
        assert secret not in error.message and secret not in repr(error)


def test_non_mapping_data_is_an_error():
    result = load_form("v1").validate(["not", "a", "mapping"])
    assert [e.code for e in result.errors] == ["invalid_type"]


# -- malformed definitions: errors name file, section, field and key -----------------------------


def _mutate(path: list, value):
    raw = v1_raw()
    target = raw
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return raw


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("not a mapping", r"^v1\.yaml: expected a mapping"),
        (_mutate(["version"], 1), r"^v1\.yaml: version must look like 'v1'"),
        (_mutate(["title"], KeyError), r"^v1\.yaml: title is required"),
        (_mutate(["sections"], []), r"^v1\.yaml: sections must be a non-empty list"),
        (_mutate(["extra"], 1), r"^v1\.yaml: unknown key\(s\) extra"),
        (_mutate(["sections", 0, "legend"], ""), r"^v1\.yaml: section 'caller': legend is required"),
        (_mutate(["sections", 1, "id"], "caller"), r"^v1\.yaml: section 'caller': duplicate section id"),
        (
            _mutate(["sections", 0, "fields", 1, "id"], "age_band"),
            r"^v1\.yaml: section 'caller', field 'age_band': duplicate field id",
        ),
        (
            _mutate(["sections", 0, "fields", 0, "type"], "radio"),
            r"section 'caller', field 'age_band': type must be one of",
        ),
        (
            _mutate(["sections", 0, "fields", 0, "maxlength"], 3),
            r"field 'age_band': key\(s\) maxlength not allowed for type choice",
        ),
        (
            _mutate(["sections", 0, "fields", 0, "options"], []),
            r"field 'age_band': options must be a non-empty list",
        ),
        (
            _mutate(["sections", 0, "fields", 0, "options", 1, "value"], "under_20"),
            r"field 'age_band', options\[1\]: duplicate option value 'under_20'",
        ),
        (
            _mutate(["sections", 0, "fields", 0, "options", 1, "value"], "20代"),
            r"field 'age_band', options\[1\]: value must be a code",
        ),
        (_mutate(["sections", 0, "fields", 0, "label"], ""), r"field 'age_band': label is required"),
        (
            _mutate(["sections", 0, "fields", 0, "required"], "yes"),
            r"field 'age_band': required must be true or false",
        ),
        (
            _mutate(["sections", 1, "fields", 3, "max_length"], KeyError),
            r"section 'consultation', field 'summary': max_length must be a whole number",
        ),
        (
            _mutate(["sections", 1, "fields", 2, "options", 2, "value"], "severe"),
            r"field 'risk': risk options must be among low, medium, high \(got severe\)",
        ),
        (
            _mutate(["sections", 2, "fields", 2, "required_when"], "actions"),
            r"field 'referral_to': required_when must name a boolean field",
        ),
        (
            _mutate(["sections", 2, "fields", 2, "required_when"], "later_field"),
            r"field 'referral_to': required_when must name an earlier field",
        ),
        (
            _mutate(["sections", 2, "fields", 1, "required"], True),
            r"field 'referral_needed': a boolean cannot be required",
        ),
        (
            _mutate(["sections", 0, "fields", 0, "id"], "Age Band"),
            r"section 'caller', fields\[0\]: every field needs an id",
        ),
    ],
)
def test_malformed_definitions_name_where(raw, message):
    with pytest.raises(FormDefinitionError, match=message):
        parse_form(copy.deepcopy(raw), "v1.yaml")


def test_file_errors_name_the_file(tmp_path):
    (tmp_path / "v2.yaml").write_text("version: v2\ntitle: [unclosed\n", encoding="utf-8")
    with pytest.raises(FormDefinitionError, match=r"^v2\.yaml: not valid YAML"):
        load_form("v2", tmp_path)
    (tmp_path / "v3.yaml").write_text(V1_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(FormDefinitionError, match=r"^v3\.yaml: version is 'v1', expected 'v3'"):
        load_form("v3", tmp_path)
    with pytest.raises(FormDefinitionError, match=r"^v9\.yaml: no such record form version"):
        load_form("v9", tmp_path)
    with pytest.raises(FormDefinitionError, match=r"unknown record form version '\.\./v1'"):
        load_form("../v1", tmp_path)
    with pytest.raises(FormDefinitionError, match="no record form definition"):
        record_forms.current_version(tmp_path / "empty")


# -- versions ------------------------------------------------------------------------------------

V0 = """
version: v0
title: 相談記録票（試行版）
sections:
  - id: main
    legend: 相談
    fields:
      - id: caller_age
        type: choice
        label: 年代（試行版）
        required: true
        options:
          - {value: young, label: 若年}
          - {value: older, label: 中高年}
      - id: memo
        type: text
        label: メモ（試行版）
        max_length: 100
"""


def test_old_versions_stay_loadable_and_the_highest_is_current(tmp_path):
    (tmp_path / "v0.yaml").write_text(V0, encoding="utf-8")
    assert record_forms.current_version(tmp_path) == "v0"
    shutil.copy(V1_PATH, tmp_path / "v1.yaml")
    (tmp_path / "notes.yaml").write_text("ignored: true", encoding="utf-8")
    assert record_forms.available_versions(tmp_path) == ["v0", "v1"]
    assert record_forms.current_version(tmp_path) == "v1"
    old = load_form("v0", tmp_path)
    assert old.validate({"caller_age": "older", "memo": "x"}).ok
    assert not load_form("v1", tmp_path).validate({"caller_age": "older", "memo": "x"}).ok


def test_versions_sort_by_number(tmp_path):
    for number in (2, 10, 1):
        (tmp_path / f"v{number}.yaml").write_text("", encoding="utf-8")
    assert record_forms.available_versions(tmp_path) == ["v1", "v2", "v10"]


def test_describe_lays_out_a_record_by_its_version():
    form = load_form("v1")
    data = form.validate(valid_data()).cleaned | {"legacy_key": "古い値"}
    data["gender"] = "nonexistent_option"
    sections = form.describe(data)
    assert [s.legend for s in sections] == ["相談者について（推定）", "相談の内容", "対応", ""]
    items = {i.id: i for s in sections for i in s.items}
    assert items["age_band"].labels == ("40代",)
    assert items["gender"].unknown and items["gender"].text == "nonexistent_option"
    assert items["consultation_types"].labels == ("心の病気や不調", "自分の悩みを話せる場所がない")
    assert items["referral_needed"].flag is True
    assert items["summary"].text == "話し相手がいないという相談"
    assert items["legacy_key"].unknown and items["legacy_key"].text == "古い値"
