"""Read side of the navigator: the services suggested for a triage result."""

from __future__ import annotations

from dataclasses import dataclass

from tsunagari.directory.models import Service
from tsunagari.directory.selectors.search import SearchFilters, search_services
from tsunagari.directory.selectors.services import crisis_lines, load_in_order
from tsunagari.navigator.flow import Criteria

#: Services read per topic when ranking suggestions.
PER_TOPIC = 100


def suggested_services(topics: list[str], crisis: bool, limit: int = 10) -> list[Service]:
    """What the navigator suggests for ``topics``: verified crisis lines first when ``crisis``, then
    ``recommend``'s services for the topics (the same ranking as the result page)."""
    chosen = crisis_lines() if crisis else []
    for rec in recommend(Criteria(topics=list(topics)), limit=limit):
        if rec.service not in chosen:
            chosen.append(rec.service)
    return chosen[:limit]


@dataclass
class Recommendation:
    service: Service
    topics: list[str]  # the person's topics this service is for, in their order
    relaxed: list[str]  # conditions dropped to find it ("open_now", "channels", "area")


#: Conditions dropped in turn when too few services match all of them.
RELAX_ORDER = ("open_now", "channels", "area")


def recommend(criteria: Criteria, limit: int = 10) -> list[Recommendation]:
    """Services for the person's criteria, best first, with why each was suggested.

    Topics are taken in the person's order; a service serving several of them ranks higher. When
    fewer than ``limit`` match every condition, "open now", then the channel, then the area are
    dropped in turn (the result says so). Without topics nothing is recommended.
    """
    found: dict[str, Recommendation] = {}
    order: dict[str, tuple[int, int, int]] = {}
    dropped: list[str] = []
    for relax in (None, *RELAX_ORDER):
        if relax:
            dropped.append(relax)
        for topic_index, topic in enumerate(criteria.topics):
            filters = SearchFilters(
                topics=[topic],
                age=criteria.age,
                area=None if "area" in dropped else criteria.area,
                channels=[] if "channels" in dropped else criteria.channels,
                open_now=False if "open_now" in dropped else criteria.open_now,
            )
            for position, hit in enumerate(search_services("", filters, limit=PER_TOPIC).hits):
                rec = found.get(hit.service_id)
                if rec is None:
                    found[hit.service_id] = rec = Recommendation(None, [], list(dropped))
                    order[hit.service_id] = (len(dropped), topic_index, position)
                if topic not in rec.topics:
                    rec.topics.append(topic)
        if len(found) >= limit:
            break
    ranked = sorted(found, key=lambda sid: (order[sid][0], -len(found[sid].topics), *order[sid][1:]))[:limit]
    services = {s.pk: s for s in load_in_order(ranked)}
    result = []
    for sid in ranked:
        found[sid].service = services[sid]
        result.append(found[sid])
    return result
