"""The in-process TTL cache and its invalidation by directory writes."""

from __future__ import annotations

import pytest

from tsunagari.core import ttl_cache as cache_module
from tsunagari.core.ttl_cache import clear_all, ttl_cache


def test_values_are_kept_for_the_ttl_then_recomputed(monkeypatch):
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
