"""The in-process TTL cache and its invalidation by directory writes."""

from __future__ import annotations

import pytest

from tsunagari.core import ttl_cache as cache_module
from tsunagari.core.ttl_cache import TtlStore, clear_all, ttl_cache


def test_values_are_kept_for_the_ttl_then_recomputed(monkeypatch):
    monkeypatch.setattr(cache_module, "SPREAD", 0.0)  # exact lives (the spread has its own test)
    clock = [100.0]
    monkeypatch.setattr(cache_module.time, "monotonic", lambda: clock[0])
    calls = []

    @ttl_cache(lambda: 30)
    def square(n):
        calls.append(n)
        return n * n

    assert square(3) == 9 and square(3) == 9 and calls == [3]
    clock[0] += 29.9
    assert square(3) == 9 and calls == [3]
    clock[0] += 0.2
    assert square(3) == 9 and calls == [3, 3]
    clear_all()
    assert square(3) == 9 and calls == [3, 3, 3]


def test_a_full_store_drops_expired_values_then_the_oldest_half(monkeypatch):
    monkeypatch.setattr(cache_module, "SPREAD", 0.0)
    clock = [0.0]
    monkeypatch.setattr(cache_module.time, "monotonic", lambda: clock[0])
    store = TtlStore(lambda: 30, maxsize=8)
    for n in range(4):
        store.get_or_make(("old", n), lambda n=n: n)
    clock[0] = 20.0
    for n in range(4):
        store.get_or_make(("new", n), lambda n=n: n)
    assert len(store.values) == 8
    clock[0] = 35.0  # the "old" ones have expired: dropping them makes room, the others stay
    store.get_or_make("next", lambda: "x")
    assert set(store.values) == {("new", 0), ("new", 1), ("new", 2), ("new", 3), "next"}
    for n in range(3):
        store.get_or_make(("more", n), lambda n=n: n)
    assert len(store.values) == 8
    store.get_or_make(("new", 0), lambda: "renewed")  # still fresh: a hit, nothing made
    assert store.values[("new", 0)][1] == 0
    store.get_or_make("last", lambda: "y")  # full, nothing expired: the oldest go, down to half
    assert len(store.values) == 4
    assert "last" in store.values and ("more", 2) in store.values and ("new", 0) not in store.values
    made = store.get_many(["a", "b", "last"], lambda keys: {k: k.upper() for k in keys})
    assert made == {"a": "A", "b": "B", "last": "y"} and len(store.values) == 6


def test_values_made_together_come_due_over_a_quarter_of_the_ttl_never_later(monkeypatch):
    clock = [0.0]
    monkeypatch.setattr(cache_module.time, "monotonic", lambda: clock[0])
    store = TtlStore(lambda: 40, maxsize=1000)
    keys = list(range(400))
    store.get_many(keys[:200], lambda missing: {k: "first" for k in missing})
    for key in keys[200:]:
        store.get_or_make(key, lambda: "first")

    def remade(second: float) -> int:
        clock[0] = second
        made = []
        store.get_many(keys, lambda missing: {k: made.append(k) or "again" for k in missing})
        return len(made)

    assert remade(29.9) == 0  # every value lives at least three quarters of the TTL
    due = remade(35.0)
    assert 0 < due < 400  # some came due, not all at once
    assert remade(40.0) == 400 - due  # the others at the TTL: none is kept longer


def test_zero_seconds_disables_caching():
    calls = []

    @ttl_cache(lambda: 0)
    def value():
        calls.append(1)
        return len(calls)

    assert value() == 1 and value() == 2


@pytest.mark.django_db
def test_a_changed_crisis_line_is_shown_at_once_by_the_process_that_changed_it(settings):
    from tsunagari.directory.selectors.services import crisis_lines

    settings.TSUNAGARI_CACHE_SECONDS = 300
    clear_all()
    try:
        first = crisis_lines()
        assert first and crisis_lines() is first  # cached
        phone = first[0].phones.all()[0]
        phone.number = "0120-000-000"
        phone.save()
        fresh = crisis_lines()
        assert fresh is not first
        assert "0120-000-000" in [p.number for p in fresh[0].phones.all()]
    finally:
        clear_all()


def test_hashable_keeps_usable_tuples_and_converts_what_is_not():
    from tsunagari.core.ttl_cache import hashable

    usable = (("13", "東京都"), ("27", "大阪府"))
    assert hashable(usable) is usable
    assert hashable(("a", ["b", {"c": [1]}])) == ("a", ("b", (("c", (1,)),)))
    assert hashable({"chosen": ["x"], "step": "topics"}) == (("chosen", ("x",)), ("step", "topics"))
    hash(hashable(("a", ["b", {"c": [1]}])))
