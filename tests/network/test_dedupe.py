"""Duplicate detection of member bodies (pure)."""

from __future__ import annotations

from tsunagari.network.dedupe import (
    CORPORATE_NUMBER,
    NAME_AND_ADDRESS,
    BodyIndex,
    BodyKey,
    corporate_number_is_valid,
    normalize_key,
)

NTA = "7000012050002"  # 国税庁's own 法人番号
OTHER = "9000012050000"  # synthetic, valid check digit


def test_corporate_number_check_digit():
    assert corporate_number_is_valid(NTA)
    assert corporate_number_is_valid(OTHER)
    assert not corporate_number_is_valid("8000012050002")  # wrong check digit
    assert not corporate_number_is_valid("700001205000")  # 12 digits
    assert not corporate_number_is_valid("７000012050002")  # full-width: normalise first


def test_normalisation_folds_width_case_spaces_and_dashes():
    assert normalize_key("ＮＰＯ法人　つながり ") == normalize_key("npo法人つながり")
    assert normalize_key("千代田区永田町１ー６ー１") == normalize_key("千代田区永田町1-6-1")
    assert normalize_key("千代田区永田町1−6‐1") == "千代田区永田町1-6-1"
    assert normalize_key("センター") == "センター"  # ー between letters stays


def test_same_corporate_number_matches_whatever_the_name():
    index = BodyIndex([BodyKey(1, NTA, "国税庁", "")])
    match = index.find(BodyKey("row 2", NTA, "こくぜいちょう", "どこか"))
    assert match.reason == CORPORATE_NUMBER and match.existing.ref == 1


def test_same_name_and_address_after_nfkc_matches():
    index = BodyIndex([BodyKey(1, "", "ＮＰＯ法人 つながり", "東京都千代田区永田町１－６－１")])
    match = index.find(BodyKey(2, "", "NPO法人つながり", "東京都千代田区永田町1-6-1"))
    assert match.reason == NAME_AND_ADDRESS and match.existing.ref == 1


def test_name_alone_or_different_corporate_numbers_do_not_match():
    index = BodyIndex([BodyKey(1, NTA, "つながり", "東京都千代田区1-1")])
    assert index.find(BodyKey(2, "", "つながり", "")) is None  # no address: too weak
    assert index.find(BodyKey(3, OTHER, "つながり", "東京都千代田区1-1")) is None  # two numbers
    assert index.find(BodyKey(4, "", "つながり", "東京都港区1-1")) is None
    assert index.find(BodyKey(5, "", "つながり", "東京都千代田区１－１")).existing.ref == 1
