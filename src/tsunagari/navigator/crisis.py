"""Crisis detection for the support navigator (pure; no Django, no I/O after the first load).

Contract
--------
``detect_crisis(text)`` returns a :class:`CrisisResult` whose ``is_crisis`` is true when the text shows
any sign of an immediate risk to life — suicidal thoughts or plans, self-harm, overdose or poisoning,
violence that threatens life (threats to kill, strangling, weapons, domestic or sexual violence, wanting
to kill someone) — in any of the product's 11 languages (ja, en, zh, ko, vi, pt, es, tl, ne, id, th).
The navigator must then put the 24-hour crisis lines at the top of the very next page.

Recall comes first: a missed cry for help is a real harm, a needless crisis line costs little. So:

- whoever is at risk counts ("my friend says she wants to die" alarms), and plain topic mentions of
  suicide, self-harm or overdose alarm ("I saw news about a suicide");
- a negated wish ("死にたくない", "I don't want to die") is suppressed, but only that span: any other
  signal in the text still alarms ("死にたくないけど消えたい");
- hyperbole idioms (死ぬほど忙しい, dying to, 饿死了, 배고파 죽겠다) are suppressed the same way — a
  suppression hides only the signals lying wholly inside its own match, never a second signal;
- distress without a sign of death or harm ("もう限界", "lonely") and ordinary bereavement are not
  crisis by themselves (the lines stay reachable on every page anyway).

Pipeline: :func:`normalize` the text (NFKC, case-fold, katakana → hiragana, Latin diacritics dropped,
net-slang obfuscations such as タヒ / 氏ね / 4ね / ○にたい / su1c1de undone, punctuation and elongation
marks removed, spaces dropped next to Japanese, Chinese and Thai), run the signal patterns of
``data/crisis_patterns.yaml`` (per language and category, with ids), then drop the signal matches that lie
inside a suppression match. Patterns are written naturally and normalised the same way when loaded.

Privacy: the result holds pattern ids only, never the user's text, and nothing is logged.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from tsunagari.navigator.regex_starts import first_characters

CATEGORIES = ("suicide", "self_harm", "overdose", "violence")
SUPPRESS = "suppress"
SUPPORTED_VERSION = 1
PATTERNS_FILE = Path(__file__).with_name("data") / "crisis_patterns.yaml"


class PatternFileError(ValueError):
    """The pattern file is malformed; the message names the offending entry."""


@dataclass(frozen=True)
class CrisisResult:
    is_crisis: bool
    categories: tuple[str, ...] = ()  # subset of CATEGORIES, in that order
    matches: tuple[str, ...] = ()  # ids of the patterns that fired ("ja.suicide.want_to_die"); no user text
    language_hint: str | None = None  # ISO 639-1 code, from the script or the patterns that fired


@dataclass(frozen=True)
class Pattern:
    id: str  # "<language>.<category or suppress>.<name>"
    language: str
    category: str
    regex: re.Pattern[str]
    #: The characters every match starts with (``regex_starts``); None: unknown, always searched.
    first: frozenset[str] | None = None

    def may_match(self, characters: set[str]) -> bool:
        """False only when no match can start in a text made of ``characters``."""
        return self.first is None or not self.first.isdisjoint(characters)


@dataclass(frozen=True)
class PatternSet:
    version: int
    signals: tuple[Pattern, ...]
    suppressions: tuple[Pattern, ...]


# --- normalisation -------------------------------------------------------------------------------

_KATA_TO_HIRA = {code: code - 0x60 for code in range(ord("ァ"), ord("ヶ") + 1)}
_LATIN_FIXES = str.maketrans({"đ": "d", "ı": "i"})
_SMALL_VOWELS = dict(zip("ぁぃぅぇぉ", "あいうえお", strict=True))
_KANA_DROPPED = str.maketrans("", "", "ーっ゛゜\u3099\u309a")  # elongation and gemination marks
_VOWEL_ROWS = (
    "あかさたなはまやらわがざだばぱゃ",
    "いきしちにひみりぎじぢびぴ",
    "うくすつぬふむゆるぐずづぶぷゅゔ",
    "えけせてねへめれげぜでべぺ",
    "おこそとのほもよろをごぞどぼぽょ",
)
_VOWEL_OF = {kana: "あいうえお"[row] for row, kanas in enumerate(_VOWEL_ROWS) for kana in kanas}
_RUNS = re.compile(r"(\D)\1{2,}")  # three or more of the same character (not digits) → one
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆\u0e00-\u0e7f"  # written without spaces
_SPACE_NEXT_TO_CJK = re.compile(rf"(?<=[{_CJK}]) | (?=[{_CJK}])")
_SPACES = re.compile(r" {2,}")
_LEET = re.compile(r"(?<=[a-z])[013457@$!*](?=[a-z])")  # su1c1de, k!ll, d*e (inside Latin words only)
_LEET_MAP = str.maketrans("013457@$!*", "oieastasii")
_JA_OBFUSCATIONS = (  # applied after NFKC, before kana folding: net-slang spellings of 死
    (re.compile(r"タヒ(?!チ)"), "死"),  # 死 split in two katakana (not タヒチ, Tahiti)
    (re.compile(r"氏(?=[ねぬネヌ])|(?<![\u3400-\u9fff])氏(?=[にんのりニンノリ])"), "死"),  # 氏ね, 氏にたい
    (re.compile(r"(?<![0-9])4(?=[にぬねのんりニヌネノンリ])"), "し"),  # 4ね, 4にたい
    (re.compile(r"[○〇◯●◎×✕*](?=[にニ][たタ]|[ねネ](?![a-z]))"), "死"),  # ○にたい, 〇ね (masked)
)


def _unaccent(ch: str) -> str:
    if "\u00c0" <= ch <= "\u024f" or "\u1e00" <= ch <= "\u1eff":  # Latin letters with diacritics
        return "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
    return ch


def _fold(text: str) -> str:
    """Case-fold, katakana → hiragana, drop Latin diacritics (muốn → muon, não → nao)."""
    return "".join(map(_unaccent, text.casefold().translate(_KATA_TO_HIRA).translate(_LATIN_FIXES)))


def _squeeze(text: str) -> str:
    """Drop ー/っ, small vowels that only lengthen the kana before them (たぁい → たい, else ぃ → い), runs of 3+."""
    out: list[str] = []
    for ch in text.translate(_KANA_DROPPED):
        vowel = _SMALL_VOWELS.get(ch)
        if vowel and out and _VOWEL_OF.get(out[-1]) == vowel:
            continue
        out.append(vowel or ch)
    return _RUNS.sub(r"\1", "".join(out))


def _separate(text: str) -> str:
    """Punctuation, symbols and emoji → one space; no spaces next to Japanese, Chinese or Thai."""
    chars = []
    for ch in text:
        kind = unicodedata.category(ch)
        if kind == "Cf":  # zero-width joiners inside Devanagari words, soft hyphens
            continue
        chars.append(" " if ch.isspace() or kind[0] in "PSZC" else ch)
    return _SPACE_NEXT_TO_CJK.sub("", _SPACES.sub(" ", "".join(chars))).strip()


def normalize(text: str) -> str:
    """The form both the text and the patterns are matched in (see the module docstring)."""
    text = unicodedata.normalize("NFKC", text or "")
    for regex, replacement in _JA_OBFUSCATIONS:
        text = regex.sub(replacement, text)
    text = _LEET.sub(lambda m: m.group().translate(_LEET_MAP), _fold(text))
    return _squeeze(_separate(text))


def _normalize_pattern(source: str) -> str:
    """Normalise the literal (non-ASCII) runs of a regex like text; ASCII regex syntax is left alone."""
    literal = re.compile(r"[^\x00-\x7f]+")
    return literal.sub(lambda m: _squeeze(_fold(unicodedata.normalize("NFKC", m.group()))), source)


# --- the pattern file ----------------------------------------------------------------------------

_FRAGMENT_REF = re.compile(r"\{([A-Z][A-Z0-9_]*)\}")
_NAME = re.compile(r"[a-z][a-z0-9_]*")
_ENTRY_KEYS = {"id", "regex", "note"}


def _expand(source: str, fragments: dict[str, str], where: str) -> str:
    for _depth in range(5):  # fragments may use earlier fragments

        def substitute(match: re.Match[str]) -> str:
            if match.group(1) not in fragments:
                raise PatternFileError(f"{where}: unknown fragment {{{match.group(1)}}}")
            return fragments[match.group(1)]

        source = _FRAGMENT_REF.sub(substitute, source)
    return source


def _compile(source: Any, fragments: dict[str, str], where: str) -> re.Pattern[str]:
    if not isinstance(source, str) or not source.strip():
        raise PatternFileError(f"{where}: empty pattern")
    expanded = _expand(source, fragments, where)
    if re.search(r"(?<!\\)[A-Z]", expanded):
        raise PatternFileError(f"{where}: write patterns in lower case (text is case-folded)")
    try:
        regex = re.compile(_normalize_pattern(expanded))
    except re.error as exc:
        raise PatternFileError(f"{where}: bad regex: {exc}") from exc
    if regex.search(""):
        raise PatternFileError(f"{where}: pattern matches the empty string")
    return regex


def parse_patterns(data: Any, source: str = "<patterns>") -> PatternSet:
    """Validate and compile a pattern document; raise :class:`PatternFileError` naming the bad entry."""
    if not isinstance(data, dict):
        raise PatternFileError(f"{source}: expected a mapping with 'version' and 'languages'")
    if data.get("version") != SUPPORTED_VERSION:
        raise PatternFileError(f"{source}: version must be {SUPPORTED_VERSION}, not {data.get('version')!r}")
    fragments = data.get("fragments") or {}
    if not isinstance(fragments, dict) or not all(isinstance(v, str) for v in fragments.values()):
        raise PatternFileError(f"{source}: 'fragments' must map names to regex strings")
    languages = data.get("languages")
    if not isinstance(languages, dict) or not languages:
        raise PatternFileError(f"{source}: 'languages' must map language codes to categories")
    signals: list[Pattern] = []
    suppressions: list[Pattern] = []
    seen: set[str] = set()
    for language, groups in languages.items():
        if not isinstance(groups, dict):
            raise PatternFileError(f"{source}: {language}: expected a mapping of categories")
        for category, entries in groups.items():
            where = f"{source}: {language}.{category}"
            if category not in CATEGORIES and category != SUPPRESS:
                allowed = ", ".join((*CATEGORIES, SUPPRESS))
                raise PatternFileError(f"{where}: unknown category {category!r} (expected one of {allowed})")
            if not isinstance(entries, list) or not entries:
                raise PatternFileError(f"{where}: expected a non-empty list of patterns")
            for index, entry in enumerate(entries):
                if not isinstance(entry, dict) or set(entry) - _ENTRY_KEYS or "id" not in entry:
                    raise PatternFileError(f"{where}[{index}]: expected a mapping of id, regex (and note)")
                name = entry["id"]
                if not isinstance(name, str) or not _NAME.fullmatch(name):
                    raise PatternFileError(f"{where}[{index}]: id {name!r} must be lower_snake_case")
                pattern_id = f"{language}.{category}.{name}"
                if pattern_id in seen:
                    raise PatternFileError(f"{where}[{index}]: duplicate id {pattern_id}")
                seen.add(pattern_id)
                regex = _compile(entry.get("regex"), fragments, f"{where}[{index}] ({pattern_id})")
                pattern = Pattern(pattern_id, str(language), category, regex, first_characters(regex))
                (suppressions if category == SUPPRESS else signals).append(pattern)
    return PatternSet(SUPPORTED_VERSION, tuple(signals), tuple(suppressions))


def load_patterns(path: Path | str = PATTERNS_FILE) -> PatternSet:
    """Read, validate and compile a pattern file."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise PatternFileError(f"{path}: not valid YAML: {exc}") from exc
    return parse_patterns(data, source=Path(path).name)


