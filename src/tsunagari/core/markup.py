"""Small helpers for markup built in Python where a template loop was too slow (the case timeline,
``cases/templatetags/described.py`` and ``timeline.py``; the navigator's result cards,
``navigator/result_markup.py``): escaping and line breaks as Django's ``escape`` and ``linebreaksbr``
do them, and translations looked up once per render. They return plain ``str``; the callers mark
the joined result safe once.

``esc`` escapes ``& < > " '`` like ``django.utils.html.escape`` (both call ``html.escape``), without
its lazy-string wrapper, which was a measurable share of a 200-entry timeline.
"""

from __future__ import annotations

import html

from django.utils.translation import gettext

DASH = "—"


def esc(value) -> str:
    return html.escape(str(value), quote=True)


def text_with_breaks(text: str) -> str:
    """Escaped, line breaks (``\\r\\n``, ``\\r``, ``\\n``) as ``<br>`` — ``linebreaksbr`` with autoescape."""
    return esc(text.replace("\r\n", "\n").replace("\r", "\n")).replace("\n", "<br>")


class Translations:
    """``gettext`` remembered for the strings of one render (labels repeat on every entry)."""

    def __init__(self) -> None:
        self._seen: dict[str, str] = {}

    def __call__(self, message) -> str:
        key = str(message)
        found = self._seen.get(key)
        if found is None:
            found = self._seen[key] = gettext(key)
        return found
