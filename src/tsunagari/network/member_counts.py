"""Published member counts by class (``data/member_counts.yaml``), validated at load (pure; no Django).

:func:`load_member_counts` returns the counts in date order or raises :class:`MemberCountsError`
naming the offending entry (``counts[2].by_class: ...``). Checked for every entry:

- known keys, a date, a positive total and a count for each class (会員, 協力会員, 賛助会員) and no other;
- the classes add up to the total;
- dates strictly increase;
- a source: the seed file name, and for the total and each class the line numbers and exact text;
- the quoted total text contains ``会員数<total>団体`` and a 令和 date equal to ``as_of``; each class
  text contains ``(<count>)`` (after NFKC, so full-width digits and brackets count).

That the quoted text really is at those lines of the seed file is checked by the tests, which have
the seeds; the running product does not.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import yaml

from tsunagari.network.classes import MEMBER_CLASSES

DEFAULT_PATH = Path(__file__).parent / "data" / "member_counts.yaml"
REIWA_FIRST_YEAR = 2019  # 令和元年
_REIWA_DATE = re.compile(r"令和(\d+|元)年(\d+)月(\d+)日")


class MemberCountsError(ValueError):
    """The member-counts file is invalid; the message starts with the entry's path."""


@dataclass(frozen=True)
class Quote:
    """Exact text of a seed file at the given 1-based lines (joined with a newline)."""

    lines: tuple[int, ...]
    text: str


@dataclass(frozen=True)
class MemberCount:
    as_of: date
    total: int
    by_class: dict[str, int]
    seed_file: str
    total_quote: Quote
    class_quotes: dict[str, Quote]


def reiwa_date(text: str) -> date | None:
    """The first 令和 date in ``text`` (full- or half-width digits), or None."""
    match = _REIWA_DATE.search(unicodedata.normalize("NFKC", text))
    if match is None:
        return None
    era_year = 1 if match.group(1) == "元" else int(match.group(1))
    return date(REIWA_FIRST_YEAR + era_year - 1, int(match.group(2)), int(match.group(3)))


def _quote(raw, where: str) -> Quote:
    if not isinstance(raw, dict) or set(raw) != {"lines", "text"}:
        raise MemberCountsError(f"{where}: expected exactly 'lines' and 'text'")
    lines, text = raw["lines"], raw["text"]
    if not lines or not all(isinstance(n, int) and n > 0 for n in lines):
        raise MemberCountsError(f"{where}.lines: expected positive line numbers")
    if list(lines) != list(range(lines[0], lines[0] + len(lines))):
        raise MemberCountsError(f"{where}.lines: expected consecutive line numbers")
    if not isinstance(text, str) or text.count("\n") != len(lines) - 1:
        raise MemberCountsError(f"{where}.text: expected one text line per line number")
    return Quote(tuple(lines), text)


def _entry(raw, where: str) -> MemberCount:
    if not isinstance(raw, dict) or set(raw) != {"as_of", "total", "by_class", "source"}:
        raise MemberCountsError(f"{where}: expected exactly as_of, total, by_class, source")
    as_of, total, by_class, source = raw["as_of"], raw["total"], raw["by_class"], raw["source"]
    if not isinstance(as_of, date):
        raise MemberCountsError(f"{where}.as_of: {as_of!r} is not a date (YYYY-MM-DD)")
    if not isinstance(total, int) or total <= 0:
        raise MemberCountsError(f"{where}.total: {total!r} is not a positive count")
    if not isinstance(by_class, dict) or set(by_class) != set(MEMBER_CLASSES):
        raise MemberCountsError(f"{where}.by_class: expected exactly {', '.join(MEMBER_CLASSES)}")
    for code, count in by_class.items():
        if not isinstance(count, int) or count < 0:
            raise MemberCountsError(f"{where}.by_class.{code}: {count!r} is not a count")
    if sum(by_class.values()) != total:
        raise MemberCountsError(
            f"{where}.by_class: the classes add up to {sum(by_class.values())}, not the total {total}"
        )
    if not isinstance(source, dict) or set(source) != {"seed_file", "total", *MEMBER_CLASSES}:
        raise MemberCountsError(f"{where}.source: expected seed_file, total and one quote per class")
    if not isinstance(source["seed_file"], str) or not source["seed_file"].endswith(".txt"):
        raise MemberCountsError(f"{where}.source.seed_file: expected a seed file name")
    total_quote = _quote(source["total"], f"{where}.source.total")
    normalized = unicodedata.normalize("NFKC", total_quote.text)
    if f"会員数{total}団体" not in normalized:
        raise MemberCountsError(f"{where}.source.total: the quote does not state 会員数{total}団体")
    if reiwa_date(total_quote.text) != as_of:
        raise MemberCountsError(f"{where}.source.total: the quote's 令和 date is not {as_of}")
    class_quotes = {}
    for code in MEMBER_CLASSES:
        quote = _quote(source[code], f"{where}.source.{code}")
        if f"({by_class[code]})" not in unicodedata.normalize("NFKC", quote.text):
            raise MemberCountsError(f"{where}.source.{code}: the quote does not state ({by_class[code]})")
        class_quotes[code] = quote
    return MemberCount(as_of, total, dict(by_class), source["seed_file"], total_quote, class_quotes)


def parse_member_counts(data) -> tuple[MemberCount, ...]:
    """Validate already-parsed YAML data; see the module docstring for the rules."""
    if not isinstance(data, dict) or set(data) != {"version", "platform", "counts"}:
        raise MemberCountsError("file: expected exactly version, platform, counts")
    if data["version"] != 1:
        raise MemberCountsError(f"version: unsupported version {data['version']!r}")
    if not isinstance(data["counts"], list) or not data["counts"]:
        raise MemberCountsError("counts: expected a non-empty list")
    counts = tuple(_entry(raw, f"counts[{i}]") for i, raw in enumerate(data["counts"]))
    for i in range(1, len(counts)):
        if counts[i].as_of <= counts[i - 1].as_of:
            raise MemberCountsError(f"counts[{i}].as_of: dates must strictly increase")
    return counts


@cache
def load_member_counts(path: Path = DEFAULT_PATH) -> tuple[MemberCount, ...]:
    """The published counts in date order, validated (cached per path)."""
    with open(path, encoding="utf-8") as handle:
        return parse_member_counts(yaml.safe_load(handle))
