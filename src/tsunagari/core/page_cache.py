"""How long a process keeps what every page shows (``TSUNAGARI_CACHE_SECONDS``; 0: not at all).

Crisis lines, navigator recommendations and rendered page fragments (``{% ttl_fragment %}``) are
kept this long; a process that writes a service forgets them at once (``core.ttl_cache.clear_all``).
"""

from django.conf import settings


def cache_seconds() -> float:
    return getattr(settings, "TSUNAGARI_CACHE_SECONDS", 30)
