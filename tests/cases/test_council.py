# ruff: noqa: F811 — fixtures imported from sharing_fixtures are redefined as arguments
"""Regional councils: single and joint councils, member bodies and people, meetings with encrypted
minutes; management limited to the council's secretariat; minutes read only by members (audited)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tsunagari.cases import council_selectors, council_services, policy, roles
from tsunagari.cases.council_models import CouncilMember, Meeting
from tsunagari.cases.models import AuditEntry

from .sharing_fixtures import MEMBER, RUN_COUNCIL, T0, cities, councils, member_a, member_b, officer  # noqa: F401

pytestmark = pytest.mark.django_db


def test_single_and_joint_councils(councils, cities, officer):
    a, b = councils
    assert list(a.local_governments.values_list("code", flat=True)) == [cities[0].code]
    assert sorted(b.local_governments.values_list("code", flat=True)) == sorted(
        [cities[1].code, cities[2].code]
    )
    # the creator runs it as its secretariat
    assert CouncilMember.objects.get(council=a, user=officer).role == CouncilMember.Role.SECRETARIAT


def test_a_council_needs_a_local_government(officer):
    with pytest.raises(ValidationError):
        council_services.create_council(officer, "地方公共団体のない協議会", [])


def test_creating_needs_the_permission(make_user, cities):
    with pytest.raises(PermissionDenied):
        council_services.create_council(make_user("nobody", *MEMBER), "X協議会", [cities[0]])


def test_member_bodies_and_people(councils, officer, make_user, body):
    a, _b = councils
    member_body = council_services.add_member_body(officer, a.pk, "A市社会福祉協議会", partner_body=body)
    person = make_user("p1", *MEMBER)
    membership = council_services.add_member(officer, a.pk, person, "member", member_body=member_body)
    assert (membership.member_body, membership.role) == (member_body, "member")
    with pytest.raises(ValidationError):  # already a member
        council_services.add_member(officer, a.pk, person)
    council_services.end_membership(officer, membership.pk)
    assert a.pk not in policy.council_ids_of(person)
    council_services.add_member(officer, a.pk, person)  # may join again after leaving


def test_only_the_secretariat_manages_a_council(councils, member_a, make_user):
    a, _b = councils
    other_officer = make_user("officer2", *RUN_COUNCIL)
    with pytest.raises(PermissionDenied):  # holds the permission but does not run council A
        council_services.add_member(other_officer, a.pk, member_a)
    with pytest.raises(PermissionDenied):  # a plain member cannot run it
        council_services.add_member_body(member_a, a.pk, "某団体")


def test_minutes_are_encrypted_and_read_only_by_members(councils, officer, member_a, member_b):
    a, _b = councils
    meeting = council_services.record_meeting(
        officer, a.pk, held_at=T0, title="第1回個別ケース検討会議", minutes="ケースXについて協議した。"
    )
    stored = Meeting.objects.values_list("minutes", flat=True).get(pk=meeting.pk)
    assert "協議" not in stored.token
    before = AuditEntry.objects.count()
    assert council_selectors.meeting(member_a, meeting.pk).minutes == "ケースXについて協議した。"
    entry = AuditEntry.objects.order_by("-seq").first()
    assert AuditEntry.objects.count() == before + 1
    assert (entry.actor, entry.action, entry.object_id, entry.fields) == (
        f"user:{member_a.pk}",
        "read",
        str(meeting.pk),
        ["minutes"],
    )
    with pytest.raises(Meeting.DoesNotExist):  # member of council B only
        council_selectors.meeting(member_b, meeting.pk)


def test_minutes_update_uses_optimistic_locking(councils, officer):
    from tsunagari.cases.errors import StaleRecordError

    meeting = council_services.record_meeting(officer, councils[0].pk, held_at=T0, title="第1回")
    council_services.update_minutes(officer, meeting.pk, 1, "一人目の変更")
    with pytest.raises(StaleRecordError):
        council_services.update_minutes(officer, meeting.pk, 1, "二人目の変更（古い版）")
    assert Meeting.objects.get(pk=meeting.pk).minutes == "一人目の変更"


def test_council_detail_for_members_only(councils, member_a, member_b):
    a, _b = councils
    council, _bodies, members, _meetings = council_selectors.council_detail(member_a, a.pk)
    assert council == a and member_a.pk in {m.user_id for m in members}
    with pytest.raises(type(a).DoesNotExist):
        council_selectors.council_detail(member_b, a.pk)


def test_roles_are_idempotent_and_analyst_has_no_personal_data():
    from django.contrib.auth.models import Group

    first = roles.ensure_case_roles()
    assert roles.ensure_case_roles() == first
    assert (
        not Group.objects.get(name=roles.ANALYST).permissions.filter(content_type__app_label="cases").exists()
    )
    member = set(Group.objects.get(name=roles.COUNCIL_MEMBER).permissions.values_list("codename", flat=True))
    assert "view_shared_sections" in member and "view_case" not in member and "view_section" not in member
    supervisor = set(Group.objects.get(name="supervisor").permissions.values_list("codename", flat=True))
    coordinator = set(Group.objects.get(name="coordinator").permissions.values_list("codename", flat=True))
    assert "override_consent" in supervisor and "override_consent" not in coordinator
    admin = set(
        Group.objects.get(name=roles.SYSTEM_ADMINISTRATOR).permissions.values_list("codename", flat=True)
    )
    assert not admin & {"view_case", "view_section", "view_meeting", "view_shared_sections", "view_consent"}
