"""Write services for platforms, member bodies, memberships, contacts and committees.

Every write of these models goes through here (the admin too, via ``admin.py``), so the rules hold
everywhere:

- a national platform has no local governments; a local one has one or more (several: a joint one);
- a body's ``name_key``/``address_key`` are recomputed on every save (duplicate detection);
- topics are ``tsunagari.core.vocabulary.TOPICS`` codes; a corporate number has a right check digit;
- a body has at most one open membership per platform; a class change closes one period and opens
  the next on the same day;
- board (幹事会) seats go to open 会員-class memberships only (the board is elected from 会員);
  subcommittee seats to any open membership.

A broken rule raises :class:`NetworkRuleError` (a ``ValueError``) and writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction

from tsunagari.core.models import LocalGovernment
from tsunagari.core.vocabulary import TOPICS
from tsunagari.network.classes import MEMBER, MEMBER_CLASSES
from tsunagari.network.dedupe import corporate_number_is_valid, normalize_key
from tsunagari.network.models import (
    Committee,
    CommitteeSeat,
    ContactPerson,
    MemberBody,
    MemberBodyTopic,
    Membership,
    Platform,
)


class NetworkRuleError(ValueError):
    """A write would break one of the rules in this module's docstring."""


def _local_governments(codes: Iterable[str]) -> list[LocalGovernment]:
    codes = list(dict.fromkeys(codes))
    found = {gov.code: gov for gov in LocalGovernment.objects.filter(code__in=codes)}
    missing = [code for code in codes if code not in found]
    if missing:
        raise NetworkRuleError(f"unknown local government code(s): {', '.join(missing)}")
    return [found[code] for code in codes]


@transaction.atomic
def create_platform(
    name: str,
    scope: str,
    local_government_codes: Iterable[str] = (),
    *,
    established_on: date | None = None,
    secretariat: str = "",
    description: str = "",
    website: str = "",
) -> Platform:
    """A new platform; see the module docstring for the scope rule."""
    govs = _local_governments(local_government_codes)
    if scope == Platform.Scope.NATIONAL and govs:
        raise NetworkRuleError("a national platform is not run by local governments")
    if scope == Platform.Scope.LOCAL and not govs:
        raise NetworkRuleError("a local platform needs at least one local government")
    if scope not in Platform.Scope.values:
        raise NetworkRuleError(f"unknown scope '{scope}'")
    platform = Platform.objects.create(
        name=name,
        scope=scope,
        established_on=established_on,
        secretariat=secretariat,
        description=description,
        website=website,
    )
    platform.local_governments.set(govs)
    return platform


def check_body_fields(corporate_number: str, topics: Iterable[str]) -> None:
    if corporate_number and not corporate_number_is_valid(corporate_number):
        raise NetworkRuleError(f"'{corporate_number}' is not a valid 法人番号")
    unknown = [code for code in topics if code not in TOPICS]
    if unknown:
        raise NetworkRuleError(f"unknown topic(s): {', '.join(unknown)}")


@transaction.atomic
def save_body(
    body: MemberBody | None = None,
    *,
    topics: Iterable[str] | None = None,
    area_codes: Iterable[str] | None = None,
    **fields,
) -> MemberBody:
    """Create a body (``body`` None) or update one; ``fields`` are model fields. ``topics`` and
    ``area_codes`` replace the body's topics and areas when given."""
    body = body or MemberBody()
    for field, value in fields.items():
        setattr(body, field, value)
    topics = list(dict.fromkeys(topics)) if topics is not None else None
    check_body_fields(body.corporate_number, topics or ())
    if not body.name.strip():
        raise NetworkRuleError("a body needs a name")
    body.name_key = normalize_key(body.name)
    body.address_key = normalize_key(body.address)
    body.save()
    if topics is not None:
        body.topics.exclude(code__in=topics).delete()
        have = set(body.topics.values_list("code", flat=True))
        MemberBodyTopic.objects.bulk_create(
            [MemberBodyTopic(body=body, code=code) for code in topics if code not in have]
        )
    if area_codes is not None:
        body.areas.set(_local_governments(area_codes))
    return body


@transaction.atomic
def join(
    platform: Platform, body: MemberBody, member_class: str, joined_on: date, *, listed_publicly: bool = False
) -> Membership:
    """Open a membership; refused while the body has an open one in this platform."""
    if member_class not in MEMBER_CLASSES:
        raise NetworkRuleError(f"unknown member class '{member_class}'")
    # Lock the body so two concurrent joins cannot both see "no open membership".
    MemberBody.objects.select_for_update().get(pk=body.pk)
    if Membership.objects.filter(platform=platform, body=body, left_on__isnull=True).exists():
        raise NetworkRuleError(f"{body} is already a member of {platform}")
    return Membership.objects.create(
        platform=platform,
        body=body,
        member_class=member_class,
        joined_on=joined_on,
        listed_publicly=listed_publicly,
    )


