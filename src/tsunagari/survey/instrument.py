"""Survey instruments as versioned data: loading and checking (pure; no Django).

An instrument is a YAML file ``data/instruments/<name>_v<version>.yaml`` (see ``national_v1.yaml`` for
the keys and what each means). A *local* instrument names the instrument it ``extends`` and adds
questions of its own after the national ones (``tottori_v1.yaml``); its ``ask_if`` may refer to the
national questions.

:func:`load_instrument` returns an :class:`Instrument` or raises :class:`InstrumentError` listing
every problem found, each naming the file, the question and the key (unknown ``ask_if`` question,
duplicate question or option codes, a condition on a later question, a missing label …).

A question is *asked* (``Question.asked``) only when it has respondent‑facing wording (``text`` or
``heading``), all its options (``options_complete`` is not false), a known answer type, and every
question its ``ask_if`` depends on is asked too. Other questions are kept as documentation of what
the seeds do not print; they are skipped online and refused in mail‑in files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

INSTRUMENTS_DIR = Path(__file__).parent / "data" / "instruments"

SINGLE, MULTI, UNSPECIFIED = "single", "multi", "unspecified"
TYPES = (SINGLE, MULTI, UNSPECIFIED)
_QUESTION_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
_OPTION_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_+-]*$")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class InstrumentError(ValueError):
    """The instrument file is not valid; ``problems`` lists each one (file, question, key, reason)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Option:
    code: str
    label: dict[str, str]
    exclusive: bool = False


@dataclass(frozen=True)
class Condition:
    """``question``'s answer (one code, or any ticked code of a multi question) is one of ``any_of``."""

    question: str
    any_of: frozenset[str]


@dataclass(frozen=True)
class Question:
    code: str
    type: str
    label: str
    text: dict[str, str]
    heading: dict[str, str]
    topic: str
    options: tuple[Option, ...]
    options_complete: bool
    ask_if: tuple[Condition, ...]
    gaps: tuple[str, ...]
    source: dict
    asked: bool = False

    @property
    def wording(self) -> dict[str, str]:
        """What a respondent reads: the questionnaire's text, else the report's heading."""
        return self.text or self.heading

    def option(self, code: str) -> Option | None:
        return next((o for o in self.options if o.code == code), None)

    @property
    def option_codes(self) -> tuple[str, ...]:
        return tuple(o.code for o in self.options)


@dataclass(frozen=True)
class Instrument:
    name: str
    version: int
    title: dict[str, str]
    languages: tuple[str, ...]
    local_government: str | None
    extends: tuple[str, int] | None
    questions: tuple[Question, ...]
    gaps: tuple[str, ...] = field(default=())

    @property
    def key(self) -> str:
        """``name@version``, as stored with a survey wave."""
        return f"{self.name}@{self.version}"

    def question(self, code: str) -> Question:
        for question in self.questions:
            if question.code == code:
                return question
        raise KeyError(code)

    @property
    def asked(self) -> tuple[Question, ...]:
        """The questions put to respondents, in order."""
        return tuple(q for q in self.questions if q.asked)


def instrument_path(name: str, version: int, directory: Path = INSTRUMENTS_DIR) -> Path:
    return Path(directory) / f"{name}_v{version}.yaml"


@cache
def load_instrument(name: str, version: int, directory: Path = INSTRUMENTS_DIR) -> Instrument:
    """The instrument ``name`` version ``version`` (with the instrument it extends, if any)."""
    if not _NAME.match(str(name)):
        raise InstrumentError([f"{name!r} is not an instrument name (lower-case letters, digits, _)"])
    return load_file(instrument_path(name, version, directory), directory=directory)


def load_file(path: str | Path, *, directory: Path | None = None) -> Instrument:
    """Load and check one instrument file; ``extends`` is looked up in ``directory`` (default: its own)."""
    path = Path(path)
    directory = Path(directory) if directory is not None else path.parent
    if not path.is_file():
        raise InstrumentError([f"{path}: no such instrument file"])
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise InstrumentError([f"{path}: not valid YAML: {exc}"]) from None
    if not isinstance(data, dict):
        raise InstrumentError([f"{path}: the file must hold a mapping"])
    return _Checker(path, directory).instrument(data)


