"""The national survey's published figures (``data/national_results.yaml``), validated at load (pure).

:func:`load_national_results` reads the file and checks every figure before anything uses it:
known keys only, a source (seed file and figure) on every series and claim, years and categories
that exist, percentages in 0–100, positive respondent counts, and — where a figure is complete —
that a distribution adds up to 100 (±0.3 for rounding) and that the printed sample sizes add up.
A problem raises :class:`PublishedDataError` with the path of the offending entry, e.g.
``tables.direct_question.series[1].values.sometimes: 158 is not a percentage (0–100)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

DEFAULT_PATH = Path(__file__).parent / "data" / "national_results.yaml"
KINDS = ("distribution", "share_by_group", "multiple_answer")
BASES = ("all_respondents", "subset")
DIRECTIONS = ("increase", "decrease")
ROUNDING = 0.3


class PublishedDataError(ValueError):
    """The published‑figures file is invalid; the message starts with the entry's path."""


@dataclass(frozen=True)
class Source:
    seed_file: str
    where: str


@dataclass(frozen=True)
class Series:
    year: int
    values: dict[str, float]
    source: Source
    n: int | None = None
    n_by_category: dict[str, int] = field(default_factory=dict)
    group: str | None = None
    group_label: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Claim:
    """A year‑on‑year change the seed states (e.g. 「時々ある」の割合が縮小)."""

    category: str
    year_from: int
    year_to: int
    direction: str
    text: str
    source: Source


@dataclass(frozen=True)
class Table:
    id: str
    title: str
    kind: str
    categories: dict[str, str]
    series: tuple[Series, ...]
    claims: tuple[Claim, ...] = ()
    base: str | None = None
    note: str | None = None
    printed_differences: dict | None = None

    def series_for(self, year: int, group: str | None = None) -> Series | None:
        for series in self.series:
            if series.year == year and series.group == group:
                return series
        return None


@dataclass(frozen=True)
class Year:
    year: int
    label: str
    valid: int
    source: Source
    distributed: int | None = None
    valid_rate_percent: float | None = None


@dataclass(frozen=True)
class NationalResults:
    version: int
    years: dict[int, Year]
    tables: dict[str, Table]
    sample_sizes: dict


def _fail(path: str, message: str):
    raise PublishedDataError(f"{path}: {message}")


def _mapping(value, path: str, required: tuple[str, ...] = (), optional: tuple[str, ...] = ()) -> dict:
    if not isinstance(value, Mapping):
        _fail(path, f"expected a mapping, got {type(value).__name__}")
    for key in value:
        if not isinstance(key, str | int) or isinstance(key, bool):
            _fail(path, f"key {key!r} must be text (quote yes/no/on/off in YAML)")
    unknown = set(value) - set(required) - set(optional)
    if required or optional:
        if unknown:
            _fail(path, f"unknown key(s) {sorted(map(str, unknown))}")
        missing = [key for key in required if key not in value]
        if missing:
            _fail(path, f"missing key(s) {missing}")
    return dict(value)


def _text(value, path: str) -> str:
    if not isinstance(value, str) or not value.strip():
        _fail(path, f"expected non-empty text, got {value!r}")
    return value


