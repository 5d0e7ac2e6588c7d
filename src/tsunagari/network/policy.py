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
    Event,
    MemberBody,
    Membership,
    Newsletter,
    Platform,
    PlatformOfficer,
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
