# ruff: noqa: F811 — fixtures imported from sharing_fixtures are redefined as arguments
"""The council pages: setting up a council (single or joint) with validated local government codes,
member bodies and people, meetings; only the secretariat runs a council (403), a council the user
may not see is a 404; minutes read audited and edited with optimistic locking."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.staff_login import login_staff
from tsunagari.cases import council_services
from tsunagari.cases.council_models import Council, CouncilMember, Meeting
from tsunagari.cases.models import AuditEntry

from .sharing_fixtures import MEMBER, RUN_COUNCIL, T0, cities, councils, member_a, member_b, officer  # noqa: F401

pytestmark = pytest.mark.django_db


def test_set_up_a_joint_council(client, officer, cities):
    login_staff(client, officer)
    url = reverse("cases:council_list")
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"name": "X市・Y町共同協議会", "local_governments": "999999, " + cities[0].code}
    )
    assert response.status_code == 400 and "登録されていないコード" in response.content.decode()
    response = client.post(url, {"name": "  ", "local_governments": cities[0].code})
    assert response.status_code == 400 and not Council.objects.filter(name="").exists()
    codes = f"{cities[0].code}、{cities[1].code}"
    response = client.post(url, {"name": "X市・Y町共同協議会", "local_governments": codes})
    council = Council.objects.get(name="X市・Y町共同協議会")
    assert response.status_code == 302
    assert sorted(council.local_governments.values_list("code", flat=True)) == sorted(
        [cities[0].code, cities[1].code]
    )
    assert CouncilMember.objects.get(council=council, user=officer).role == "secretariat"
    page = client.get(reverse("cases:council_detail", kwargs={"council_id": council.pk})).content.decode()
    assert "共同設置" in page


def test_members_cannot_set_up_or_run_a_council(client, member_a, councils, cities):
    a, _b = councils
    login_staff(client, member_a)
    assert client.get(reverse("cases:council_list")).status_code == 200
    assert (
        client.post(
            reverse("cases:council_list"), {"name": "X", "local_governments": cities[0].code}
        ).status_code
        == 403
    )
    page = client.get(reverse("cases:council_detail", kwargs={"council_id": a.pk})).content.decode()
    assert "構成員を追加する" not in page
    url = reverse("cases:member_body_new", kwargs={"council_id": a.pk})
    assert client.post(url, {"body-name": "団体"}).status_code == 403
    # council B: not a member, not revealed
    assert (
        client.get(reverse("cases:council_detail", kwargs={"council_id": councils[1].pk})).status_code == 404
    )


def test_secretariat_adds_bodies_people_and_meetings(client, officer, councils, make_user):
    a, _b = councils
    person = make_user("person", *MEMBER)
    login_staff(client, officer)
    bodies = reverse("cases:member_body_new", kwargs={"council_id": a.pk})
    assert client.post(bodies, {"body-name": " "}).status_code == 400
    assert client.post(bodies, {"body-name": "A市社会福祉協議会"}).status_code == 302
    assert client.post(bodies, {"body-name": "A市社会福祉協議会"}).status_code == 400  # twice
    body = a.member_bodies.get()
    members = reverse("cases:member_new", kwargs={"council_id": a.pk})
    response = client.post(members, {"member-username": "nobody-here", "member-role": "member"})
    assert response.status_code == 400 and "見つかりません" in response.content.decode()
    data = {"member-username": "person", "member-role": "member", "member-member_body": body.pk}
    assert client.post(members, data).status_code == 302
    assert client.post(members, data).status_code == 400  # already a member
    membership = CouncilMember.objects.get(council=a, user=person, left_at__isnull=True)
    assert membership.member_body == body
    meetings = reverse("cases:meeting_new", kwargs={"council_id": a.pk})
    assert client.post(meetings, {"meeting-title": "第1回", "meeting-held_at": "x"}).status_code == 400
    response = client.post(
        meetings,
        {"meeting-title": "第1回", "meeting-held_at": "2026-05-01T14:00", "meeting-minutes": "ケース検討"},
    )
    assert response.status_code == 302 and Meeting.objects.get().minutes == "ケース検討"
    end = reverse("cases:membership_end", kwargs={"membership_id": membership.pk})
    assert client.post(end).status_code == 302
    membership.refresh_from_db()
    assert membership.left_at is not None


def test_minutes_page_audited_and_conflict_shown(client, officer, member_a, councils):
    a, _b = councils
    meeting = council_services.record_meeting(officer, a.pk, held_at=T0, title="第1回", minutes="初版")
    url = reverse("cases:meeting_detail", kwargs={"meeting_id": meeting.pk})
    login_staff(client, member_a)
    before = AuditEntry.objects.count()
    page = client.get(url).content.decode()
    assert "初版" in page and "議事録を保存する" not in page
    assert AuditEntry.objects.filter(object_id=str(meeting.pk), action="read").count() == 1
    assert AuditEntry.objects.count() == before + 1
    assert client.post(url, {"version": 1, "minutes": "改ざん"}).status_code == 403
    login_staff(client, officer)
    assert client.post(url, {"version": 1, "minutes": "第二版"}).status_code == 302
    response = client.post(url, {"version": 1, "minutes": "古い版からの変更"})
    page = response.content.decode()
    assert response.status_code == 409 and "他の人が更新しました" in page
    assert "第二版" in page and "古い版からの変更" in page and 'name="version" value="2"' in page
    assert Meeting.objects.get(pk=meeting.pk).minutes == "第二版"


def test_meeting_of_another_council_is_404(client, officer, member_b, councils):
    meeting = council_services.record_meeting(officer, councils[0].pk, held_at=T0, title="第1回", minutes="A")
    login_staff(client, member_b)
    assert client.get(reverse("cases:meeting_detail", kwargs={"meeting_id": meeting.pk})).status_code == 404


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("cases:case_list", {"counsellor", "supervisor", "coordinator"}),
        ("cases:dashboard", {"counsellor", "supervisor", "coordinator"}),
        ("cases:shared_list", {"council_member", "municipal_officer"}),
        (
            "cases:council_list",
            {"supervisor", "coordinator", "council_member", "municipal_officer", "system_administrator"},
        ),
    ],
)
def test_list_pages_by_role(client, django_user_model, path, allowed):
    """The roles of ``cases.roles`` (as groups) on the pages without an object."""
    from django.contrib.auth.models import Group

    from tsunagari.cases import roles

    roles.ensure_case_roles()
    for role in roles.ROLES:
        user = django_user_model.objects.create_user(f"role_{role}")
        user.groups.set([Group.objects.get(name=role)])
        client.logout()
        login_staff(client, django_user_model.objects.get(pk=user.pk))
        status = client.get(reverse(path)).status_code
        assert (status == 200) == (role in allowed), (role, status)
        assert status in (200, 403), (role, status)
