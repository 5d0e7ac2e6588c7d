"""A small in-process cache with a time to live, for read-mostly data shown on every page.

Pure module. ``ttl_cache(seconds)`` memoises a function by its (hashable) arguments for
``seconds()`` seconds (a callable, so settings can change it at run time; 0 disables caching).
Every cached function can be emptied with ``clear_all()``: writers call it so the process that
made a change never shows stale data; other processes see the change within the TTL.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable
from typing import Any

_caches: list[dict] = []
_lock = threading.Lock()


def ttl_cache(seconds: Callable[[], float], maxsize: int = 256):
    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        store: dict[tuple, tuple[float, Any]] = {}
        with _lock:
            _caches.append(store)

        @functools.wraps(function)
        def cached(*args, **kwargs):
            ttl = seconds()
            if ttl <= 0:
                return function(*args, **kwargs)
            key = (args, tuple(sorted(kwargs.items())))
            now = time.monotonic()
            hit = store.get(key)
            if hit is not None and now - hit[0] < ttl:
                return hit[1]
            value = function(*args, **kwargs)
            if len(store) >= maxsize:
                store.clear()
            store[key] = (now, value)
            return value

        cached.cache = store
        return cached

    return decorate


def clear_all() -> None:
    """Empty every TTL cache of this process."""
    with _lock:
        for store in _caches:
            store.clear()
