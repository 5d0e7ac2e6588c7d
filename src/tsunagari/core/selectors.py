"""Reads of the shared reference data."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from django.db.models import Q

from tsunagari.core import lgcode
from tsunagari.core.models import LocalGovernment
from tsunagari.core.page_cache import cache_seconds
from tsunagari.core.ttl_cache import ttl_cache


@lru_cache(maxsize=1)
def prefectures() -> tuple[tuple[str, str], ...]:
    """(two-digit code, name) of the 47 prefectures in code order (cached: reference data)."""
    rows = LocalGovernment.objects.filter(kind=LocalGovernment.Kind.PREFECTURE).order_by("code")
    return tuple((row.prefecture_code, row.name) for row in rows)


def local_government(code: str | None) -> LocalGovernment | None:
    """The prefecture or municipality of a 6-digit code, or None (kept ``cache_seconds()`` per
    process: reference data; treat it as read-only)."""
    if not code:
        return None
    return _local_government(code)


@ttl_cache(cache_seconds, maxsize=2048)
def _local_government(code: str) -> LocalGovernment | None:
    return LocalGovernment.objects.select_related("parent").filter(code=code).first()


def find_area(prefecture: str, municipality: str) -> tuple[str | None, bool]:
    """The local government code for a prefecture choice and a typed municipality name.

    ``prefecture`` is a two-digit code or empty; ``municipality`` is a name as a person types it
    ("千代田区", "千代田", "札幌市中央区", "ちよだく") or a local government code. Returns (code, found):
    the municipality's code when exactly one matches (within the prefecture when one is given),
    else the prefecture's code (or None) with ``found`` False when a name was typed but not matched.
    """
    pref = prefecture if prefecture in {code for code, _name in prefectures()} else ""
    typed = unicodedata.normalize("NFKC", municipality or "").replace(" ", "").strip()
    fallback = lgcode.prefecture_lgcode(pref) if pref else None
    if not typed:
        return fallback, True
    try:
        code = lgcode.normalize(typed)
    except ValueError:
        code = None
    if code and (not pref or code[:2] == pref) and local_government(code):
        return code, True
    matches = [(gov, names) for gov, names, spellings in _candidates(pref, typed[:1]) if typed in spellings]
    exact = [gov for gov, names in matches if typed in names]
    chosen = exact if exact else [gov for gov, _names in matches]
    if len(chosen) == 1:
        return chosen[0].code, True
    return fallback, False


@ttl_cache(cache_seconds, maxsize=2048)
def _candidates(pref: str, first: str) -> tuple[tuple[LocalGovernment, frozenset[str], frozenset[str]], ...]:
    """Municipalities (in prefecture ``pref`` when given) whose name, reading or city starts with
    ``first``, each with its names and the spellings that match it (``_spellings``). Keyed by one
    character, never by what a person typed; kept ``cache_seconds()``."""
    candidates = LocalGovernment.objects.exclude(kind=LocalGovernment.Kind.PREFECTURE).select_related(
        "parent"
    )
    if pref:
        candidates = candidates.filter(prefecture_code=pref)
    found = candidates.filter(
        Q(name__startswith=first) | Q(name_kana__startswith=first) | Q(parent__name__startswith=first)
    )
    return tuple((gov, frozenset(_names(gov)), _spellings(gov)) for gov in found)


def _names(gov: LocalGovernment) -> set[str]:
    names = {gov.name, str(gov), gov.name_kana}
    if gov.parent is not None:
        names.add(f"{gov.parent.name}{gov.name}")
    return {name for name in names if name}


_SUFFIXES = ("市", "区", "町", "村", "し", "く", "ちょう", "まち", "むら", "そん")


def _spellings(gov: LocalGovernment) -> frozenset[str]:
    """What a person may type for ``gov``: a name, or a name without its 市/区/町/村 suffix."""
    spellings = set()
    for name in _names(gov):
        spellings.add(name)
        spellings.update(name[: -len(suffix)] for suffix in _SUFFIXES if name.endswith(suffix))
    return frozenset(spellings)
