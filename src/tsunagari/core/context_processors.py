"""Template context shared by every page: the language switcher and the page's ``lang``."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import get_language

from tsunagari.core.languages import JAPANESE_CONTENT, LANGUAGES, html_lang


def languages(request) -> dict:
    """``html_lang`` for <html lang>, ``language_links`` (code, name, html lang, url, current) for the
    switcher, and ``content_in_japanese_only`` when directory content is shown untranslated.

    Pages are under ``i18n_patterns`` without a prefix for the default language, so a page's URL in
    another language is its unprefixed path with that language's prefix (string work only: this
    runs on every page)."""
    current = get_language() or settings.LANGUAGE_CODE
    path = request.get_full_path() if request is not None else "/"
    prefix = f"/{current}/"
    if current != settings.LANGUAGE_CODE and path.startswith(prefix):
        path = path[len(prefix) - 1 :]
    return {
        "html_lang": html_lang(current),
        "language_links": [
            (
                lang.code,
                lang.name,
                lang.html_lang,
                path if lang.code == settings.LANGUAGE_CODE else f"/{lang.code}{path}",
                lang.code == current,
            )
            for lang in LANGUAGES
        ],
        "content_in_japanese_only": current not in JAPANESE_CONTENT,
    }
