"""The signed conversation token: every field survives the round trip; forged and expired tokens fail."""

import dataclasses
import time

import pytest
from django.core import signing

from tsunagari.navigator import conversation as conversation_module
from tsunagari.navigator.conversation import Conversation


def _filled() -> Conversation:
    """A conversation with no field at its default value (a field forgotten by ``dumps`` shows)."""
    values = {
        "answers": {"age": ["under18"], "topics": ["loneliness", "money"]},
        "triaged": ["work"],
        "crisis": True,
        "step": "area",
        "teen": True,
        "counted": ["start", "topics"],
    }
    defaults = Conversation()
    for field in dataclasses.fields(Conversation):
        assert field.name in values, f"add {field.name} to this test"
        assert values[field.name] != getattr(defaults, field.name)
    return Conversation(**values)


def test_every_field_survives_the_token():
    original = _filled()
    assert Conversation.loads(original.dumps()) == original


def test_the_token_does_not_share_lists_with_the_conversation():
    original = _filled()
    token = original.dumps()
    original.answers["age"].append("changed")
    assert Conversation.loads(token).answers["age"] == ["under18"]


def test_an_altered_token_is_refused():
    token = _filled().dumps()
    with pytest.raises(signing.BadSignature):
        Conversation.loads(token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1])


def test_an_old_token_is_refused(monkeypatch):
    token = _filled().dumps()
    later = time.time() + conversation_module.MAX_AGE + 5
    monkeypatch.setattr(time, "time", lambda: later)
    with pytest.raises(signing.SignatureExpired):
        Conversation.loads(token)
