"""cases.record_forms: the shipped assessment form is valid data in the helpline's form format."""

from __future__ import annotations

import pytest

from tsunagari.cases import record_forms
from tsunagari.core.vocabulary import TOPICS


def test_shipped_versions_load():
    assert record_forms.available_versions() == ["v1"]
    assert record_forms.current_version() == "v1"
    form = record_forms.load_form("v1")
    assert form.version == "v1" and form.field("risk").type == "choice"
    # Topic options use the shared vocabulary's codes (plus "other").
    assert {o.value for o in form.field("topics").options} - {"other"} <= set(TOPICS)


def test_consent_scope_is_required_only_with_consent():
    form = record_forms.load_form("v1")
    base = {"topics": ["loneliness"], "risk": "low"}
    assert form.validate(base).ok
    assert [e.code for e in form.validate(base | {"consent_to_share": True}).errors] == ["required"]
    assert [e.code for e in form.validate(base | {"consent_scope": "市"}).errors] == ["not_applicable"]


def test_unknown_version_is_refused():
    with pytest.raises(record_forms.FormDefinitionError):
        record_forms.load_form("v99")
