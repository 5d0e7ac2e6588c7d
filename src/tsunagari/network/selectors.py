"""Read queries for platforms and members. Views and commands read through here.

Membership on a day: a body is a member on day ``d`` when ``joined_on <= d`` and either the
membership is open or ``d < left_on`` (``left_on`` is the first day it is no longer a member).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q, QuerySet

from tsunagari.core.models import LocalGovernment
from tsunagari.network.classes import MEMBER_CLASSES
from tsunagari.network.member_counts import MemberCount, load_member_counts
from tsunagari.network.models import MemberBody, MemberBodyTopic, Membership, Platform


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


@dataclass(frozen=True)
class MemberCard:
    """One body on the public member list, as plain values (what the page shows, nothing more)."""

    name: str
    website: str
    member_class: str
    class_label: str
    nationwide: bool
    areas: tuple[str, ...]
    topics: tuple[str, ...]  # labels, in code order


def public_member_page(
    platform: Platform, on: date, member_class: str | None, page_number, per_page: int
) -> tuple[Page, list[MemberCard]]:
    """One page of :func:`public_members` (same rows, same order) as plain cards, in a fixed number of
    small queries: the count; the page's membership ids (sorted on the narrow columns only, so the
    sort stays in memory however many members there are); the page's rows with only the shown
    columns; the page's areas; the page's topics. Labels of classes and topics are looked up once
    per call, not per row."""
    ids = (
        Membership.objects.filter(_active_on(on), platform=platform, listed_publicly=True)
        .order_by("body__name_key", "body_id")
        .values_list("pk", flat=True)
    )
    if member_class:
        ids = ids.filter(member_class=member_class)
    page = Paginator(ids, per_page).get_page(page_number)
    page_ids = list(page.object_list)
    rows = {
        row["pk"]: row
        for row in Membership.objects.filter(pk__in=page_ids).values(
            "pk", "member_class", "body_id", "body__name", "body__website", "body__nationwide"
        )
    }
    body_ids = [row["body_id"] for row in rows.values()]
    areas: dict[int, list[str]] = {}
    links = MemberBody.areas.through.objects.filter(memberbody_id__in=body_ids).select_related(
        "localgovernment__parent"
    )
    for link in links.order_by("memberbody_id", "localgovernment__code"):
        areas.setdefault(link.memberbody_id, []).append(str(link.localgovernment))
    topic_labels = {code: str(label) for code, label in MemberBodyTopic._meta.get_field("code").choices}
    topics: dict[int, list[str]] = {}
    for body_id, code in (
        MemberBodyTopic.objects.filter(body_id__in=body_ids)
        .order_by("body_id", "code")
        .values_list("body_id", "code")
    ):
        topics.setdefault(body_id, []).append(topic_labels.get(code, code))
    class_labels = {code: str(label) for code, label in Membership._meta.get_field("member_class").choices}
    cards = []
    for pk in page_ids:
        row = rows[pk]
        cards.append(
            MemberCard(
                name=row["body__name"],
                website=row["body__website"],
                member_class=row["member_class"],
                class_label=class_labels.get(row["member_class"], row["member_class"]),
                nationwide=row["body__nationwide"],
                areas=tuple(areas.get(row["body_id"], ())),
                topics=tuple(topics.get(row["body_id"], ())),
            )
        )
    return page, cards


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
