"""The navigator's guided conversation as versioned data, and what the answers mean (pure; no Django).

Contract
--------
``load_flow()`` reads ``data/flow.yaml`` and validates it (``FlowError`` names the step, option and
field). ``Answers`` maps step ids to chosen option ids (an area step holds a 地方公共団体コード) plus
free texts the person typed; it is plain JSON so the web layer can keep it in the page (signed),
never on the server. ``flow.criteria(answers, triaged_topics)`` turns answers into search
criteria: topics (chosen ones first, then free-text ones), audiences, channels, age, open now,
area, and whether a crisis option was chosen. Every step may be skipped; ``next_step`` gives the
first step after a given one, so "back" and "edit" are just a step id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from tsunagari.core.vocabulary import AUDIENCES, CHANNELS, TOPICS

KINDS = ("single", "multiple", "area")
SETTABLE = {"topics": TOPICS, "audiences": AUDIENCES, "channels": CHANNELS}


class FlowError(ValueError):
    """The flow file is malformed; the message names step, option and field."""


@dataclass(frozen=True)
class Option:
    id: str
    label: str
    topics: tuple[str, ...] = ()
    audiences: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    age: int | None = None
    open_now: bool = False
    crisis: bool = False

    def __hash__(self) -> int:  # kept-page keys hash steps on every turn: the id is enough
        return hash(self.id)


@dataclass(frozen=True)
class Step:
    id: str
    kind: str
    question: str
    options: tuple[Option, ...] = ()

    def __hash__(self) -> int:  # equal steps have equal ids; hashing every field cost a turn 5 µs
        return hash(self.id)

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)


@dataclass
class Criteria:
    """What the answers ask the directory for."""

    topics: list[str] = field(default_factory=list)
    audiences: list[str] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)
    age: int | None = None
    open_now: bool = False
    area: str | None = None
    crisis_chosen: bool = False


@dataclass(frozen=True)
class Flow:
    version: int
    steps: tuple[Step, ...]

    def step(self, step_id: str) -> Step | None:
        return next((s for s in self.steps if s.id == step_id), None)

    def next_step(self, after: str | None) -> Step | None:
        """The step after ``after`` (the first step for None); None at the end."""
        ids = [s.id for s in self.steps]
        if after is None:
            return self.steps[0]
        index = ids.index(after) + 1 if after in ids else len(ids)
        return self.steps[index] if index < len(ids) else None

    def clean_answer(self, step_id: str, values: list[str]) -> list[str]:
        """The valid answer of ``step_id`` from submitted values (unknown ids are dropped)."""
        step = self.step(step_id)
        if step is None:
            return []
        if step.kind == "area":
            return [v.strip() for v in values[:1] if v.strip()]
        chosen = [v for v in dict.fromkeys(values) if step.option(v) is not None]
        return chosen[:1] if step.kind == "single" else chosen

    def criteria(self, answers: dict[str, list[str]], triaged_topics: list[str] = ()) -> Criteria:
        result = Criteria()
        for step in self.steps:
            values = answers.get(step.id, [])
            if step.kind == "area":
                result.area = values[0] if values else None
                continue
            for option in filter(None, (step.option(v) for v in values)):
                _extend(result.topics, option.topics)
                _extend(result.audiences, option.audiences)
                _extend(result.channels, option.channels)
                result.age = option.age if option.age is not None else result.age
                result.open_now = result.open_now or option.open_now
                result.crisis_chosen = result.crisis_chosen or option.crisis
        _extend(result.topics, triaged_topics)
        return result


def _extend(target: list[str], values) -> None:
    target.extend(v for v in values if v not in target)


def parse_flow(data: Any, source: str = "<flow>") -> Flow:
    """Validate a flow document and build it; errors name the step, option and field."""
    if not isinstance(data, dict) or data.get("version") != 1 or not isinstance(data.get("steps"), list):
        raise FlowError(f"{source}: expected {{version: 1, steps: [...]}}")
    steps, seen = [], set()
    for number, raw in enumerate(data["steps"]):
        where = f"{source}: steps[{number}]"
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str) or not raw["id"]:
            raise FlowError(f"{where}: every step needs an id")
        where = f"{source}: step {raw['id']!r}"
        if raw["id"] in seen:
            raise FlowError(f"{where}: duplicate step id")
        seen.add(raw["id"])
        if raw.get("kind") not in KINDS:
            raise FlowError(f"{where}: kind must be one of {', '.join(KINDS)}")
        if not isinstance(raw.get("question"), str) or not raw["question"].strip():
            raise FlowError(f"{where}: question is required")
        options = tuple(_option(o, f"{where}, option") for o in raw.get("options") or [])
        if raw["kind"] != "area" and not options:
            raise FlowError(f"{where}: a {raw['kind']} step needs options")
        if len({o.id for o in options}) != len(options):
            raise FlowError(f"{where}: duplicate option ids")
        steps.append(Step(raw["id"], raw["kind"], raw["question"], options))
    if not steps:
        raise FlowError(f"{source}: no steps")
    return Flow(1, tuple(steps))


def _option(raw: Any, where: str) -> Option:
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str) or not raw["id"]:
        raise FlowError(f"{where}: every option needs an id")
    where = f"{where} {raw['id']!r}"
    if not isinstance(raw.get("label"), str) or not raw["label"].strip():
        raise FlowError(f"{where}: label is required")
    sets = raw.get("sets") or {}
    if not isinstance(sets, dict):
        raise FlowError(f"{where}: sets must be a mapping")
    unknown = set(sets) - {*SETTABLE, "age", "open_now"}
    if unknown:
        raise FlowError(f"{where}: sets has unknown field(s) {', '.join(sorted(unknown))}")
    values: dict[str, Any] = {}
    for name, vocabulary in SETTABLE.items():
        codes = sets.get(name, [])
        if not isinstance(codes, list) or any(c not in vocabulary for c in codes):
            raise FlowError(f"{where}: sets.{name}: unknown code in {codes!r}")
        values[name] = tuple(codes)
    age = sets.get("age")
    if age is not None and (not isinstance(age, int) or not 0 <= age <= 130):
        raise FlowError(f"{where}: sets.age must be an age in years")
    if not isinstance(sets.get("open_now", False), bool) or not isinstance(raw.get("crisis", False), bool):
        raise FlowError(f"{where}: open_now and crisis must be true or false")
    return Option(
        raw["id"],
        raw["label"],
        age=age,
        open_now=sets.get("open_now", False),
        crisis=raw.get("crisis", False),
        **values,
    )


@lru_cache(maxsize=1)
def load_flow() -> Flow:
    """The shipped flow (validated once per process)."""
    path = resources.files("tsunagari.navigator").joinpath("data/flow.yaml")
    return parse_flow(yaml.safe_load(path.read_text(encoding="utf-8")), "flow.yaml")
