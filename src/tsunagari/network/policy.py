"""Who may do what to which network object: every object-level decision of the network's staff
views goes through here.

- the secretariat (superuser, or ``network.manage_all_platforms``): every platform and body;
- a local platform officer (``network.act_as_platform_officer`` *and* a ``PlatformOfficer`` row):
  the platforms they are officer of, their memberships, events and newsletters, and the bodies with
  an open membership of one of those platforms;
- a member body editor (``network.edit_own_body`` *and* a ``BodyEditor`` row): their own body only;
- anyone else (anonymous, inactive users, other staff): nothing.

Both the role's permission and the assignment row are needed, so taking a user out of a role group
ends their access without deleting assignments. Views answer 404 when a decision here is "no", so a
page does not reveal whether an object exists.
"""

from __future__ import annotations

from django.db.models import QuerySet

from tsunagari.network.models import (
    BodyEditor,
    Committee,
    CommitteeSeat,
    Event,
    EventMaterial,
    Issue,
    MemberBody,
    Membership,
    Newsletter,
    Platform,
    PlatformOfficer,
    Registration,
)

SECRETARIAT_PERMISSION = "network.manage_all_platforms"
OFFICER_PERMISSION = "network.act_as_platform_officer"
EDITOR_PERMISSION = "network.edit_own_body"


def _active(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def is_secretariat(user) -> bool:
    """True for the national secretariat and superusers (everything)."""
    return _active(user) and (user.is_superuser or user.has_perm(SECRETARIAT_PERMISSION))


def _officer_platform_ids(user) -> QuerySet:
    if not (_active(user) and user.has_perm(OFFICER_PERMISSION)):
        return PlatformOfficer.objects.none().values("platform_id")
    return PlatformOfficer.objects.filter(user=user).values("platform_id")


def manageable_platforms(user) -> QuerySet[Platform]:
    """The platforms ``user`` may manage."""
    if is_secretariat(user):
        return Platform.objects.all()
    return Platform.objects.filter(pk__in=_officer_platform_ids(user))


def may_manage_platform(user, platform: Platform) -> bool:
    """May ``user`` manage ``platform`` (its memberships, events, newsletters)?"""
    if is_secretariat(user):
        return True
    return _officer_platform_ids(user).filter(platform_id=platform.pk).exists()


def may_manage_membership(user, membership: Membership) -> bool:
    return may_manage_platform(user, membership.platform)


def may_manage_event(user, event: Event) -> bool:
    return may_manage_platform(user, event.platform)


def may_manage_newsletter(user, newsletter: Newsletter) -> bool:
    return may_manage_platform(user, newsletter.platform)


def editable_bodies(user) -> QuerySet[MemberBody]:
    """The member bodies whose profile ``user`` may edit."""
    if is_secretariat(user):
        return MemberBody.objects.all()
    if not _active(user):
        return MemberBody.objects.none()
    by_platform = Membership.objects.filter(
        left_on__isnull=True, platform_id__in=_officer_platform_ids(user)
    ).values("body_id")
    own = (
        BodyEditor.objects.filter(user=user).values("body_id")
        if user.has_perm(EDITOR_PERMISSION)
        else BodyEditor.objects.none().values("body_id")
    )
    return MemberBody.objects.filter(pk__in=by_platform) | MemberBody.objects.filter(pk__in=own)


def may_edit_body(user, body: MemberBody) -> bool:
    """May ``user`` edit ``body``'s public profile and contact people?"""
    if is_secretariat(user):
        return True
    return editable_bodies(user).filter(pk=body.pk).exists()


# -- the admin's object scope (network.admin_scope; issue 7 roles) ---------------------------------

_PLATFORM_LOOKUPS: dict[type, str] = {
    Platform: "pk",
    Membership: "platform",
    Committee: "platform",
    CommitteeSeat: "committee__platform",
    Event: "platform",
    EventMaterial: "event__platform",
    Registration: "event__platform",
    Newsletter: "platform",
    Issue: "newsletter__platform",
}
"""Model → lookup from it to the platform that decides who manages it."""

_PLATFORM_REFERENCES: dict[type, tuple[str, ...]] = {
    Platform: ("",),
    Membership: ("platform",),
    Committee: ("platform",),
    CommitteeSeat: ("committee.platform", "membership.platform"),
    Event: ("platform", "committee.platform"),
    EventMaterial: ("event.platform",),
    Registration: ("event.platform",),  # the registrant may be a member of any platform
    Newsletter: ("platform",),
    Issue: ("newsletter.platform",),
}
"""Model → every path (foreign keys, dotted) from an object to a platform it points at; an object
is manageable when every platform it points at is ("" is the platform itself)."""


def is_platform_scoped(model) -> bool:
    """Does ``model``'s access follow the platform it belongs to (``scope_to_user`` knows it)?"""
    return model in _PLATFORM_LOOKUPS or model is MemberBody


def viewable_bodies(user) -> QuerySet[MemberBody]:
    """The member bodies ``user`` may see in the admin: those they may edit and, for an officer,
    every body that ever was a member of one of their platforms (to record a re-joining or a
    change of class). A body new to the officer's platforms is added by the secretariat (or a
    member-list import)."""
    if is_secretariat(user):
        return MemberBody.objects.all()
    past_and_present = Membership.objects.filter(platform_id__in=_officer_platform_ids(user)).values(
        "body_id"
    )
    return MemberBody.objects.filter(pk__in=past_and_present) | editable_bodies(user)


def scope_to_user(user, queryset: QuerySet) -> QuerySet:
    """``queryset`` narrowed to the objects ``user`` may manage (member bodies: may see); all of it
    for the secretariat, none of it for users without a network role. Raises ``LookupError`` for a
    model whose scope this module does not know."""
    if is_secretariat(user):
        return queryset
    model = queryset.model
    if model is MemberBody:
        return queryset.filter(pk__in=viewable_bodies(user).values("pk"))
    try:
        lookup = _PLATFORM_LOOKUPS[model]
    except KeyError:
        raise LookupError(f"no platform scope for {model._meta.label}") from None
    return queryset.filter(**{f"{lookup}__in": manageable_platforms(user).values("pk")})


def _referenced_platform_ids(obj) -> set[int]:
    found = set()
    for path in _PLATFORM_REFERENCES[type(obj)]:
        target = obj
        for name in [n for n in path.split(".") if n]:
            if getattr(target, f"{name}_id", None) is None:
                target = None
                break
            target = getattr(target, name)
        if target is not None and target.pk is not None:
            found.add(target.pk)
    return found


def may_manage_object(user, obj) -> bool:
    """May ``user`` manage ``obj`` (saved or not yet), one of the platform-scoped models? Every
    platform the object points at (a seat's committee and membership, an event's committee…) must
    be one they manage. Member bodies: ``may_edit_body``."""
    if is_secretariat(user):
        return True
    if isinstance(obj, MemberBody):
        return may_edit_body(user, obj)
    if type(obj) not in _PLATFORM_REFERENCES:
        raise LookupError(f"no platform scope for {obj._meta.label}")
    wanted = _referenced_platform_ids(obj)
    if not wanted:
        return False
    managed = set(
        _officer_platform_ids(user).filter(platform_id__in=wanted).values_list("platform_id", flat=True)
    )
    return wanted <= managed


def may_view_object(user, obj) -> bool:
    """May ``user`` see ``obj`` in the admin? As ``may_manage_object``, but member bodies by
    ``viewable_bodies``."""
    if isinstance(obj, MemberBody) and not is_secretariat(user):
        return obj.pk is not None and viewable_bodies(user).filter(pk=obj.pk).exists()
    return may_manage_object(user, obj)
