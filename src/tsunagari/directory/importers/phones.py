"""Find Japanese phone numbers and URLs in free text (pure; no Django).

``extract_phones(text)`` returns, in order of appearance and without duplicates (same ``digits``),
dicts with:

- ``number``: the number as written, NFKC-normalised to ASCII with ``-`` as the only separator
  (``０１２０－２３－５５７２`` → ``0120-23-5572``, ``＃８１０３`` → ``#8103``);
- ``digits``: digits only (``0120235572``), or ``#`` + digits for short dials (``#8008``);
- ``label``: the text that names the number, if any: the words just before it on the same line
  (``住居確保給付金相談（0120-23-5572）`` → ``住居確保給付金相談``), else a parenthesis right after it
  (``0570-070-810（女性の人権ホットライン）``); generic words such as 電話/TEL/短縮番号 are dropped;
- ``extension``: the 内線 written right after the number (``TEL 03-5253-1111（内線7937）`` → ``7937``).

What counts as a number:

- ten- or eleven-digit numbers starting with 0 written with hyphens (03-xxxx-xxxx, 0120-xxx-xxx,
  0570-xxx-xxx, 0800-xxx-xxxx, 090-xxxx-xxxx …); without hyphens only right after 電話/TEL/☎;
- short dials written with ``#`` (``#8008``, ``#7119``, ``#9110``);
- three-digit service numbers ``1xx`` (189, 188, 110 …) only when clearly labelled: after
  電話/TEL/☎/ダイヤル/番号, or followed by へ電話/に電話/架電/をかける/を押して/番. They are dialled without
  ``#``, so ``#188`` gives number and digits ``188``.

Never matched: numbers inside URLs, postal codes (〒), dates, years, amounts (円, 万 …), counts.
``extract_urls(text)`` returns the http(s) URLs, verbatim, deduplicated, in order.
"""

from __future__ import annotations

import re
import unicodedata

_HYPHENS = "-‐‑‒–—―−ーｰ﹣－"
_HYPHEN_BETWEEN_DIGITS = re.compile(rf"(?<=\d)\s*[{_HYPHENS}]\s*(?=\d)")
_URL = re.compile(r"https?://[A-Za-z0-9\-._~:/?#\[\]@!$&*+,;=%]+")
_URL_TRAILING = ".,;:!?"

# A long number: starts with 0, groups joined by '-', or 10–11 bare digits (labelled only).
_A = "0-9A-Za-z_"  # ASCII word characters: Japanese text may touch a number directly
_LONG = re.compile(rf"(?<![0-9_\-#〒.,/])(0\d{{1,4}}(?:-\d{{1,6}}){{1,2}}|0\d{{9,10}})(?![{_A}\-]|[.,]\d)")
_HASH = re.compile(rf"(?<![{_A}#])#(\d{{3,4}})(?![{_A}\-]|[.,]\d)")
_SERVICE = re.compile(rf"(?<![{_A}\-#.,/])(1\d\d)(?![{_A}\-]|[.,:%]\d)")

_KEYWORD = r"(?:電話番号|電話|tel|TEL|Tel|☎|フリーダイヤル|ナビダイヤル|ダイヤル|短縮番号|番号)"
_LABELLED_BEFORE = re.compile(_KEYWORD + r"[\s:「『(\[]*$")
_LABELLED_AFTER = re.compile(
    r"^[」』)\]\s]*(?:へ電話|に電話|に架電|架電|へかけ|にかけ|をかけ|を押|をプッシュ|をダイヤル|番(?!地))"
)
_UNITS_AFTER = re.compile(
    r"^\s*(?:円|万|千|億|年|月|日|歳|才|%|件|人|名|時|分|秒|か所|カ所|ヵ所|箇所|号|条|回|倍)"
)
_POSTAL_BEFORE = re.compile(r"(?:〒|郵便番号)\s*:?\s*$")

# Generic words dropped from the end of a label; a bare 電話 only when nothing else is left
# (相談電話 and ホットライン電話 are names).
_LABEL_NOISE = re.compile(
    r"(?:へ電話|に電話|電話番号|tel|TEL|Tel|☎|短縮番号|ナビダイヤル|フリーダイヤル|番号|の)\s*:?\s*$"
)
_LABEL_EMPTY = {"電話", "電話:", "TEL", "tel", "Tel"}
_LABEL_SPLIT = re.compile(r"[、。,;/(「『【\[]")
_LABEL_STRIP = " \t:()「」『』【】[]#・"
_PAREN_AFTER = re.compile(r"^[ \t]*\(([^()]{1,40})\)")
_EXTENSION = re.compile(r"^内線\s*(\d{1,6})$")
_MAX_LABEL = 40


