"""Scoring of the national loneliness survey's answers (pure; no Django).

The definitions follow the 2023 national survey's summary (seed ``000``, 「孤独・孤立の実態把握に関する
全国調査（令和５年）調査結果のポイント」) and the 2021 summary (seed ``003``):

* **Direct question** 「あなたはどの程度、孤独であると感じることがありますか。」 with the options
  1 決してない, 2 ほとんどない, 3 たまにある, 4 時々ある, 5 しばしばある・常にある.
* **UCLA loneliness scale, Japanese 3‑item short version** (the seed's 【２】間接質問): the three items
  ①「自分には人とのつきあいがないと感じることがありますか」②「自分は取り残されていると感じることが
  ありますか」③「自分は他の人たちから孤立していると感じることがありますか」, each answered
  1 決してない, 2 ほとんどない, 3 時々ある, 4 常にある and scored with its option number (footnote 4:
  「決してない」を１点 … 「常にある」を４点); the total runs from 3 to 12 and is shown in the bands
  「10～12点（常にある）」「７～９点（時々ある）」「４～６点（ほとんどない）」「３点（決してない）」.
* **Isolation** is read from four dimensions (the seed's 「孤立の把握方法」): ① contact with family and
  friends who do not live with the respondent (社会的交流), ② social participation (社会参加),
  ③ support received from public bodies and NPOs (社会的サポート（他者からの支援）), ④ willingness to
  help others (社会的サポート（他者への手助け）).
* **Missing answers** are their own category 「無回答」 in every figure of the national report (the
  percentages of each figure, 無回答 included, add up to 100), so every function here returns the
  category ``no_answer`` for a missing answer instead of dropping the respondent.

Where the seeds are silent this module says so and makes the conservative choice:

* the seeds do not say how a UCLA total is formed when one or two of the three items are unanswered;
  here the total is missing (category 無回答) unless all three items are answered — nothing is imputed;
* the seeds print only some options of the contact‑frequency question (「全くない」「月１回未満」
  「月１回程度」 and a fragment 「…回以上」) and none of the activities of the participation question, so
  those indicators take the option *labels* and test only for the printed ones;
* the seeds do not say how invalid codes (e.g. a 6 on the direct question) are counted; they are
  rejected with ``ValueError`` so that a data error is found at import rather than hidden in 無回答.

Every category has a stable ASCII ``code`` (used in data files and by the estimation code) and the
Japanese ``label`` printed in the national report.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

NO_ANSWER = "no_answer"
NO_ANSWER_LABEL = "無回答"
NOT_APPLICABLE = "not_applicable"
NOT_APPLICABLE_LABEL = "非該当"


@dataclass(frozen=True)
class Category:
    """One reporting category: a stable code and the national report's label."""

    code: str
    label: str


# -- the direct question ------------------------------------------------------------------------

#: Options of the direct question by their code in the questionnaire (1–5), as in seed 000.
DIRECT_OPTIONS: dict[int, Category] = {
    1: Category("never", "決してない"),
    2: Category("hardly_ever", "ほとんどない"),
    3: Category("occasionally", "たまにある"),
    4: Category("sometimes", "時々ある"),
    5: Category("often_always", "しばしばある・常にある"),
}

#: The categories in the order of the report's figure 1 (loneliest first), 無回答 last.
DIRECT_CATEGORIES: tuple[Category, ...] = (
    DIRECT_OPTIONS[5],
    DIRECT_OPTIONS[4],
    DIRECT_OPTIONS[3],
    DIRECT_OPTIONS[2],
    DIRECT_OPTIONS[1],
    Category(NO_ANSWER, NO_ANSWER_LABEL),
)

#: 「孤独感が比較的高い人」 (seed 000, figure 5): しばしばある・常にある, 時々ある or たまにある;
#: the comparison group is 決してない or ほとんどない.
DIRECT_RELATIVELY_HIGH = frozenset({"often_always", "sometimes", "occasionally"})
DIRECT_LOW = frozenset({"never", "hardly_ever"})


def _code(answer: object, valid: Iterable[int], what: str) -> int | None:
    """The integer option code of ``answer``; ``None`` for a missing answer (None, "" or NaN)."""
    if answer is None:
        return None
    if isinstance(answer, float) and answer != answer:  # NaN
        return None
    if isinstance(answer, str):
        answer = answer.strip()
        if answer == "":
            return None
    try:
        number = float(answer)
    except (TypeError, ValueError):
        raise ValueError(f"{what}: {answer!r} is not an option code") from None
    if not number.is_integer() or int(number) not in valid:
        raise ValueError(f"{what}: {answer!r} is not one of the codes {sorted(valid)}")
    return int(number)


def direct_category(answer: object) -> Category:
    """The category of one answer to the direct question (code 1–5, or missing → 無回答)."""
    code = _code(answer, DIRECT_OPTIONS, "direct question")
    return DIRECT_CATEGORIES[-1] if code is None else DIRECT_OPTIONS[code]


def direct_group(answer: object) -> str:
    """``"relatively_high"`` (たまにある or more often), ``"low"`` or ``no_answer`` (figure 5's split)."""
    code = direct_category(answer).code
    if code in DIRECT_RELATIVELY_HIGH:
        return "relatively_high"
    if code in DIRECT_LOW:
        return "low"
    return NO_ANSWER


# -- the UCLA loneliness scale (3 items) ---------------------------------------------------------

UCLA_ITEM_OPTIONS: dict[int, str] = {1: "決してない", 2: "ほとんどない", 3: "時々ある", 4: "常にある"}

