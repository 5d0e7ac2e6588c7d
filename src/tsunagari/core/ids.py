"""Stable identifiers (pure).

Open Referral HSDS requires UUIDs. Records that arrive with a human key (a curated slug such as
``jp-inochi-no-denwa-navi`` or a CSV-derived key) get a UUID derived from it with UUID v5, so the
same key always gives the same id: re-imports upsert, and exports round-trip.
"""

from __future__ import annotations

import uuid

NAMESPACE = uuid.UUID("5b0c1f1e-8a52-4d4e-9c55-7473756e6167")  # fixed for tsunagari; never change


def stable_uuid(kind: str, key: str) -> str:
    """The UUID (as text) for ``key`` of the given ``kind`` (service, organization, phone…)."""
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{key}"))


def as_uuid(kind: str, key: str) -> str:
    """``key`` itself when it already is a UUID, else ``stable_uuid(kind, key)``."""
    try:
        return str(uuid.UUID(key))
    except (ValueError, AttributeError, TypeError):
        return stable_uuid(kind, key)