class _Checker:
    def __init__(self, path: Path, directory: Path):
        self.path, self.directory, self.problems = path, directory, []

    def problem(self, question: str | None, key: str, reason: str) -> None:
        where = f"{self.path}: " + (f"question {question!r}: " if question else "")
        self.problems.append(f"{where}key {key!r}: {reason}")

    def text(self, value, question: str | None, key: str, *, required: bool) -> dict[str, str]:
        if value is None and not required:
            return {}
        if not isinstance(value, dict) or not value:
            self.problem(question, key, "must map language codes to text, e.g. {ja: …}")
            return {}
        out = {}
        for language, text in value.items():
            if not isinstance(text, str) or not text.strip():
                self.problem(question, key, f"the {language!r} text is empty")
            else:
                out[str(language)] = text.strip()
        return out

    def instrument(self, data: dict) -> Instrument:
        name, version = data.get("instrument"), data.get("version")
        if not isinstance(name, str) or not _NAME.match(name):
            self.problem(None, "instrument", "must be a lower-case name")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            self.problem(None, "version", "must be a whole number ≥ 1")
        title = self.text(data.get("title"), None, "title", required=True)
        languages = data.get("languages") or ["ja"]
        if not isinstance(languages, list) or "ja" not in languages:
            self.problem(None, "languages", "must be a list including 'ja' (Japanese first)")
            languages = ["ja"]
        lg = data.get("local_government")
        if lg is not None and not (isinstance(lg, str) and re.fullmatch(r"\d{6}", lg)):
            self.problem(None, "local_government", "must be a 6-digit 全国地方公共団体コード in quotes")
        base_questions: tuple[Question, ...] = ()
        extends = data.get("extends")
        if extends is not None:
            extends, base_questions = self.base(extends)
        raw = data.get("questions")
        if not isinstance(raw, list) or not raw:
            self.problem(None, "questions", "must be a non-empty list")
            raw = []
        questions = list(base_questions)
        known = {q.code for q in questions}
        for index, item in enumerate(raw, 1):
            question = self.question(item, index, known)
            if question is not None:
                known.add(question.code)
                questions.append(question)
        gaps = data.get("gaps") or []
        by_code = {q.code: q for q in questions}
        for question in questions[len(base_questions) :]:
            for condition in question.ask_if:
                target = by_code[condition.question]
                for value in sorted(condition.any_of - set(target.option_codes)):
                    self.problem(question.code, "ask_if", f"{value!r} is not an option of {target.code!r}")
        if self.problems:
            raise InstrumentError(self.problems)
        for i, q in enumerate(questions):
            if q.asked:
                continue
            questions[i] = by_code[q.code] = _with_asked(q, by_code)
        return Instrument(
            name=name,
            version=version,
            title=title,
            languages=tuple(languages),
            local_government=lg,
            extends=extends,
            questions=tuple(questions),
            gaps=tuple(str(g) for g in gaps),
        )

    def base(self, extends) -> tuple[tuple[str, int] | None, tuple[Question, ...]]:
        if not isinstance(extends, dict) or set(extends) != {"instrument", "version"}:
            self.problem(None, "extends", "must be {instrument: NAME, version: N}")
            return None, ()
        try:
            parent = load_instrument(extends["instrument"], extends["version"], self.directory)
        except InstrumentError as exc:
            self.problem(None, "extends", f"the extended instrument does not load: {exc}")
            return None, ()
        if parent.extends is not None:
            self.problem(
                None, "extends", "a local instrument must extend a national one, not another local one"
            )
        return (parent.name, parent.version), parent.questions

    def question(self, item, index: int, known: set[str]) -> Question | None:
        if not isinstance(item, dict):
            self.problem(f"#{index}", "questions", "each question must be a mapping")
            return None
        code = item.get("code")
        if not isinstance(code, str) or not _QUESTION_CODE.match(code):
            self.problem(f"#{index}", "code", f"{code!r} is not a question code (a-z, 0-9, _)")
            return None
        if code in known:
            self.problem(code, "code", "duplicate question code")
            return None
        unknown = set(item) - {
            "code",
            "type",
            "label",
            "text",
            "heading",
            "topic",
            "options",
            "options_complete",
            "ask_if",
            "gaps",
            "source",
        }
        for key in sorted(unknown):
            self.problem(code, key, "unknown key")
        qtype = item.get("type")
        if qtype not in TYPES:
            self.problem(code, "type", f"{qtype!r} is not one of {', '.join(TYPES)}")
        label = item.get("label")
        if not isinstance(label, str) or not label.strip():
            self.problem(code, "label", "a short name for staff and data files is required")
        text = self.text(item.get("text"), code, "text", required=False)
        heading = self.text(item.get("heading"), code, "heading", required=False)
        if text and heading:
            self.problem(code, "heading", "give the questionnaire's text or the report's heading, not both")
        complete = item.get("options_complete", True)
        if not isinstance(complete, bool):
            self.problem(code, "options_complete", "must be true or false")
        options = self.options(item.get("options"), code, qtype)
        conditions = self.conditions(item.get("ask_if"), code, known)
        gaps = item.get("gaps") or []
        if not isinstance(gaps, list):
            self.problem(code, "gaps", "must be a list of notes")
            gaps = []
        return Question(
            code=code,
            type=qtype,
            label=str(label or ""),
            text=text,
            heading=heading,
            topic=str(item.get("topic") or ""),
            options=options,
            options_complete=complete is not False,
            ask_if=conditions,
            gaps=tuple(str(g) for g in gaps),
            source=item.get("source") or {},
        )

    def options(self, raw, code: str, qtype) -> tuple[Option, ...]:
        if qtype == UNSPECIFIED:
            if raw:
                self.problem(code, "options", "a question of type 'unspecified' has no options")
            return ()
        if not isinstance(raw, list) or not raw:
            self.problem(code, "options", "must be a non-empty list")
            return ()
        out, seen = [], set()
        for index, item in enumerate(raw, 1):
            if not isinstance(item, dict) or set(item) - {"code", "label", "exclusive"}:
                self.problem(code, f"options[{index}]", "must be {code, label[, exclusive]}")
                continue
            ocode = item.get("code")
            if not isinstance(ocode, str) or not _OPTION_CODE.match(ocode):
                self.problem(
                    code, f"options[{index}].code", f"{ocode!r} is not an option code (quote numbers)"
                )
                continue
            if ocode in seen:
                self.problem(code, f"options[{index}].code", f"duplicate option code {ocode!r}")
                continue
            seen.add(ocode)
            exclusive = item.get("exclusive", False)
            if exclusive is not False and (qtype != MULTI or exclusive is not True):
                self.problem(
                    code,
                    f"options[{index}].exclusive",
                    "only an option of a multi question can be exclusive: true",
                )
            label = self.text(item.get("label"), code, f"options[{index}].label", required=True)
            out.append(Option(ocode, label, exclusive is True))
        return tuple(out)

    def conditions(self, raw, code: str, known: set[str]) -> tuple[Condition, ...]:
        if raw is None:
            return ()
        if not isinstance(raw, list) or not raw:
            self.problem(code, "ask_if", "must be a list of {question, any_of}")
            return ()
        out = []
        for item in raw:
            if not isinstance(item, dict) or set(item) != {"question", "any_of"}:
                self.problem(code, "ask_if", "each condition must be {question: CODE, any_of: [OPTION, …]}")
                continue
            target, values = item["question"], item["any_of"]
            if target == code:
                self.problem(code, "ask_if", "a question cannot depend on itself")
                continue
            if target not in known:
                self.problem(code, "ask_if", f"unknown question {target!r} (or one that comes later)")
                continue
            if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
                self.problem(code, "ask_if", "any_of must be a non-empty list of option codes in quotes")
                continue
            out.append(Condition(target, frozenset(values)))
        return tuple(out)


def _with_asked(question: Question, by_code: dict[str, Question]) -> Question:
    """The question with ``asked`` set (its ask_if questions, earlier, are already decided)."""
    ok = (
        question.type in (SINGLE, MULTI)
        and bool(question.wording)
        and question.options_complete
        and all(by_code[c.question].asked for c in question.ask_if)
    )
    return Question(**{**question.__dict__, "asked": ok})
