"""Writes of regional councils: creating a council (single or joint), its member bodies and people,
and its meetings with minutes. Each call checks ``cases.policy``, runs in one transaction that
takes the audit log's lock first and appends an audit entry (fields named, never values).

- ``create_council(user, name, local_governments)``: needs ``cases.add_council``; the creator
  becomes a member in role ``secretariat`` (事務局), so they can run it.
- ``add_member_body``, ``add_member``, ``end_membership``: need ``policy.may_manage_council``;
  ``record_meeting`` / ``update_minutes`` ``policy.may_record_meeting`` / ``may_edit_minutes``;
  otherwise ``PermissionDenied``.
- ``update_minutes`` uses optimistic locking (``StaleRecordError`` when the meeting moved on).
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagari.cases import audit, policy
from tsunagari.cases.council_models import Council, CouncilMember, CouncilMemberBody, Meeting
from tsunagari.cases.errors import StaleRecordError


def _managed(user, council_id) -> Council:
    council = Council.objects.get(pk=council_id)
    if not policy.may_manage_council(user, council):
        raise PermissionDenied
    return council


def create_council(user, name: str, local_governments, *, created_at: datetime | None = None) -> Council:
    """``local_governments``: one (single) or several (joint) ``core.LocalGovernment`` or codes."""
    if not policy.may_add_council(user):
        raise PermissionDenied
    codes = sorted({getattr(lg, "pk", lg) for lg in local_governments})
    if not codes:
        raise ValidationError(_("設置する地方公共団体を1つ以上選んでください。"))
    outside = policy.outside_area(user, codes)
    if outside:
        raise ValidationError(
            _(
                "担当地域の外の地方公共団体があります: %(codes)s。協議会は担当地域の地方公共団体についてだけ設置できます。"
            )
            % {"codes": "、".join(outside)},
            code="outside_area",
        )
    if not name.strip():
        raise ValidationError(_("名称を入力してください。"))
    with transaction.atomic():
        audit.begin_write()
        council = Council.objects.create(name=name.strip(), created_by=user)
        council.local_governments.set(codes)
        CouncilMember.objects.create(
            council=council,
            user=user,
            role=CouncilMember.Role.SECRETARIAT,
            joined_at=created_at or timezone.now(),
        )
        audit.record(audit.actor_of(user), audit.CREATE, "cases.council", council.pk, ["members"])
    return council


def add_member_body(
    user, council_id, name: str, *, partner_body=None, joined_at: date | None = None
) -> CouncilMemberBody:
    with transaction.atomic():
        audit.begin_write()
        council = _managed(user, council_id)
        body = CouncilMemberBody.objects.create(
            council=council,
            name=name.strip(),
            partner_body_id=getattr(partner_body, "pk", partner_body),
            joined_at=joined_at or timezone.localdate(),
        )
        audit.record(audit.actor_of(user), audit.CREATE, "cases.councilmemberbody", body.pk)
    return body


def add_member(user, council_id, member, role: str = CouncilMember.Role.MEMBER, *, member_body=None):
    """Make ``member`` (a staff user) an active member of the council in ``role``."""
    role = CouncilMember.Role(role)
    with transaction.atomic():
        audit.begin_write()
        council = _managed(user, council_id)
        body_id = getattr(member_body, "pk", member_body)
        if body_id is not None and not council.member_bodies.filter(pk=body_id).exists():
            raise ValidationError(_("この協議会の構成機関から選んでください。"))
        if CouncilMember.objects.filter(council=council, user=member, left_at__isnull=True).exists():
            raise ValidationError(_("この人はすでに構成員です。"))
        membership = CouncilMember.objects.create(
            council=council, user=member, role=role, member_body_id=body_id, joined_at=timezone.now()
        )
        audit.record(audit.actor_of(user), audit.CREATE, "cases.councilmember", membership.pk, ["role"])
    return membership


def end_membership(user, membership_id) -> CouncilMember:
    """The member leaves: from now on they see nothing shared with the council."""
    with transaction.atomic():
        audit.begin_write()
        membership = CouncilMember.objects.select_for_update().get(pk=membership_id)
        _managed(user, membership.council_id)
        if membership.left_at is None:
            membership.left_at = timezone.now()
            membership.save(update_fields=["left_at"])
        audit.record(audit.actor_of(user), audit.UPDATE, "cases.councilmember", membership.pk, ["left_at"])
    return membership


def record_meeting(user, council_id, *, held_at: datetime, title: str, minutes: str = "") -> Meeting:
    if not title.strip():
        raise ValidationError(_("会議名を入力してください。"))
    with transaction.atomic():
        audit.begin_write()
        council = _managed(user, council_id)
        if not policy.may_record_meeting(user, council):
            raise PermissionDenied
        meeting = Meeting(
            council=council, held_at=held_at, title=title.strip(), minutes=minutes, created_by=user
        )
        meeting.save(force_insert=True)
        audit.record(audit.actor_of(user), audit.CREATE, "cases.meeting", meeting.pk, ["minutes"])
    return meeting


def update_minutes(user, meeting_id, expected_version: int, minutes: str) -> Meeting:
    with transaction.atomic():
        audit.begin_write()
        if not policy.may_edit_minutes(user, Meeting.objects.select_related("council").get(pk=meeting_id)):
            raise PermissionDenied
        if not Meeting.objects.filter(pk=meeting_id, version=expected_version).update(
            version=F("version") + 1
        ):
            raise StaleRecordError(_("議事録"), expected_version)
        meeting = Meeting.objects.get(pk=meeting_id)
        meeting.minutes = minutes
        meeting.save(update_fields=["minutes", "updated_at"])
        audit.record(audit.actor_of(user), audit.UPDATE, "cases.meeting", meeting.pk, ["minutes"])
    return meeting
