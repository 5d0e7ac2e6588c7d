"""The priority plan's data file (``data/priority_plan.yaml``), validated at load (pure; no Django).

:func:`load_plan` returns a :class:`PlanData` or raises :class:`PlanDataError` whose message starts
with the offending entry's path (``kpis[1].baseline.value: ...``). Checked:

- known keys only, ``version: 1``, codes unique, every measure's policy and every KPI's measure known;
- every policy, measure and figure has a source: a seed file, consecutive 1-based line numbers and
  their exact text (one text line per line number);
- the quote supports what it sources: a policy's or measure's title appears in the quote (after NFKC
  and with the line breaks removed), a figure's value appears in it (``4.8`` in ``4.8％``) and so does
  its year (``令和5年`` or ``2023``);
- a KPI has a unit, a direction (``up``: higher is better, ``down``: lower is better), a baseline,
  optionally a target (value and deadline year, later than the baseline year, and on the better side
  of the baseline) and published yearly values after the baseline year, each year once;
- ``gaps`` lists what the seeds do not give (shown to staff), never a guessed value.

That the quoted text really is at those lines of the seed files is checked by the tests, which have
the seeds; the running product does not.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

import yaml

DEFAULT_PATH = Path(__file__).parent / "data" / "priority_plan.yaml"
REIWA_OFFSET = 2018  # 令和N年 = N + 2018
DIRECTIONS = ("up", "down")
_CODE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


class PlanDataError(ValueError):
    """The plan file is invalid; the message starts with the entry's path."""


@dataclass(frozen=True)
class Source:
    seed_file: str
    lines: tuple[int, ...]
    text: str

    @property
    def flat(self) -> str:
        """The quote after NFKC with line breaks removed (what titles and figures are checked in)."""
        return unicodedata.normalize("NFKC", self.text).replace("\n", "")

    def __str__(self) -> str:
        first, last = self.lines[0], self.lines[-1]
        where = f"{first}" if first == last else f"{first}–{last}"
        return f"{self.seed_file} {where}行"


@dataclass(frozen=True)
class Figure:
    value: Decimal
    year: int
    source: Source


@dataclass(frozen=True)
class Policy:
    code: str
    title: str
    source: Source


@dataclass(frozen=True)
class Measure:
    code: str
    policy: str
    title: str
    ministry: str | None
    gaps: tuple[str, ...]
    source: Source


@dataclass(frozen=True)
class Kpi:
    code: str
    measure: str
    name: str
    unit: str
    direction: str
    indicator: str | None
    baseline: Figure
    target: Figure | None
    values: tuple[Figure, ...]
    gaps: tuple[str, ...]
    note: str


@dataclass(frozen=True)
class PlanData:
    title: str
    decided_on: date
    owner: str
    source: Source
    policies: tuple[Policy, ...]
    measures: tuple[Measure, ...]
    kpis: tuple[Kpi, ...]


def _keys(raw, where: str, required: set[str], optional: set[str] = frozenset()) -> dict:
    if not isinstance(raw, dict):
        raise PlanDataError(f"{where}: expected a mapping")
    missing = required - set(raw)
    unknown = set(raw) - required - set(optional)
    if missing:
        raise PlanDataError(f"{where}: missing {', '.join(sorted(missing))}")
    if unknown:
        raise PlanDataError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    return raw


def _text(raw, where: str) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise PlanDataError(f"{where}: expected non-empty text")
    return raw.strip()


def _code(raw, where: str) -> str:
    if not isinstance(raw, str) or not _CODE.match(raw):
        raise PlanDataError(f"{where}: {raw!r} is not a code (letters, digits, - and _)")
    return raw


