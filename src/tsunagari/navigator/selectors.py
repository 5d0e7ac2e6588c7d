"""Read side of the navigator: the services suggested for a triage result."""

from __future__ import annotations

from tsunagari.directory.models import Service
from tsunagari.directory.selectors.search import SearchFilters, search_services
from tsunagari.directory.selectors.services import crisis_lines, load_in_order

#: Services read per topic when ranking suggestions.
PER_TOPIC = 100


def suggested_services(topics: list[str], crisis: bool, limit: int = 10) -> list[Service]:
    """Services for ``topics`` (best first), crisis lines first when ``crisis``.

    A service covering more of the person's topics ranks higher; then the earlier (more relevant)
    topic; then the directory's listing order (name).
    """
    chosen: list[str] = [s.pk for s in crisis_lines()] if crisis else []
    rank: dict[str, tuple[int, int, int]] = {}
    for topic_index, topic in enumerate(topics):
        page = search_services("", SearchFilters(topics=[topic]), limit=PER_TOPIC)
        for position, hit in enumerate(page.hits):
            covered, first, order = rank.get(hit.service_id, (0, topic_index, position))
            rank[hit.service_id] = (covered - 1, first, order)
    chosen += [sid for sid in sorted(rank, key=rank.__getitem__) if sid not in chosen]
    return load_in_order(chosen[:limit])
