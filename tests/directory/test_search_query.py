"""Pure tests of normalisation, tokens and query parsing (no database)."""

import pytest

from tsunagari.directory.search_query import SynonymError, build_synonyms, parse_query
from tsunagari.directory.textnorm import normalize, query_bigrams, segment_tokens, segments


def test_normalize_folds_width_case_and_katakana():
    assert normalize("ＤＶ") == "dv"
    assert normalize("ｼﾝｸﾞﾙﾏｻﾞｰ") == "しんぐるまざー"
    assert normalize("ヒキコモリ") == normalize("ひきこもり")


def test_segments_split_on_punctuation_and_space():
    assert segments("孤独・孤立、話し相手") == ["孤独", "孤立", "話し相手"]
    assert segments("  ") == []


def test_segment_tokens_are_characters_and_bigrams():
    assert segment_tokens("借金") == {"借", "金", "借金"}
    assert segment_tokens("心") == {"心"}
    assert segment_tokens("") == set()


def test_query_bigrams_are_ordered_and_unique():
    assert query_bigrams("ああああ") == ["ああ"]
    assert query_bigrams("生活困窮") == ["生活", "活困", "困窮"]


def test_sudachi_normalised_forms_are_variants():
    (term,) = parse_query("つらい")
    assert "辛い" in term.variants
    (term,) = parse_query("ひきこもり")
    assert normalize("引き籠もり") in term.variants


def test_synonyms_expand_abbreviations():
    (term,) = parse_query("ＤＶ")
    assert term.text == "dv"
    assert "配偶者暴力" in term.variants


def test_query_is_split_into_terms():
    terms = parse_query("借金　相談")
    assert [t.text for t in terms] == ["借金", "相談"]
    assert parse_query("、。 ") == []


@pytest.mark.parametrize(
    "raw, message",
    [
        ({"version": 2, "groups": []}, "version"),
        ({"version": 1, "groups": [["ひとつ"]]}, "groups[0]"),
        ({"version": 1, "groups": [["a", "b"], ["b", "c"]]}, "already in another group"),
    ],
)
def test_synonym_file_is_validated(raw, message):
    with pytest.raises(SynonymError, match=message.replace("[", r"\[").replace("]", r"\]")):
        build_synonyms(raw)


def test_shipped_synonyms_load():
    (term,) = parse_query("LGBT")
    assert "性的少数者" in term.variants
