"""Read side of the navigator: the services suggested for a triage result."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from tsunagari.core import lgcode
from tsunagari.core.page_cache import cache_seconds
from tsunagari.core.ttl_cache import ttl_cache
from tsunagari.directory.models import Service
from tsunagari.directory.selectors.hours import open_now
from tsunagari.directory.selectors.services import crisis_lines, load_for_cards
from tsunagari.directory.selectors.topic_services import topic_service_ids
from tsunagari.navigator.flow import Criteria
from tsunagari.navigator.models import ProcedureLink
from tsunagari.navigator.procedure_links import render as render_procedure_url

#: Services read per topic when ranking suggestions.
PER_TOPIC = 100


def suggested_services(topics: list[str], crisis: bool, limit: int = 10) -> list[Service]:
    """What the navigator suggests for ``topics``: verified crisis lines first when ``crisis``, then
    ``recommend``'s services for the topics (the same ranking as the result page)."""
    chosen = list(crisis_lines()) if crisis else []
    for rec in recommend(Criteria(topics=list(topics)), limit=limit):
        if rec.service not in chosen:
            chosen.append(rec.service)
    return chosen[:limit]


@dataclass
class Recommendation:
    service: Service
    topics: list[str]  # the person's topics this service is for, in their order
    relaxed: list[str]  # conditions dropped to find it ("open_now", "channels", "area")
    open_now: bool | None = None  # open at the time of the request (None: hours not known)


#: Conditions dropped in turn when too few services match all of them.
RELAX_ORDER = ("open_now", "channels", "area")


def recommend(criteria: Criteria, limit: int = 10) -> list[Recommendation]:
    """Services for the person's criteria, best first, with why each was suggested.

    Topics are taken in the person's order; a service serving several of them ranks higher. When
    fewer than ``limit`` match every condition, "open now", then the channel, then the area are
    dropped in turn (the result says so). Among services found with the same conditions, those
    open now come first, then those whose hours are unknown, then those closed now. Without topics
    nothing is recommended. Results are cached per process for the same criteria within the same
    minute (opening hours are checked by the minute) and at most ``cache_seconds()``.
    """
    now = timezone.localtime().replace(second=0, microsecond=0)
    key = (tuple(criteria.topics), criteria.age, criteria.area, tuple(criteria.channels), criteria.open_now)
    return list(_recommend(key, limit, now))


@ttl_cache(cache_seconds)
def _recommend(key: tuple, limit: int, now) -> tuple[Recommendation, ...]:
    topics, age, area, channels, open_now_wanted = key
    criteria = Criteria(
        topics=list(topics), age=age, area=area, channels=list(channels), open_now=open_now_wanted
    )
    found: dict[str, Recommendation] = {}
    order: dict[str, tuple[int, int, int]] = {}
    dropped: list[str] = []
    for relax in (None, *RELAX_ORDER):
        if relax:
            dropped.append(relax)
        wants_open = criteria.open_now and "open_now" not in dropped
        for topic_index, topic in enumerate(criteria.topics):
            hits = topic_service_ids(
                topic,
                age=criteria.age,
                area=None if "area" in dropped else criteria.area,
                channels=() if "channels" in dropped else criteria.channels,
                at=now if wants_open else None,
                limit=PER_TOPIC,
            )
            for position, service_id in enumerate(hits):
                rec = found.get(service_id)
                if rec is None:
                    found[service_id] = rec = Recommendation(None, [], list(dropped))
                    order[service_id] = (len(dropped), topic_index, position)
                if topic not in rec.topics:
                    rec.topics.append(topic)
        if len(found) >= limit:
            break
    candidates = sorted(found, key=lambda sid: (order[sid][0], -len(found[sid].topics), *order[sid][1:]))
    candidates = candidates[: limit * 3]  # enough to bring open services forward, few to load
    for service in load_for_cards(candidates):
        found[service.pk].service = service
        found[service.pk].open_now = open_now(service, now)
    openness = {True: 0, None: 1, False: 2}
    position = {sid: index for index, sid in enumerate(candidates)}
    ranked = sorted(candidates, key=lambda sid: (order[sid][0], openness[found[sid].open_now], position[sid]))
    return tuple(found[sid] for sid in ranked[:limit])


@ttl_cache(cache_seconds)
def _procedure_templates() -> dict[str | None, ProcedureLink]:
    """Every procedure link template by service id (None: the default); a short table, kept
    ``cache_seconds()`` per process and forgotten when one is saved (``navigator.apps``)."""
    return {link.service_id: link for link in ProcedureLink.objects.all()}


def procedure_links(services: list[Service], area: str | None) -> dict[str, tuple[str, str]]:
    """{service id: (url, label)} of municipal procedure information when ``area`` is a municipality.

    A service's own template wins over the default one; no link without a municipality."""
    if not area or lgcode.is_prefecture(area):
        return {}
    templates = _procedure_templates()
    default = templates.get(None)
    links = {}
    for service in services:
        link = templates.get(service.pk, default)
        if link is not None:
            links[service.pk] = (render_procedure_url(link.url_template, area), link.label)
    return links