def _count(value, path: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        _fail(path, f"{value!r} is not a positive whole number")
    return value


def _percent(value, path: str) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value <= 100:
        _fail(path, f"{value!r} is not a percentage (0–100)")
    return float(value)


def _source(value, path: str, seeds: dict[str, str]) -> Source:
    data = _mapping(value, path, required=("seed", "where"))
    seed = str(data["seed"])
    if seed not in seeds:
        _fail(f"{path}.seed", f"unknown seed {seed!r} (known: {sorted(seeds)})")
    return Source(seeds[seed], _text(data["where"], f"{path}.where"))


def _year(value, path: str, years) -> int:
    if value not in years:
        _fail(path, f"unknown year {value!r} (known: {sorted(years)})")
    return value


def _series(value, path: str, table: dict, seeds, years) -> Series:
    data = _mapping(
        value,
        path,
        required=("year", "values", "source"),
        optional=("n", "n_by_category", "group", "group_label", "note"),
    )
    categories = table["categories"]
    values = {}
    for code, number in _mapping(data["values"], f"{path}.values").items():
        if str(code) not in categories:
            _fail(f"{path}.values.{code}", "not a category of the table")
        values[str(code)] = _percent(number, f"{path}.values.{code}")
    n_by = {}
    for code, number in _mapping(data.get("n_by_category", {}), f"{path}.n_by_category").items():
        if str(code) not in categories:
            _fail(f"{path}.n_by_category.{code}", "not a category of the table")
        n_by[str(code)] = _count(number, f"{path}.n_by_category.{code}")
    if table["kind"] == "multiple_answer" and "group" not in data:
        _fail(path, "a multiple-answer series needs its respondent group")
    series = Series(
        year=_year(data["year"], f"{path}.year", years),
        values=values,
        source=_source(data["source"], f"{path}.source", seeds),
        n=_count(data["n"], f"{path}.n") if "n" in data else None,
        n_by_category=n_by,
        group=str(data["group"]) if "group" in data else None,
        group_label=data.get("group_label"),
        note=data.get("note"),
    )
    if table["kind"] == "distribution":
        total = sum(values.values())
        complete = set(values) == set(categories) and table.get("exhaustive", True)
        if total > 100 + ROUNDING or (complete and abs(total - 100) > ROUNDING):
            _fail(f"{path}.values", f"the shares add up to {total:.1f}, not 100")
    return series


def _claim(value, path: str, categories, seeds, years) -> Claim:
    data = _mapping(value, path, required=("category", "from", "to", "direction", "text", "source"))
    category = str(data["category"])
    if category not in categories:
        _fail(f"{path}.category", f"{category!r} is not a category of the table")
    if data["direction"] not in DIRECTIONS:
        _fail(f"{path}.direction", f"must be one of {DIRECTIONS}")
    return Claim(
        category=category,
        year_from=_year(data["from"], f"{path}.from", years),
        year_to=_year(data["to"], f"{path}.to", years),
        direction=data["direction"],
        text=_text(data["text"], f"{path}.text"),
        source=_source(data["source"], f"{path}.source", seeds),
    )


def _table(table_id: str, value, seeds, years) -> Table:
    path = f"tables.{table_id}"
    data = _mapping(
        value,
        path,
        required=("title", "kind", "categories", "series"),
        optional=("base", "note", "claims", "question", "printed_differences", "exhaustive"),
    )
    if data["kind"] not in KINDS:
        _fail(f"{path}.kind", f"must be one of {KINDS}")
    if not isinstance(data.get("exhaustive", True), bool):
        _fail(f"{path}.exhaustive", "must be true or false")
    if "base" in data and data["base"] not in BASES:
        _fail(f"{path}.base", f"must be one of {BASES}")
    categories = {
        str(k): _text(v, f"{path}.categories.{k}")
        for k, v in _mapping(data["categories"], f"{path}.categories").items()
    }
    if not categories:
        _fail(f"{path}.categories", "no categories")
    data["categories"] = categories
    if not isinstance(data["series"], list) or not data["series"]:
        _fail(f"{path}.series", "expected a non-empty list")
    series = tuple(
        _series(s, f"{path}.series[{i}]", data, seeds, years) for i, s in enumerate(data["series"])
    )
    seen = set()
    for i, s in enumerate(series):
        if (s.year, s.group) in seen:
            _fail(f"{path}.series[{i}]", f"a second series for {s.year} {s.group or ''}".strip())
        seen.add((s.year, s.group))
    claims = tuple(
        _claim(c, f"{path}.claims[{i}]", categories, seeds, years)
        for i, c in enumerate(data.get("claims", []))
    )
    differences = data.get("printed_differences")
    if differences is not None:
        diff = _mapping(differences, f"{path}.printed_differences", required=("source", "year", "ranking"))
        _source(diff["source"], f"{path}.printed_differences.source", seeds)
        for i, row in enumerate(diff["ranking"]):
            row = _mapping(row, f"{path}.printed_differences.ranking[{i}]", required=("category", "points"))
            if row["category"] not in categories:
                _fail(
                    f"{path}.printed_differences.ranking[{i}].category",
                    f"{row['category']!r} is not a category",
                )
    return Table(
        id=table_id,
        title=_text(data["title"], f"{path}.title"),
        kind=data["kind"],
        categories=categories,
        series=series,
        claims=claims,
        base=data.get("base"),
        note=data.get("note"),
        printed_differences=differences,
    )


def _sample_sizes(value, seeds, years) -> dict:
    path = "sample_sizes"
    data = _mapping(value, path, required=("year", "source", "age_bands", "total", "by_age", "by_sex_age"))
    _year(data["year"], f"{path}.year", years)
    _source(data["source"], f"{path}.source", seeds)
    bands = [str(b) for b in data["age_bands"]]
    by_age = {
        str(k): _count(v, f"{path}.by_age.{k}") for k, v in _mapping(data["by_age"], f"{path}.by_age").items()
    }
    if list(by_age) != bands:
        _fail(f"{path}.by_age", f"bands {list(by_age)} differ from age_bands {bands}")
    if sum(by_age.values()) != data["total"]:
        _fail(f"{path}.by_age", f"adds up to {sum(by_age.values())}, not the total {data['total']}")
    for sex, counts in _mapping(data["by_sex_age"], f"{path}.by_sex_age").items():
        counts = _mapping(counts, f"{path}.by_sex_age.{sex}", required=("total", *bands))
        if sum(_count(counts[b], f"{path}.by_sex_age.{sex}.{b}") for b in bands) != counts["total"]:
            _fail(f"{path}.by_sex_age.{sex}", f"the age bands do not add up to its total {counts['total']}")
    return data


def parse_national_results(document) -> NationalResults:
    """Validate an already parsed document (see the module docstring)."""
    data = _mapping(
        document, "(top)", required=("version", "seeds", "years", "tables"), optional=("sample_sizes",)
    )
    if data["version"] != 1:
        _fail("version", f"unsupported version {data['version']!r}")
    seeds = {str(k): _text(v, f"seeds.{k}") for k, v in _mapping(data["seeds"], "seeds").items()}
    years = {}
    for year, value in _mapping(data["years"], "years").items():
        if not isinstance(year, int):
            _fail(f"years.{year}", "a year must be a number such as 2023")
        entry = _mapping(
            value,
            f"years.{year}",
            required=("label", "valid", "source"),
            optional=("survey_date", "published", "distributed", "valid_rate_percent", "questions"),
        )
        years[year] = Year(
            year=year,
            label=_text(entry["label"], f"years.{year}.label"),
            valid=_count(entry["valid"], f"years.{year}.valid"),
            source=_source(entry["source"], f"years.{year}.source", seeds),
            distributed=_count(entry["distributed"], f"years.{year}.distributed")
            if "distributed" in entry
            else None,
            valid_rate_percent=_percent(entry["valid_rate_percent"], f"years.{year}.valid_rate_percent")
            if "valid_rate_percent" in entry
            else None,
        )
        if years[year].distributed and years[year].valid_rate_percent is not None:
            rate = 100 * years[year].valid / years[year].distributed
            if abs(rate - years[year].valid_rate_percent) > 0.05:
                _fail(
                    f"years.{year}",
                    f"valid/distributed is {rate:.2f}%, not {years[year].valid_rate_percent}%",
                )
    tables = {str(k): _table(str(k), v, seeds, years) for k, v in _mapping(data["tables"], "tables").items()}
    sample_sizes = _sample_sizes(data["sample_sizes"], seeds, years) if "sample_sizes" in data else {}
    return NationalResults(version=data["version"], years=years, tables=tables, sample_sizes=sample_sizes)


def load_national_results(path: str | Path | None = None) -> NationalResults:
    """Load and validate the published figures (the bundled file by default)."""
    path = Path(path) if path is not None else DEFAULT_PATH
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise PublishedDataError(f"{path}: not valid YAML: {exc}") from None
    try:
        return parse_national_results(document)
    except PublishedDataError as exc:
        raise PublishedDataError(f"{path}: {exc}") from None


@cache
def national_results() -> NationalResults:
    """The bundled figures, loaded once."""
    return load_national_results()
