"""How long data and renderings are kept: renderings at least RENDERED_SECONDS, nothing when caching is off."""

from __future__ import annotations

import pytest

from tsunagari.core.page_cache import RENDERED_SECONDS, cache_seconds, rendered_seconds


@pytest.mark.parametrize(
    ("data", "rendered"),
    [(30, RENDERED_SECONDS), (RENDERED_SECONDS * 2, RENDERED_SECONDS * 2), (0, 0), (-1, 0)],
)
def test_renderings_are_kept_at_least_rendered_seconds_unless_caching_is_off(settings, data, rendered):
    settings.TSUNAGARI_CACHE_SECONDS = data
    assert cache_seconds() == data
    assert rendered_seconds() == rendered
