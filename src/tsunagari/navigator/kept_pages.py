"""Navigator pages kept rendered per process, each request's own parts put in afterwards.

A question page depends on the step, the answers already chosen for it, the notice, the crisis lines
and the entry, language and address, and on the person only through the signed conversation token;
a result page, apart from its cards and the "what you chose" list, only on the crisis lines, the
entry, language and address. So a page is rendered once per all of those (the key: every context
value but the per-request ones, plus the language and the full path; the crisis lines by what is
shown of them) with a placeholder where each per-request part goes, and kept ``rendered_seconds()``
(``core.page_cache``: emptied on directory writes, off when caching is); each request gets the kept
page with its own parts. Templates
rendered this way must show nothing else that varies per request (no ``{% csrf_token %}``, no user,
no messages).
"""

from __future__ import annotations

import re
import secrets

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import get_language

from tsunagari.core.page_cache import rendered_seconds
from tsunagari.core.ttl_cache import TtlStore, hashable

_pages = TtlStore(rendered_seconds, maxsize=2048)
#: A placeholder is the part's name between two of these: letters and digits only (no escaping
#: changes them), random per process (no page text or person can contain one by chance or on purpose).
_MARK = f"kept{secrets.token_hex(16)}"
_PLACEHOLDERS = re.compile(rf"{_MARK}([a-z_]+){_MARK}")


def render_kept(request, template_name: str, context: dict, fill: dict[str, str]) -> HttpResponse:
    """``render(request, template_name, {**context, **fill})``, the page kept for the same
    ``context``; ``fill`` holds the per-request parts by context name, inserted as they are
    (already escaped markup, or text that needs no escaping such as a signed token) in the
    places it is shown with ``{{ name }}``."""
    key = (template_name, get_language(), request.get_full_path(), hashable(context))
    page = _pages.get_or_make(
        key,
        lambda: render_to_string(
            template_name, {**context, **{name: f"{_MARK}{name}{_MARK}" for name in fill}}, request
        ),
    )
    # One pass: a part's own text is never searched for another part's placeholder.
    return HttpResponse(_PLACEHOLDERS.sub(lambda m: fill[m.group(1)], page))
