"""The staff statistics page and its CSV / Excel exports: access, audit log, filters, content."""

from __future__ import annotations

import csv
import io
import logging

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.staff_login import login_staff
from tsunagari.helpline import scenarios
from tsunagari.helpline.models import PartnerBody

pytestmark = pytest.mark.django_db
PERIOD = {"first": "2022-12-01", "last": "2022-12-01"}  # the 12/1 trial's scenario day
PAGE, CSV_URL, XLSX_URL = "helpline:stats", "helpline:stats_csv", "helpline:stats_xlsx"


@pytest.fixture
def staff(django_user_model):
    user = django_user_model.objects.create_user("analyst", password="a-long-password-1", is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(codename="view_contact", content_type__app_label="helpline")
    )
    return user


@pytest.fixture
def inochi():
    scenarios.load("inochi")


@pytest.mark.parametrize("name", [PAGE, CSV_URL, XLSX_URL])
def test_anonymous_users_are_sent_to_log_in(client, name):
    url = reverse(name)
    response = client.get(url, PERIOD)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login") + "?next=")


@pytest.mark.parametrize("name", [PAGE, CSV_URL, XLSX_URL])
def test_users_without_staff_status_and_permission_get_403(client, django_user_model, caplog, name):
    plain = django_user_model.objects.create_user("someone", password="a-long-password-1")
    login_staff(client, plain)
    with caplog.at_level(logging.INFO, logger="tsunagari.audit"):
        assert client.get(reverse(name), PERIOD).status_code == 403
    [refused] = [r for r in caplog.records if r.name == "tsunagari.audit"]
    assert refused.audit == {"event": "helpline.stats.refused", "user_id": plain.pk, "path": reverse(name)}
    staff_without_permission = django_user_model.objects.create_user(
        "staff-only", password="a-long-password-1", is_staff=True
    )
    login_staff(client, staff_without_permission)
    assert client.get(reverse(name), PERIOD).status_code == 403


def test_superusers_may_see_the_page(admin_client):
    assert admin_client.get(reverse(PAGE)).status_code == 200


def test_page_shows_tables_and_accessible_charts_and_logs_the_access(client, staff, inochi, caplog):
    login_staff(client, staff)
    with caplog.at_level(logging.INFO, logger="tsunagari.audit"):
        response = client.get(reverse(PAGE), PERIOD)
    assert response.status_code == 200
    html = response.content.decode()
    assert "60.1%" in html  # the published answer rate of 12/1
    assert "60.0%" in html and "78.4%" in html  # 18歳以下 and 18歳より上
    assert "<table" in html and "<caption>" in html
    assert "つなぎ支援の案件 12 件" in html and "その他" in html  # serious records: type 「その他」
    assert 'role="img"' in html and 'aria-labelledby="chart-field-title chart-field-desc"' in html
    assert '<title id="chart-hour-title">' in html and '<desc id="chart-hour-desc">' in html
    assert "<script" not in html and "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert 'href="/helpline/stats/export.csv?first=2022-12-01&amp;last=2022-12-01"' in html
    [record] = [r for r in caplog.records if r.name == "tsunagari.audit"]
    assert record.audit == {
        "event": "helpline.stats.view",
        "user_id": staff.pk,
        "format": "html",
        "first": "2022-12-01",
        "last": "2022-12-01",
        "field": None,
        "body": None,
        "channel": None,
    }
    assert f"user {staff.pk}" in record.getMessage()


def test_default_period_is_the_last_week(client, staff):
    login_staff(client, staff)
    response = client.get(reverse(PAGE))
    assert response.status_code == 200
    period = response.context["stats"].filter
    assert period.last == timezone.localdate() and (period.last - period.first).days == 6


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"first": "2022-12-02", "last": "2022-12-01"},
            "終了日は開始日と同じか、それより後の日にしてください。",
        ),
        ({"first": "2022-01-01", "last": "2023-12-31"}, "期間は366日以内にしてください。"),
        ({"first": "12/1", "last": "2022-12-01"}, "日付を正しく入力してください。"),
        ({"first": "2022-12-01", "last": "2022-12-01", "field": "nope"}, "正しく選択してください。"),
        ({"first": "2022-12-01"}, "このフィールドは必須です。"),
    ],
)
def test_invalid_filters_are_refused_with_a_clear_error(client, staff, caplog, params, message):
    login_staff(client, staff)
    with caplog.at_level(logging.INFO, logger="tsunagari.audit"):
        response = client.get(reverse(PAGE), params)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'role="alert"' in response.content.decode()
    assert client.get(reverse(CSV_URL), params).status_code == 400
    assert any(r.audit["format"] == "html-invalid" for r in caplog.records if r.name == "tsunagari.audit")


