"""Question pages kept rendered per process, the conversation token put in for each request.

A question page depends on the step, the answers already chosen for it, the notice, the crisis lines
and the entry, language and address, and on the person only through the signed conversation token.
So the page is rendered once per all of those (the key: every context value but ``state``, plus the
language and the full path) with a placeholder where the token goes, and kept ``cache_seconds()``
(``core.ttl_cache``: emptied on directory writes, off when the setting is 0); each request gets the
kept page with its own token. Templates rendered this way must show nothing else that varies per
request (no ``{% csrf_token %}``, no user, no messages).
"""

from __future__ import annotations

import secrets

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import get_language

from tsunagari.core.page_cache import cache_seconds
from tsunagari.core.ttl_cache import TtlStore, hashable

_pages = TtlStore(cache_seconds, maxsize=1024)
#: Stands for the token in a kept page: letters and digits only (no escaping changes it), random per
#: process (no page text or person can contain it by chance or on purpose).
_TOKEN_PLACEHOLDER = f"keptstate{secrets.token_hex(16)}"


def render_with_token(request, template_name: str, context: dict, token_name: str = "state") -> HttpResponse:
    """``render(request, template_name, context)``, the page kept for the same context but
    ``context[token_name]``."""
    token = context[token_name]
    key = (
        template_name,
        get_language(),
        request.get_full_path(),
        hashable({name: value for name, value in context.items() if name != token_name}),
    )
    page = _pages.get_or_make(
        key, lambda: render_to_string(template_name, {**context, token_name: _TOKEN_PLACEHOLDER}, request)
    )
    return HttpResponse(page.replace(_TOKEN_PLACEHOLDER, token))
