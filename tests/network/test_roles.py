"""Network roles (groups and permissions) and the object-level policy (``network.policy``)."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import Group, Permission

from tsunagari.network import policy, roles, services
from tsunagari.network.models import BodyEditor, Newsletter, PlatformOfficer

from .factories import event, member, national_platform

pytestmark = pytest.mark.django_db


def user_in(django_user_model, username: str, role: str | None = None, **fields):
    """A user, in ``role``'s group when given (roles ensured first)."""
    user = django_user_model.objects.create_user(username, password="x-unused-x", **fields)
    if role is not None:
        roles.ensure_network_roles()
        user.groups.add(Group.objects.get(name=role))
    return user


def local_platform(name: str, codes: list[str]):
    return services.create_platform(name, "local", codes)


def test_ensure_network_roles_is_idempotent_and_exact():
    first = roles.ensure_network_roles()
    assert set(first) == {roles.PLATFORM_SECRETARIAT, roles.LOCAL_PLATFORM_OFFICER, roles.MEMBER_BODY_EDITOR}
    secretariat = Group.objects.get(name=roles.PLATFORM_SECRETARIAT)
    codenames = set(secretariat.permissions.values_list("codename", flat=True))
    assert {"manage_all_platforms", "change_platform", "change_memberbody", "add_membership"} <= codenames
    assert "manage_all_platforms" not in set(
        Group.objects.get(name=roles.LOCAL_PLATFORM_OFFICER).permissions.values_list("codename", flat=True)
    )
    for role in (roles.LOCAL_PLATFORM_OFFICER, roles.MEMBER_BODY_EDITOR):
        held = set(Group.objects.get(name=role).permissions.values_list("codename", flat=True))
        assert held == set(roles.ROLES[role])
    # Editors hold no model permission: no network page of the admin.
    editor_held = set(
        Group.objects.get(name=roles.MEMBER_BODY_EDITOR).permissions.values_list("codename", flat=True)
    )
    assert editor_held == {"edit_own_body"}
    # Officers manage their platforms' memberships, committees, events and newsletters in the admin
    # (network.admin_scope narrows every permission to their platforms); platforms, member bodies
    # and registrations read-only; deletes only of seats and event materials.
    officer_held = set(
        Group.objects.get(name=roles.LOCAL_PLATFORM_OFFICER).permissions.values_list("codename", flat=True)
    )
    managed = ("membership", "committee", "committeeseat", "event", "eventmaterial", "newsletter", "issue")
    assert {f"{a}_{m}" for m in managed for a in ("view", "add", "change")} <= officer_held
    assert {
        "act_as_platform_officer",
        "view_platform",
        "view_memberbody",
        "view_registration",
    } <= officer_held
    assert {c for c in officer_held if c.startswith("delete_")} == {
        "delete_committeeseat",
        "delete_eventmaterial",
    }
    for withheld in ("add_platform", "change_platform", "change_memberbody", "change_registration"):
        assert withheld not in officer_held
    assert not any(
        c.endswith(("_subscriber", "_contactperson", "_platformofficer", "_course")) for c in officer_held
    )

    # A network permission added by hand is taken away again; another app's permission is kept.
    editor = Group.objects.get(name=roles.MEMBER_BODY_EDITOR)
    extra = Permission.objects.get(content_type__app_label="network", codename="delete_platform")
    foreign = Permission.objects.get(content_type__app_label="auth", codename="view_user")
    editor.permissions.add(extra, foreign)
    assert roles.ensure_network_roles() == first
    held = set(editor.permissions.values_list("content_type__app_label", "codename"))
    assert ("network", "delete_platform") not in held and ("auth", "view_user") in held
    assert Group.objects.filter(name__in=first).count() == 3


