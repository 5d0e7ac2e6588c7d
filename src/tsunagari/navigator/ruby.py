"""Furigana (ruby) for Japanese text, from SudachiPy readings (pure; no Django).

``ruby_html(text)`` returns HTML-escaped text in which every word written with kanji carries its
reading in hiragana: ``<ruby>困<rt>こま</rt></ruby>って``. Kana before and after the kanji are left
outside the ruby. Words without kanji, digits and other scripts are only escaped.
"""

from __future__ import annotations

import re
from html import escape

from tsunagari.core.japanese import analyze
from tsunagari.directory.textnorm import normalize

_KANJI = re.compile(r"[\u3400-\u9fff\uf900-\ufaff々〆]")


def _hiragana(reading: str) -> str:
    return normalize(reading)


def _word(surface: str, reading: str) -> str:
    if not _KANJI.search(surface) or not reading:
        return escape(surface)
    kana = _hiragana(reading)
    folded = _hiragana(surface)
    head = 0  # kana written before the kanji and read the same
    while (
        head < len(folded)
        and head < len(kana)
        and not _KANJI.match(surface[head])
        and folded[head] == kana[head]
    ):
        head += 1
    tail = 0  # okurigana after the kanji
    while (
        tail < len(folded) - head
        and tail < len(kana) - head
        and not _KANJI.match(surface[-1 - tail])
        and folded[-1 - tail] == kana[-1 - tail]
    ):
        tail += 1
    core, rt = surface[head : len(surface) - tail], kana[head : len(kana) - tail]
    if not rt:
        return escape(surface)
    return f"{escape(surface[:head])}<ruby>{escape(core)}<rt>{escape(rt)}</rt></ruby>{escape(surface[len(surface) - tail :])}"


def ruby_html(text: str) -> str:
    """``text`` as HTML with furigana on its kanji words."""
    return "".join(_word(m.surface, m.reading) for m in analyze(text or ""))
