"""The services of one topic under the navigator's conditions, filtered in Python.

``topic_service_ids(topic, age=, area=, channels=, at=, limit=)`` returns the ids that
``search_services("", SearchFilters(topics=[topic], age=age, area=area, channels=channels,
open_now=at is not None), limit=limit, now=at)`` returns, in the same order (name order: sort key,
name, service id) — a test compares the two over the whole bundled directory. The navigator asks this
for every topic of every result, with conditions that rarely repeat; a search builds and runs SQL
each time, while the topic's documents (a few hundred at most) are read once and kept
``cache_seconds()`` per process like other reference data, and each question is a loop over them.

The conditions are those of the search's index and document rows: active; the age band flag and
one of the document's accepted age ranges; national (area 0) or one of ``area_codes(area)``; one of
the channels; the document's schedule among those open at ``at``'s minute.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import connection

from tsunagari.core.page_cache import cache_seconds
from tsunagari.core.ttl_cache import ttl_cache
from tsunagari.directory import search_document as document
from tsunagari.directory.search_tables import DOCTERM
from tsunagari.directory.selectors.search import T_DOC, SearchError, area_codes, open_schedule_ids


@dataclass(frozen=True, slots=True)
class _Member:
    """What the conditions read of one document of the topic."""

    service_id: str
    area: int
    flags: int
    codes: frozenset[str]
    ages: tuple[tuple[int, int], ...]
    schedule_id: int


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
        if not 0 <= age <= document.AGE_MAX:
            raise SearchError(f"age: must be between 0 and {document.AGE_MAX}")
        required |= document.age_band_flag(age)
    areas = frozenset(area_codes(area)) if area else None
    wanted_channels = frozenset(f"channel:{c}" for c in channels)
    open_ids = _open_ids(at.replace(second=0, microsecond=0)) if at is not None else None
    found: list[str] = []
    for member in _members(f"topic:{topic}"):
        if member.flags & required != required:
            continue
        if areas is not None and member.area and member.area not in areas:
            continue
        if wanted_channels and wanted_channels.isdisjoint(member.codes):
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
def _members(code: str) -> tuple[_Member, ...]:
    """Every document having the vocabulary code ``code``, in name order (active or not: the flags
    say)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT d.sort_key, d.name, d.service_id, d.area, d.flags, d.codes, d.age1_low, d.age1_high, "
            f"d.age2_low, d.age2_high, d.schedule_id FROM {T_DOC} d "
            f"WHERE d.id IN (SELECT t.doc FROM {DOCTERM} t WHERE t.code = %s)",
            [code],
        )
        rows = cursor.fetchall()
    ordered = sorted((sort_key, name, str(service_id), rest) for sort_key, name, service_id, *rest in rows)
    members = []
    for _sort_key, _name, service_id, (area, flags, codes, low1, high1, low2, high2, schedule_id) in ordered:
        ages = ((low1, high1),) if low2 is None else ((low1, high1), (low2, high2))
        members.append(_Member(service_id, area, flags, frozenset(codes.split()), ages, schedule_id))
    return tuple(members)
