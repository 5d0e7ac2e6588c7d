"""The languages of the product: Django language codes, their names in their own language, and the
BCP 47 tag for the HTML ``lang`` attribute.

Japanese is the source language (msgids are Japanese). やさしい日本語 (easy Japanese) is a Japanese
register, not another language: its pages say ``lang="ja"``. Pure module (no Django import).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    code: str  # Django language code (URL prefix, catalogue name via to_locale)
    name: str  # the language's name in itself, shown in the switcher
    html_lang: str  # BCP 47 tag for lang=""


LANGUAGES: tuple[Language, ...] = (
    Language("ja", "日本語", "ja"),
    Language("ja-easy", "やさしい にほんご", "ja"),
    Language("en", "English", "en"),
    Language("zh-hans", "简体中文", "zh-Hans"),
    Language("zh-hant", "繁體中文", "zh-Hant"),
    Language("ko", "한국어", "ko"),
    Language("vi", "Tiếng Việt", "vi"),
    Language("ne", "नेपाली", "ne"),
    Language("id", "Bahasa Indonesia", "id"),
    Language("tl", "Tagalog", "tl"),
    Language("th", "ภาษาไทย", "th"),
    Language("pt-br", "Português", "pt-BR"),
    Language("es", "Español", "es"),
)

BY_CODE: dict[str, Language] = {lang.code: lang for lang in LANGUAGES}

#: Languages whose readers read the directory's Japanese content as it is (no "Japanese only" note).
JAPANESE_CONTENT = frozenset({"ja", "ja-easy"})


def html_lang(code: str | None) -> str:
    """The ``lang`` attribute for Django language ``code`` (Japanese when unknown)."""
    language = BY_CODE.get((code or "").lower())
    return language.html_lang if language else "ja"
