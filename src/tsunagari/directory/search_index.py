"""Maintains the search index (``SearchToken`` rows and ``Service.search_text``).

Called by the write services after every change to a service; ``rebuild_all`` rebuilds everything
(used by ``tsunagari directory reindex`` and after bulk imports).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from tsunagari.core.vocabulary import AUDIENCES, CHANNELS, TOPICS
from tsunagari.directory.models import SearchToken, Service
from tsunagari.directory.search_query import document_tokens

#: Field weights: a match in the name ranks above a match in the description.
WEIGHT_NAME = 10
WEIGHT_ALTERNATE_NAME = 8
WEIGHT_TERMS = 5
WEIGHT_ORGANIZATION = 4
WEIGHT_BODY = 1

_LABELS = {"topic": TOPICS, "audience": AUDIENCES, "channel": CHANNELS}
BATCH = 2000


def service_fields(service: Service, term_ids: Iterable[str]) -> list[tuple[str, int]]:
    """The (text, weight) pairs of a service that search looks at."""
    labels = []
    for term_id in term_ids:
        taxonomy, _, code = term_id.partition(":")
        labels.append(_LABELS.get(taxonomy, {}).get(code, ""))
    return [
        (service.name, WEIGHT_NAME),
        (service.alternate_name, WEIGHT_ALTERNATE_NAME),
        (" ".join(labels), WEIGHT_TERMS),
        (service.organization.name, WEIGHT_ORGANIZATION),
        (service.description, WEIGHT_BODY),
        (service.eligibility_description, WEIGHT_BODY),
    ]


def index_services(services: Iterable[Service]) -> int:
    """(Re)index the given services; returns the number of token rows written."""
    services = list(services)
    ids = [s.pk for s in services]
    term_ids: dict[str, list[str]] = {pk: [] for pk in ids}
    for service_id, term_id in Service.terms.through.objects.filter(service_id__in=ids).values_list(
        "service_id", "term_id"
    ):
        term_ids[service_id].append(term_id)
    rows: list[SearchToken] = []
    written = 0
    with transaction.atomic():
        SearchToken.objects.filter(service_id__in=ids).delete()
        for service in services:
            tokens, text = document_tokens(service_fields(service, term_ids[service.pk]))
            if service.search_text != text:
                Service.objects.filter(pk=service.pk).update(search_text=text)
                service.search_text = text
            rows.extend(
                SearchToken(service_id=service.pk, token=token, lead=token[0], weight=weight)
                for token, weight in tokens.items()
            )
            if len(rows) >= BATCH:
                SearchToken.objects.bulk_create(rows, batch_size=BATCH)
                written += len(rows)
                rows = []
        SearchToken.objects.bulk_create(rows, batch_size=BATCH)
        written += len(rows)
    return written


def rebuild_all(progress=None) -> int:
    """Rebuild the index of every service, in chunks; ``progress(done, total)`` is called per chunk."""
    queryset = Service.objects.select_related("organization").order_by("pk")
    total = queryset.count()
    done = written = 0
    chunk: list[Service] = []
    for service in queryset.iterator(chunk_size=BATCH):
        chunk.append(service)
        if len(chunk) == 500:
            written += index_services(chunk)
            done += len(chunk)
            chunk = []
            if progress:
                progress(done, total)
    if chunk:
        written += index_services(chunk)
        done += len(chunk)
        if progress:
            progress(done, total)
    return written
