"""Template context shared by every page: the language switcher and the page's ``lang``."""

from __future__ import annotations

from django.urls import translate_url
from django.utils.translation import get_language

from tsunagari.core.languages import JAPANESE_CONTENT, LANGUAGES, html_lang


def languages(request) -> dict:
    """``html_lang`` for <html lang>, ``language_links`` (code, name, html lang, url, current) for the
    switcher, and ``content_in_japanese_only`` when directory content is shown untranslated."""
    current = get_language() or "ja"
    path = request.get_full_path() if request is not None else "/"
    return {
        "html_lang": html_lang(current),
        "language_links": [
            (lang.code, lang.name, lang.html_lang, translate_url(path, lang.code), lang.code == current)
            for lang in LANGUAGES
        ],
        "content_in_japanese_only": current not in JAPANESE_CONTENT,
    }
