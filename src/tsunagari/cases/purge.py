"""The retention job: delete case records past their retention period (``cases.retention``).

``purge(now=None)`` deletes, in batches of one transaction each, the sections and then the cases
that are due, appends one audit entry per deleted record (actor ``system:purge``, ids only) and
logs the counts per record type — nothing else. Returns ``{record type: deleted}``; running it
again deletes nothing more.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tsunagari.cases import audit
from tsunagari.cases.models import Case, Section
from tsunagari.cases.retention import cutoff, parse_years

log = logging.getLogger("tsunagari.cases")
ACTOR = "system:purge"
BATCH = 500


def _delete_due(queryset, object_type: str) -> int:
    deleted = 0
    while True:
        with transaction.atomic():
            audit.begin_write()
            ids = list(queryset.values_list("pk", flat=True)[:BATCH])
            if not ids:
                return deleted
            for pk in ids:
                audit.record(ACTOR, audit.PURGE, object_type, pk)
            queryset.model.objects.filter(pk__in=ids).delete()
            deleted += len(ids)


def purge(now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    years = parse_years(settings.TSUNAGARI_RETENTION_YEARS)
    counts: dict[str, int] = {}
    for kind in Section.Kind.values:
        due = Section.objects.filter(
            kind=kind, case__status=Case.Status.CLOSED, case__closed_at__lte=cutoff(now, years[kind])
        ).order_by("pk")
        counts[kind] = _delete_due(due, "cases.section")
    due_cases = Case.objects.filter(
        status=Case.Status.CLOSED, closed_at__lte=cutoff(now, years["case"])
    ).order_by("pk")
    counts["case"] = _delete_due(due_cases, "cases.case")
    log.info("retention purge: %s", ", ".join(f"{k}={v}" for k, v in counts.items()))
    return counts