def test_officer_manages_only_own_platforms(django_user_model):
    p = local_platform("鳥取市プラットフォーム", ["312011"])
    q = local_platform("米子市プラットフォーム", ["312029"])
    officer = user_in(django_user_model, "officer", roles.LOCAL_PLATFORM_OFFICER)
    PlatformOfficer.objects.create(user=officer, platform=p)
    officer = django_user_model.objects.get(pk=officer.pk)  # fresh permission cache

    assert policy.may_manage_platform(officer, p)
    assert not policy.may_manage_platform(officer, q)
    assert not policy.may_manage_platform(officer, national_platform())
    assert list(policy.manageable_platforms(officer)) == [p]
    in_p, in_q = member(p, "鳥取のNPO"), member(q, "米子のNPO")
    assert policy.may_manage_membership(officer, in_p) and not policy.may_manage_membership(officer, in_q)
    assert policy.may_manage_event(officer, event(p)) and not policy.may_manage_event(officer, event(q))
    letter_p = Newsletter.objects.create(platform=p, name="鳥取だより", from_email="tottori@example.org")
    letter_q = Newsletter.objects.create(platform=q, name="米子だより", from_email="yonago@example.org")
    assert policy.may_manage_newsletter(officer, letter_p)
    assert not policy.may_manage_newsletter(officer, letter_q)
    # Bodies: the current members of their platforms only.
    assert policy.may_edit_body(officer, in_p.body) and not policy.may_edit_body(officer, in_q.body)
    services.leave(in_p, date(2024, 3, 31))
    assert not policy.may_edit_body(officer, in_p.body)


def test_officer_row_without_the_role_grants_nothing(django_user_model):
    p = local_platform("鳥取市プラットフォーム", ["312011"])
    former = user_in(django_user_model, "former")
    PlatformOfficer.objects.create(user=former, platform=p)
    assert not policy.may_manage_platform(former, p)
    assert not policy.manageable_platforms(former).exists()
    assert not policy.may_edit_body(former, member(p, "鳥取のNPO").body)


def test_secretariat_and_superuser_manage_everything(django_user_model):
    p = local_platform("鳥取市プラットフォーム", ["312011"])
    q = local_platform("米子市プラットフォーム", ["312029"])
    body = member(q, "米子のNPO").body
    secretariat = user_in(django_user_model, "secretariat", roles.PLATFORM_SECRETARIAT)
    root = django_user_model.objects.create_superuser("root", password="x-unused-x")
    for user in (secretariat, root):
        assert policy.is_secretariat(user)
        assert policy.may_manage_platform(user, p) and policy.may_manage_platform(user, q)
        assert policy.may_edit_body(user, body)
        assert set(policy.manageable_platforms(user)) >= {p, q}


def test_editor_edits_only_own_body(django_user_model):
    platform = national_platform()
    a, b = member(platform, "団体A").body, member(platform, "団体B").body
    editor = user_in(django_user_model, "editor-a", roles.MEMBER_BODY_EDITOR)
    BodyEditor.objects.create(user=editor, body=a)
    assert policy.may_edit_body(editor, a)
    assert not policy.may_edit_body(editor, b)
    assert list(policy.editable_bodies(editor)) == [a]
    assert not policy.may_manage_platform(editor, platform)
    # Out of the role group: the assignment row alone is not enough.
    editor.groups.clear()
    editor = django_user_model.objects.get(pk=editor.pk)
    assert not policy.may_edit_body(editor, a)
    # Inactive users and anonymous visitors: nothing.
    editor.groups.add(Group.objects.get(name=roles.MEMBER_BODY_EDITOR))
    editor.is_active = False
    editor.save()
    editor = django_user_model.objects.get(pk=editor.pk)
    assert not policy.may_edit_body(editor, a)
    from django.contrib.auth.models import AnonymousUser

    assert not policy.may_edit_body(AnonymousUser(), a)
    assert not policy.editable_bodies(AnonymousUser()).exists()


def test_other_staff_roles_get_nothing(django_user_model):
    platform = national_platform()
    body = member(platform, "団体A").body
    staff = django_user_model.objects.create_user("counsellor", password="x-unused-x", is_staff=True)
    assert not policy.may_edit_body(staff, body)
    assert not policy.may_manage_platform(staff, platform)


def test_assignments_are_unique(django_user_model):
    from django.db import IntegrityError, transaction

    platform = national_platform()
    body = member(platform, "団体A").body
    user = user_in(django_user_model, "u")
    BodyEditor.objects.create(user=user, body=body)
    PlatformOfficer.objects.create(user=user, platform=platform)
    with pytest.raises(IntegrityError), transaction.atomic():
        BodyEditor.objects.create(user=user, body=body)
    with pytest.raises(IntegrityError), transaction.atomic():
        PlatformOfficer.objects.create(user=user, platform=platform)
