"""The staff report page and its exports: login and permission, published figures with the
significance flags, a wave's weighted estimates, and real PDF / Excel / CSV files read back."""

from __future__ import annotations

import csv
import io
import logging

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.staff_login import login_staff
from tests.survey.collection_fixtures import read_csv, write_frame
from tsunagari.survey import services

pytestmark = pytest.mark.django_db

URL = "/survey/report/"


@pytest.fixture
def analyst(django_user_model):
    user = django_user_model.objects.create_user("analyst1", password="x", is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(codename="view_report", content_type__app_label="survey")
    )
    return user


@pytest.fixture
def client_in(analyst) -> Client:
    client = Client()
    login_staff(client, analyst)
    return client


ANSWERS = [  # direct, ucla items, sex, age band — synthetic test answers
    ("5", ("4", "4", "3"), "male", "20-29"),
    ("4", ("3", "3", "2"), "female", "20-29"),
    ("2", ("1", "2", "1"), "male", "70-79"),
    ("1", ("1", "1", "1"), "female", "70-79"),
    ("3", ("2", "2", "2"), "female", "40-49"),
    ("2", ("2", "1", "1"), "male", "40-49"),
]


@pytest.fixture
def wave_with_answers(tmp_path):
    wave = services.create_wave("テスト全国調査", "national", 1)
    frame = write_frame(tmp_path / "frame.csv", {"A": 600, "B": 400})
    services.draw_sample(wave, frame, size=10, seed=3, strata="district", mailing_list=tmp_path / "mail.csv")
    rows = read_csv(tmp_path / "mail.csv")
    for row, (direct, ucla, sex, age) in zip(rows, ANSWERS, strict=False):
        response = services.open_response(row["access_code"])
        for question, value in (("direct", direct), ("ucla_1", ucla[0]), ("ucla_2", ucla[1]),
                                ("ucla_3", ucla[2]), ("sex", sex), ("age_band", age)):  # fmt: skip
            assert services.save_answer(response, question, value, direction="stay") is None
        services.submit(response)
    return wave


def test_anonymous_goes_to_login_and_others_get_403(django_user_model):
    response = Client().get(URL)
    assert response.status_code == 302 and "login" in response["Location"]
    for path in (URL, URL + "export.pdf", URL + "export.csv"):
        assert Client().get(path).status_code == 302
    staff = django_user_model.objects.create_user("clerk", password="x", is_staff=True)
    client = Client()
    login_staff(client, staff)
    assert client.get(URL).status_code == 403
    assert client.get(URL + "export.xlsx").status_code == 403


def test_page_shows_published_figures_flags_and_accessible_charts(client_in, caplog):
    with caplog.at_level(logging.INFO, logger="tsunagari.audit"):
        response = client_in.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "孤独の状況（直接質問）" in html and "14.8" in html and "15.8" in html
    assert 'role="img"' in html and '<title id="chart-direct_question-title">' in html
    assert '<th scope="col">しばしばある・常にある</th>' in html
    # 「時々ある」 15.8 → 14.8 is a significant decrease: flagged in the table of 2023.
    assert "前回から有意に縮小" in html
    assert "<script" not in html and "style=" not in html and " onclick" not in html
    assert "survey/report.css" in html
    assert any("survey report viewed" in r.getMessage() for r in caplog.records)


def test_csv_is_e_stat_layout_and_reads_back(client_in):
    response = client_in.get(URL + "export.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert list(rows[0])[:4] == ["tab_code", "表章項目", "cat01_code", "集計表"]
    sometimes_2023 = next(
        r for r in rows
        if r["cat01_code"] == "direct_question" and r["cat03_code"] == "sometimes" and r["time_code"] == "2023000000"
    )  # fmt: skip
    assert sometimes_2023["value"] == "14.8" and sometimes_2023["unit"] == "%"
    assert sometimes_2023["annotation"] == "前回から有意に縮小"
    n_2022 = next(
        r for r in rows
        if r["cat01_code"] == "direct_question" and r["tab_code"] == "120" and r["time_code"] == "2022000000"
    )  # fmt: skip
    assert n_2022["value"] == "11218"
    # not printed in the seeds → no line (the 2022 10～12点 share)
    assert not [r for r in rows if r["cat01_code"] == "ucla_bands" and r["cat03_code"] == "10-12"
                and r["time_code"] == "2022000000"]  # fmt: skip


def test_excel_reads_back(client_in):
    response = client_in.get(URL + "export.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["direct_question"]
    values = [row for row in sheet.iter_rows(values_only=True)]
    assert values[0][0] == "孤独の状況（直接質問）"
    header = values[2]
    assert header[:3] == ("調査年", "n", "しばしばある・常にある")
    row_2023 = next(v for v in values if v[0] == "令和５年")
    assert row_2023[1] == 11141 and row_2023[2] == 4.8 and row_2023[3] == 14.8
    assert any(v[0] and str(v[0]).startswith("出典") for v in values)


def test_pdf_is_produced_with_japanese_text_and_embedded_font(client_in):
    response = client_in.get(URL + "export.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "孤独の状況" in text and "14.8" in text
    fonts = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            fonts.add(str(font.get("/BaseFont")))
            descendants = font.get("/DescendantFonts")
            for d in descendants or []:
                descriptor = d.get_object().get("/FontDescriptor").get_object()
                assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    assert any("Noto-Sans-CJK-JP" in f or "NotoSansCJK" in f for f in fonts), fonts


def test_wave_estimates_on_page_and_exports(client_in, wave_with_answers):
    wave = wave_with_answers
    html = client_in.get(URL, {"wave": wave.pk}).content.decode()
    assert "テスト全国調査：重み付き推計" in html and "（年齢階級別）" in html
    rows = list(csv.DictReader(io.StringIO(
        client_in.get(URL + "export.csv", {"wave": wave.pk}).content.decode("utf-8").lstrip("\ufeff")
    )))  # fmt: skip
    wave_rows = [r for r in rows if r["cat01_code"] == "wave_direct" and r["tab_code"] == "100"]
    shares = {r["cat03_code"]: float(r["value"]) for r in wave_rows}
    # weights: stratum size / respondents of the stratum, so shares are weighted, and add up to 100
    assert sum(shares.values()) == pytest.approx(100, abs=0.3)
    assert [r for r in rows if r["cat01_code"] == "wave_direct" and r["tab_code"] == "110"]
    book = load_workbook(io.BytesIO(client_in.get(URL + "export.xlsx", {"wave": wave.pk}).content))
    assert {"wave_direct", "wave_ucla_by_age", "direct_question"} <= set(book.sheetnames)


def test_unknown_wave_is_a_clear_message(client_in):
    html = client_in.get(URL, {"wave": "9999"}).content.decode()
    assert "指定された調査回には回答がありません" in html
