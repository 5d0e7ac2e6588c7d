"""Maintains the search index: ``SearchDoc`` rows and the compact tables of ``search_tables``.

Called by the write services after every change to a service (``index_services``); ``rebuild_all``
rebuilds everything (``tsunagari directory reindex``). Index rows are deleted by their exact keys,
recomputed from the stored document, so an update touches only the rows of the changed services.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction

from tsunagari.core.vocabulary import AUDIENCES, CHANNELS, TOPICS
from tsunagari.directory import search_document as doc
from tsunagari.directory.models import Language, SearchDoc, SearchSchedule, Service
from tsunagari.directory.search_tables import DOCTERM, META, POSTING, TERMSTAT

_LABELS = {"topic": TOPICS, "audience": AUDIENCES, "channel": CHANNELS}
CHUNK = 500


def service_fields(service, term_ids: Iterable[str]) -> list[tuple[str, int]]:
    """The (text, weight) pairs of a service that search looks at (weights from ``WEIGHTS``)."""
    labels = []
    for term_id in term_ids:
        taxonomy, _, code = term_id.partition(":")
        labels.append(_LABELS.get(taxonomy, {}).get(code, ""))
    return [
        (service.name, 10),
        (service.alternate_name, 8),
        (" ".join(labels), 5),
        (service.organization.name, 4),
        (service.description, 1),
        (service.eligibility_description, 1),
    ]


@dataclass(frozen=True)
class DocumentValues:
    """Everything stored for one service's search document (computed without the database)."""

    name: str
    sort_key: int
    text: str
    codes: tuple[str, ...]
    area: int
    flags: int
    vocab: int
    ages: tuple[tuple[int, int], ...]
    schedule: tuple[str, bool]

    def row(self) -> dict:
        """SearchDoc field values (without service, id and schedule)."""
        (low1, high1), (low2, high2) = self.ages[0], (self.ages[1] if len(self.ages) > 1 else (None, None))
        return {
            "name": self.name,
            "sort_key": self.sort_key,
            "text": self.text,
            "codes": " ".join(self.codes),
            "area": self.area,
            "flags": self.flags,
            "vocab": self.vocab,
            "age1_low": low1,
            "age1_high": high1,
            "age2_low": low2,
            "age2_high": high2,
        }


def document_values(service, term_ids: Iterable[str], language_codes: Iterable[str]) -> DocumentValues:
    """The search document of ``service`` (a Service, or any object with the same attributes)."""
    term_ids = sorted(set(term_ids))
    audiences = [t.partition(":")[2] for t in term_ids if t.startswith("audience:")]
    spec = service.schedule_spec
    ages = tuple(doc.accepted_ages(service.minimum_age, service.maximum_age, audiences))
    return DocumentValues(
        name=service.name,
        sort_key=doc.sort_key(service.name),
        text=doc.build_text(service_fields(service, term_ids)),
        codes=tuple(term_ids) + tuple(sorted({f"language:{c}" for c in language_codes})),
        area=0 if service.area_scope == "national" or not service.area_id else int(service.area_id),
        flags=doc.flags(
            active=service.status == "active",
            is_24h=service.is_24h,
            free=service.free_of_charge,
            crisis_line=service.crisis_line,
            ages=ages,
        ),
        vocab=doc.vocabulary_mask(term_ids),
        ages=ages,
        schedule=(json.dumps(spec, sort_keys=True, ensure_ascii=False) if spec else "", bool(service.is_24h)),
    )


def posting_rows(doc_id: int, values: DocumentValues) -> list[tuple]:
    """Rows of ``directory_searchposting``: (term, weight, sort_key, doc, area, flags, vocab)."""
    v = values
    return [(t, w, v.sort_key, doc_id, v.area, v.flags, v.vocab) for t, w in doc.postings(v.text).items()]


def docterm_rows(doc_id: int, codes: Iterable[str], sort_key: int, area: int, flags: int) -> list[tuple]:
    """Rows of ``directory_searchdocterm``: (code, sort_key, doc, area, flags)."""
    return [(c, sort_key, doc_id, area, flags) for c in codes]


def _delete_rows(cursor, stored: SearchDoc) -> None:
    tokens = doc.postings(stored.text).items()
    keys = [(t, w, stored.sort_key, stored.pk) for t, w in tokens]
    cursor.executemany(
        f"DELETE FROM {POSTING} WHERE term = %s AND weight = %s AND sort_key = %s AND doc = %s", keys
    )
    cursor.executemany(f"UPDATE {TERMSTAT} SET docs = docs - 1 WHERE term = %s AND weight = %s", list(tokens))
    codes = [(c, stored.sort_key, stored.pk) for c in stored.codes.split()]
    cursor.executemany(f"DELETE FROM {DOCTERM} WHERE code = %s AND sort_key = %s AND doc = %s", codes)