@lru_cache(maxsize=1)
def default_patterns() -> PatternSet:
    return load_patterns(PATTERNS_FILE)


# --- detection -----------------------------------------------------------------------------------

_SCRIPT_HINTS = (
    ("ja", re.compile(r"[\u3040-\u30ff]")),
    ("ko", re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")),
    ("th", re.compile(r"[\u0e00-\u0e7f]")),
    ("ne", re.compile(r"[\u0900-\u097f]")),
    ("zh", re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")),
)


def _language_hint(normalized: str, fired: list[Pattern]) -> str | None:
    script = next((code for code, regex in _SCRIPT_HINTS if regex.search(normalized)), None)
    if script not in (None, "zh"):  # kana, Hangul, Thai and Devanagari are unambiguous
        return script
    languages = [p.language for p in fired if script is None or p.language in ("zh", "ja")]
    return Counter(languages).most_common(1)[0][0] if languages else script


def _spans(regex: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    """Every match span, overlapping ones included (one per start position)."""
    spans, position = [], 0
    while (match := regex.search(text, position)) is not None:
        spans.append(match.span())
        position = match.start() + 1
    return spans


def detect_crisis(text: str, patterns: PatternSet | None = None) -> CrisisResult:
    """Detect signs of an immediate risk to life in ``text`` (any supported language); see the module doc."""
    patterns = patterns or default_patterns()
    normalized = normalize(text)
    if not normalized:
        return CrisisResult(False)
    # Only the patterns a match of which can start with one of the text's characters are searched
    # (most are for other scripts); the others cannot match, so the result is the same.
    present = set(normalized)
    hits = [
        (p, span) for p in patterns.signals if p.may_match(present) for span in _spans(p.regex, normalized)
    ]
    blocked = (
        [span for p in patterns.suppressions if p.may_match(present) for span in _spans(p.regex, normalized)]
        if hits
        else []
    )
    fired: list[Pattern] = []
    for pattern, (start, end) in hits:
        if pattern not in fired and not any(a <= start and end <= b for a, b in blocked):
            fired.append(pattern)
    if not fired:
        return CrisisResult(False, language_hint=_language_hint(normalized, []))
    categories = tuple(c for c in CATEGORIES if any(p.category == c for p in fired))
    return CrisisResult(True, categories, tuple(p.id for p in fired), _language_hint(normalized, fired))
