"""SudachiPy morphological analysis shared by search and triage (pure; no Django).

One tokenizer per thread (SudachiPy tokenizers are not thread-safe), dictionary ``core`` in
split mode C, loaded from the installed ``sudachidict-core`` package (no download).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache

from sudachipy import Dictionary, SplitMode

CONTENT_POS = frozenset({"名詞", "動詞", "形容詞", "形状詞", "副詞", "代名詞"})

_local = threading.local()


@lru_cache(maxsize=1)
def _dictionary() -> Dictionary:
    return Dictionary(dict="core")


def _tokenizer():
    tokenizer = getattr(_local, "tokenizer", None)
    if tokenizer is None:
        tokenizer = _local.tokenizer = _dictionary().tokenizer(mode=SplitMode.C)
    return tokenizer


@dataclass(frozen=True)
class Morpheme:
    surface: str
    normalized: str  # Sudachi normalized form: lemma in a standard spelling (つらい → 辛い)
    dictionary: str  # dictionary form in the written spelling
    pos: str  # top-level part of speech
    reading: str = ""  # reading in katakana (Sudachi reading form)

    @property
    def is_content(self) -> bool:
        return self.pos in CONTENT_POS

    @property
    def is_inflected(self) -> bool:
        return self.surface != self.dictionary


@lru_cache(maxsize=65536)
def analyze(text: str) -> tuple[Morpheme, ...]:
    """Morphemes of ``text`` (cached: the same field texts recur across many records)."""
    if not text:
        return ()
    return tuple(
        Morpheme(
            m.surface(), m.normalized_form(), m.dictionary_form(), m.part_of_speech()[0], m.reading_form()
        )
        for m in _tokenizer().tokenize(text)
    )
