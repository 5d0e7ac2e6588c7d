"""Tests for tsunagari.navigator.crisis (pure: no Django; run with ``pytest tests/navigator -p no:django``).

The corpus (crisis_corpus.yaml) holds 610 positives (462 development + 148 held out) and 278 negatives
in the 11 supported languages, covering every category in every language. Recall over the positives
must be 100 % and the false-positive rate over the negatives at most 10 % (today: 1/278).

Honest record of how the first version of the patterns was built:

- The development positives and the first 214 negatives were written before the patterns existed.
  The patterns were then developed against them: 462/462 recall, 0/214 false positives.
- Held-out batch 1 (137 positives, ~20 %) was written after the patterns and run once before any fix:
  103/137 caught = 75.2 % (34 missed: ja 15, en 8, ko 3, es 3, zh 2, pt 1, ne 1, id 1). The misses were
  mostly paraphrases ("目を覚ましたくない", "なんで生きてるんだろう", "nobody would miss me if I died",
  "I have the pills ready", "살아있는 게 너무 힘들어") plus one normalisation bug (に + いる lost its い).
  They were fixed by generalising rules, never by adding the sentence.
- 58 adversarial negatives aimed at those broadened rules were then run once: 18 false positives before
  fixes ("宿題を全部終わらせたい", "I cut my hair short on purpose", "He beat me at chess", "我不想活动");
  the rules were narrowed, not the corpus.
- Held-out batch 2, a fresh probe of 40 expressions, caught 26/40 = 65 % before fixes; the 11 clear
  misses joined the held-out set and were generalised, 3 ambiguous ones were left as known blind spots.
- Beyond the corpus: 7,161 benign UI strings (Django's ja/ko/zh/vi/pt/es/id/th/ne/tl translations) gave
  one false positive ("foi violada", a violated constraint), since fixed, and none after batch 2.

So expect roughly 65-80 % recall on an independent set today; the 100 % here is on data the patterns have
seen. Known blind spots are listed at the top of crisis_patterns.yaml.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

from tsunagari.navigator import crisis
from tsunagari.navigator.crisis import (
    CATEGORIES,
    CrisisResult,
    PatternFileError,
    detect_crisis,
    load_patterns,
    normalize,
    parse_patterns,
)

CORPUS_FILE = Path(__file__).with_name("crisis_corpus.yaml")
LANGUAGES = ("ja", "en", "zh", "ko", "vi", "pt", "es", "tl", "ne", "id", "th")
MAX_FALSE_POSITIVE_RATE = 0.10


def _corpus() -> dict:
    return yaml.safe_load(CORPUS_FILE.read_text(encoding="utf-8"))


CORPUS = _corpus()
POSITIVES = [
    (section, language, category, text)
    for section in ("positives", "holdout_positives")
    for language, categories in CORPUS[section].items()
    for category, texts in categories.items()
    for text in texts
]
NEGATIVES = [(language, text) for language, texts in CORPUS["negatives"].items() for text in texts]


# --- the corpus ----------------------------------------------------------------------------------


def test_corpus_is_broad():
    assert CORPUS["version"] == 1
    assert len(POSITIVES) >= 400
    assert len(NEGATIVES) >= 200
    holdout = sum(1 for section, *_ in POSITIVES if section == "holdout_positives")
    assert holdout >= 0.2 * len(POSITIVES) - 1  # the last ~20 % was held out
    cells = Counter((language, category) for _, language, category, _ in POSITIVES)
    missing = [(lang, cat) for lang in LANGUAGES for cat in CATEGORIES if not cells[(lang, cat)]]
    assert not missing, f"no positive example for {missing}"
    assert set(CORPUS["negatives"]) == set(LANGUAGES)
    assert set(cells) <= {(lang, cat) for lang in LANGUAGES for cat in CATEGORIES}


def test_corpus_has_no_duplicates_or_contradictions():
    positives = Counter(text for *_, text in POSITIVES)
    negatives = Counter(text for _, text in NEGATIVES)
    assert [t for t, n in positives.items() if n > 1] == []
    assert [t for t, n in negatives.items() if n > 1] == []
    assert set(positives) & set(negatives) == set()


# --- recall, false positives, categories ---------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_positive_alarms(language):
    missed = [
        f"{section}/{category}: {text}"
        for section, lang, category, text in POSITIVES
        if lang == language and not detect_crisis(text).is_crisis
    ]
    assert missed == [], "missed cries for help:\n" + "\n".join(missed)


def test_positives_name_their_category():
    wrong = [
        (language, category, text, detect_crisis(text).categories)
        for _, language, category, text in POSITIVES
        if category not in detect_crisis(text).categories
    ]
    assert len(wrong) <= 0.05 * len(POSITIVES), wrong


def test_false_positive_rate(capsys):
    alarms = [
        (lang, text, detect_crisis(text).matches) for lang, text in NEGATIVES if detect_crisis(text).is_crisis
    ]
    rate = len(alarms) / len(NEGATIVES)
    by_language = Counter(lang for lang, *_ in alarms)
    with capsys.disabled():
        print(
            f"\ncrisis detection: {len(POSITIVES)} positives, recall 100 %; false positives "
            f"{len(alarms)}/{len(NEGATIVES)} = {rate:.1%} {dict(by_language)}"
        )
    assert rate <= MAX_FALSE_POSITIVE_RATE, alarms


# --- behaviour ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("死にたくない", False),
        ("死にたくないけど消えたい", True),  # the negation hides only its own span
        ("死ぬほど忙しい", False),
        ("死ぬほど忙しくて、もう死にたい", True),  # an idiom never hides a second signal
        ("笑い死ぬかと思ったけど、本当は消えてしまいたい", True),
        ("祖母が亡くなった", False),
        ("父が死んで、私も死にたい", True),
        ("I'm dying to see it", False),
        ("I'm dying to see it, but honestly I want to die", True),
        ("I don't want to die", False),
        ("I don't want to die but I want to disappear", True),
        ("饿死了", False),
        ("饿死了，真的不想活了", True),
        ("배고파 죽겠다", False),
        ("배고파 죽겠다 근데 진짜 죽고 싶어", True),
        ("友達が死にたいと言っている", True),  # third-party risk alarms
        ("自殺のニュースを見た", True),  # topic mentions alarm (policy)
        ("", False),
        ("   \n\t", False),
    ],
)
def test_negation_idioms_and_second_signals(text, expected):
    assert detect_crisis(text).is_crisis is expected


def test_result_contract():
    result = detect_crisis("もう死にたい、ODもした")
    assert isinstance(result, CrisisResult)
    assert result.is_crisis
    assert result.categories == ("suicide", "overdose")  # in CATEGORIES order
    assert all(m.count(".") == 2 and m.split(".")[1] in CATEGORIES for m in result.matches)
    assert result.language_hint == "ja"
    with pytest.raises(AttributeError):
        result.is_crisis = False  # frozen


def test_result_never_contains_user_text():
    secret = "山田花子です。080-1234-5678。死にたい"
    result = detect_crisis(secret)
    assert result.is_crisis
    rendered = repr(result)
    assert "山田" not in rendered and "080" not in rendered and "死にたい" not in rendered


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("死にたい", "ja"),
        ("죽고 싶어", "ko"),
        ("อยากตาย", "th"),
        ("मर्न मन लाग्यो", "ne"),
        ("我不想活了", "zh"),
        ("I want to die", "en"),
        ("quiero morir", "es"),
        ("quero morrer", "pt"),
        ("gusto ko nang mamatay", "tl"),
        ("aku ingin mati", "id"),
        ("tôi muốn chết", "vi"),
        ("hello there", None),
    ],
)
def test_language_hint(text, language):
    assert detect_crisis(text).language_hint == language
    assert detect_crisis("自殺未遂").language_hint in ("ja", "zh")  # kanji only: either is fine


def test_module_is_pure():
    code = "import sys, tsunagari.navigator.crisis as c; c.detect_crisis('死にたい'); print('django' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


# --- normalisation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("ｼﾆﾀｲ", "しにたい"),  # half-width katakana → NFKC → hiragana
        ("シニタイ", "しにたい"),
        ("しにたーーい", "しにたい"),  # elongation mark
        ("しにたぁい", "しにたい"),  # small vowel that only lengthens
        ("死にたぃ", "死にたい"),  # small vowel used as a normal one
        ("しにたいいいい", "しにたい"),  # runs of 3+
        ("し に た い", "しにたい"),  # spaces next to Japanese
        ("死にたい😭助けて", "死にたい助けて"),  # emoji and punctuation
        ("ﾀﾋにたい", "死にたい"),  # タヒ = 死 split in two
        ("氏にたい", "死にたい"),
        ("自分氏ね", "自分死ね"),
        ("田中氏に連絡", "田中氏に連絡"),  # a real 氏 after a name stays
        ("4ね", "しね"),
        ("4にたい", "しにたい"),
        ("○にたい", "死にたい"),  # masked
        ("タヒチに行きたい", "たひちに行きたい"),  # Tahiti is not 死
        ("屋上にいます", "屋上にいます"),  # に + いる keeps its い
        ("ＯＤした", "odした"),
        ("オーバードーズ", "おばどず"),
        ("I'm going to K1LL mys3lf!!!", "i m going to kill myself"),  # leetspeak inside words
        ("su1c1de", "suicide"),
        ("od'd", "od d"),
        ("Tôi muốn chết", "toi muon chet"),  # Latin diacritics dropped
        ("NÃO QUERO", "nao quero"),
        ("죽고 싶어 ㅠㅠㅠ", "죽고 싶어 ᅲ"),  # Hangul keeps its spaces
        ("ตายยยยย ๆ ไป", "ตายๆไป"),  # Thai: elongation and spaces
        ("श्रीमान्\u200cले", "श्रीमान्ले"),  # zero-width joiners dropped
        ("", ""),
    ],
)
def test_normalize(raw, normalised):
    assert normalize(raw) == normalised


def test_patterns_are_normalised_like_text():
    patterns = parse_patterns(
        {"version": 1, "languages": {"ja": {"suicide": [{"id": "x", "regex": "リスカ|オーバードーズ"}]}}}
    )
    assert detect_crisis("りすかした", patterns).is_crisis
    assert detect_crisis("おーばーどーずしちゃった", patterns).is_crisis


# --- the pattern file ---------------------------------------------------------------------------


def test_bundled_pattern_file():
    patterns = load_patterns()
    assert patterns.version == 1
    ids = [p.id for p in (*patterns.signals, *patterns.suppressions)]
    assert len(ids) == len(set(ids))
    cells = {(p.language, p.category) for p in patterns.signals}
    missing = [(lang, cat) for lang in LANGUAGES for cat in CATEGORIES if (lang, cat) not in cells]
    assert not missing, f"no patterns for {missing}"
    assert {p.language for p in patterns.suppressions} == set(LANGUAGES)


def _doc(entry=None, category="suicide", **top):
    entry = {"id": "want_to_die", "regex": "死にたい"} if entry is None else entry
    return {"version": 1, "languages": {"ja": {category: [entry]}}, **top}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (_doc(category="suicidal"), "ja.suicidal: unknown category 'suicidal'"),
        (_doc({"id": "empty", "regex": "  "}), "ja.suicide[0] (ja.suicide.empty): empty pattern"),
        (_doc({"id": "missing"}), "ja.suicide[0] (ja.suicide.missing): empty pattern"),
        (_doc({"id": "broken", "regex": "死に(たい"}), "ja.suicide[0] (ja.suicide.broken): bad regex"),
        (
            _doc({"id": "frag", "regex": "{NOPE}たい"}),
            "ja.suicide[0] (ja.suicide.frag): unknown fragment {NOPE}",
        ),
        (
            _doc({"id": "upper", "regex": "Die"}),
            "ja.suicide[0] (ja.suicide.upper): write patterns in lower case",
        ),
        (
            _doc({"id": "everything", "regex": "x?"}),
            "ja.suicide[0] (ja.suicide.everything): pattern matches the empty",
        ),
        (_doc({"id": "Bad Id", "regex": "x"}), "ja.suicide[0]: id 'Bad Id' must be lower_snake_case"),
        (_doc({"id": "x", "regex": "x", "weight": 2}), "ja.suicide[0]: expected a mapping of id, regex"),
        (_doc(version=2), "version must be 1, not 2"),
        ({"version": 1}, "'languages' must map language codes"),
        ({"version": 1, "languages": {"ja": {"suicide": []}}}, "ja.suicide: expected a non-empty list"),
        (_doc(fragments={"A": 3}), "'fragments' must map names to regex strings"),
        ([], "expected a mapping"),
    ],
)
def test_invalid_pattern_documents_name_the_entry(document, message):
    with pytest.raises(PatternFileError) as excinfo:
        parse_patterns(document, source="test.yaml")
    assert message in str(excinfo.value)
    assert str(excinfo.value).startswith("test.yaml")


def test_duplicate_ids_are_rejected():
    document = {
        "version": 1,
        "languages": {"ja": {"suicide": [{"id": "a", "regex": "x"}, {"id": "a", "regex": "y"}]}},
    }
    with pytest.raises(PatternFileError, match=r"suicide\[1\]: duplicate id ja\.suicide\.a"):
        parse_patterns(document)


def test_invalid_yaml_file(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("version: 1\nlanguages: [unclosed\n", encoding="utf-8")
    with pytest.raises(PatternFileError, match="not valid YAML"):
        load_patterns(path)


def test_fragments_and_suppressions():
    document = {
        "version": 1,
        "fragments": {"SHI": "(?:死|し)", "WANT": "{SHI}にたい"},  # fragments may use earlier ones
        "languages": {
            "ja": {
                "suicide": [{"id": "want", "regex": "{WANT}"}, {"id": "die", "regex": "死ぬ"}],
                "suppress": [{"id": "idiom", "regex": "死ぬほど"}],
            }
        },
    }
    patterns = parse_patterns(document)
    assert detect_crisis("しにたい", patterns).matches == ("ja.suicide.want",)
    assert not detect_crisis("死ぬほど眠い", patterns).is_crisis
    # the suppression hides only the signal inside its own span, never a second one
    assert detect_crisis("死ぬほど眠い。もう死ぬ", patterns).matches == ("ja.suicide.die",)


def test_default_patterns_are_cached():
    assert crisis.default_patterns() is crisis.default_patterns()
