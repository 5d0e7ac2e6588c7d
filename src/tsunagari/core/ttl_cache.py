"""A small in-process cache with a time to live, for read-mostly data shown on every page.

Pure module. ``ttl_cache(seconds)`` memoises a function by its (hashable) arguments for
``seconds()`` seconds (a callable, so settings can change it at run time; 0 disables caching).
``TtlStore(seconds)`` is the same cache for callers that compute the value themselves
(``store.get_or_make(key, make)``; the template tag ``{% ttl_fragment %}`` uses one).
Every cache can be emptied with ``clear_all()``: writers call it so the process that made a
change never shows stale data; other processes see the change within the TTL.

Each value is kept between ``1 - SPREAD`` and all of ``seconds()`` (drawn when it is made): values
made together — a new process's first pages, every page after a write — would otherwise all expire
together and be made again in the same second, a burst that a busy server's slowest answers show
(the navigator's load benchmark saw one every TTL). Spread, they come due over a quarter of the TTL,
and later at times of their own.
"""

from __future__ import annotations

import functools
import random
import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

_stores: list[TtlStore] = []
_lock = threading.Lock()

#: Fraction of the TTL by which a value's life may be shorter (see the module docstring).
SPREAD = 0.25


class TtlStore:
    """Values by hashable key, each kept at most ``seconds()`` seconds (at least ``1 - SPREAD`` of
    them). At ``maxsize`` keys the expired ones are dropped, and if that is not enough the older half
    (see :meth:`_make_room`)."""

    def __init__(self, seconds: Callable[[], float], maxsize: int = 256):
        self.seconds = seconds
        self.maxsize = maxsize
        self.values: dict[Hashable, tuple[float, Any]] = {}
        with _lock:
            _stores.append(self)

    def get_or_make(self, key: Hashable, make: Callable[[], Any]) -> Any:
        """The value kept for ``key``, or ``make()`` (kept for next time unless caching is off)."""
        ttl = self.seconds()
        if ttl <= 0:
            return make()
        now = time.monotonic()
        hit = self.values.get(key)
        if hit is not None and now - hit[0] < ttl:
            return hit[1]
        value = make()
        self._make_room(now, ttl)
        self.values.pop(key, None)  # re-inserted at the end: insertion order stays (about) age order
        self.values[key] = (_made_at(now, ttl), value)
        return value

    def get_many(self, keys: list[Hashable], make: Callable[[list[Hashable]], dict]) -> dict:
        """{key: value} for ``keys``: kept values, the others from one ``make(missing keys)`` call
        (which returns {key: value}; keys it leaves out are absent from the answer, and not kept)."""
        ttl = self.seconds()
        if ttl <= 0:
            return make(list(keys))
        now = time.monotonic()
        found, missing = {}, []
        for key in keys:
            hit = self.values.get(key)
            if hit is not None and now - hit[0] < ttl:
                found[key] = hit[1]
            else:
                missing.append(key)
        if missing:
            made = make(missing)
            self._make_room(now, ttl, len(made))
            for key, value in made.items():
                self.values.pop(key, None)
                self.values[key] = (_made_at(now, ttl), value)
            found.update(made)
        return found

    def _make_room(self, now: float, ttl: float, coming: int = 1) -> None:
        """Before adding ``coming`` keys to a full store: drop the expired values, then, if still
        full, the oldest ones down to half the size (emptying it all would make every page of a busy
        process render its kept fragments again at once)."""
        if len(self.values) + coming <= self.maxsize:
            return
        # list() of a dict view runs in C, without switching threads: a safe snapshot under gthread
        snapshot = list(self.values.items())
        for key, (at, _value) in snapshot:
            if now - at >= ttl:
                self.values.pop(key, None)
        excess = len(self.values) + coming - self.maxsize // 2
        if len(self.values) + coming > self.maxsize and excess > 0:
            for key in list(self.values)[:excess]:
                self.values.pop(key, None)

    def clear(self) -> None:
        self.values.clear()


def _made_at(now: float, ttl: float) -> float:
    """The time a value made ``now`` is taken to be made: up to ``SPREAD * ttl`` earlier, at random."""
    return now - random.random() * SPREAD * ttl


def hashable(value: Any) -> Hashable:
    """``value`` usable in a key: lists and tuples as tuples, sets as frozensets, dicts as sorted
    item tuples, all the way down; other values as they are (they must be hashable)."""
    if isinstance(value, tuple):
        try:
            hash(value)  # already usable (most keys: a C-speed check instead of a Python walk)
            return value
        except TypeError:
            return tuple(hashable(v) for v in value)
    if isinstance(value, list):
        return tuple(hashable(v) for v in value)
    if isinstance(value, set | frozenset):
        return frozenset(hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, hashable(v)) for k, v in value.items()))
    return value


def ttl_cache(seconds: Callable[[], float], maxsize: int = 256):
    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        store = TtlStore(seconds, maxsize)

        @functools.wraps(function)
        def cached(*args, **kwargs):
            key = (args, tuple(sorted(kwargs.items())))
            return store.get_or_make(key, lambda: function(*args, **kwargs))

        cached.cache = store.values
        return cached

    return decorate


def clear_all() -> None:
    """Empty every TTL cache of this process."""
    with _lock:
        for store in _stores:
            store.clear()
