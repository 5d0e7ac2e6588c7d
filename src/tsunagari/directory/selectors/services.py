"""Read-side queries for services: search results, details, stale entries."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from tsunagari.core.page_cache import cache_seconds
from tsunagari.core.ttl_cache import TtlStore, ttl_cache
from tsunagari.directory.models import Phone, Service, ServiceAttribute
from tsunagari.directory.selectors.hours import open_now
from tsunagari.directory.selectors.search import SearchFilters, search_services
from tsunagari.directory.shown_lines import ShownLines


def services_with_details() -> QuerySet[Service]:
    """Services with what a listing or detail needs, fetched in a fixed number of queries."""
    return Service.objects.select_related("organization", "area").prefetch_related(
        Prefetch("attributes", queryset=ServiceAttribute.objects.select_related("term")),
        Prefetch("phones", queryset=Phone.objects.order_by("position", "id")),
        "languages",
        "schedules",
    )


def codes(service: Service, taxonomy: str) -> list[str]:
    """Vocabulary codes of ``service`` in ``taxonomy`` (topic / audience / channel), sorted."""
    return sorted(a.term.code for a in service.attributes.all() if a.term.taxonomy_id == taxonomy)


def summary(service: Service, score: int | None, at: datetime) -> dict:
    """The compact JSON shape used by the CLI and search listings."""
    return {
        "id": service.pk,
        "name": service.name,
        "organization": service.organization.name,
        "topics": codes(service, "topic"),
        "audiences": codes(service, "audience"),
        "channels": codes(service, "channel"),
        "phones": [p.number for p in service.phones.all()],
        "is_24h": service.is_24h,
        "open_now": open_now(service, at),
        "crisis_line": service.crisis_line,
        "verification": service.verification,
        "last_verified": service.last_verified.isoformat() if service.last_verified else None,
        "score": score,
    }


def load_in_order(ids: list[str]) -> list[Service]:
    """Services with details, in the order of ``ids``."""
    by_id = {s.pk: s for s in services_with_details().filter(pk__in=ids)}
    return [by_id[i] for i in ids if i in by_id]


def search_results(
    query: str,
    filters: SearchFilters | None = None,
    limit: int = 20,
    offset: int = 0,
    now: datetime | None = None,
) -> dict:
    """A page of search results as plain data: ``{"total", "total_exact", "results": [summary…], "terms"}``.

    ``total_exact`` false means "more than ``total``" (see ``search.COUNT_CAP``)."""
    at = now or timezone.now()
    page = search_services(query, filters, limit=limit, offset=offset, now=at)
    services = load_in_order([h.service_id for h in page.hits])
    scores = {h.service_id: h.score for h in page.hits}
    return {
        "total": page.total,
        "total_exact": page.total_exact,
        "results": [summary(s, scores[s.pk] if query.strip() else None, at) for s in services],
        "services": services,
        "terms": [t.text for t in page.terms],
    }


def stale_services() -> QuerySet[Service]:
    """Services never verified, or verified longer ago than ``TSUNAGARI_STALE_AFTER_DAYS``."""
    cutoff = timezone.localdate() - timedelta(days=settings.TSUNAGARI_STALE_AFTER_DAYS)
    return (
        Service.objects.filter(Q(last_verified__isnull=True) | Q(last_verified__lt=cutoff))
        .exclude(status=Service.Status.DEFUNCT)
        .order_by("last_verified", "name")
    )


_cards = TtlStore(cache_seconds, maxsize=4096)


def load_for_cards(ids: list[str]) -> list[Service]:
    """Services with what a card of the navigator needs (organization, phones), in the order of ``ids``.

    Each service is kept ``cache_seconds()`` per process (emptied on writes, like the crisis lines):
    the same national services come back in most results. Treat them as read-only."""
    by_id = _cards.get_many(ids, _load_cards)
    return [by_id[i] for i in ids if i in by_id]


def _load_cards(ids: list[str]) -> dict[str, Service]:
    queryset = Service.objects.select_related("organization").prefetch_related(
        Prefetch("phones", queryset=Phone.objects.order_by("position", "id"))
    )
    return {s.pk: s for s in queryset.filter(pk__in=ids)}


@ttl_cache(cache_seconds)
def crisis_lines(limit: int = 10) -> ShownLines:
    """Verified 24-hour crisis lines for suicidal feelings (shown on every page and first in a crisis).

    Cached for ``cache_seconds()`` per process; any write to a service or phone empties the cache of
    the process that wrote (see ``directory.apps``). Equal by what pages show of them
    (:class:`ShownLines`): pages kept rendered with them show a changed number once they are read again."""
    return _cards_for(SearchFilters(crisis_line=True, is_24h=True, topics=["suicide"]), limit)


@ttl_cache(cache_seconds)
def youth_lines(limit: int = 10) -> ShownLines:
    """Verified crisis lines for people 18 and under (children's SOS lines, child lines); cached as
    ``crisis_lines``."""
    return _cards_for(SearchFilters(crisis_line=True, audiences=["under18"]), limit)


def _cards_for(filters: SearchFilters, limit: int) -> ShownLines:
    """The first ``limit`` services matching ``filters`` (search order), loaded for cards — read from the
    database, not from the cards' cache, so that a number changed elsewhere shows within one
    ``cache_seconds()`` (this list's own), not two."""
    ids = [hit.service_id for hit in search_services("", filters, limit=limit).hits]
    by_id = _load_cards(ids)
    return ShownLines(by_id[i] for i in ids if i in by_id)