def _source(raw, where: str) -> Source:
    raw = _keys(raw, where, {"seed_file", "lines", "text"})
    seed_file, lines, text = raw["seed_file"], raw["lines"], raw["text"]
    if not isinstance(seed_file, str) or not seed_file.endswith(".txt") or "/" in seed_file:
        raise PlanDataError(f"{where}.seed_file: expected a seed file name")
    if not isinstance(lines, list) or not lines or not all(isinstance(n, int) and n > 0 for n in lines):
        raise PlanDataError(f"{where}.lines: expected positive line numbers")
    if lines != list(range(lines[0], lines[0] + len(lines))):
        raise PlanDataError(f"{where}.lines: expected consecutive line numbers")
    if not isinstance(text, str) or text.count("\n") != len(lines) - 1:
        raise PlanDataError(f"{where}.text: expected one text line per line number")
    return Source(seed_file, tuple(lines), text)


def _quoted_title(raw, source: Source, where: str) -> str:
    title = _text(raw, f"{where}.title")
    if unicodedata.normalize("NFKC", title) not in source.flat:
        raise PlanDataError(f"{where}.title: the title does not appear in the quoted source")
    return title


def _decimal(raw, where: str) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise PlanDataError(f"{where}: {raw!r} is not a number")
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise PlanDataError(f"{where}: {raw!r} is not a number") from None
    if not value.is_finite():
        raise PlanDataError(f"{where}: {raw!r} is not a finite number")
    return value


def _year(raw, where: str) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or not 1900 <= raw <= 2200:
        raise PlanDataError(f"{where}: {raw!r} is not a year (e.g. 2025)")
    return raw


def _figure(raw, where: str) -> Figure:
    raw = _keys(raw, where, {"value", "year", "source"})
    value = _decimal(raw["value"], f"{where}.value")
    year = _year(raw["year"], f"{where}.year")
    source = _source(raw["source"], f"{where}.source")
    if str(raw["value"]) not in source.flat:
        raise PlanDataError(f"{where}.value: {raw['value']} does not appear in the quoted source")
    if f"令和{year - REIWA_OFFSET}年" not in source.flat and str(year) not in source.flat:
        raise PlanDataError(f"{where}.year: neither 令和{year - REIWA_OFFSET}年 nor {year} is in the quote")
    return Figure(value, year, source)