UCLA_BANDS: tuple[Category, ...] = (
    Category("10-12", "10～12点（常にある）"),
    Category("7-9", "７～９点（時々ある）"),
    Category("4-6", "４～６点（ほとんどない）"),
    Category("3", "３点（決してない）"),
    Category(NO_ANSWER, NO_ANSWER_LABEL),
)
_BAND = {band.code: band for band in UCLA_BANDS}


def ucla_total(items: Sequence[object]) -> int | None:
    """The UCLA‑3 total (3–12) of the three item answers (each 1–4); ``None`` if any is missing.

    The seeds do not say how a partly answered scale is scored; no item is imputed here.
    """
    if len(items) != 3:
        raise ValueError(f"the UCLA scale has 3 items, got {len(items)}")
    codes = [_code(item, UCLA_ITEM_OPTIONS, f"UCLA item {i}") for i, item in enumerate(items, 1)]
    if any(code is None for code in codes):
        return None
    return sum(codes)  # type: ignore[arg-type]


def ucla_band(total: int | None) -> Category:
    """The report's band of a UCLA‑3 total: 10–12, 7–9, 4–6, 3, or 無回答 for ``None``."""
    if total is None:
        return _BAND[NO_ANSWER]
    if not isinstance(total, int) or isinstance(total, bool) or not 3 <= total <= 12:
        raise ValueError(f"a UCLA-3 total runs from 3 to 12, got {total!r}")
    if total >= 10:
        return _BAND["10-12"]
    if total >= 7:
        return _BAND["7-9"]
    if total >= 4:
        return _BAND["4-6"]
    return _BAND["3"]


def ucla_category(items: Sequence[object]) -> Category:
    """The band of the three item answers (無回答 when any item is missing)."""
    return ucla_band(ucla_total(items))


# -- isolation (four dimensions) -----------------------------------------------------------------

#: ① The contact‑frequency option whose share the report gives (「全くない」, figure 7).
CONTACT_NEVER = "全くない"
#: ② The participation option meaning no activity (figure 8).
PARTICIPATION_NONE = "特に参加はしていない"
#: ③ Options of the support question (figure 9), asked only of those with worries in daily life.
SUPPORT_OPTIONS: dict[str, Category] = {
    "受けている": Category("receiving", "受けている"),
    "受けていない": Category("not_receiving", "受けていない"),
    "わからない": Category("unknown", "わからない"),
}
#: The filter question's answer that opens the support question (figure 9's note:
#: 「日常生活に不安や悩みを感じていることが「ある」と回答した人を対象として尋ねている」).
WORRIES_YES = "ある"
#: ④ Options of the willingness‑to‑help question (figure 10).
HELP_OPTIONS: dict[str, Category] = {
    "しようと思う": Category("willing", "しようと思う"),
    "しようと思わない": Category("not_willing", "しようと思わない"),
    "わからない": Category("unknown", "わからない"),
}


def _label(answer: object) -> str | None:
    if answer is None or (isinstance(answer, float) and answer != answer):
        return None
    text = str(answer).strip()
    return text or None


def _one_of(answer: object, options: dict[str, Category], question: str) -> Category:
    """The category of an answer that must be one of ``options`` (無回答 when missing)."""
    label = _label(answer)
    if label is None:
        return Category(NO_ANSWER, NO_ANSWER_LABEL)
    if label not in options:
        raise ValueError(f"{question}: {label!r} is not one of {list(options)}")
    return options[label]


def contact_never(answer: object) -> Category:
    """① Contact: ``never`` if the respondent never meets non‑cohabiting family or friends in person.

    Only 「全くない」 is tested: the seeds do not print the full list of frequency options, so every
    other answer is ``some_contact``; a missing answer is 無回答.
    """
    label = _label(answer)
    if label is None:
        return Category(NO_ANSWER, NO_ANSWER_LABEL)
    if label == CONTACT_NEVER:
        return Category("never", CONTACT_NEVER)
    return Category("some_contact", label)


def participation(selected: Iterable[object]) -> Category:
    """② Social participation from the options ticked on the multi‑answer question.

    ``none`` when only 「特に参加はしていない」 is ticked, ``participating`` when any activity is
    ticked (the report's 「いずれかの活動に参加している」), 無回答 when nothing is ticked. Ticking an
    activity together with 「特に参加はしていない」 is contradictory; the seeds are silent, and it is
    rejected.
    """
    labels = {label for label in (_label(item) for item in selected) if label is not None}
    if not labels:
        return Category(NO_ANSWER, NO_ANSWER_LABEL)
    if PARTICIPATION_NONE in labels:
        if len(labels) > 1:
            raise ValueError(f"「{PARTICIPATION_NONE}」 ticked together with activities: {sorted(labels)}")
        return Category("none", PARTICIPATION_NONE)
    return Category("participating", "いずれかの活動に参加している")


def support_received(worries: object, answer: object) -> Category:
    """③ Support from public bodies and NPOs; 非該当 for those not asked.

    The question is asked only of respondents whose answer to the worries filter is 「ある」; anyone
    else (including a missing filter answer — the seeds are silent on that case) is outside the base
    of figure 9 and gets ``not_applicable``.
    """
    if _label(worries) != WORRIES_YES:
        return Category(NOT_APPLICABLE, NOT_APPLICABLE_LABEL)
    return _one_of(answer, SUPPORT_OPTIONS, "support question")


def willingness_to_help(answer: object) -> Category:
    """④ Willingness to help someone nearby with worries: しようと思う / しようと思わない / わからない."""
    return _one_of(answer, HELP_OPTIONS, "willingness question")
