"""Phone numbers and URLs found in free Japanese text (pure; no Django)."""

from __future__ import annotations

import pytest

from tsunagari.directory.importers.phones import extract_phones, extract_urls


def numbers(text: str) -> list[str]:
    return [phone["number"] for phone in extract_phones(text)]


def test_number_in_parentheses_takes_the_label_before_it():
    assert extract_phones("住居確保給付金相談（0120-23-5572）") == [
        {"number": "0120-23-5572", "digits": "0120235572", "label": "住居確保給付金相談", "extension": ""}
    ]


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("０１２０－２７９－８８９", "0120-279-889"),  # full-width digits and hyphen
        ("03‐5772‐2183", "03-5772-2183"),  # U+2010
        ("03−5772−2183", "03-5772-2183"),  # minus sign
        ("03ー5772ー2183", "03-5772-2183"),  # katakana long vowel mark
        ("044-431-8663", "044-431-8663"),
        ("0570-085-085", "0570-085-085"),
        ("ナビダイヤル：0570-011000", "0570-011000"),
        ("0800-123-4567", "0800-123-4567"),
        ("携帯 090-1234-5678 まで", "090-1234-5678"),
        ("TEL0312345678", "0312345678"),  # no hyphens: only after a phone word
    ],
)
def test_long_numbers_are_normalised(text, number):
    assert numbers(text) == [number]


def test_label_after_the_number_and_extension():
    hotline = extract_phones("0570-085-085（全国共通\n相談ダイヤル）")[0]
    assert hotline["label"] == "全国共通 相談ダイヤル"
    office = extract_phones("TEL 03-5253-1111（内線7937）")[0]
    assert (office["number"], office["label"], office["extension"]) == ("03-5253-1111", "", "7937")
    named = extract_phones("ハローワーク求人ホットラインへ電話（03-6858-8689）にて相談")[0]
    assert named["label"] == "ハローワーク求人ホットライン"
    assert extract_phones("「性犯罪被害相談電話」(＃8103)")[0]["label"] == "性犯罪被害相談電話"


def test_a_label_never_contains_the_previous_number():
    phones = extract_phones("ナビダイヤル：0570-011000\n（一部のIP電話及び海外からは03-5363-3013）")
    assert [(p["number"], p["label"]) for p in phones] == [
        ("0570-011000", ""),
        ("03-5363-3013", "一部のIP電話及び海外からは"),
    ]
    assert [p["label"] for p in extract_phones("A: 03-1111-2222、B: 03-3333-4444")] == ["A", "B"]


@pytest.mark.parametrize(
    ("text", "number", "digits"),
    [
        ("「DV相談ナビ」(#8008)", "#8008", "#8008"),
        ("（＃８１０３）", "#8103", "#8103"),
        ("短縮番号 #7119をプッシュ", "#7119", "#7119"),
        ("＃9110", "#9110", "#9110"),
        ("「消費者ホットライン」(#188)", "188", "188"),  # 1xx numbers are dialled without '#'
        ("189へ電話をかける", "189", "189"),
        ("児童相談所虐待対応ダイヤル「189」", "189", "189"),
        ("188を押して架電", "188", "188"),
        ("電話：188", "188", "188"),
        ("110番", "110", "110"),
    ],
)
def test_short_numbers(text, number, digits):
    [phone] = extract_phones(text)
    assert (phone["number"], phone["digits"]) == (number, digits)


@pytest.mark.parametrize(
    "text",
    [
        "〒160-0004 東京都新宿区四谷一丁目6番1号",
        "〒600-8799 日本郵便株式会社",
        "〒 060-0001",
        "2021-11-01に公開",
        "令和３年３月31日時点で18歳未満",
        "1990年代～2000年代",
        "月額43,160円〜10,180円程度",
        "世帯の合計収入が24万円以下",
        "15万8千円以下の世帯",
        "0312345678円",
        "03-1234-5678円",
        "全国に321署４支署",
        "1か月24時間、1年150時間を超える",
        "189件の相談",  # a bare three-digit number is not a phone number
        "080-123-4567",  # a mobile number needs eleven digits
        "https://www.mhlw.go.jp/content/000707280.pdf",
        "https://www.mhlw.go.jp/stf/seisakunitsuite/bunya/0000073432.html",
        "0000073432",  # ten digits without hyphens and without a phone word
        "受付時間：全日8:30〜17:15",
    ],
)
def test_not_phone_numbers(text):
    assert extract_phones(text) == []


def test_duplicates_merge_and_keep_the_first_label():
    phones = extract_phones("働く人の悩みホットライン(03-5772-2183)\n電話 03‐5772‐2183")
    assert [(p["number"], p["label"]) for p in phones] == [("03-5772-2183", "働く人の悩みホットライン")]


def test_empty_text():
    assert extract_phones("") == [] and extract_urls("") == []


def test_extract_urls():
    text = (
        "ハローワーク(https://www.mhlw.go.jp/kyujin/hwmap.html)に申請 "
        "こちら（https://hoken.hellowork.mhlw.go.jp/assist/001000.do?screenId=001000&action=initDisp）。\n"
        "http://www.bousai.go.jp/taisaku/seido.html, https://www.mhlw.go.jp/kyujin/hwmap.html. "
        "mlit.go.jp/jidosha/ は対象外"
    )
    assert extract_urls(text) == [
        "https://www.mhlw.go.jp/kyujin/hwmap.html",
        "https://hoken.hellowork.mhlw.go.jp/assist/001000.do?screenId=001000&action=initDisp",
        "http://www.bousai.go.jp/taisaku/seido.html",
    ]
