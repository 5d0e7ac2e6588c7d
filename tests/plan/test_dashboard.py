"""Loading the plan, entering values, the staff dashboard and its export (Django, real database)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal as D

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from tests.staff_login import login_staff
from tsunagari.cli import main
from tsunagari.plan import services, sources
from tsunagari.plan.models import Evaluation, Kpi, KpiValue, Measure
from tsunagari.plan.selectors import dashboard, kpi_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan():
    services.load_plan()
    return Kpi.objects.get(code="platform_members")


@pytest.fixture
def staff(django_user_model):
    user = django_user_model.objects.create_user("planner", password="x-long-password-1", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_kpi", content_type__app_label="plan"))
    return user


def test_loading_is_idempotent_and_keeps_values_staff_entered(plan, staff):
    assert Measure.objects.count() == 13 and Kpi.objects.count() == 2
    assert KpiValue.objects.filter(origin=KpiValue.Origin.PUBLISHED).count() == 3
    value = KpiValue.objects.get(kpi=plan, year=2025)
    value.value, value.origin, value.entered_by = D("620"), KpiValue.Origin.ENTERED, staff
    value.save()
    report = services.load_plan()
    assert report.conflicts == ["platform_members 2025"]
    assert KpiValue.objects.get(kpi=plan, year=2025).value == D("620")
    assert Measure.objects.count() == 13 and KpiValue.objects.count() == 3


def test_an_invalid_file_writes_nothing(tmp_path):
    bad = tmp_path / "plan.yaml"
    bad.write_text("version: 1\nplan: {}\npolicies: []\nmeasures: []\nkpis: []\n", encoding="utf-8")
    assert main(["plan", "load", str(bad)]) == 1
    assert not Measure.objects.exists()
    assert main(["plan", "load"]) == 0
    assert Measure.objects.count() == 13


def test_status_follows_the_entered_values(plan, staff):
    # the seeds give no target: status "no data" whatever the values
    assert kpi_row(plan, 2026).status.code == "no_data"
    # with a target (as the plan's own table would give it) the entered value decides
    Kpi.objects.filter(pk=plan.pk).update(target_value=D("759"), target_year=2028, target_source="test")
    plan.refresh_from_db()
    assert kpi_row(plan, 2026).status.code == "on_track"  # 615 in 2025: 28 % of the way, 25 % of the time
    KpiValue.objects.create(kpi=plan, year=2026, value=D("600"), source="test", entered_by=staff)
    row = kpi_row(plan, 2026)
    assert row.latest.year == 2026 and row.latest.origin == KpiValue.Origin.ENTERED
    assert row.status.code == "behind"
    KpiValue.objects.create(kpi=plan, year=2027, value=D("760"), source="test", entered_by=staff)
    assert kpi_row(plan, 2027).status.code == "achieved"


def test_survey_values_fill_years_without_a_stored_value(plan):
    loneliness = Kpi.objects.get(code="loneliness_often_always")
    assert loneliness.indicator_code == "direct_often_always"
    loneliness.values.filter(year=2023).delete()
    points = kpi_row(loneliness, 2026).points
    assert [(p.year, p.value, p.origin) for p in points] == [
        (2022, D("4.9"), "published"),
        (2023, D("4.8"), "survey"),  # the survey app's published figure for 令和5年
    ]
    assert points[1].source.startswith("調査の指標 direct_often_always（000_4608b7b397bdd4b6.txt")


def test_without_the_survey_module_there_is_no_source_and_entered_values_count(plan, staff, monkeypatch):
    monkeypatch.setattr(sources, "INDICATORS_MODULE", "tsunagari.survey.no_such_module")
    assert not sources.survey_available() and sources.survey_value("direct_often_always", 2023) is None
    loneliness = Kpi.objects.get(code="loneliness_often_always")
    loneliness.values.filter(year=2023).delete()
    KpiValue.objects.create(kpi=loneliness, year=2024, value=D("4.7"), source="test", entered_by=staff)
    assert [(p.year, p.origin) for p in kpi_row(loneliness, 2026).points] == [
        (2022, "published"),
        (2024, "entered"),
    ]


def test_a_kpi_naming_an_indicator_the_survey_does_not_know_is_refused(tmp_path):
    from tsunagari.plan.plan_data import DEFAULT_PATH, PlanDataError

    bad = tmp_path / "plan.yaml"
    bad.write_text(
        DEFAULT_PATH.read_text(encoding="utf-8").replace("indicator: direct_often_always", "indicator: nope")
    )
    with pytest.raises(PlanDataError, match=r"kpis\[0\].indicator: the survey has no indicator 'nope'"):
        services.load_plan(bad)
    assert not Measure.objects.exists()


def test_the_dashboard_needs_login_and_permission(client, django_user_model, plan):
    url = reverse("plan:dashboard")
    response = client.get(url)
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]
    plain = django_user_model.objects.create_user(
        "staff-no-perm", password="x-long-password-1", is_staff=True
    )
    login_staff(client, plain)
    assert client.get(url).status_code == 403
    assert client.get(reverse("plan:export_csv")).status_code == 403


def test_the_dashboard_shows_a_chart_and_a_table_per_kpi(client, staff, plan):
    Evaluation.objects.create(measure=plan.measure, year=2025, text="会員数は増加している。")
    login_staff(client, staff)
    response = client.get(reverse("plan:dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('role="img"') == 2
    assert (
        '<title id="kpi-platform_members-title">孤独・孤立対策官民連携プラットフォームの会員数</title>'
        in html
    )
    assert "基準値 559団体（2024年）、2025年 615団体、目標値なし" in html
    assert '<th scope="row">基準値</th><td>2024</td><td class="n">559</td>' in html
    assert "資料に記載なし" in html and "会員数は増加している。" in html
    assert "<script" not in html and "style=" not in html
    assert "plan/plan.css" in html


def test_export_csv_and_excel(client, staff, plan):
    login_staff(client, staff)
    response = client.get(reverse("plan:export_csv"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["施策コード", "施策", "所管府省庁"]
    members = [r for r in rows if r[3] == "platform_members"]
    assert [(r[7], r[8], r[9]) for r in members] == [
        ("基準値", "2024", "559"),
        ("公表値", "2025", "615"),
        ("目標値", "", ""),
    ]
    assert members[0][2] == "（資料に記載なし）" and members[0][11] == "判定不可（データなし）"
    from openpyxl import load_workbook

    response = client.get(reverse("plan:export_xlsx"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    values = [row for row in book["KPI"].iter_rows(values_only=True) if row[3] == "loneliness_often_always"]
    assert [(r[8], r[9]) for r in values] == [(2021, 4.5), (2022, 4.9), (2023, 4.8), (None, None)]


def test_admin_entry_records_an_entered_value_and_who_entered_it(client, plan, django_user_model):
    admin_user = django_user_model.objects.create_superuser("admin-planner", password="x-long-password-1")
    login_staff(client, admin_user)
    response = client.post(
        reverse("admin:plan_kpivalue_add"),
        {"kpi": plan.pk, "year": 2024, "value": "600", "source": "x"},
    )
    assert response.status_code == 200 and "基準年（2024年）より後" in response.content.decode()
    response = client.post(
        reverse("admin:plan_kpivalue_add"),
        {"kpi": plan.pk, "year": 2026, "value": "650", "source": "事務局の集計（2026年1月1日時点）"},
    )
    assert response.status_code == 302
    value = KpiValue.objects.get(kpi=plan, year=2026)
    assert value.origin == KpiValue.Origin.ENTERED and value.entered_by == admin_user
    assert [p.year for p in dashboard(2026)[11].kpis[0].points] == [2025, 2026]
