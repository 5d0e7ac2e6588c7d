"""The services of one topic under the navigator's conditions, filtered in Python.

``topic_service_ids(topic, age=, area=, channels=, at=, limit=)`` returns the ids that
``search_services("", SearchFilters(topics=[topic], age=age, area=area, channels=channels,
open_now=at is not None), limit=limit, now=at)`` returns, in the same order (name order: sort key,
name, service id) — a test compares the two over the whole bundled directory. The navigator asks this
for every topic of every result, with conditions that rarely repeat: a search builds and runs SQL
each time (about a quarter of a millisecond), while a topic's documents can be read once, kept
``cache_seconds()`` per process like other reference data, and checked in a loop.

The conditions are those of the search's index and document rows: active; the age band flag and
one of the document's accepted age ranges; national (area 0) or one of ``area_codes(area)``; one of
the channels (their bits in the ``vocab`` mask); the document's schedule among those open at ``at``'s
minute. With an area only the national documents and those of the area's codes are visited (kept by
area). A topic with more than ``MAX_KEPT`` documents is not kept: it is searched, as is a channel
code outside the vocabulary (the search then probes the vocabulary table), so memory per process and
the time to read a topic stay bounded however large the directory grows.
"""

from __future__ import annotations

import heapq
from datetime import datetime
from typing import NamedTuple

from django.db import connection

from tsunagari.core.page_cache import cache_seconds
from tsunagari.core.ttl_cache import ttl_cache
from tsunagari.directory import search_document as document
from tsunagari.directory.search_tables import DOCTERM
from tsunagari.directory.selectors.search import (
    T_DOC,
    SearchFilters,
    age_band_flag,
    area_codes,
    counted_code_rows,
    open_schedule_ids,
    search_services,
)

#: Topics with more documents than this are searched instead of kept (memory and read time bound).
MAX_KEPT = 3000


class _Member(NamedTuple):
    """What the conditions read of one document of the topic."""

    service_id: str
    area: int
    flags: int
    vocab: int
    ages: tuple[tuple[int, int], ...]
    schedule_id: int


class _Kept(NamedTuple):
    """A topic's documents in name order, and by area code as (position, member) in the same order."""

    members: tuple[_Member, ...]
    by_area: dict[int, tuple[tuple[int, _Member], ...]]


def topic_service_ids(
    topic: str,
    *,
    age: int | None = None,
    area: str | None = None,
    channels: tuple[str, ...] | list[str] = (),
    at: datetime | None = None,
    limit: int,
) -> tuple[str, ...]:
    """Ids of the first ``limit`` services of ``topic`` meeting the conditions, in name order.

    ``at``: only services open at that minute (None: open or not). Raises ``SearchError`` for an age
    outside 0–``AGE_MAX`` or an unknown area, as the search does."""
    required = document.FLAG_ACTIVE
    if age is not None:
        required |= age_band_flag(age)
    areas = area_codes(area) if area else None
    codes = [f"channel:{c}" for c in channels]
    kept = _kept(f"topic:{topic}")
    if kept is None or not all(code in document.VOCABULARY_BITS for code in codes):
        filters = SearchFilters(
            topics=[topic], age=age, area=area, channels=list(channels), open_now=at is not None
        )
        return tuple(hit.service_id for hit in search_services("", filters, limit=limit, now=at).hits)
    channel_mask = document.vocabulary_mask(codes)
    open_ids = _open_ids(at.replace(second=0, microsecond=0)) if at is not None else None
    if areas is None:
        members = kept.members
    else:
        by_area = [kept.by_area.get(code, ()) for code in (0, *areas)]
        members = (member for _position, member in heapq.merge(*by_area))
    found: list[str] = []
    for member in members:
        if member.flags & required != required:
            continue
        if channel_mask and not member.vocab & channel_mask:
            continue
        if age is not None and not any(low <= age <= high for low, high in member.ages):
            continue
        if open_ids is not None and member.schedule_id not in open_ids:
            continue
        found.append(member.service_id)
        if len(found) >= limit:
            break
    return tuple(found)


@ttl_cache(cache_seconds, maxsize=64)
def _open_ids(minute: datetime) -> frozenset[int]:
    return frozenset(open_schedule_ids(minute))


@ttl_cache(cache_seconds, maxsize=512)
def _kept(code: str) -> _Kept | None:
    """Every document having the vocabulary code ``code`` (active or not: the flags say), or None
    when there are more than ``MAX_KEPT``."""
    if counted_code_rows((code,), 0, (), MAX_KEPT) > MAX_KEPT:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT d.sort_key, d.name, d.service_id, d.area, d.flags, d.vocab, d.age1_low, d.age1_high, "
            f"d.age2_low, d.age2_high, d.schedule_id FROM {T_DOC} d "
            f"WHERE d.id IN (SELECT t.doc FROM {DOCTERM} t WHERE t.code = %s)",
            [code],
        )
        rows = cursor.fetchall()
    ordered = sorted((sort_key, name, str(service_id), rest) for sort_key, name, service_id, *rest in rows)
    members = []
    by_area: dict[int, list[tuple[int, _Member]]] = {}
    for position, (_key, _name, service_id, rest) in enumerate(ordered):
        area, flags, vocab, low1, high1, low2, high2, schedule_id = rest
        ages = ((low1, high1),) if low2 is None else ((low1, high1), (low2, high2))
        member = _Member(service_id, area, flags, vocab, ages, schedule_id)
        members.append(member)
        by_area.setdefault(area, []).append((position, member))
    return _Kept(tuple(members), {code: tuple(listed) for code, listed in by_area.items()})