def _gaps(raw, where: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise PlanDataError(f"{where}: expected a list of texts")
    return tuple(_text(item, f"{where}[{i}]") for i, item in enumerate(raw))


def _kpi(raw, where: str, measures: set[str]) -> Kpi:
    raw = _keys(
        raw,
        where,
        {"code", "measure", "name", "unit", "direction", "baseline", "target"},
        {"indicator", "values", "gaps", "note"},
    )
    code = _code(raw["code"], f"{where}.code")
    if raw["measure"] not in measures:
        raise PlanDataError(f"{where}.measure: no measure {raw['measure']!r}")
    if raw["direction"] not in DIRECTIONS:
        raise PlanDataError(f"{where}.direction: expected one of {', '.join(DIRECTIONS)}")
    indicator = raw.get("indicator")
    if indicator is not None:
        indicator = _code(indicator, f"{where}.indicator")
    baseline = _figure(raw["baseline"], f"{where}.baseline")
    target = None if raw["target"] is None else _figure(raw["target"], f"{where}.target")
    if target is not None:
        if target.year <= baseline.year:
            raise PlanDataError(f"{where}.target.year: the deadline must be after the baseline year")
        better = target.value > baseline.value if raw["direction"] == "up" else target.value < baseline.value
        if not better:
            raise PlanDataError(
                f"{where}.target.value: a '{raw['direction']}' target must be on the better side of the baseline"
            )
    values_raw = raw.get("values") or []
    if not isinstance(values_raw, list):
        raise PlanDataError(f"{where}.values: expected a list")
    values = tuple(_figure(item, f"{where}.values[{i}]") for i, item in enumerate(values_raw))
    seen: set[int] = set()
    for i, figure in enumerate(values):
        if figure.year <= baseline.year:
            raise PlanDataError(f"{where}.values[{i}].year: values come after the baseline year")
        if figure.year in seen:
            raise PlanDataError(f"{where}.values[{i}].year: {figure.year} is given twice")
        seen.add(figure.year)
    return Kpi(
        code=code,
        measure=raw["measure"],
        name=_text(raw["name"], f"{where}.name"),
        unit=_text(raw["unit"], f"{where}.unit"),
        direction=raw["direction"],
        indicator=indicator,
        baseline=baseline,
        target=target,
        values=tuple(sorted(values, key=lambda f: f.year)),
        gaps=_gaps(raw.get("gaps"), f"{where}.gaps"),
        note=(raw.get("note") or "").strip(),
    )


def _unique(items, where: str) -> None:
    seen: set[str] = set()
    for i, item in enumerate(items):
        if item.code in seen:
            raise PlanDataError(f"{where}[{i}].code: {item.code!r} is used twice")
        seen.add(item.code)


def parse_plan(data) -> PlanData:
    """Validate already-parsed YAML data; see the module docstring for the rules."""
    data = _keys(data, "file", {"version", "plan", "policies", "measures", "kpis"})
    if data["version"] != 1:
        raise PlanDataError(f"version: unsupported version {data['version']!r}")
    plan = _keys(data["plan"], "plan", {"title", "decided_on", "owner", "source"})
    if not isinstance(plan["decided_on"], date):
        raise PlanDataError(f"plan.decided_on: {plan['decided_on']!r} is not a date (YYYY-MM-DD)")
    for key in ("policies", "measures", "kpis"):
        if not isinstance(data[key], list) or not data[key]:
            raise PlanDataError(f"{key}: expected a non-empty list")
    policies = []
    for i, raw in enumerate(data["policies"]):
        where = f"policies[{i}]"
        raw = _keys(raw, where, {"code", "title", "source"})
        source = _source(raw["source"], f"{where}.source")
        policies.append(
            Policy(_code(raw["code"], f"{where}.code"), _quoted_title(raw["title"], source, where), source)
        )
    _unique(policies, "policies")
    policy_codes = {p.code for p in policies}
    measures = []
    for i, raw in enumerate(data["measures"]):
        where = f"measures[{i}]"
        raw = _keys(raw, where, {"code", "policy", "title", "ministry", "source"}, {"gaps"})
        if raw["policy"] not in policy_codes:
            raise PlanDataError(f"{where}.policy: no policy {raw['policy']!r}")
        ministry = raw["ministry"]
        if ministry is not None:
            ministry = _text(ministry, f"{where}.ministry")
        source = _source(raw["source"], f"{where}.source")
        measures.append(
            Measure(
                code=_code(raw["code"], f"{where}.code"),
                policy=raw["policy"],
                title=_quoted_title(raw["title"], source, where),
                ministry=ministry,
                gaps=_gaps(raw.get("gaps"), f"{where}.gaps"),
                source=source,
            )
        )
    _unique(measures, "measures")
    measure_codes = {m.code for m in measures}
    kpis = tuple(_kpi(raw, f"kpis[{i}]", measure_codes) for i, raw in enumerate(data["kpis"]))
    _unique(kpis, "kpis")
    return PlanData(
        title=_text(plan["title"], "plan.title"),
        decided_on=plan["decided_on"],
        owner=_text(plan["owner"], "plan.owner"),
        source=_source(plan["source"], "plan.source"),
        policies=tuple(policies),
        measures=tuple(measures),
        kpis=kpis,
    )


def read_plan(path: Path | str) -> PlanData:
    """Read and validate a plan file; YAML syntax errors become :class:`PlanDataError` too."""
    try:
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except OSError as exc:
        raise PlanDataError(f"file: cannot read {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise PlanDataError(f"file: not valid YAML: {exc}") from None
    return parse_plan(data)


@cache
def load_plan(path: Path = DEFAULT_PATH) -> PlanData:
    """The bundled plan, validated (cached per path)."""
    return read_plan(path)
