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
- ``sort_key``: the first four characters of the name, each mapped to 15 bits by a non-decreasing
  function of the code point (exact for ASCII, kana, CJK ideographs and full-width forms), packed
  into 60 bits, so the index can be read in name order (ties on the key are broken by the full name,
  then the id).
- flags and accepted ages as compact values the index rows carry for filtering.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence

from tsunagari.core.vocabulary import AUDIENCE_AGES, AUDIENCES, CHANNELS, TOPICS
from tsunagari.directory.search_query import expanded_segments
from tsunagari.directory.textnorm import segment_tokens

#: Field weights, best first: name, alternate name, vocabulary labels, organisation, body text.
WEIGHTS = (10, 8, 5, 4, 1)
GROUP_SEPARATOR = "\n"
SEGMENT_SEPARATOR = " "
SORT_KEY_CHARS = 4
_CHAR_BITS = 15
#: (first code point, shift) of code point ranges, in order; a range maps its code points to
#: consecutive values ``>> shift`` (0: one value per character, i.e. exact).
_CHAR_RANGES = [
    (0x0000, 0),  # ASCII and Latin-1
    (0x0100, 6),
    (0x3000, 0),  # CJK punctuation, hiragana, katakana
    (0x3100, 6),
    (0x4E00, 0),  # CJK unified ideographs
    (0xA000, 7),
    (0xFF00, 0),  # full-width forms
    (0x10000, 12),  # supplementary planes
]


def _bases() -> list[int]:
    bases, value = [], 1  # 0 is "no character"
    ends = [start for start, _ in _CHAR_RANGES[1:]] + [0x110000]
    for (start, shift), end in zip(_CHAR_RANGES, ends, strict=True):
        bases.append(value)
        value += ((end - 1 - start) >> shift) + 1
    if value > 2**_CHAR_BITS:
        raise ValueError("sort key character ranges need more than 15 bits")
    return bases


_CHAR_STARTS = [start for start, _ in _CHAR_RANGES]
_CHAR_BASES = _bases()

FLAG_ACTIVE = 1
FLAG_24H = 2
FLAG_FREE = 4
FLAG_CRISIS = 8
#: Age bands (inclusive); a document's flags have bit ``FLAG_AGE_BAND0 << n`` when it accepts some
#: age in band n, so an age filter is checked in the index rows before the exact ranges.
AGE_BANDS = [
    (0, 5),
    (6, 11),
    (12, 14),
    (15, 17),
    (18, 18),
    (19, 22),
    (23, 29),
    (30, 39),
    (40, 64),
    (65, 74),
    (75, 999),
]
FLAG_AGE_BAND0 = 16

#: Bit of each topic / audience / channel code in a document's ``vocab`` mask (index rows carry it
#: so those filters need no lookup). The layout is stored with the index; a change rebuilds it.
VOCABULARY_BITS: dict[str, int] = {
    code: bit
    for bit, code in enumerate(
        [f"topic:{c}" for c in TOPICS]
        + [f"audience:{c}" for c in AUDIENCES]
        + [f"channel:{c}" for c in CHANNELS]
    )
}
if len(VOCABULARY_BITS) > 63:
    raise ValueError("the vocabulary no longer fits a 64-bit mask")
VOCABULARY_LAYOUT = " ".join(VOCABULARY_BITS)

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


def char_value(char: str) -> tuple[int, bool]:
    """A character's 15-bit sort value (non-decreasing in its code point) and whether it is exact
    (no other character has the same value)."""
    code = ord(char)
    n = bisect_right(_CHAR_STARTS, code) - 1
    start, shift = _CHAR_RANGES[n]
    return _CHAR_BASES[n] + ((code - start) >> shift), shift == 0


def sort_key(name: str) -> int:
    """Packs the first ``SORT_KEY_CHARS`` characters of ``name``: a < b implies key(a) <= key(b).

    After a character that shares its value with others, the rest is left out (zero): names that
    differ only in it must not be ordered by what follows.
    """
    key, exact = 0, True
    for i in range(SORT_KEY_CHARS):
        value = 0
        if exact and i < len(name):
            value, exact = char_value(name[i])
        key = (key << _CHAR_BITS) | value
    return key


def flags(
    *, active: bool, is_24h: bool, free: bool, crisis_line: bool, ages: Iterable[tuple[int, int]]
) -> int:
    """The flag bits of a document (``ages``: its accepted age ranges, see ``accepted_ages``)."""
    bits = (
        (FLAG_ACTIVE if active else 0)
        | (FLAG_24H if is_24h else 0)
        | (FLAG_FREE if free else 0)
        | (FLAG_CRISIS if crisis_line else 0)
    )
    for low, high in ages:
        if low > high:  # NO_AGES
            continue
        for number, (band_low, band_high) in enumerate(AGE_BANDS):
            if low <= band_high and band_low <= high:
                bits |= FLAG_AGE_BAND0 << number
    return bits


def age_band_flag(age: int) -> int:
    """The flag bit of the age band containing ``age``."""
    for number, (low, high) in enumerate(AGE_BANDS):
        if low <= age <= high:
            return FLAG_AGE_BAND0 << number
    raise ValueError(f"age {age} is outside 0–{AGE_BANDS[-1][1]}")


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


def vocabulary_mask(codes: Iterable[str]) -> int:
    """The ``vocab`` mask of vocabulary codes (codes without a bit, e.g. languages, are ignored)."""
    mask = 0
    for code in codes:
        if code in VOCABULARY_BITS:
            mask |= 1 << VOCABULARY_BITS[code]
    return mask