def normalize(text: str) -> str:
    """NFKC plus every dash-like character between two digits turned into ``-``."""
    return _HYPHEN_BETWEEN_DIGITS.sub("-", unicodedata.normalize("NFKC", text or ""))


def extract_urls(text: str) -> list[str]:
    """The http(s) URLs in ``text``, verbatim, without trailing punctuation, deduplicated in order."""
    found: dict[str, None] = {}
    for match in _URL.finditer(text or ""):
        url = match.group(0).rstrip(_URL_TRAILING)
        if len(url) > len("https://"):
            found.setdefault(url, None)
    return list(found)


def extract_phones(text: str) -> list[dict]:
    """Phone numbers in ``text`` as ``{"number", "digits", "label", "extension"}`` dicts (module doc)."""
    norm = _blank_urls(normalize(text))
    hits: list[tuple[int, int, str, str]] = []  # start, end, number, digits
    for match in _LONG.finditer(norm):
        number = match.group(1)
        if _is_long_number(norm, match.start(1), match.end(1), number):
            hits.append((match.start(), match.end(), number, number.replace("-", "")))
    for match in _HASH.finditer(norm):
        if not _UNITS_AFTER.match(norm[match.end() :]):
            digits = match.group(1)
            hits.append((match.start(), match.end(), *_short(digits, "#" + digits)))
    for match in _SERVICE.finditer(norm):
        if _is_labelled(norm, match.start(), match.end()):
            hits.append((match.start(), match.end(), match.group(1), match.group(1)))

    phones: dict[str, dict] = {}
    floor = 0  # a label never reaches back over an earlier number
    for start, end, number, digits in sorted(hits):
        label, extension = _label(norm, max(floor, _line_start(norm, start)), start, end)
        floor = end
        known = phones.get(digits)
        if known is None:
            phones[digits] = {"number": number, "digits": digits, "label": label, "extension": extension}
        else:
            known["label"] = known["label"] or label
            known["extension"] = known["extension"] or extension
    return list(phones.values())


def _blank_urls(text: str) -> str:
    return _URL.sub(lambda match: " " * len(match.group(0)), text)


def _short(digits: str, written: str) -> tuple[str, str]:
    """Three-digit 1xx numbers are dialled without '#'; four-digit short dials keep it."""
    if len(digits) == 3:
        return digits, digits
    return written, written


def _is_long_number(text: str, start: int, end: int, number: str) -> bool:
    digits = number.replace("-", "")
    if _POSTAL_BEFORE.search(text[:start]) or _UNITS_AFTER.match(text[end:]):
        return False
    if "-" not in number and not _LABELLED_BEFORE.search(_line_before(text, start)):
        return False
    eleven = digits.startswith(("050", "070", "080", "090", "0800"))
    return len(digits) == (11 if eleven else 10)


def _is_labelled(text: str, start: int, end: int) -> bool:
    after = text[end : end + 12]
    if _UNITS_AFTER.match(after):
        return False
    return bool(_LABELLED_BEFORE.search(_line_before(text, start)) or _LABELLED_AFTER.match(after))


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _line_before(text: str, start: int) -> str:
    return text[_line_start(text, start) : start]


def _label(text: str, floor: int, start: int, end: int) -> tuple[str, str]:
    """(label, extension) for the number at ``text[start:end]``; the label starts at or after ``floor``."""
    before = text[floor:start].rstrip(_LABEL_STRIP)
    while True:
        stripped = _LABEL_NOISE.sub("", before).rstrip(_LABEL_STRIP)
        if stripped == before:
            break
        before = stripped
    label = _LABEL_SPLIT.split(before)[-1].strip(_LABEL_STRIP)
    if label in _LABEL_EMPTY:
        label = ""

    extension = ""
    paren = _PAREN_AFTER.match(text[end:])
    if paren:
        inner = " ".join(paren.group(1).split())
        ext = _EXTENSION.match(inner)
        if ext:
            extension = ext.group(1)
        elif not label and not re.search(r"\d{3}", inner):  # not a note holding another number
            label = inner.strip(_LABEL_STRIP)
    return label[-_MAX_LABEL:], extension
