"""Signed, timestamped JSON tokens in the format of ``django.core.signing.dumps`` and ``loads``.

The navigator signs its conversation on every turn and checks it on the next. Django's signer reads
its settings and derives its HMAC key (SHA-256 of the salt and ``SECRET_KEY``) again for each token,
through several layers of Python; that was about a tenth of a question turn. Here the derived keys are
kept per salt and secret as the SHA-256 states a MAC starts from (:func:`_pads`) and the token is
built directly.

Contract: :func:`dumps` gives what ``signing.dumps(obj, salt=salt)`` gives (``TimestampSigner``,
JSON, SHA-256, not compressed), and :func:`loads` accepts exactly what ``signing.loads(token,
salt=salt, max_age=max_age)`` accepts — Django's tokens too, compressed or not — signed with
``SECRET_KEY`` or one of ``SECRET_KEY_FALLBACKS``, raising ``signing.BadSignature``
(``signing.SignatureExpired`` when older than ``max_age`` seconds) otherwise.
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


@lru_cache(maxsize=64)
def _pads(salt: str, secret: str | bytes, fallbacks: tuple[str | bytes, ...]) -> tuple[tuple, ...]:
    """For the current secret first, then each fallback: the SHA-256 states after HMAC's inner and
    outer key blocks (RFC 2104), the key derived as Django's ``Signer.signature`` derives it
    (``salted_hmac(salt + "signer", …)``). A MAC is then two copies and two updates; ``hmac.digest``
    set OpenSSL's HMAC up anew for each call, which in a busy page process (caches cold) took 26 µs
    a token instead of ~5."""
    key_salt = (salt + "signer").encode()
    pads = []
    for s in (secret, *fallbacks):
        key = hashlib.sha256(key_salt + (s if isinstance(s, bytes) else s.encode())).digest()
        block = key.ljust(64, b"\0")  # a 32-byte digest: shorter than SHA-256's block
        pads.append(
            (hashlib.sha256(bytes(b ^ 0x36 for b in block)), hashlib.sha256(bytes(b ^ 0x5C for b in block)))
        )
    return tuple(pads)


def _current_pads(salt: str) -> tuple[tuple, ...]:
    return _pads(salt, settings.SECRET_KEY, tuple(settings.SECRET_KEY_FALLBACKS))


def _mac(pads: tuple, value: str) -> bytes:
    """HMAC-SHA256 of ``value`` from a key's ``pads``, base64url without padding (Django's signature)."""
    inner, outer = pads
    mac = inner.copy()
    mac.update(value.encode())
    final = outer.copy()
    final.update(mac.digest())
    return b64_encode(final.digest())


def dumps(obj: Any, salt: str) -> str:
    """``obj`` (JSON-serialisable) as a signed, timestamped token."""
    data = json.dumps(obj, separators=(",", ":")).encode("latin-1")
    value = f"{b64_encode(data).decode()}:{b62_encode(int(time.time()))}"
    return f"{value}:{_mac(_current_pads(salt)[0], value).decode()}"


def loads(token: str, salt: str, max_age: float | None = None) -> Any:
    """The object signed in ``token``; ``BadSignature`` if it was altered or signed with another key or
    salt, ``SignatureExpired`` if it is older than ``max_age`` seconds."""
    value, sep, signature = token.rpartition(":")
    if not sep:
        raise BadSignature('No ":" found in value')
    given = signature.encode()
    if not any(hmac.compare_digest(given, _mac(pads, value)) for pads in _current_pads(salt)):
        raise BadSignature("Signature does not match")
    value, _sep, stamp = value.rpartition(":")
    if max_age is not None:
        age = time.time() - b62_decode(stamp)
        if age > max_age:
            raise SignatureExpired(f"Signature age {age} > {max_age} seconds")
    compressed = value[:1] == "."
    data = b64_decode(value[1:].encode() if compressed else value.encode())
    return json.loads((zlib.decompress(data) if compressed else data).decode("latin-1"))
