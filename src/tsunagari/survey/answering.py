"""Skip logic and answer checking for one respondent (pure; no Django).

Answers are a dict keyed by question code: a single question's value is one option code (``str``), a
multi question's a list of option codes. A missing key (or ``None``/``[]``) is no answer (無回答),
which is always allowed: nothing in the national survey is compulsory.

A question is *shown* when it is asked by the instrument and every condition of its ``ask_if`` holds
on the answers given so far (a condition on an unanswered or not shown question does not hold).
"""

from __future__ import annotations

from collections.abc import Mapping

from tsunagari.survey.instrument import MULTI, Instrument, Question

Answers = Mapping[str, object]


def _given(value) -> set[str]:
    if value is None or value == "" or value == []:
        return set()
    return set(value) if isinstance(value, list) else {value}


def is_shown(instrument: Instrument, question: Question, answers: Answers) -> bool:
    """Whether ``question`` is put to a respondent with these ``answers``."""
    if not question.asked:
        return False
    for condition in question.ask_if:
        target = instrument.question(condition.question)
        if not is_shown(instrument, target, answers) or not (
            _given(answers.get(target.code)) & condition.any_of
        ):
            return False
    return True


def shown_questions(instrument: Instrument, answers: Answers) -> list[Question]:
    """The questions this respondent is asked, in order."""
    return [q for q in instrument.asked if is_shown(instrument, q, answers)]


def next_question(instrument: Instrument, answers: Answers, after: str | None) -> Question | None:
    """The first shown question after ``after`` (from the start when ``None``); ``None`` at the end."""
    order = [q.code for q in instrument.questions]
    start = order.index(after) + 1 if after is not None else 0
    for question in instrument.questions[start:]:
        if is_shown(instrument, question, answers):
            return question
    return None


def previous_question(instrument: Instrument, answers: Answers, before: str) -> Question | None:
    """The last shown question before ``before``; ``None`` at the start."""
    order = [q.code for q in instrument.questions]
    for question in reversed(instrument.questions[: order.index(before)]):
        if is_shown(instrument, question, answers):
            return question
    return None


def clean_answer(question: Question, value) -> tuple[object, str | None]:
    """The stored form of one answer (``None`` / a code / a sorted‑by‑option list) and a reason if invalid."""
    given = _given(value)
    if not given:
        return None, None
    unknown = sorted(given - set(question.option_codes))
    if unknown:
        return (
            None,
            f"{', '.join(unknown)} is not an option of {question.code} ({', '.join(question.option_codes)})",
        )
    if question.type != MULTI:
        if len(given) > 1:
            return None, f"{question.code} takes one answer, got {len(given)}"
        return next(iter(given)), None
    exclusive = [o.code for o in question.options if o.exclusive and o.code in given]
    if exclusive and len(given) > 1:
        return None, f"{exclusive[0]} cannot be chosen together with other options of {question.code}"
    return [code for code in question.option_codes if code in given], None


def check_answers(instrument: Instrument, answers: Answers) -> list[tuple[str, str]]:
    """Every problem of a complete set of answers as ``(question code, reason)``; empty when valid.

    Checks: each key is a question asked by the instrument, each value a valid answer to it, and no
    question is answered that the skip logic leaves out.
    """
    problems = []
    codes = {q.code for q in instrument.questions}
    for code in answers:
        if code not in codes:
            problems.append((code, f"{code} is not a question of {instrument.key}"))
        elif not instrument.question(code).asked and _given(answers[code]):
            problems.append(
                (code, f"{code} is not asked in {instrument.key} (its wording or options are not complete)")
            )
    for question in instrument.asked:
        if question.code not in answers:
            continue
        _, reason = clean_answer(question, answers[question.code])
        if reason:
            problems.append((question.code, reason))
        elif _given(answers[question.code]) and not is_shown(instrument, question, answers):
            conditions = "; ".join(f"{c.question} in {sorted(c.any_of)}" for c in question.ask_if)
            problems.append((question.code, f"answered although skipped (asked only if {conditions})"))
    return problems


def drop_skipped(instrument: Instrument, answers: Answers) -> dict[str, object]:
    """The answers without those the skip logic now leaves out (after an earlier answer changed)."""
    return {
        code: value
        for code, value in answers.items()
        if code in {q.code for q in shown_questions(instrument, answers)} and _given(value)
    }
