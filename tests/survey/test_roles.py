"""Evidence roles: analysts read the survey report and the KPI dashboard, nothing personal; the
platform secretariat reads the KPI dashboard; the groups' survey/plan permissions are exact."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission

from tests.staff_login import login_staff
from tsunagari.cases.roles import ensure_case_roles
from tsunagari.network.roles import ensure_network_roles
from tsunagari.survey.roles import ensure_evidence_roles

pytestmark = pytest.mark.django_db


def member_of(django_user_model, role: str, name: str):
    user = django_user_model.objects.create_user(name, password="x" * 16, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


def test_analysts_read_the_report_and_the_kpis_and_no_case(client, django_user_model):
    ensure_case_roles()
    ensure_evidence_roles()
    analyst = member_of(django_user_model, "analyst", "analyst")
    assert analyst.has_perms(["survey.view_report", "plan.view_kpi"])
    assert not any(p.startswith("cases.") for p in analyst.get_all_permissions())
    login_staff(client, analyst)
    assert client.get("/survey/report/").status_code == 200
    assert client.get("/plan/").status_code == 200


def test_the_secretariat_reads_the_kpis_and_manages_training(client, django_user_model):
    ensure_network_roles()
    ensure_evidence_roles()
    secretariat = member_of(django_user_model, "platform_secretariat", "office")
    assert secretariat.has_perm("plan.view_kpi") and not secretariat.has_perm("survey.view_report")
    assert secretariat.has_perms(
        ["network.view_course", "network.add_certificate", "network.change_certificate"]
    )
    assert secretariat.has_perm("network.view_entryvisitcount")
    login_staff(client, secretariat)
    assert client.get("/network/training/staff/").status_code == 200
    assert client.get("/network/campaign-visits/").status_code == 200


def test_ensuring_twice_keeps_exactly_the_listed_permissions():
    ensure_evidence_roles()
    analyst = Group.objects.get(name="analyst")
    analyst.permissions.add(Permission.objects.get(codename="change_kpi"))
    ensure_evidence_roles()
    names = {f"{p.content_type.app_label}.{p.codename}" for p in analyst.permissions.all()}
    assert names == {"survey.view_report", "plan.view_kpi"}
