"""sync_role_permissions: exact per app, other apps' permissions kept, unknown names refused."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission

from tsunagari.core.role_groups import sync_role_permissions

pytestmark = pytest.mark.django_db


def names(group: Group) -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}


def test_exact_for_the_apps_named_and_other_apps_kept():
    group = Group.objects.create(name="tester")
    group.permissions.add(
        Permission.objects.get(content_type__app_label="survey", codename="view_report"),
        Permission.objects.get(content_type__app_label="plan", codename="change_kpi"),
    )
    assert sync_role_permissions({"tester": ("view_kpi",)}, ("plan",)) == {"tester": 1}
    assert names(group) == {"survey.view_report", "plan.view_kpi"}  # survey untouched, plan exact
    sync_role_permissions({"tester": ("view_kpi", "survey.view_wave")}, ("plan", "survey"))
    assert names(group) == {"plan.view_kpi", "survey.view_wave"}
    sync_role_permissions({"tester": ("view_kpi", "survey.view_wave")}, ("plan", "survey"))
    assert names(group) == {"plan.view_kpi", "survey.view_wave"}  # idempotent


def test_an_unknown_permission_is_refused_and_nothing_changes():
    with pytest.raises(LookupError, match=r"plan\.no_such_thing"):
        sync_role_permissions({"newcomer": ("no_such_thing",)}, ("plan",))
    assert not Group.objects.filter(name="newcomer").exists()
