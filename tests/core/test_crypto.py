"""core.crypto: AES-256-GCM sealing bound to a table, column and row (pure, no database)."""

from __future__ import annotations

import base64
import json

import pytest

from tsunagari.core import crypto

K1, K2 = crypto.generate_key(), crypto.generate_key()
RING = crypto.parse_keyring({"active": "k1", "keys": {"k1": K1}})
AAD = crypto.associated_data("cases_section", "body", "row-1")


def test_round_trip_keeps_text_exactly():
    for text in ["", "死にたいと話していた。明日また電話する。", "a\nb\x00c", "🙂" * 1000]:
        token = crypto.seal(RING, text, AAD)
        assert crypto.open_token(RING, token, AAD) == text


def test_token_names_the_key_and_hides_the_plaintext():
    token = crypto.seal(RING, "山田花子", AAD)
    assert token.startswith("gcm1:k1:")
    assert crypto.token_key_id(token) == "k1"
    assert "山田" not in token and "山田".encode() not in base64.urlsafe_b64decode(token.split(":")[3] + "==")


def test_each_seal_uses_a_fresh_nonce():
    tokens = {crypto.seal(RING, "same", AAD) for _ in range(50)}
    assert len(tokens) == 50
    assert len({t.split(":")[2] for t in tokens}) == 50


@pytest.mark.parametrize(
    "other_aad",
    [
        crypto.associated_data("cases_section", "body", "row-2"),  # another row
        crypto.associated_data("cases_section", "data", "row-1"),  # another column
        crypto.associated_data("cases_case", "body", "row-1"),  # another table
        b"",
    ],
)
def test_a_value_moved_elsewhere_does_not_open(other_aad):
    token = crypto.seal(RING, "secret", AAD)
    with pytest.raises(crypto.DecryptionError, match="does not authenticate"):
        crypto.open_token(RING, token, other_aad)


def test_wrong_key_under_the_same_id_fails_loudly():
    token = crypto.seal(RING, "secret", AAD)
    impostor = crypto.parse_keyring({"active": "k1", "keys": {"k1": K2}})
    with pytest.raises(crypto.DecryptionError, match="'k1'"):
        crypto.open_token(impostor, token, AAD)


def test_unknown_key_id_fails_loudly():
    token = crypto.seal(RING, "secret", AAD)
    other = crypto.parse_keyring({"active": "k2", "keys": {"k2": K2}})
    with pytest.raises(crypto.DecryptionError, match="unknown key 'k1'"):
        crypto.open_token(other, token, AAD)


def test_relabelled_key_id_fails():
    both = crypto.parse_keyring({"active": "k1", "keys": {"k1": K1, "k2": K2}})
    token = crypto.seal(both, "secret", AAD)
    with pytest.raises(crypto.DecryptionError):
        crypto.open_token(both, token.replace("gcm1:k1:", "gcm1:k2:"), AAD)


@pytest.mark.parametrize("part", [2, 3])
def test_any_flipped_bit_fails(part):
    token = crypto.seal(RING, "secret text", AAD)
    pieces = token.split(":")
    raw = bytearray(base64.urlsafe_b64decode(pieces[part] + "=" * (-len(pieces[part]) % 4)))
    for index in range(len(raw)):
        tampered = bytearray(raw)
        tampered[index] ^= 0x01
        pieces[part] = base64.urlsafe_b64encode(bytes(tampered)).rstrip(b"=").decode()
        with pytest.raises(crypto.DecryptionError):
            crypto.open_token(RING, ":".join(pieces), AAD)


@pytest.mark.parametrize("token", ["", "plain text", "gcm1:k1:abc", "gcm1:k1:!!:??", "gcm2:k1:AAAA:AAAA"])
def test_malformed_tokens_are_refused(token):
    with pytest.raises(crypto.DecryptionError):
        crypto.open_token(RING, token, AAD)


def test_old_keys_stay_readable_after_a_new_key_becomes_active():
    old = crypto.seal(RING, "before", AAD)
    rotated = crypto.parse_keyring({"active": "k2", "keys": {"k1": K1, "k2": K2}})
    new = crypto.seal(rotated, "after", AAD)
    assert crypto.token_key_id(new) == "k2"
    assert crypto.open_token(rotated, old, AAD) == "before"
    assert crypto.open_token(rotated, new, AAD) == "after"


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("not json", "not valid JSON"),
        ({"keys": {"k1": K1}}, "active key None"),
        ({"active": "k9", "keys": {"k1": K1}}, "active key 'k9'"),
        ({"active": "k1", "keys": {"k1": "%%%"}}, "not valid base64"),
        ({"active": "k1", "keys": {"k1": base64.b64encode(b"short").decode()}}, "32 bytes"),
        ({"active": "a:b", "keys": {"a:b": K1}}, "invalid key id"),
        ([1, 2], "must be"),
    ],
)
def test_bad_configuration_is_refused_without_showing_keys(config, message):
    with pytest.raises(crypto.KeyConfigurationError, match=message) as error:
        crypto.parse_keyring(json.dumps(config) if not isinstance(config, str) else config)
    assert K1 not in str(error.value)


def test_keyring_repr_and_dump():
    ring = crypto.parse_keyring({"active": "k2", "keys": {"k1": K1, "k2": K2}})
    assert K1 not in repr(ring) and "k2" in repr(ring)
    assert crypto.parse_keyring(crypto.dump_keyring(ring)) == ring