def _insert_rows(cursor, doc_id: int, values: DocumentValues) -> int:
    rows = posting_rows(doc_id, values)
    cursor.executemany(
        f"INSERT INTO {POSTING} (term, weight, sort_key, doc, area, flags, vocab) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s)",
        rows,
    )
    cursor.executemany(
        f"INSERT INTO {TERMSTAT} (term, weight, docs) VALUES (%s, %s, 1) "
        f"ON CONFLICT (term, weight) DO UPDATE SET docs = {TERMSTAT}.docs + 1",
        [row[:2] for row in rows],
    )
    terms = docterm_rows(doc_id, values.codes, values.sort_key, values.area, values.flags)
    cursor.executemany(
        f"INSERT INTO {DOCTERM} (code, sort_key, doc, area, flags) VALUES (%s, %s, %s, %s, %s)", terms
    )
    return len(rows)


def _schedule_ids(keys: Iterable[tuple[str, bool]]) -> dict[tuple[str, bool], int]:
    ids = {}
    for spec, is_24h in set(keys):
        ids[(spec, is_24h)] = SearchSchedule.objects.get_or_create(spec=spec, is_24h=is_24h)[0].pk
    return ids


def _same(stored: SearchDoc, values: DocumentValues, schedule_id: int) -> bool:
    row = values.row()
    return stored.schedule_id == schedule_id and all(getattr(stored, k) == v for k, v in row.items())


def index_services(services: Iterable[Service]) -> int:
    """(Re)index the given services (with ``organization`` loaded); returns posting rows written."""
    services = list(services)
    ids = [s.pk for s in services]
    term_ids: dict[str, list[str]] = {pk: [] for pk in ids}
    for service_id, term_id in Service.terms.through.objects.filter(service_id__in=ids).values_list(
        "service_id", "term_id"
    ):
        term_ids[service_id].append(term_id)
    languages: dict[str, list[str]] = {pk: [] for pk in ids}
    for service_id, code in Language.objects.filter(service_id__in=ids).values_list("service_id", "code"):
        languages[service_id].append(code)
    values = {s.pk: document_values(s, term_ids[s.pk], languages[s.pk]) for s in services}
    written = 0
    with transaction.atomic():
        schedule_ids = _schedule_ids(v.schedule for v in values.values())
        stored = {d.service_id: d for d in SearchDoc.objects.filter(service_id__in=ids)}
        with connection.cursor() as cursor:
            for service in services:
                new, schedule_id = values[service.pk], schedule_ids[values[service.pk].schedule]
                old = stored.get(service.pk)
                if old is not None and _same(old, new, schedule_id):
                    continue
                if old is not None:
                    _delete_rows(cursor, old)
                    SearchDoc.objects.filter(pk=old.pk).update(schedule_id=schedule_id, **new.row())
                    doc_id = old.pk
                else:
                    doc_id = SearchDoc.objects.create(
                        service=service, schedule_id=schedule_id, **new.row()
                    ).pk
                written += _insert_rows(cursor, doc_id, new)
    return written


def delete_document_rows(sender, instance: SearchDoc, **kwargs) -> None:
    """``pre_delete`` receiver: a document's index rows go with it, whatever deletes it."""
    with connection.cursor() as cursor:
        _delete_rows(cursor, instance)


def rebuild_all(progress=None) -> int:
    """Rebuild the index of every service, in chunks; ``progress(done, total)`` is called per chunk."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {POSTING}")
        cursor.execute(f"DELETE FROM {DOCTERM}")
        cursor.execute(f"DELETE FROM {TERMSTAT}")
        cursor.execute(f"DELETE FROM {SearchDoc._meta.db_table}")  # rows are gone: no signals
        write_layout(cursor)
    queryset = Service.objects.select_related("organization").order_by("pk")
    total = queryset.count()
    done = written = 0
    chunk: list[Service] = []
    for service in queryset.iterator(chunk_size=2000):
        chunk.append(service)
        if len(chunk) == CHUNK:
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


def write_layout(cursor) -> None:
    """Record the vocabulary bit layout the index is built with."""
    cursor.execute(f"DELETE FROM {META} WHERE key = 'vocabulary'")
    cursor.execute(f"INSERT INTO {META} (key, value) VALUES ('vocabulary', %s)", [doc.VOCABULARY_LAYOUT])


def ensure_index(progress=None) -> int | None:
    """Rebuild the index when it does not cover every service or was built with another vocabulary
    layout (e.g. after an upgrade); returns rows written, or None when it was current."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT value FROM {META} WHERE key = 'vocabulary'")
        row = cursor.fetchone()
    current = row is not None and row[0] == doc.VOCABULARY_LAYOUT
    if current and SearchDoc.objects.count() == Service.objects.count():
        return None
    return rebuild_all(progress)