def _csv(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_csv_export_has_the_same_figures(client, staff, inochi, caplog):
    login_staff(client, staff)
    with caplog.at_level(logging.INFO, logger="tsunagari.audit"):
        response = client.get(reverse(CSV_URL), PERIOD)
    assert response.status_code == 200
    assert 'filename="helpline-stats-2022-12-01_2022-12-01.csv"' in response["Content-Disposition"]
    header, *rows = _csv(response)
    assert header[:6] == ["区分", "キー", "名称", "呼出件数", "接続完了", "応答率（%）"]
    by_key = {(row[0], row[1]): row for row in rows}
    assert by_key[("合計", "total")][3:6] == ["813", "489", "60.1"]
    assert by_key[("分野別", "under18")][3:6] == ["65", "39", "60.0"]
    assert by_key[("分野別", "over18")][3:6] == ["574", "450", "78.4"]
    assert by_key[("分野別", "")][2:6] == ["分野の選択なし", "174", "0", "0.0"]
    assert len([r for r in rows if r[0] == "時間帯別"]) == 24
    assert by_key[("つなぎ支援", "coordinated")][10] == "12"
    assert [r.audit["format"] for r in caplog.records if r.name == "tsunagari.audit"] == ["csv"]


def test_csv_export_follows_the_filters_and_neutralises_formulas(client, staff, inochi):
    body = PartnerBody.objects.get(name=scenarios.body_name("under18"))
    body.name = "=HYPERLINK(1)"
    body.save()
    login_staff(client, staff)
    rows = _csv(client.get(reverse(CSV_URL), {**PERIOD, "field": "under18"}))[1:]
    by_key = {(row[0], row[1]): row for row in rows}
    assert by_key[("合計", "total")][3:6] == ["65", "39", "60.0"]
    assert by_key[("連携団体別", str(body.pk))][2] == "'=HYPERLINK(1)"
    rows = _csv(client.get(reverse(CSV_URL), {**PERIOD, "body": str(body.pk)}))[1:]
    assert {(row[0], row[1]): row for row in rows}[("合計", "total")][3] == "65"
    rows = _csv(client.get(reverse(CSV_URL), {**PERIOD, "channel": "line"}))[1:]
    assert {(row[0], row[1]): row for row in rows}[("合計", "total")][3] == "0"  # the trials were by phone
    assert client.get(reverse(CSV_URL), {**PERIOD, "channel": "fax"}).status_code == 400


def test_xlsx_export_opens_and_has_the_same_figures(client, staff, inochi, caplog):
    login_staff(client, staff)
    with caplog.at_level(logging.INFO, logger="tsunagari.audit"):
        response = client.get(reverse(XLSX_URL), PERIOD)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="helpline-stats-2022-12-01_2022-12-01.xlsx"' in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[:7] == ["概要", "合計", "分野別", "日別", "時間帯別", "曜日別", "連携団体別"]
    total = [list(row) for row in book["合計"].iter_rows(values_only=True)]
    assert total[0][:5] == ["キー", "名称", "呼出件数", "接続完了", "応答率（%）"]
    assert total[1][2:5] == [813, 489, 60.1]
    fields = {row[0]: row for row in book["分野別"].iter_rows(min_row=2, values_only=True)}
    assert fields["under18"][2:5] == (65, 39, 60.0)
    assert fields["over18"][2:5] == (574, 450, 78.4)
    assert book["時間帯別"].max_row == 25
    links = {row[0]: row[1] for row in book["つなぎ支援"].iter_rows(values_only=True)}
    assert links["つなぎに関して調整した深刻な相談"] == 12
    assert [r.audit["format"] for r in caplog.records if r.name == "tsunagari.audit"] == ["xlsx"]
