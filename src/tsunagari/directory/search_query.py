"""Turning a search query, and a record's text, into what the index matches (pure; no Django).

A query is split into *terms* (normalised segments, see ``textnorm``). A record matches a term when
it contains any of the term's *variants*: the literal spelling, the SudachiPy normalised form
(つらい → 辛い, ひきこもり → 引き籠もり) and the members of its synonym group. A record must
match every term (AND); variants of one term are alternatives (OR).

Index side, ``expanded_segments`` adds the normalised forms of a record's words to its text so a
record that says つらい is found by 辛い and the other way round.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

from tsunagari.core.japanese import analyze
from tsunagari.directory.textnorm import normalize, segments

MAX_TERMS = 8
MAX_TERM_LENGTH = 40


class SynonymError(ValueError):
    """The synonym file is malformed; the message names the entry."""


@dataclass(frozen=True)
class Term:
    """One query term and the normalised spellings that satisfy it."""

    text: str
    variants: tuple[str, ...]


def _term_variants(segment: str, synonyms: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    variants: dict[str, None] = {segment: None}
    morphemes = analyze(segment)
    # Uninflected words can be swapped for their normalised spelling in place.
    swapped = "".join(m.surface if m.is_inflected else m.normalized for m in morphemes)
    variants.setdefault(normalize(swapped), None)
    content = [m for m in morphemes if m.is_content]
    if len(content) == 1 and content[0].is_inflected:
        variants.setdefault(normalize(content[0].normalized), None)
    for variant in list(variants):
        for synonym in synonyms.get(variant, ()):
            variants.setdefault(synonym, None)
    return tuple(v for v in variants if v)


def parse_query(query: str) -> list[Term]:
    """Terms of ``query`` (at most ``MAX_TERMS``; overlong terms are cut). Empty query → []."""
    synonyms = load_synonyms()
    return [
        Term(text=seg, variants=_term_variants(seg[:MAX_TERM_LENGTH], synonyms))
        for seg in segments(query)[:MAX_TERMS]
    ]


def expanded_segments(text: str) -> list[str]:
    """Segments of ``text`` plus the normalised forms of its words that are spelled differently."""
    result = segments(text)
    joined = " ".join(result)
    extra: dict[str, None] = {}
    folded = normalize(text)
    # Katakana spellings (ヒキコモリ) only get their normalised form when read as hiragana.
    morphemes = analyze(text) + (analyze(folded) if folded != text else ())
    for morpheme in morphemes:
        if not morpheme.is_content:
            continue
        for form in segments(morpheme.normalized):
            if form not in joined:
                extra.setdefault(form, None)
    return result + list(extra)


@lru_cache(maxsize=1)
def load_synonyms() -> dict[str, tuple[str, ...]]:
    """Synonym groups from ``data/search_synonyms.yaml``, keyed by each normalised member."""
    raw = yaml.safe_load(
        resources.files("tsunagari.directory").joinpath("data/search_synonyms.yaml").read_text()
    )
    return build_synonyms(raw)


def build_synonyms(raw: object) -> dict[str, tuple[str, ...]]:
    """Validate a synonym document (``{version: 1, groups: [[...], ...]}``) and index it."""
    if not isinstance(raw, dict) or raw.get("version") != 1 or not isinstance(raw.get("groups"), list):
        raise SynonymError("search_synonyms: expected {version: 1, groups: [[word, ...], ...]}")
    index: dict[str, tuple[str, ...]] = {}
    for number, group in enumerate(raw["groups"]):
        if not isinstance(group, list) or len(group) < 2 or not all(isinstance(w, str) for w in group):
            raise SynonymError(f"search_synonyms: groups[{number}] must be a list of two or more words")
        members = tuple(dict.fromkeys("".join(segments(word)) for word in group))
        for member in members:
            if not member:
                raise SynonymError(f"search_synonyms: groups[{number}] has an empty word")
            if member in index:
                raise SynonymError(
                    f"search_synonyms: groups[{number}]: '{member}' is already in another group"
                )
            index[member] = tuple(m for m in members if m != member)
    return index
