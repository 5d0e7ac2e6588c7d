"""Writes of the campaign pages: counting visits through tagged entry links, creating tags.

``count_visit(code)`` adds one to the counter of the tag (or of "unknown" when ``code`` is not a
tag) for today's Tokyo date and touches nothing else: no row per visit, nothing about the visitor.
The increment is safe under concurrency on every database: an ``UPDATE … SET visits = visits + 1``
(an ``F()`` expression, evaluated by the database) and, when no row exists yet, an INSERT in a
savepoint; if another request inserted the row first, the unique constraint refuses the second
INSERT and the UPDATE is repeated. No increment is lost and none is counted twice.
"""

from __future__ import annotations

import re
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from tsunagari.network.models import Campaign, EntryTag, EntryVisitCount
from tsunagari.network.models.campaigns import CODE_PATTERN
from tsunagari.network.services import NetworkRuleError

_CODE = re.compile(CODE_PATTERN)


def find_tag(code: str) -> EntryTag | None:
    """The tag named by ``code`` (case-insensitive), or ``None``; malformed codes are no tag."""
    code = code.strip().lower()
    if not _CODE.match(code):
        return None
    return EntryTag.objects.select_related("campaign").filter(code=code).first()


def increment(tag: EntryTag | None, day: date) -> None:
    """Add one visit for ``tag`` (``None``: unknown) on ``day`` (module docstring)."""
    rows = EntryVisitCount.objects.filter(tag=tag, day=day)
    if rows.update(visits=F("visits") + 1):
        return
    try:
        with transaction.atomic():
            EntryVisitCount.objects.create(tag=tag, day=day, visits=1)
    except IntegrityError:
        rows.update(visits=F("visits") + 1)


def count_visit(code: str, today: date | None = None) -> EntryTag | None:
    """Count a visit through the entry link ``code``; returns its tag (``None`` if unknown)."""
    tag = find_tag(code)
    increment(tag, today or timezone.localdate())
    return tag


def create_tag(campaign: Campaign, code: str, label: str, user=None) -> EntryTag:
    """A new entry tag of ``campaign`` (codes: lower-case letters, digits, hyphens)."""
    code = code.strip().lower()
    if not _CODE.match(code):
        raise NetworkRuleError(
            "a tag is 1-40 lower-case letters, digits or hyphens, starting with a letter or digit"
        )
    if not label.strip():
        raise NetworkRuleError("a tag needs a label saying where the link is used")
    if EntryTag.objects.filter(code=code).exists():
        raise NetworkRuleError(f"the tag '{code}' exists already")
    return EntryTag.objects.create(campaign=campaign, code=code, label=label.strip(), created_by=user)
