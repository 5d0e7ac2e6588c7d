"""Pure tests of the search document: text groups, postings, scores, sort keys, ages (no database)."""

from __future__ import annotations

import itertools
import random

import pytest

from tsunagari.core.vocabulary import AUDIENCE_AGES
from tsunagari.directory import search_document as doc


def _text(**groups: str) -> str:
    fields = [(groups.get(f"w{w}", ""), w) for w in doc.WEIGHTS]
    return doc.build_text(fields)


def test_text_keeps_one_group_per_weight_best_first():
    text = _text(w10="孤独の相談", w1="説明文、つらい時に")
    groups = doc.text_groups(text)
    assert [w for w, _ in groups] == list(doc.WEIGHTS)
    assert groups[0][1] == "孤独の相談"
    assert "辛い" in groups[-1][1].split()  # the SudachiPy normal form is indexed too


def test_unknown_weight_is_refused():
    with pytest.raises(ValueError, match="weight"):
        doc.build_text([("名前", 7)])


def test_postings_keep_the_best_weight_of_each_token():
    tokens = doc.postings(_text(w10="借金", w1="借金の相談", w4="相談"))
    assert tokens["借金"] == 10 and tokens["借"] == 10
    assert tokens["相談"] == 4
    assert tokens["の"] == 1
    assert "金の" in tokens and "金 " not in tokens  # no token spans a segment boundary
    assert all(len(t) in (1, 2) for t in tokens)


def test_score_uses_the_best_field_of_the_whole_variant():
    text = _text(w10="生活の窓口", w1="生活困窮の方へ")
    # 生活 is in the name, but the phrase 生活困窮 only in the body.
    assert doc.score(text, [["生活"]]) == 10
    assert doc.score(text, [["生活困窮"]]) == 1
    assert doc.score(text, [["生活困窮", "窓口"]]) == 10  # best variant
    assert doc.score(text, [["生活"], ["困窮"]]) == 11  # summed over terms
    assert doc.score(text, [["生活"], ["借金"]]) is None  # every term is needed


def test_score_of_short_variants_equals_their_posting_weight():
    rng = random.Random(7)
    alphabet = "あいうえお相談窓口"
    for _ in range(200):
        text = _text(**{f"w{w}": "".join(rng.choices(alphabet + " ", k=12)) for w in doc.WEIGHTS})
        tokens = doc.postings(text)
        for token, weight in tokens.items():
            assert doc.score(text, [[token]]) == weight
        for a, b in itertools.product(alphabet, repeat=2):
            longer = a + b + rng.choice(alphabet)
            score = doc.score(text, [[longer]])
            if score:  # a longer variant never scores above any of its bigrams
                assert score <= min(tokens[longer[:2]], tokens[longer[1:]])


def test_sort_key_never_contradicts_name_order():
    rng = random.Random(11)
    names = ["", "あ", "ああ", "あい", "あいう", "あいうえ", "A窓口", "𠮷野家", "全国", "全国の窓口"]
    names += [
        "".join(rng.choices("あいう𠮷A全国\u0100\u0101\u0180", k=rng.randint(1, 5))) for _ in range(300)
    ]
    for a, b in itertools.combinations(names, 2):
        if a < b:
            assert doc.sort_key(a) <= doc.sort_key(b), (a, b)
        elif b < a:
            assert doc.sort_key(b) <= doc.sort_key(a), (a, b)
    assert doc.sort_key("\U0010ffff" * 9) < 2**63  # fits a signed 64-bit column


def test_char_values_never_decrease_and_fit_fifteen_bits():
    values = [doc.char_value(chr(c))[0] for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    assert all(a <= b for a, b in itertools.pairwise(values))
    assert values[0] >= 1 and values[-1] < 2**15  # 0 is kept for "no character"
    for char in "あアA全名ｱ":
        assert doc.char_value(char)[1], char  # exact where names are written
    assert doc.sort_key("名古屋市東区") == doc.sort_key("名古屋市北区")  # four characters only
    assert doc.sort_key("名古屋市") < doc.sort_key("名古屋港")


def test_inexact_characters_end_the_key():
    # Two characters sharing a value (U+0100 and U+0101): what follows must not decide the order.
    assert doc.char_value("\u0100")[0] == doc.char_value("\u0101")[0]
    assert doc.sort_key("\u0100z") == doc.sort_key("\u0101a")


def _accepts(ranges, age):
    return any(low <= age <= high for low, high in ranges)


@pytest.mark.parametrize("size", range(len(AUDIENCE_AGES) + 1))
def test_accepted_ages_fit_two_ranges_for_every_audience_combination(size):
    for codes in itertools.combinations(AUDIENCE_AGES, size):
        for minimum, maximum in [(None, None), (20, 25), (10, None), (None, 70), (30, 20)]:
            ranges = doc.accepted_ages(minimum, maximum, codes)
            assert 1 <= len(ranges) <= 2
            for age in range(0, 131):
                within = (minimum is None or minimum <= age) and (maximum is None or age <= maximum)
                fits = not codes or any(AUDIENCE_AGES[c][0] <= age <= AUDIENCE_AGES[c][1] for c in codes)
                assert _accepts(ranges, age) == (within and fits), (codes, minimum, maximum, age)


def test_flags_pack_the_filters():
    flags = doc.flags(active=True, is_24h=False, free=True, crisis_line=None, ages=[(20, 25)])
    assert flags & doc.FLAG_ACTIVE and flags & doc.FLAG_FREE
    assert not flags & doc.FLAG_24H and not flags & doc.FLAG_CRISIS
    assert flags < 2**15  # a SMALLINT column


def test_age_bands_never_drop_an_accepted_age():
    for ranges in ([(0, 999)], [(20, 25)], [(0, 18), (65, 999)], [doc.NO_AGES], [(17, 17)]):
        flags = doc.flags(active=True, is_24h=False, free=False, crisis_line=False, ages=ranges)
        for age in range(0, 131):
            if _accepts(ranges, age):
                assert flags & doc.age_band_flag(age), (ranges, age)
    assert not doc.flags(active=False, is_24h=False, free=False, crisis_line=False, ages=[doc.NO_AGES])
