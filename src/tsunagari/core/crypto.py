"""Field-level encryption with AES-256-GCM — pure, no Django.

Contract
--------
A ``Keyring`` holds every known key (key id → 32 bytes) and the id of the *active* key. New values
are always sealed with the active key; a value sealed with any key still in the ring can be opened,
so keys are retired only after ``tsunagari keys rotate`` has moved every value off them.

``seal(ring, plaintext, aad)`` returns a text token ``gcm1:<key id>:<nonce>:<ciphertext>`` (nonce
and ciphertext+tag in unpadded URL-safe base64; a fresh random 96-bit nonce per value). The
associated data ``aad`` is not stored: the caller must give the same bytes to ``open_token``. Use
``associated_data(table, column, row_id)`` so that a token copied to another row or column does
not open (``DecryptionError``). ``open_token`` raises ``DecryptionError`` — never returns garbage —
for an unknown key id, a wrong key, a tampered token or a different ``aad``. Messages name the key
id and the reason, never the plaintext.

Configuration text (``parse_keyring``) is JSON: ``{"active": "<id>", "keys": {"<id>": "<base64 of
32 bytes>", ...}}``; key ids are 1–32 characters of letters, digits, ``_`` and ``-``.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "gcm1"
KEY_BYTES = 32
NONCE_BYTES = 12
KEY_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


class KeyConfigurationError(ValueError):
    """The key configuration is malformed (the message never contains key material)."""


class DecryptionError(ValueError):
    """A token cannot be opened: unknown key, wrong key, tampered or bound to other data."""


@dataclass(frozen=True)
class Keyring:
    keys: Mapping[str, bytes]
    active: str

    def __post_init__(self) -> None:
        for key_id, key in self.keys.items():
            if not isinstance(key_id, str) or not KEY_ID_PATTERN.match(key_id):
                raise KeyConfigurationError(f"invalid key id {key_id!r} (letters, digits, _ and -)")
            if not isinstance(key, bytes) or len(key) != KEY_BYTES:
                raise KeyConfigurationError(f"key {key_id!r} must be {KEY_BYTES} bytes")
        if self.active not in self.keys:
            raise KeyConfigurationError(f"active key {self.active!r} is not among the keys")

    def __repr__(self) -> str:  # never print key material
        return f"Keyring(active={self.active!r}, key_ids={sorted(self.keys)!r})"


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def generate_key() -> str:
    """A new random key, as configuration text (standard base64 of 32 bytes)."""
    return base64.b64encode(os.urandom(KEY_BYTES)).decode("ascii")


def parse_keyring(text: str | bytes | Mapping) -> Keyring:
    """Build a keyring from configuration (JSON text or the decoded mapping)."""
    try:
        data = json.loads(text) if isinstance(text, str | bytes) else text
    except json.JSONDecodeError as exc:
        raise KeyConfigurationError(f"key configuration is not valid JSON (line {exc.lineno})") from None
    if not isinstance(data, Mapping) or not isinstance(data.get("keys"), Mapping):
        raise KeyConfigurationError('key configuration must be {"active": ID, "keys": {ID: base64}}')
    keys = {}
    for key_id, encoded in data["keys"].items():
        try:
            keys[key_id] = base64.b64decode(encoded, validate=True)
        except (binascii.Error, TypeError, ValueError):
            raise KeyConfigurationError(f"key {key_id!r} is not valid base64") from None
    return Keyring(keys, data.get("active"))


def dump_keyring(ring: Keyring) -> str:
    """Configuration text for ``ring`` (contains the keys: keep it secret)."""
    keys = {key_id: base64.b64encode(key).decode("ascii") for key_id, key in sorted(ring.keys.items())}
    return json.dumps({"active": ring.active, "keys": keys}, indent=2) + "\n"


def associated_data(table: str, column: str, row_id: object) -> bytes:
    """The bytes that bind a value to one column of one row (unit separators between parts)."""
    return "\x1f".join((PREFIX, table, column, str(row_id))).encode("utf-8")


def seal(ring: Keyring, plaintext: str, aad: bytes) -> str:
    """Encrypt ``plaintext`` with the active key, bound to ``aad``."""
    if not isinstance(plaintext, str):
        raise TypeError("only text is sealed")
    nonce = os.urandom(NONCE_BYTES)
    ciphertext = AESGCM(ring.keys[ring.active]).encrypt(nonce, plaintext.encode("utf-8"), aad)
    return f"{PREFIX}:{ring.active}:{_b64encode(nonce)}:{_b64encode(ciphertext)}"


def token_key_id(token: str) -> str:
    """The key id a token was sealed with (``DecryptionError`` if it is not a token)."""
    return _split(token)[0]


def _split(token: str) -> tuple[str, bytes, bytes]:
    parts = token.split(":") if isinstance(token, str) else []
    if len(parts) != 4 or parts[0] != PREFIX or not KEY_ID_PATTERN.match(parts[1]):
        raise DecryptionError("not an encrypted value (expected gcm1:<key id>:<nonce>:<ciphertext>)")
    try:
        nonce, ciphertext = _b64decode(parts[2]), _b64decode(parts[3])
    except (binascii.Error, ValueError):
        raise DecryptionError(f"malformed encrypted value (key {parts[1]!r})") from None
    if len(nonce) != NONCE_BYTES or len(ciphertext) < 16:
        raise DecryptionError(f"malformed encrypted value (key {parts[1]!r})")
    return parts[1], nonce, ciphertext


def open_token(ring: Keyring, token: str, aad: bytes) -> str:
    """Decrypt a token made by ``seal`` with the same ``aad``."""
    key_id, nonce, ciphertext = _split(token)
    key = ring.keys.get(key_id)
    if key is None:
        raise DecryptionError(f"unknown key {key_id!r}: add it to the key configuration")
    try:
        plaintext = AESGCM(key).decrypt(nonce, ciphertext, aad)
    except InvalidTag:
        raise DecryptionError(
            f"value does not authenticate under key {key_id!r} (wrong key, tampered, or moved "
            "from another row or column)"
        ) from None
    return plaintext.decode("utf-8")
