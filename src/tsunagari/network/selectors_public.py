"""Read-side queries for the network's public pages that reach into the directory: a member
body's public page, the directory's "platform member" line, and a platform's social-resource list.

What is public about a body: only bodies with an *open* membership whose body agreed to be listed
(``Membership.listed_publicly``) appear anywhere here; contact people never do. Services are the
directory's own records (names, phones verbatim, verification status) — nothing is added to them.
Defunct services (``Service.Status.DEFUNCT``) are left out.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from tsunagari.core.models import LocalGovernment
from tsunagari.core.vocabulary import TOPICS
from tsunagari.directory.models import Phone, Service, ServiceAttribute
from tsunagari.network.models import MemberBody, Membership, Platform

NO_TOPIC = ""
"""Group key of services without any topic (shown last, as その他)."""


def _listed_memberships() -> QuerySet[Membership]:
    return Membership.objects.filter(left_on__isnull=True, listed_publicly=True)


def member_bodies_for_organization(org_id: str) -> list[MemberBody]:
    """The listed member bodies linked to the directory organization ``org_id`` (usually 0 or 1)."""
    if not org_id:
        return []
    listed = _listed_memberships().values("body_id")
    return list(MemberBody.objects.filter(organization_id=org_id, pk__in=listed).order_by("name_key", "pk"))


def is_listed(body_id: int) -> bool:
    """Does the body have a listed open membership (and so a public page)?"""
    return _listed_memberships().filter(body_id=body_id).exists()


def public_body(body_id: int) -> MemberBody | None:
    """The body with what its public page shows, or None unless it has a listed open membership."""
    listed = _listed_memberships().filter(body_id=body_id)
    return (
        MemberBody.objects.filter(pk=body_id, pk__in=listed.values("body_id"))
        .select_related("organization")
        .prefetch_related(
            "topics",
            Prefetch("areas", queryset=LocalGovernment.objects.select_related("parent")),
            Prefetch("memberships", queryset=listed.select_related("platform")),
        )
        .first()
    )


def body_memberships(body: MemberBody) -> list[Membership]:
    """The body's listed open memberships (platform and class), as prefetched by ``public_body``."""
    return sorted(body.memberships.all(), key=lambda m: (m.platform.scope, m.platform.name, m.pk))


def _services() -> QuerySet[Service]:
    return (
        Service.objects.exclude(status=Service.Status.DEFUNCT)
        .select_related("organization", "area__parent")
        .prefetch_related(Prefetch("phones", queryset=Phone.objects.order_by("position", "id")))
    )


def body_services(body: MemberBody) -> list[Service]:
    """The directory services of the body's organization (none when the body is not linked)."""
    if not body.organization_id:
        return []
    return list(_services().filter(organization_id=body.organization_id).order_by("name", "pk"))


# -- a platform's social-resource list -------------------------------------------------------------


@dataclass(frozen=True)
class ResourceRow:
    """One line of the resource list: a service under one of its topics (a service with several
    topics appears under each)."""

    topic: str  # a TOPICS code, or NO_TOPIC
    service_id: str
    name: str
    via_member: bool  # provided by a listed member body of the platform


def resource_service_ids(platform: Platform) -> tuple[set[str], set[str]]:
    """(ids of services of the platform's listed member bodies, ids of services whose area — the
    service's own area or one of its service areas — is one of the platform's local governments).

    The area match is exact: a municipal platform does not pull in its prefecture's services."""
    org_ids = MemberBody.objects.filter(
        pk__in=_listed_memberships().filter(platform=platform).values("body_id"),
        organization__isnull=False,
    ).values("organization_id")
    live = Service.objects.exclude(status=Service.Status.DEFUNCT)
    member_ids = set(live.filter(organization_id__in=org_ids).values_list("pk", flat=True))
    govs = platform.local_governments.values("code")
    area_ids = set(
        live.filter(Q(area_id__in=govs) | Q(service_areas__area_id__in=govs)).values_list("pk", flat=True)
    )
    return member_ids, area_ids


def resource_rows(platform: Platform, topic: str | None = None) -> list[ResourceRow]:
    """The platform's resource list in display order: by topic (``TOPICS`` order, services without a
    topic last), then service name. ``topic`` keeps only that group."""
    member_ids, area_ids = resource_service_ids(platform)
    ids = member_ids | area_ids
    if not ids:
        return []
    names = dict(Service.objects.filter(pk__in=ids).values_list("pk", "name"))
    topics_of: dict[str, list[str]] = {}
    pairs = ServiceAttribute.objects.filter(service_id__in=ids, term__taxonomy_id="topic").values_list(
        "service_id", "term__code"
    )
    for service_id, code in pairs:
        if code in TOPICS:
            topics_of.setdefault(service_id, []).append(code)
    order = {code: n for n, code in enumerate(TOPICS)}
    rows = [
        ResourceRow(code, service_id, name, service_id in member_ids)
        for service_id, name in names.items()
        for code in (topics_of.get(service_id) or [NO_TOPIC])
        if topic is None or code == topic
    ]
    rows.sort(key=lambda r: (order.get(r.topic, len(order)), r.name, r.service_id))
    return rows


def services_by_id(ids: list[str]) -> dict[str, Service]:
    """Services with organization, area and phones, for the rows of one page."""
    return {s.pk: s for s in _services().filter(pk__in=ids)}
