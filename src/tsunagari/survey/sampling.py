"""Stratified random sampling with proportional allocation, and one‑time access codes (pure).

* :func:`allocate` splits a sample size over strata in proportion to their sizes by the largest
  remainder method (Hamilton): each stratum gets ``floor(n * N_h / N)``, and the units left over go to
  the largest remainders, ties broken by stratum name — the same input always gives the same result.
* :func:`draw` picks, per stratum in sorted order, ``n_h`` of its rows with
  ``random.Random(seed).sample``: the same frame, size and seed always give the same sample.
* :func:`new_access_code` makes an unguessable code from :mod:`secrets` (never from the seed) of
  12 characters from an alphabet without look‑alikes (about 60 bits), printed as ``XXXX-XXXX-XXXX``;
  :func:`normalise_code` accepts it typed with spaces, hyphens, lower case or full‑width characters;
  :func:`hash_code` is the keyed hash (HMAC‑SHA256) that is stored instead of the code.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import secrets
import unicodedata
from collections.abc import Mapping, Sequence

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
CODE_LENGTH = 12


class SamplingError(ValueError):
    """The sample cannot be drawn as asked."""


def allocate(sizes: Mapping[str, int], n: int) -> dict[str, int]:
    """Proportional allocation of ``n`` units over strata of the given ``sizes`` (largest remainder)."""
    total = sum(sizes.values())
    if n < 1:
        raise SamplingError(f"the sample size must be at least 1, got {n}")
    if n > total:
        raise SamplingError(f"the sample size {n} is larger than the frame ({total} rows)")
    quotas = {h: n * size / total for h, size in sizes.items()}
    out = {h: int(q) for h, q in quotas.items()}
    left = n - sum(out.values())
    by_remainder = sorted(sizes, key=lambda h: (-(quotas[h] - out[h]), h))
    for h in by_remainder[:left]:
        out[h] += 1
    return out


def draw(strata: Sequence[str], n: int, seed: int) -> tuple[dict[str, int], list[int]]:
    """The allocation and the drawn row indices (0‑based, ascending) for frame rows in ``strata``.

    ``strata`` gives each frame row's stratum (one value for an unstratified frame).
    """
    rows: dict[str, list[int]] = {}
    for index, stratum in enumerate(strata):
        rows.setdefault(stratum, []).append(index)
    allocation = allocate({h: len(r) for h, r in rows.items()}, n)
    rng = random.Random(seed)
    chosen: list[int] = []
    for stratum in sorted(rows):
        chosen.extend(rng.sample(rows[stratum], allocation[stratum]))
    return dict(sorted(allocation.items())), sorted(chosen)


def new_access_code() -> str:
    """A fresh random access code, ``XXXX-XXXX-XXXX``."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normalise_code(text: str) -> str | None:
    """The code's 12 characters as typed by a person (NFKC, upper case, no spaces/hyphens); ``None`` if malformed."""
    cleaned = unicodedata.normalize("NFKC", text or "").upper()
    cleaned = "".join(ch for ch in cleaned if ch not in " -‐−ー\t")
    if len(cleaned) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in cleaned):
        return None
    return cleaned


def hash_code(code: str, key: bytes) -> str:
    """The stored form of a (normalised) access code: HMAC‑SHA256 under the server's ``key``, hex."""
    return hmac.new(key, code.encode("ascii"), hashlib.sha256).hexdigest()
