"""Parsing member-list CSVs (pure): every bad cell is reported with row, column and reason."""

from __future__ import annotations

from datetime import date

import pytest

from tsunagari.directory.importers.errors import ImportValidationError, RowError
from tsunagari.network.member_csv import parse_member_csv

HEADER = "団体名,法人番号,会員種別,入会日,退会日,所在地,活動分野,活動地域,一覧掲載,担当者名,担当者メール\n"


def _write(tmp_path, text: str, name: str = "members.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _errors(path) -> list[RowError]:
    with pytest.raises(ImportValidationError) as info:
        parse_member_csv(path)
    return info.value.errors


def test_good_rows_with_japanese_header(tmp_path):
    path = _write(
        tmp_path,
        HEADER
        + "ＮＰＯ法人　つながり,7000012050002,会員,2022/02/25,,千代田区１－１,loneliness;poverty,131016、全国,はい,山田,a@example.org\n"
        + "\n"
        + "協力商工会,,協力会員,2023-04-01,2024-03-31,,,,,,\n",
    )
    first, second = parse_member_csv(path)
    assert first.row == 2 and second.row == 4  # the blank record is skipped, numbers stay
    assert first.name == "NPO法人 つながり"  # NFKC
    assert first.member_class == "member" and first.joined_on == date(2022, 2, 25)
    assert first.corporate_number == "7000012050002" and first.address == "千代田区1-1"
    assert first.topics == ("loneliness", "poverty")
    assert first.area_codes == ("131016",) and first.nationwide
    assert first.listed_publicly and first.contact_email == "a@example.org"
    assert second.member_class == "cooperating" and second.left_on == date(2024, 3, 31)
    assert not second.listed_publicly  # consent is never assumed


def test_english_keys_work_too(tmp_path):
    path = _write(tmp_path, "name,member_class,joined_on\nA,supporting,2024-01-01\n")
    (row,) = parse_member_csv(path)
    assert row.member_class == "supporting"


def test_every_bad_cell_is_reported(tmp_path):
    path = _write(
        tmp_path,
        HEADER
        + ",7000012050003,特別会員,2022-13-01,,,loneliness;nosuch,999999,たぶん,,bad\n"
        + "B,,会員,2024-04-01,2024-03-01,,,,,,\n",
    )
    found = {(e.row, e.column) for e in _errors(path)}
    assert found == {
        (2, "name"),
        (2, "corporate_number"),
        (2, "member_class"),
        (2, "joined_on"),
        (2, "topics"),
        (2, "areas"),
        (2, "listed_publicly"),
        (2, "contact_name"),
        (2, "contact_email"),
        (3, "left_on"),
    }


def test_reasons_say_what_is_wrong(tmp_path):
    path = _write(tmp_path, HEADER + "A,,会員,2022-02-30,,,nosuch,,,,\n")
    text = {e.column: e.reason for e in _errors(path)}
    assert "'2022-02-30' is not a date" in text["joined_on"]
    assert text["topics"] == "unknown topic 'nosuch'"
    assert str(_errors(path)[0]).startswith("members.csv row 2, column ")


def test_header_problems(tmp_path):
    path = _write(tmp_path, "団体名,name,色\nA,A,x\n")
    found = {(e.row, e.column, e.reason) for e in _errors(path)}
    assert found == {
        (1, "色", "unknown column"),
        (1, "name", "column given twice"),
        (1, "member_class", "missing column"),
        (1, "joined_on", "missing column"),
    }


def test_extra_cells_and_unreadable_files(tmp_path):
    path = _write(tmp_path, "name,member_class,joined_on\nA,会員,2024-01-01,surplus\n")
    assert [(e.row, e.reason) for e in _errors(path)] == [(2, "4 cells, the header has 3")]
    sjis = tmp_path / "sjis.csv"
    sjis.write_bytes("団体名,会員種別,入会日\n".encode("shift_jis"))
    assert [(e.row, e.reason) for e in _errors(sjis)] == [(0, "not UTF-8 text")]
    assert [e.reason for e in _errors(tmp_path / "missing.csv")] == ["file not found"]
