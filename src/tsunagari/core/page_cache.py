"""How long a process keeps what every page shows (``TSUNAGARI_CACHE_SECONDS``; 0: not at all).

Data read for pages — crisis lines, navigator recommendations, services for cards — is kept
:func:`cache_seconds`; a process that writes a service forgets it at once
(``core.ttl_cache.clear_all``), the others read it again within that time.

Rendered pages and fragments (``{% ttl_fragment %}``, the navigator's kept pages) are keyed by every
value they show, the crisis lines by what is shown of them (``directory.shown_lines``): read again,
changed data makes a new key, so a rendering need not expire with the data. They are kept
:func:`rendered_seconds` — only a bound for a value a key might miss, and rendering the same page again
every ``cache_seconds()`` cost a busy navigator several percent of its time.
"""

from django.conf import settings

#: Least time a rendered page or fragment is kept (seconds) while caching is on.
RENDERED_SECONDS = 600.0


def cache_seconds() -> float:
    return getattr(settings, "TSUNAGARI_CACHE_SECONDS", 30)


def rendered_seconds() -> float:
    """How long a rendered page or fragment is kept: :data:`RENDERED_SECONDS`, or ``cache_seconds()``
    if that is longer; 0 (not kept) when caching is off."""
    data = cache_seconds()
    return max(data, RENDERED_SECONDS) if data > 0 else 0.0
