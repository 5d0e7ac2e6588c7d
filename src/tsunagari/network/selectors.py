"""Read queries for platforms and members. Views and commands read through here.

Membership on a day: a body is a member on day ``d`` when ``joined_on <= d`` and either the
membership is open or ``d < left_on`` (``left_on`` is the first day it is no longer a member).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet

from tsunagari.core.models import LocalGovernment
from tsunagari.network.classes import MEMBER_CLASSES
from tsunagari.network.member_counts import MemberCount, load_member_counts
from tsunagari.network.models import MemberBodyTopic, Membership, Platform


def platforms() -> QuerySet[Platform]:
    """Every platform, national first, with its local governments."""
    return Platform.objects.prefetch_related("local_governments")


def platform(platform_id: int) -> Platform | None:
    return platforms().filter(pk=platform_id).first()


def _active_on(on: date) -> Q:
    return Q(joined_on__lte=on) & (Q(left_on__isnull=True) | Q(left_on__gt=on))


def public_members(platform: Platform, on: date, member_class: str | None = None) -> QuerySet[Membership]:
    """Memberships shown on the public list: active on ``on`` and agreed to be listed, by name.
    Bodies, their areas and topics are loaded with them (no query per row)."""
    rows = Membership.objects.filter(_active_on(on), platform=platform, listed_publicly=True)
    if member_class:
        rows = rows.filter(member_class=member_class)
    return (
        rows.select_related("body")
        .prefetch_related(
            Prefetch("body__areas", queryset=LocalGovernment.objects.select_related("parent")),
            Prefetch("body__topics", queryset=MemberBodyTopic.objects.order_by("code")),
        )
        .order_by("body__name_key", "body_id")
    )


def member_counts(platform: Platform, on: date) -> dict[str, int]:
    """Members by class on ``on`` (every class present, 0 when none), counted from the records."""
    counts = dict.fromkeys(MEMBER_CLASSES, 0)
    rows = (
        Membership.objects.filter(_active_on(on), platform=platform)
        .values("member_class")
        .annotate(n=Count("id"))
    )
    for row in rows:
        counts[row["member_class"]] = row["n"]
    return counts


@dataclass(frozen=True)
class CountPoint:
    as_of: date
    by_class: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_class.values())


def member_count_series(platform: Platform, dates: Iterable[date]) -> list[CountPoint]:
    """Members by class on each of ``dates`` (in the order given), from the records."""
    return [CountPoint(day, member_counts(platform, day)) for day in dates]


def published_member_counts() -> tuple[MemberCount, ...]:
    """The national platform's counts as the seeds publish them (``data/member_counts.yaml``)."""
    return load_member_counts()
