"""Local platform officers in the admin (issue 7 roles): every network page they may open shows and
changes only their own platforms' objects (``network.admin_scope`` asking ``network.policy``);
the secretariat sees everything; member body editors see no network page of the admin.

Through the real admin pages, logged in with the second factor (``tests.staff_login``)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from tests.staff_login import login_staff
from tsunagari.cases.models import AuditEntry
from tsunagari.network import event_services, roles, services
from tsunagari.network.models import (
    BodyEditor,
    Committee,
    CommitteeSeat,
    Event,
    Issue,
    Membership,
    Newsletter,
    PlatformOfficer,
)

from .factories import event, member

pytestmark = pytest.mark.django_db


def staff_in(django_user_model, username: str, role: str):
    """An ``is_staff`` user in ``role``'s group (roles ensured first)."""
    roles.ensure_network_roles()
    user = django_user_model.objects.create_user(username, password="x-unused-x", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return django_user_model.objects.get(pk=user.pk)


@pytest.fixture
def world(django_user_model):
    """Two local platforms P (鳥取市) and Q (米子市), each with a member, a committee, an event with a
    registration, a newsletter with a draft issue; an officer of P."""
    made = {}
    for key, name, code, body in (
        ("p", "鳥取市孤独・孤立対策プラットフォーム", "312011", "鳥取のNPO"),
        ("q", "米子市孤独・孤立対策プラットフォーム", "312029", "米子のNPO"),
    ):
        platform = services.create_platform(name, "local", [code])
        membership = member(platform, body)
        letter = Newsletter.objects.create(
            platform=platform, name=f"{body}だより", from_email="m@example.org"
        )
        e = event(platform, capacity=10, title=f"{body}の研修会")
        made[key] = {
            "platform": platform,
            "membership": membership,
            "committee": Committee.objects.create(
                platform=platform, kind="subcommittee", name=f"{body}分科会"
            ),
            "event": e,
            "registration": event_services.register(e, f"{body}参加者", f"{key}@example.org"),
            "newsletter": letter,
            "issue": Issue.objects.create(newsletter=letter, subject=f"{body}第1号", body="本文"),
        }
    officer = staff_in(django_user_model, "officer-p", roles.LOCAL_PLATFORM_OFFICER)
    PlatformOfficer.objects.create(user=officer, platform=made["p"]["platform"])
    made["officer"] = officer
    return made


@pytest.fixture
def officer_client(client, world):
    login_staff(client, world["officer"])
    return client


def event_form(platform, title: str, committee="") -> dict:
    starts = timezone.localtime(timezone.now().replace(microsecond=0) + timedelta(days=20))
    ends = starts + timedelta(hours=2)
    return {
        "platform": platform.pk,
        "committee": committee,
        "kind": "workshop",
        "title": title,
        "description": "",
        "starts_at_0": starts.strftime("%Y-%m-%d"),
        "starts_at_1": starts.strftime("%H:%M:%S"),
        "ends_at_0": ends.strftime("%Y-%m-%d"),
        "ends_at_1": ends.strftime("%H:%M:%S"),
        "venue": "鳥取市役所",
        "online_url": "",
        "capacity": "30",
        "registration_closes_at_0": "",
        "registration_closes_at_1": "",
        "is_public": "on",
        "materials-TOTAL_FORMS": "0",
        "materials-INITIAL_FORMS": "0",
        "registrations-TOTAL_FORMS": "0",
        "registrations-INITIAL_FORMS": "0",
    }


CHANGELISTS = {
    "membership": lambda side: side["membership"].body.name,
    "committee": lambda side: side["committee"].name,
    "event": lambda side: side["event"].title,
    "registration": lambda side: side["registration"].name,
    "newsletter": lambda side: side["newsletter"].name,
    "issue": lambda side: side["issue"].subject,
    "platform": lambda side: side["platform"].name,
    "memberbody": lambda side: side["membership"].body.name,
}


@pytest.mark.parametrize("model", sorted(CHANGELISTS))
def test_officer_changelists_show_only_own_platform(officer_client, world, model):
    response = officer_client.get(reverse(f"admin:network_{model}_changelist"))
    assert response.status_code == 200
    page = response.content.decode()
    assert CHANGELISTS[model](world["p"]) in page
    assert CHANGELISTS[model](world["q"]) not in page


@pytest.mark.parametrize("model", sorted(CHANGELISTS))
def test_secretariat_changelists_show_both_platforms(client, django_user_model, world, model):
    login_staff(client, staff_in(django_user_model, "secretariat", roles.PLATFORM_SECRETARIAT))
    page = client.get(reverse(f"admin:network_{model}_changelist")).content.decode()
    assert CHANGELISTS[model](world["p"]) in page and CHANGELISTS[model](world["q"]) in page


@pytest.mark.parametrize("model", ["membership", "committee", "event", "registration", "newsletter", "issue"])
def test_other_platforms_objects_are_not_found(officer_client, world, model):
    """Django's admin answers an object outside get_queryset with a redirect to its index and the
    message that the object does not exist (the same as for a missing id)."""
    other = world["q"][model]
    for view in ("change", "history"):
        response = officer_client.get(reverse(f"admin:network_{model}_{view}", args=[other.pk]))
        assert response.status_code == 302 and response["Location"] == reverse("admin:index")
    own = world["p"][model]
    assert officer_client.get(reverse(f"admin:network_{model}_change", args=[own.pk])).status_code == 200


def test_posting_to_another_platforms_event_changes_nothing(officer_client, world):
    other = world["q"]["event"]
    url = reverse("admin:network_event_change", args=[other.pk])
    response = officer_client.post(url, event_form(world["q"]["platform"], "乗っ取り"))
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")
    other.refresh_from_db()
    assert other.title == "米子のNPOの研修会" and other.sequence == 0
    # No delete permission on events at all, so not on the other platform's either.
    response = officer_client.post(reverse("admin:network_event_delete", args=[other.pk]), {"post": "yes"})
    assert response.status_code in (302, 403)
    assert Event.objects.filter(pk=other.pk).exists()


def test_officer_cannot_create_an_event_for_another_platform(officer_client, world):
    before = Event.objects.count()
    response = officer_client.post(
        reverse("admin:network_event_add"), event_form(world["q"]["platform"], "米子での催し")
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["platform"]
    assert Event.objects.count() == before and not Event.objects.filter(title="米子での催し").exists()
    # The platform choices offered are the officer's own only.
    page = officer_client.get(reverse("admin:network_event_add")).content.decode()
    assert world["p"]["platform"].name in page and world["q"]["platform"].name not in page


def test_officer_cannot_attach_another_platforms_committee(officer_client, world):
    form = event_form(world["p"]["platform"], "分科会の会合", committee=world["q"]["committee"].pk)
    response = officer_client.post(reverse("admin:network_event_add"), form)
    assert response.status_code == 200 and response.context["adminform"].form.errors["committee"]
    assert not Event.objects.filter(title="分科会の会合").exists()


def test_officer_creates_and_edits_an_event_of_own_platform(officer_client, world):
    own = world["p"]["platform"]
    response = officer_client.post(reverse("admin:network_event_add"), event_form(own, "鳥取の交流会"))
    assert response.status_code == 302, response.content.decode()[:2000]
    created = Event.objects.get(title="鳥取の交流会")
    assert created.platform == own
    url = reverse("admin:network_event_change", args=[created.pk])
    response = officer_client.post(
        url, {**event_form(own, "鳥取の交流会（会場変更）"), "venue": "県民ふれあい会館"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    created.refresh_from_db()
    assert created.title == "鳥取の交流会（会場変更）" and created.venue == "県民ふれあい会館"
    assert created.sequence == 1  # the update went through event_services.update_event


def test_officer_moving_own_event_to_another_platform_is_refused(officer_client, world):
    own = world["p"]["event"]
    url = reverse("admin:network_event_change", args=[own.pk])
    response = officer_client.post(url, event_form(world["q"]["platform"], own.title))
    assert response.status_code == 200 and response.context["adminform"].form.errors["platform"]
    own.refresh_from_db()
    assert own.platform == world["p"]["platform"]


def test_officer_seats_only_own_platforms_members(officer_client, world):
    committee = world["p"]["committee"]
    url = reverse("admin:network_committee_change", args=[committee.pk])
    data = {
        "platform": committee.platform_id,
        "kind": committee.kind,
        "name": committee.name,
        "theme": "",
        "goals": "",
        "fiscal_year": "",
        "seats-TOTAL_FORMS": "1",
        "seats-INITIAL_FORMS": "0",
        "seats-0-membership": world["q"]["membership"].pk,
        "seats-0-role": "member",
        "seats-0-started_on": "2024-04-01",
        "seats-0-ended_on": "",
    }
    response = officer_client.post(url, data)
    assert response.status_code == 200 and response.context["inline_admin_formsets"][0].formset.errors[0]
    assert not CommitteeSeat.objects.exists()
    response = officer_client.post(url, {**data, "seats-0-membership": world["p"]["membership"].pk})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert CommitteeSeat.objects.get().membership == world["p"]["membership"]


def test_officer_memberships_and_issues_only_for_own_platform(officer_client, world):
    body = world["p"]["membership"].body
    data = {
        "body": body.pk,
        "platform": world["q"]["platform"].pk,
        "member_class": "member",
        "joined_on": "2024-04-01",
        "left_on": "",
        "listed_publicly": "on",
    }
    response = officer_client.post(reverse("admin:network_membership_add"), data)
    assert response.status_code == 200 and response.context["adminform"].form.errors["platform"]
    assert not Membership.objects.filter(platform=world["q"]["platform"], body=body).exists()
    # A body that never was a member of the officer's platforms is not a choice either.
    stranger = world["q"]["membership"].body
    response = officer_client.post(
        reverse("admin:network_membership_add"),
        {**data, "platform": world["p"]["platform"].pk, "body": stranger.pk},
    )
    assert response.status_code == 200 and response.context["adminform"].form.errors["body"]
    assert not Membership.objects.filter(platform=world["p"]["platform"], body=stranger).exists()

    issue = {"newsletter": world["q"]["newsletter"].pk, "subject": "号外", "body": "本文", "send_after_0": ""}
    response = officer_client.post(reverse("admin:network_issue_add"), {**issue, "send_after_1": ""})
    assert response.status_code == 200 and response.context["adminform"].form.errors["newsletter"]
    response = officer_client.post(
        reverse("admin:network_issue_add"),
        {**issue, "newsletter": world["p"]["newsletter"].pk, "send_after_1": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Issue.objects.get(subject="号外").newsletter == world["p"]["newsletter"]


def test_officer_reads_registrations_read_only_and_audited(officer_client, world):
    own = world["p"]["registration"]
    url = reverse("admin:network_registration_change", args=[own.pk])
    before = AuditEntry.objects.filter(object_type="network.registration", object_id=str(own.pk)).count()
    response = officer_client.get(url)
    assert response.status_code == 200 and own.email in response.content.decode()
    assert (
        AuditEntry.objects.filter(object_type="network.registration", object_id=str(own.pk)).count()
        == before + 1
    )
    # View only: posting attendance changes nothing (the admin answers 403 to a view-only user).
    assert officer_client.post(url, {"attended": "on"}).status_code == 403
    own.refresh_from_db()
    assert own.attended is None
    # The event page shows the registrations inline and records that in the audit log.
    event_url = reverse("admin:network_event_change", args=[world["p"]["event"].pk])
    assert own.email in officer_client.get(event_url).content.decode()
    assert AuditEntry.objects.filter(
        object_type="network.event_registrations", object_id=str(world["p"]["event"].pk)
    ).exists()


def test_officer_may_not_change_or_add_platforms(officer_client, world):
    own = world["p"]["platform"]
    assert officer_client.get(reverse("admin:network_platform_add")).status_code == 403
    response = officer_client.post(reverse("admin:network_platform_change", args=[own.pk]), {"name": "改名"})
    assert response.status_code == 403
    own.refresh_from_db()
    assert own.name == "鳥取市孤独・孤立対策プラットフォーム"


def test_officer_without_assignment_sees_nothing(client, django_user_model, world):
    idle = staff_in(django_user_model, "officer-none", roles.LOCAL_PLATFORM_OFFICER)
    login_staff(client, idle)
    page = client.get(reverse("admin:network_event_changelist")).content.decode()
    assert world["p"]["event"].title not in page and world["q"]["event"].title not in page
    response = client.get(reverse("admin:network_event_change", args=[world["p"]["event"].pk]))
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")


def test_member_body_editor_sees_no_network_admin_page(client, django_user_model, world):
    editor = staff_in(django_user_model, "editor", roles.MEMBER_BODY_EDITOR)
    BodyEditor.objects.create(user=editor, body=world["p"]["membership"].body)
    login_staff(client, editor)
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200 and "/admin/network/" not in index.content.decode()
    assert client.get(reverse("admin:app_list", args=["network"])).status_code == 404
    for model in CHANGELISTS:
        assert client.get(reverse(f"admin:network_{model}_changelist")).status_code == 403
    body = world["p"]["membership"].body
    assert client.get(reverse("admin:network_memberbody_change", args=[body.pk])).status_code == 403


def test_policy_refuses_unsaved_objects_pointing_at_another_platform(world):
    """The save check behind the narrowed choices: every platform an object points at counts."""
    from tsunagari.network import policy
    from tsunagari.network.models import Subscriber

    officer, p, q = world["officer"], world["p"], world["q"]
    assert policy.may_manage_object(officer, Event(platform=p["platform"]))
    assert not policy.may_manage_object(officer, Event(platform=q["platform"]))
    assert not policy.may_manage_object(officer, Event(platform=p["platform"], committee=q["committee"]))
    assert not policy.may_manage_object(officer, Event())  # points nowhere: nothing to manage
    assert policy.may_manage_object(
        officer, CommitteeSeat(committee=p["committee"], membership=p["membership"])
    )
    assert not policy.may_manage_object(
        officer, CommitteeSeat(committee=p["committee"], membership=q["membership"])
    )
    assert not policy.may_manage_object(officer, Issue(newsletter=q["newsletter"]))
    with pytest.raises(LookupError):
        policy.scope_to_user(officer, Subscriber.objects.all())
    # Out of the role group, the assignment alone grants nothing.
    officer.groups.clear()
    assert not policy.may_manage_object(
        type(officer).objects.get(pk=officer.pk), Event(platform=p["platform"])
    )


def test_body_autocomplete_offers_only_bodies_of_own_platforms(officer_client, world):
    response = officer_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "network", "model_name": "membership", "field_name": "body", "term": "NPO"},
    )
    assert response.status_code == 200
    names = {row["text"] for row in response.json()["results"]}
    assert names == {"鳥取のNPO"}


def test_officer_sees_own_members_read_only_without_contact_people(officer_client, world):
    own, other = world["p"]["membership"].body, world["q"]["membership"].body
    own.contacts.create(name="連絡 太郎", email="taro@example.org")
    # The body is also a member of Q: that membership is not shown to P's officer.
    services.join(world["q"]["platform"], own, "member", world["p"]["membership"].joined_on)
    page = officer_client.get(reverse("admin:network_memberbody_change", args=[own.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert own.name in text and "連絡 太郎" not in text and "taro@example.org" not in text
    assert world["p"]["platform"].name in text and world["q"]["platform"].name not in text
    response = officer_client.post(
        reverse("admin:network_memberbody_change", args=[own.pk]), {"name": "改名"}
    )
    assert response.status_code == 403
    response = officer_client.get(reverse("admin:network_memberbody_change", args=[other.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")


def test_officer_adds_and_removes_materials_of_own_event(officer_client, world):
    own = world["p"]["event"]
    url = reverse("admin:network_event_change", args=[own.pk])
    form = event_form(world["p"]["platform"], own.title)
    form.update(
        {
            "materials-TOTAL_FORMS": "1",
            "materials-0-title": "当日の資料",
            "materials-0-url": "https://example.org/tottori/slides.pdf",
            "materials-0-is_public": "on",
            "materials-0-order": "1",
        }
    )
    response = officer_client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    material = own.materials.get()
    assert material.title == "当日の資料"
    form.update(
        {
            "materials-INITIAL_FORMS": "1",
            "materials-0-id": material.pk,
            "materials-0-event": own.pk,
            "materials-0-DELETE": "on",
        }
    )
    assert officer_client.post(url, form).status_code == 302
    assert not own.materials.exists()


def test_registration_of_another_platforms_member_is_the_event_platforms_business(officer_client, world):
    """A member of Q registering for P's event: P's officer sees that registration."""
    registration = event_services.register(
        world["p"]["event"], "米子からの参加者", "guest@example.org", membership=world["q"]["membership"]
    )
    url = reverse("admin:network_registration_change", args=[registration.pk])
    assert officer_client.get(url).status_code == 200
    assert (
        "米子からの参加者"
        in officer_client.get(reverse("admin:network_registration_changelist")).content.decode()
    )


def test_officer_admin_index_lists_only_the_granted_network_models(officer_client):
    page = officer_client.get(reverse("admin:app_list", args=["network"]))
    assert page.status_code == 200
    text = page.content.decode()
    for granted in ("event", "membership", "committee", "newsletter", "issue", "registration", "platform"):
        assert reverse(f"admin:network_{granted}_changelist") in text
    for withheld in ("subscriber", "platformofficer", "bodyeditor", "course", "certificate", "campaign"):
        assert reverse(f"admin:network_{withheld}_changelist") not in text
