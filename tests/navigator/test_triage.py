"""Free-text triage (pure): lexicon validation, behaviour, and a score on an independent corpus.

``triage_corpus.yaml`` was written by a separate helper that never saw the lexicon (colloquial
Japanese, kana spellings, やさしい日本語, English, Chinese, Korean, Vietnamese, and messages with no
support topic). It is split by a hash of the text: *dev* messages may guide lexicon fixes, *holdout*
messages (one in four) are only measured. The thresholds below sit just under the figures measured
when the corpus arrived (see ``test_corpus_scores``), so they catch regressions.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import yaml

from tsunagari.core.vocabulary import TOPICS
from tsunagari.navigator import triage as triage_module
from tsunagari.navigator.triage import LexiconError, parse_lexicon, triage

CORPUS = Path(__file__).with_name("triage_corpus.yaml")


def _corpus() -> list[dict]:
    return yaml.safe_load(CORPUS.read_text(encoding="utf-8"))["messages"]


def _holdout(text: str) -> bool:
    return hashlib.sha256(text.encode()).digest()[0] % 4 == 0


@pytest.mark.parametrize(
    "text, topic",
    [
        ("最近さみしくて、誰とも話してない", "loneliness"),
        ("家賃が払えなくて追い出されそう", "housing"),
        ("ヒキコモリの息子がいます", "hikikomori"),
        ("I lost my job last month", "employment"),
        ("我没有钱，也没有工作", "poverty"),
        ("외로워요 친구가 없어요", "loneliness"),
        ("toi khong co tien", "poverty"),
        ("Tôi bị nợ nhiều", "debt_legal"),
        ("母の介護で仕事を辞めた", "caregiving"),
    ],
)
def test_messages_find_their_topic(text, topic):
    assert topic in triage(text).topics


@pytest.mark.parametrize("text", ["こんにちは", "ありがとう", "test", "今日はいい天気", "死ぬほど忙しい"])
def test_small_talk_and_idioms_get_no_topic(text):
    result = triage(text)
    assert result.topics == () and not result.crisis.is_crisis


def test_crisis_always_puts_suicide_first_and_keeps_other_topics():
    result = triage("もう消えたい。借金が返せない")
    assert result.crisis.is_crisis
    assert result.topics[0] == "suicide" and "debt_legal" in result.topics


def test_language_hint_limits_the_lexicon():
    # A Vietnamese entry must not fire inside English text when the language is known.
    assert "debt_legal" not in triage("no money, no job", lang="en").topics
    with pytest.raises(ValueError, match="language"):
        triage("hello", lang="xx")


def test_result_keeps_no_user_text():
    result = triage("夫に殴られる、もう限界です")
    assert "夫" not in repr(result)


@pytest.mark.parametrize(
    "data, message",
    [
        ({"version": 2, "topics": {}}, "version: 1"),
        ({"version": 1, "topics": {"nope": {"ja": ["x"]}}}, "unknown topic 'nope'"),
        ({"version": 1, "topics": {"housing": {"fr": ["x"]}}}, "housing: unknown language 'fr'"),
        ({"version": 1, "topics": {"housing": {"ja": ["家賃|5"]}}}, "housing.ja: '家賃|5': weight"),
        ({"version": 1, "topics": {"housing": {"ja": [""]}}}, "housing.ja: empty"),
    ],
)
def test_lexicon_is_validated_with_clear_errors(data, message):
    with pytest.raises(LexiconError, match=message.replace("|", r"\|")):
        parse_lexicon(data, "test.yaml")


def test_corpus_is_well_formed():
    messages = _corpus()
    assert len(messages) >= 300
    for m in messages:
        assert m["lang"] in {"ja", "ja-easy", "en", "zh", "ko", "vi"}
        assert set(m["topics"]) <= set(TOPICS), m
    for topic in TOPICS:
        assert sum(topic in m["topics"] for m in messages) >= 10, topic


def _scores(messages: list[dict]) -> dict[str, float]:
    labelled = [m for m in messages if m["topics"]]
    empty = [m for m in messages if not m["topics"]]
    first_found = predicted = correct = 0
    for m in labelled:
        topics = triage(m["text"]).topics
        first_found += m["topics"][0] in topics
        predicted += len(topics)
        correct += len(set(topics) & set(m["topics"]))
    quiet = sum(not triage(m["text"]).topics for m in empty)
    return {
        "recall_first": first_found / len(labelled),
        "precision": correct / max(1, predicted),
        "quiet_on_small_talk": quiet / max(1, len(empty)),
    }


def test_corpus_scores(capsys):
    """Scores on the corpus (printed with ``-s``). recall_first: the first labelled topic is among
    those returned; precision: returned topics that are labelled; quiet: small talk gets no topic.

    When the corpus arrived, before any lexicon change: dev 0.59 / 0.78 / 0.93, holdout 0.61 / 0.81
    / 0.92. After lexicon fixes guided by the dev misses only: dev 0.94 / 0.85 / 0.96, holdout 0.63 /
    0.81 / 0.92; with kana readings of the Japanese entries: dev 0.94 / 0.82 / 0.96, holdout
    0.65 / 0.80 / 0.92 — the holdout figures are the honest ones. Thresholds sit below them.
    """
    messages = _corpus()
    holdout = _scores([m for m in messages if _holdout(m["text"])])
    dev = _scores([m for m in messages if not _holdout(m["text"])])
    with capsys.disabled():
        print(f"\ntriage dev {dev}\ntriage holdout {holdout}")
    for scores in (dev, holdout):
        assert scores["recall_first"] >= RECALL_FIRST
        assert scores["precision"] >= PRECISION
        assert scores["quiet_on_small_talk"] >= QUIET


RECALL_FIRST = 0.55
PRECISION = 0.75
QUIET = 0.85


def test_the_index_finds_what_comparing_every_spelling_finds():
    """The index by first characters only skips spellings a message cannot contain: scores equal a
    scan of every (entry, spelling) pair, for every corpus message."""
    index = triage_module._default_index()
    every = triage_module._Index(index.entries, {}, tuple(
        (entry, form) for entry, e in enumerate(index.entries) for form in range(len(e.forms))
    ))  # fmt: skip
    for message in _corpus():
        forms = triage_module.message_forms(message["text"])
        for languages in (None, ("en", "ja")):
            assert triage_module._topic_scores(index, forms, languages) == triage_module._topic_scores(
                every, forms, languages
            ), message["text"]