@transaction.atomic
def leave(membership: Membership, left_on: date) -> Membership:
    """Close a membership on ``left_on`` (the first day the body is no longer a member) and end its
    committee seats the same day."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.left_on is not None:
        raise NetworkRuleError("this membership has already ended")
    if left_on < membership.joined_on:
        raise NetworkRuleError("left_on is before joined_on")
    membership.left_on = left_on
    membership.save(update_fields=["left_on"])
    membership.seats.filter(ended_on__isnull=True).update(ended_on=left_on)
    return membership


@transaction.atomic
def change_class(membership: Membership, member_class: str, on: date) -> Membership:
    """Move a body to another class from ``on``: the open period ends, a new one starts (same
    consent to be listed). Board seats do not follow a body out of the 会員 class."""
    listed = membership.listed_publicly
    leave(membership, on)
    return join(membership.platform, membership.body, member_class, on, listed_publicly=listed)


def set_listing_consent(membership: Membership, listed_publicly: bool) -> Membership:
    """Record whether the body agrees to appear on the public member list."""
    membership.listed_publicly = listed_publicly
    membership.save(update_fields=["listed_publicly"])
    return membership


def add_contact(body: MemberBody, name: str, **fields) -> ContactPerson:
    """A contact person for a body; the first one becomes the primary contact."""
    if not name.strip():
        raise NetworkRuleError("a contact person needs a name")
    fields.setdefault("is_primary", not body.contacts.exists())
    return ContactPerson.objects.create(body=body, name=name, **fields)


def check_seat(committee: Committee, membership: Membership) -> None:
    """Raise ``NetworkRuleError`` unless ``membership`` may hold a seat on ``committee``."""
    if membership.platform_id != committee.platform_id:
        raise NetworkRuleError("the membership is not of this committee's platform")
    if membership.left_on is not None:
        raise NetworkRuleError("the membership has ended")
    if committee.kind == Committee.Kind.BOARD and membership.member_class != MEMBER:
        raise NetworkRuleError("board members are elected from 会員 (not 協力会員 or 賛助会員)")


@transaction.atomic
def add_seat(
    committee: Committee, membership: Membership, started_on: date, *, role: str = CommitteeSeat.Role.MEMBER
) -> CommitteeSeat:
    """Seat a member on a committee of its own platform (rules in the module docstring)."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    check_seat(committee, membership)
    if committee.seats.filter(membership=membership, ended_on__isnull=True).exists():
        raise NetworkRuleError(f"{membership.body} already has a seat on {committee}")
    return CommitteeSeat.objects.create(
        committee=committee, membership=membership, role=role, started_on=started_on
    )


@transaction.atomic
def merge_bodies(keep: MemberBody, duplicate: MemberBody) -> MemberBody:
    """Fold ``duplicate`` into ``keep``: memberships, contacts, topics and areas move over, missing
    fields are filled from the duplicate, then the duplicate is deleted. Refused when both have an
    open membership in the same platform (a person must first decide which one is right)."""
    if keep.pk == duplicate.pk:
        raise NetworkRuleError("a body cannot be merged into itself")
    open_keep = set(keep.memberships.filter(left_on__isnull=True).values_list("platform_id", flat=True))
    clash = duplicate.memberships.filter(left_on__isnull=True, platform_id__in=open_keep)
    if clash.exists():
        raise NetworkRuleError("both bodies are open members of the same platform; end one membership first")
    if (
        keep.corporate_number
        and duplicate.corporate_number
        and keep.corporate_number != duplicate.corporate_number
    ):
        raise NetworkRuleError("the bodies have different corporate numbers")
    duplicate.memberships.update(body=keep)
    duplicate.contacts.update(body=keep, is_primary=False)
    topics = set(keep.topics.values_list("code", flat=True)) | set(
        duplicate.topics.values_list("code", flat=True)
    )
    areas = list(keep.areas.all()) + list(duplicate.areas.all())
    filled = {
        field: getattr(duplicate, field)
        for field in (
            "name_kana", "corporate_number", "address", "website", "description", "organization", "local_government",
        )
        if not getattr(keep, field) and getattr(duplicate, field)
    }  # fmt: skip
    nationwide = keep.nationwide or duplicate.nationwide
    duplicate.delete()  # first: its corporate number and local government are unique
    keep = save_body(keep, topics=sorted(topics), nationwide=nationwide, **filled)
    keep.areas.set(areas)
    return keep
