"""The search document of a service and everything derived from it (pure; no Django).

A service is indexed as one *document*:

- ``text``: the normalised segments of its fields, grouped by field weight (``WEIGHTS``, best
  first), groups separated by a newline and segments by a space. Matching is defined on it: a
  service matches a term when some variant of the term is a substring of ``text``.
- *postings*: every character and character bigram of the text with the best weight of the groups
  it occurs in (``postings``). They are derived from ``text`` alone, so the index rows of a stored
  document can always be recomputed (and deleted exactly) from the stored text.
- ``score``: for each term, the best weight of a group that contains one of its variants; summed
  over terms. A one- or two-character variant's weight is exactly its posting's weight; a longer
  variant's weight is at most the weight of each of its bigrams' postings. The search relies on
  both facts to stop reading the index early.
- ``sort_key``: the first three code points of the name packed into 63 bits, so the index can
  be read in name order (ties on the key are broken by the full name, then the id).
- flags and accepted ages as compact values the index rows carry for filtering.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from tsunagari.core.vocabulary import AUDIENCE_AGES
from tsunagari.directory.search_query import expanded_segments
from tsunagari.directory.textnorm import segment_tokens

#: Field weights, best first: name, alternate name, vocabulary labels, organisation, body text.
WEIGHTS = (10, 8, 5, 4, 1)
GROUP_SEPARATOR = "\n"
SEGMENT_SEPARATOR = " "
SORT_KEY_CHARS = 3
_CODE_POINT_BITS = 21

FLAG_ACTIVE = 1
FLAG_24H = 2
FLAG_FREE = 4
FLAG_CRISIS = 8

#: Highest age the filters know about; "no upper limit" is stored as this.
AGE_MAX = 999
#: Stored for a service that accepts no age at all (an empty range never matches).
NO_AGES = (1, 0)


def build_text(fields: Iterable[tuple[str, int]]) -> str:
    """The document text of (text, weight) fields; every weight must be one of ``WEIGHTS``."""
    groups: dict[int, list[str]] = {weight: [] for weight in WEIGHTS}
    for text, weight in fields:
        if weight not in groups:
            raise ValueError(f"unknown field weight {weight}; expected one of {WEIGHTS}")
        groups[weight].extend(expanded_segments(text))
    return GROUP_SEPARATOR.join(SEGMENT_SEPARATOR.join(groups[weight]) for weight in WEIGHTS)


def text_groups(text: str) -> list[tuple[int, str]]:
    """(weight, group text) pairs of a document text, best weight first."""
    return list(zip(WEIGHTS, text.split(GROUP_SEPARATOR), strict=False))


def postings(text: str) -> dict[str, int]:
    """Index tokens (characters and bigrams) of a document text with their best group weight."""
    tokens: dict[str, int] = {}
    for weight, group in text_groups(text):
        for segment in group.split(SEGMENT_SEPARATOR):
            for token in segment_tokens(segment):
                tokens.setdefault(token, weight)  # groups come best first
    return tokens


def variant_weight(groups: Sequence[tuple[int, str]], variant: str) -> int:
    """The best weight of a group containing ``variant``; 0 when none does."""
    for weight, group in groups:
        if variant in group:
            return weight
    return 0


def score(text: str, terms: Sequence[Sequence[str]]) -> int | None:
    """Sum over terms (each a list of variants) of the best variant weight; None if a term misses."""
    groups = text_groups(text)
    total = 0
    for variants in terms:
        best = max((variant_weight(groups, v) for v in variants), default=0)
        if not best:
            return None
        total += best
    return total


def sort_key(name: str) -> int:
    """Packs the first ``SORT_KEY_CHARS`` code points of ``name``: a < b implies key(a) <= key(b)."""
    key = 0
    for i in range(SORT_KEY_CHARS):
        key = (key << _CODE_POINT_BITS) | (ord(name[i]) if i < len(name) else 0)
    return key


def flags(*, active: bool, is_24h: bool, free: bool, crisis_line: bool) -> int:
    """The flag bits of a document."""
    return (
        (FLAG_ACTIVE if active else 0)
        | (FLAG_24H if is_24h else 0)
        | (FLAG_FREE if free else 0)
        | (FLAG_CRISIS if crisis_line else 0)
    )


def accepted_ages(
    minimum_age: int | None, maximum_age: int | None, audience_codes: Iterable[str]
) -> list[tuple[int, int]]:
    """The ages a service accepts as at most two inclusive ranges (``[NO_AGES]`` when none).

    A service accepts an age within its own limits and, if it names age-defined audiences
    (``AUDIENCE_AGES``), within one of theirs. The vocabulary's ranges merge into at most two
    ranges (a test checks every combination); more would raise ``ValueError``.
    """
    low = max(0, minimum_age or 0)
    high = min(AGE_MAX, AGE_MAX if maximum_age is None else maximum_age)
    ranges = sorted(AUDIENCE_AGES[c] for c in set(audience_codes) if c in AUDIENCE_AGES) or [(0, AGE_MAX)]
    merged: list[list[int]] = []
    for start, end in ranges:
        if merged and start <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    result = [(max(s, low), min(e, high)) for s, e in merged if max(s, low) <= min(e, high)]
    if len(result) > 2:
        raise ValueError(f"accepted ages {result} need more than two ranges")
    return result or [NO_AGES]
