"""Free-text triage: which topics of the shared vocabulary a message is about (pure; no Django).

Contract
--------
``triage(text, lang=None)`` returns a :class:`TriageResult`: the crisis check of
``navigator.crisis`` (always run, never switched off) and the topic codes the message points to,
best first, with their scores. ``lang`` (an ISO 639-1 code of the product's languages) limits the
lexicon to that language plus Japanese (people mix them); without it every language is tried.

Method: the SudachiPy-normalised lexicon ``data/triage_lexicon.yaml`` (versioned, validated at load).
The message and the entries are normalised alike (NFKC, case-folding, katakana → hiragana). A
message is also read as the concatenation of its words' SudachiPy normal forms, where Japanese entries
in dictionary form are looked for too (さみしくて finds 寂しい, おかねがない finds お金がない), and
without Latin diacritics, where Vietnamese entries of several syllables are looked for too (people
type "khong co tien"). A Japanese entry is also looked for as its kana reading (やさしい日本語 and
young people write 借金 as しゃっきん), when the reading has at least ``MIN_READING`` kana. English entries match at a word start, Vietnamese ones as whole syllables. A topic's score sums the weights of its matched entries (an entry found inside a longer
matched entry of the same topic counts once). Topics scoring at least ``STRONG`` are returned; if
none does, those scoring at least 1 (at most ``MAX_TOPICS``). A crisis about suicide, self-harm or
overdose always puts ``suicide`` first.

Privacy: the result holds codes and scores only, never the message; nothing is logged.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from tsunagari.core.japanese import analyze
from tsunagari.core.vocabulary import TOPICS
from tsunagari.directory.textnorm import normalize as normalize_ja
from tsunagari.navigator.crisis import CrisisResult, detect_crisis

LANGUAGES = ("ja", "en", "zh", "ko", "vi")
STRONG = 2
#: Kana readings of Japanese entries are matched when at least this long (shorter ones collide).
MIN_READING = 3
MAX_TOPICS = 5
SUICIDE_CATEGORIES = frozenset({"suicide", "self_harm", "overdose"})


class LexiconError(ValueError):
    """The lexicon file is malformed; the message names the topic, language and entry."""


@dataclass(frozen=True)
class Entry:
    topic: str
    language: str
    forms: tuple[tuple[str, str], ...]  # (message form it is looked for in, normalised spelling)
    weight: int
    word_start: bool  # English and Vietnamese: must not follow a letter
    word_end: bool  # Vietnamese: must not be followed by a letter


@dataclass(frozen=True)
class TriageResult:
    topics: tuple[str, ...]
    scores: dict[str, int] = field(default_factory=dict)
    crisis: CrisisResult = field(default_factory=lambda: CrisisResult(False))


def _unaccent_latin(text: str) -> str:
    out = []
    for ch in text:
        if ch in "đĐ":
            out.append("d")
        elif "LATIN" in unicodedata.name(ch, ""):
            out.append("".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c)))
        else:
            out.append(ch)
    return "".join(out)


def normalize(text: str) -> str:
    """NFKC, case-fold, katakana → hiragana, spaces squeezed (the "plain" form)."""
    return " ".join(normalize_ja(text).split())


def _lemma_form(text: str, strict: bool) -> str:
    """The text as its words' SudachiPy normal forms, concatenated and normalised.

    ``strict`` (for lexicon entries): None when a word is conjugated away from its dictionary form
    (死のう → 死ぬ would match every 死ぬ); the literal spelling is matched then.
    """
    parts = []
    for m in analyze(text):
        if strict and m.is_inflected and m.surface != m.dictionary:
            return ""
        parts.append(m.normalized)
    return normalize("".join(parts))


def message_forms(text: str) -> dict[str, str]:
    """The forms of a message the entries are looked for in: plain, compact (no spaces: やさしい日本語
    puts spaces between words), unaccented (Latin letters without diacritics), lemma."""
    plain = normalize(text)
    return {
        "plain": plain,
        "compact": plain.replace(" ", ""),
        "unaccented": _unaccent_latin(plain),
        "lemma": _lemma_form(text, strict=False).replace(" ", ""),
    }


def parse_lexicon(data: Any, source: str = "<lexicon>") -> tuple[Entry, ...]:
    """Validate a lexicon document and build its entries; errors name topic, language and entry."""
    if not isinstance(data, dict) or data.get("version") != 1 or not isinstance(data.get("topics"), dict):
        raise LexiconError(f"{source}: expected {{version: 1, topics: {{code: {{language: [entry, ...]}}}}}}")
    entries = []
    for topic, languages in data["topics"].items():
        if topic not in TOPICS:
            raise LexiconError(f"{source}: unknown topic {topic!r}")
        if not isinstance(languages, dict):
            raise LexiconError(f"{source}: {topic}: expected a mapping of languages")
        for language, items in languages.items():
            if language not in LANGUAGES:
                raise LexiconError(f"{source}: {topic}: unknown language {language!r}")
            if not isinstance(items, list):
                raise LexiconError(f"{source}: {topic}.{language}: expected a list of entries")
            for item in items:
                entries.append(_entry(topic, language, item, f"{source}: {topic}.{language}"))
    return tuple(entries)


def _entry(topic: str, language: str, item: Any, where: str) -> Entry:
    if not isinstance(item, str | int) or not str(item).strip():
        raise LexiconError(f"{where}: empty or non-text entry {item!r}")
    text, _, weight = str(item).partition("|")
    if weight and weight not in ("1", "2"):
        raise LexiconError(f"{where}: {item!r}: weight must be 1 or 2")
    plain = normalize(text)
    if not plain:
        raise LexiconError(f"{where}: {item!r} normalises to nothing")
    forms = {
        (
            "compact" if language in ("ja", "zh") else "plain",
            plain.replace(" ", "") if language in ("ja", "zh") else plain,
        )
    }
    if language == "ja" and (lemma := _lemma_form(text, strict=True)):
        forms.add(("lemma", lemma.replace(" ", "")))
    if (
        language == "ja"
        and len(reading := normalize("".join(m.reading for m in analyze(text)))) >= MIN_READING
    ):
        forms.add(("compact", reading.replace(" ", "")))  # written in kana: しゃっきん finds 借金
    if language == "vi" and " " in plain:  # several syllables: also typed without tone marks
        forms.add(("unaccented", _unaccent_latin(plain)))
    return Entry(
        topic, language, tuple(sorted(forms)), int(weight or 1), language in ("en", "vi"), language == "vi"
    )


@lru_cache(maxsize=1)
def default_lexicon() -> tuple[Entry, ...]:
    """The shipped lexicon (parsed once per process)."""
    path = resources.files("tsunagari.navigator").joinpath("data/triage_lexicon.yaml")
    return parse_lexicon(yaml.safe_load(path.read_text(encoding="utf-8")), "triage_lexicon.yaml")


@dataclass(frozen=True)
class _Index:
    """A lexicon's (entry, form) pairs by the message form they are looked for in and their first
    two characters (one for one-character spellings): a message is compared only with the spellings
    that start with one of its character pairs (or characters), which every spelling it contains does."""

    entries: tuple[Entry, ...]
    by_first: dict[str, dict[str, tuple[tuple[int, int], ...]]]  # form key → first 1–2 chars → pairs
    anywhere: tuple[tuple[int, int], ...]  # empty spellings (found in any message)


def _index(entries: tuple[Entry, ...]) -> _Index:
    by_first: dict[str, dict[str, list[tuple[int, int]]]] = {}
    anywhere = []
    for entry_number, entry in enumerate(entries):
        for form_number, (key, form) in enumerate(entry.forms):
            if form:
                by_first.setdefault(key, {}).setdefault(form[:2], []).append((entry_number, form_number))
            else:
                anywhere.append((entry_number, form_number))
    return _Index(
        entries,
        {key: {ch: tuple(pairs) for ch, pairs in table.items()} for key, table in by_first.items()},
        tuple(anywhere),
    )


@lru_cache(maxsize=1)
def _default_index() -> _Index:
    return _index(default_lexicon())


def _span(entry: Entry, text: str, form: str) -> tuple[int, int] | None:
    """The first place ``form`` is found in ``text`` within the entry's word boundaries, or None."""
    start = text.find(form)
    while start != -1:
        end = start + len(form)
        if not (entry.word_start and start and text[start - 1].isalpha()) and not (
            entry.word_end and end < len(text) and text[end].isalpha()
        ):
            return start, end
        start = text.find(form, start + 1)
    return None


