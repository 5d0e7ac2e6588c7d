"""Text normalisation and n-gram tokens for Japanese search (pure; no Django).

The same functions build the index and read queries, so both sides always agree:

- ``normalize``: NFKC (full-width → half-width, ｶﾀｶﾅ → カタカナ), case-folding, katakana → hiragana.
- ``segments``: normalised runs of word characters; punctuation and spaces split them so that no
  token spans two words or fields.
- ``segment_tokens``: every character and every character bigram of a segment, so one- and
  two-character queries are a single index lookup.
"""

from __future__ import annotations

import re
import unicodedata

_WORD_RUN = re.compile(r"\w+")
_KATAKANA_START, _KATAKANA_END = ord("ァ"), ord("ヶ")
_KATA_TO_HIRA = {code: code - 0x60 for code in range(_KATAKANA_START, _KATAKANA_END + 1)}


def normalize(text: str) -> str:
    """NFKC, case-fold and fold katakana into hiragana. Spacing and punctuation are kept."""
    return unicodedata.normalize("NFKC", text or "").casefold().translate(_KATA_TO_HIRA)


def segments(text: str) -> list[str]:
    """Normalised runs of word characters (kanji, kana, letters, digits, ー) in order."""
    return _WORD_RUN.findall(normalize(text).replace("_", " "))


def segment_tokens(segment: str) -> set[str]:
    """Every character (unigram) and every character bigram of ``segment``."""
    return set(segment) | {segment[i : i + 2] for i in range(len(segment) - 1)}


def query_bigrams(segment: str) -> list[str]:
    """The bigrams a query segment of two or more characters must all match, in order, deduplicated."""
    seen: dict[str, None] = {}
    for i in range(len(segment) - 1):
        seen.setdefault(segment[i : i + 2], None)
    return list(seen)
