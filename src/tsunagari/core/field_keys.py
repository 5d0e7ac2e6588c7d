"""The field-encryption keyring of this installation, from settings.

Contract
--------
``keyring()`` returns the configured ``crypto.Keyring``: ``settings.TSUNAGARI_FIELD_KEYS`` (JSON
text, from the environment variable of the same name) when set, else the local key file
``settings.TSUNAGARI_FIELD_KEYS_FILE`` (``<data dir>/field_keys.json``, made by ``tsunagari setup``
for development). Neither: ``ImproperlyConfigured`` — values are never written unencrypted and no
key is invented behind the operator's back (a key made silently on one host would leave the other
hosts unable to read). The parsed ring is cached per configuration text, so a changed setting or
file is picked up.

``ensure_local_keyfile()`` creates the local key file (mode 600) when no key is configured;
``add_local_key()`` adds a new key to that file and makes it active (then ``keys rotate``).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from tsunagari.core import crypto


def _configured_text() -> str | None:
    text = getattr(settings, "TSUNAGARI_FIELD_KEYS", "")
    if text:
        return text
    path = Path(settings.TSUNAGARI_FIELD_KEYS_FILE)
    if path.exists():
        return path.read_text(encoding="utf-8")
    return None


@lru_cache(maxsize=4)
def _parse(text: str) -> crypto.Keyring:
    return crypto.parse_keyring(text)


def keyring() -> crypto.Keyring:
    text = _configured_text()
    if text is None:
        raise ImproperlyConfigured(
            "no field encryption keys: set TSUNAGARI_FIELD_KEYS or run `tsunagari setup` "
            "to create a local key file"
        )
    try:
        return _parse(text)
    except crypto.KeyConfigurationError as exc:
        raise ImproperlyConfigured(f"field encryption keys: {exc}") from None


def _write(path: Path, ring: crypto.Keyring) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.touch(mode=0o600)
    tmp.chmod(0o600)
    tmp.write_text(crypto.dump_keyring(ring), encoding="utf-8")
    tmp.replace(path)


def ensure_local_keyfile() -> Path | None:
    """Create the local key file if no keys are configured; returns its path when created."""
    if _configured_text() is not None:
        return None
    path = Path(settings.TSUNAGARI_FIELD_KEYS_FILE)
    _write(path, crypto.parse_keyring({"active": "k1", "keys": {"k1": crypto.generate_key()}}))
    return path


def add_local_key() -> str:
    """Add a key to the local key file and make it active; returns the new key id."""
    if getattr(settings, "TSUNAGARI_FIELD_KEYS", ""):
        raise ImproperlyConfigured(
            "keys come from TSUNAGARI_FIELD_KEYS: add the new key there and make it active"
        )
    path = Path(settings.TSUNAGARI_FIELD_KEYS_FILE)
    ring = keyring()
    number = len(ring.keys) + 1
    while f"k{number}" in ring.keys:
        number += 1
    key_id = f"k{number}"
    keys = {k: crypto.base64.b64encode(v).decode("ascii") for k, v in ring.keys.items()}
    keys[key_id] = crypto.generate_key()
    _write(path, crypto.parse_keyring({"active": key_id, "keys": keys}))
    return key_id