def _topic_scores(index: _Index, forms: dict[str, str], languages: tuple[str, ...] | None) -> dict[str, int]:
    pairs = set(index.anywhere)
    for key, text in forms.items():
        table = index.by_first.get(key)
        if table:
            starts = {*text, *(text[i : i + 2] for i in range(len(text) - 1))}
            for start in table.keys() & starts:
                pairs.update(table[start])
    matched: dict[str, list[tuple[str, int, int, int]]] = {}
    for entry_number, form_number in sorted(pairs):  # the lexicon's order, as the scores depend on it
        entry = index.entries[entry_number]
        if languages is not None and entry.language not in languages:
            continue
        key, form = entry.forms[form_number]
        found = _span(entry, forms[key], form)
        if found is not None:
            matched.setdefault(entry.topic, []).append((key, *found, entry.weight))
    scores = {}
    for topic, spans in matched.items():
        best = 0
        for key in {s[0] for s in spans}:  # forms are scored apart (their offsets differ)
            kept: list[tuple[int, int]] = []
            total = 0
            for _, start, end, weight in sorted(
                (s for s in spans if s[0] == key), key=lambda s: (s[1] - s[2], s[1])
            ):
                if any(a <= start and end <= b for a, b in kept):
                    continue  # inside a longer match of the same topic
                kept.append((start, end))
                total += weight
            best = max(best, total)
        scores[topic] = best
    return scores


def triage(text: str, lang: str | None = None, lexicon: tuple[Entry, ...] | None = None) -> TriageResult:
    """Topics of ``text`` (best first) and the crisis check; see the module docstring."""
    if lang is not None and lang not in LANGUAGES and lang not in ("pt", "es", "tl", "ne", "id", "th"):
        raise ValueError(f"unknown language {lang!r}")
    crisis = detect_crisis(text or "")
    index = _index(lexicon) if lexicon is not None else _default_index()
    languages = None if lang is None else (lang, "ja")
    scores = _topic_scores(index, message_forms(text or ""), languages)
    order = list(TOPICS)
    ranked = sorted(scores, key=lambda t: (-scores[t], order.index(t)))
    strong = [t for t in ranked if scores[t] >= STRONG]
    topics = (strong or ranked)[:MAX_TOPICS]
    if crisis.is_crisis and SUICIDE_CATEGORIES & set(crisis.categories):
        topics = ["suicide", *[t for t in topics if t != "suicide"]][:MAX_TOPICS]
        scores.setdefault("suicide", 0)
    return TriageResult(topics=tuple(topics), scores={t: scores[t] for t in topics}, crisis=crisis)
