"""core.signed_tokens: the tokens of django.core.signing, both ways, and everything it refuses."""

from __future__ import annotations

import time

import pytest
from django.core import signing

from tsunagari.core import signed_tokens

SALT = "tests.signed_tokens"
OBJ = {"answers": {"age": ["age30_64"], "topics": ["poverty", "housing"]}, "crisis": False, "step": "channel"}
LONG = {**OBJ, "counted": [f"step:{i}" for i in range(40)]}  # long enough to be compressed


@pytest.mark.parametrize("obj", [OBJ, LONG, [], "テキスト", 42])
@pytest.mark.parametrize("compress", [False, True])
def test_django_reads_our_tokens_and_we_read_djangos(obj, compress):
    ours = signed_tokens.dumps(obj, SALT)
    theirs = signing.dumps(obj, salt=SALT, compress=compress)
    assert signing.loads(ours, salt=SALT, max_age=60) == obj
    assert signed_tokens.loads(theirs, SALT, max_age=60) == obj
    assert signed_tokens.loads(ours, SALT, max_age=60) == obj
    assert not ours.startswith(".")  # ours are never compressed
    if compress and obj is LONG:
        assert theirs.startswith(".")  # a compressed token of Django's is read too


def test_an_uncompressed_token_is_djangos_to_the_character(monkeypatch):
    monkeypatch.setattr(time, "time", lambda: 1_800_000_000.5)
    assert signed_tokens.dumps(OBJ, SALT) == signing.dumps(OBJ, salt=SALT)


def _altered(token: str, at: int) -> str:
    return token[:at] + ("A" if token[at] != "A" else "B") + token[at + 1 :]


@pytest.mark.parametrize("at", [0, 5, -50, -1])
@pytest.mark.parametrize("compressed", [False, True])
def test_an_altered_token_is_refused(at, compressed):
    token = signing.dumps(LONG, salt=SALT, compress=True) if compressed else signed_tokens.dumps(LONG, SALT)
    with pytest.raises(signing.BadSignature):
        signed_tokens.loads(_altered(token, at), SALT)


@pytest.mark.parametrize("token", ["", "no-separator", ":", "a:b:c", "テキスト:テキスト"])
def test_garbage_is_refused(token):
    with pytest.raises(signing.BadSignature):
        signed_tokens.loads(token, SALT)


def test_another_salt_or_secret_is_refused(settings):
    token = signed_tokens.dumps(OBJ, SALT)
    with pytest.raises(signing.BadSignature):
        signed_tokens.loads(token, SALT + ".other")
    settings.SECRET_KEY = "another secret key, long enough to be one " * 2
    with pytest.raises(signing.BadSignature):
        signed_tokens.loads(token, SALT)


def test_a_token_of_a_rotated_secret_is_read_from_the_fallbacks(settings):
    old = signed_tokens.dumps(OBJ, SALT)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "the new secret key, long enough to be one " * 2
    assert signed_tokens.loads(old, SALT) == OBJ
    assert signing.loads(signed_tokens.dumps(OBJ, SALT), salt=SALT) == OBJ  # signed with the new one
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(signing.BadSignature):
        signed_tokens.loads(old, SALT)


def test_an_old_token_has_expired(monkeypatch):
    token = signed_tokens.dumps(OBJ, SALT)
    assert signed_tokens.loads(token, SALT, max_age=100) == OBJ
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 101)
    with pytest.raises(signing.SignatureExpired):
        signed_tokens.loads(token, SALT, max_age=100)
    assert signed_tokens.loads(token, SALT) == OBJ  # no max_age: no limit
