"""Signed, timestamped JSON tokens in the format of ``django.core.signing.dumps`` and ``loads``.

The navigator signs its conversation on every turn and checks it on the next. Django's signer reads
its settings and derives its HMAC key (SHA-256 of the salt and ``SECRET_KEY``) again for each token,
through several layers of Python; that was about a tenth of a question turn. Here the derived keys are
kept per salt and secret, the MAC starts from SHA-256 states kept per key (:func:`_pads`) and the
token is built directly.

Contract: :func:`dumps` gives what ``signing.dumps(obj, salt=salt, compress=compress)`` gives
(``TimestampSigner``, JSON, SHA-256; compressed at zlib's fastest level, which any zlib reads), and
:func:`loads` accepts exactly what ``signing.loads(token, salt=salt, max_age=max_age)`` accepts —
tokens of either, signed with ``SECRET_KEY`` or one of ``SECRET_KEY_FALLBACKS`` — raising
``signing.BadSignature`` (``signing.SignatureExpired`` when older than ``max_age`` seconds) otherwise.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import zlib
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.signing import BadSignature, SignatureExpired, b62_decode, b62_encode, b64_decode, b64_encode

#: zlib's fastest level: the tokens are a few hundred bytes, where it compresses about as well.
COMPRESS_LEVEL = 1


@lru_cache(maxsize=64)
def _keys(salt: str, secret: str | bytes, fallbacks: tuple[str | bytes, ...]) -> tuple[bytes, ...]:
    """HMAC keys as Django's ``Signer.signature`` derives them (``salted_hmac(salt + "signer", …)``),
    the current secret first."""
    key_salt = (salt + "signer").encode()
    return tuple(
        hashlib.sha256(key_salt + (s if isinstance(s, bytes) else s.encode())).digest()
        for s in (secret, *fallbacks)
    )


def _current_keys(salt: str) -> tuple[bytes, ...]:
    return _keys(salt, settings.SECRET_KEY, tuple(settings.SECRET_KEY_FALLBACKS))


def _mac(key: bytes, value: str) -> bytes:
    """HMAC-SHA256 of ``value`` under ``key``, base64url without padding (Django's signature)."""
    inner, outer = _pads(key)
    mac = inner.copy()
    mac.update(value.encode())
    final = outer.copy()
    final.update(mac.digest())
    return b64_encode(final.digest())


@lru_cache(maxsize=64)
def _pads(key: bytes):
    """SHA-256 states after HMAC's inner and outer key blocks (RFC 2104): a MAC is then two copies
    and two updates. ``hmac.digest`` sets up OpenSSL's HMAC anew for each call, which in a busy page
    process (caches cold) took 26 µs a token instead of ~5."""
    block = key.ljust(64, b"\0")  # keys here are 32-byte SHA-256 digests, shorter than a block
    return (
        hashlib.sha256(bytes(b ^ 0x36 for b in block)),
        hashlib.sha256(bytes(b ^ 0x5C for b in block)),
    )


def dumps(obj: Any, salt: str, compress: bool = False) -> str:
    """``obj`` (JSON-serialisable) as a signed, timestamped token."""
    data = json.dumps(obj, separators=(",", ":")).encode("latin-1")
    prefix = ""
    if compress:
        compressed = zlib.compress(data, COMPRESS_LEVEL)
        if len(compressed) < len(data) - 1:  # as Django decides: only when it saves something
            data, prefix = compressed, "."
    value = f"{prefix}{b64_encode(data).decode()}:{b62_encode(int(time.time()))}"
    return f"{value}:{_mac(_current_keys(salt)[0], value).decode()}"


def loads(token: str, salt: str, max_age: float | None = None) -> Any:
    """The object signed in ``token``; ``BadSignature`` if it was altered or signed with another key or
    salt, ``SignatureExpired`` if it is older than ``max_age`` seconds."""
    value, sep, signature = token.rpartition(":")
    if not sep:
        raise BadSignature('No ":" found in value')
    given = signature.encode()
    if not any(hmac.compare_digest(given, _mac(key, value)) for key in _current_keys(salt)):
        raise BadSignature("Signature does not match")
    value, _sep, stamp = value.rpartition(":")
    if max_age is not None:
        age = time.time() - b62_decode(stamp)
        if age > max_age:
            raise SignatureExpired(f"Signature age {age} > {max_age} seconds")
    compressed = value[:1] == "."
    data = b64_decode(value[1:].encode() if compressed else value.encode())
    return json.loads((zlib.decompress(data) if compressed else data).decode("latin-1"))
