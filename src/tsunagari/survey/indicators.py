"""Survey indicators a KPI can point at, read from the published national figures (pure).

The priority plan's KPIs (e.g. 「孤独感が『しばしばある・常にある』と回答した人の割合」) refer to figures
of the national survey. :data:`INDICATORS` lists the stable codes; :func:`indicator_value` returns
one year's value **only from the figures printed in the seeds** (:mod:`tsunagari.survey.published`)
— never estimated or derived from other bands:

* a single category's printed percentage (e.g. ``direct_often_always`` 2023 → 4.8 %), with the ``n``
  printed with the figure when there is one;
* a sum of printed categories (e.g. ``direct_any`` = しばしばある・常にある + 時々ある + たまにある),
  only when every summed category is printed that year; the sum of rounded figures is rounded to
  0.1 and ``summed`` lists the parts, so a caller can say it is a sum of published figures.

A year the seeds do not print gives ``None`` (e.g. ``ucla_10_12`` for 2022: the seed does not print
the 10～12点 share). An unknown code raises :class:`UnknownIndicator`.
"""

from __future__ import annotations

from dataclasses import dataclass

from tsunagari.survey.published import NationalResults, Source, national_results


class UnknownIndicator(KeyError):
    """The code is not one of :data:`INDICATORS`."""

    def __str__(self) -> str:
        return f"unknown survey indicator {self.args[0]!r} (known: {', '.join(INDICATORS)})"


@dataclass(frozen=True)
class Indicator:
    """A KPI-able figure: the categories of one published table whose percentages are added."""

    code: str
    label: str
    table: str
    categories: tuple[str, ...]


@dataclass(frozen=True)
class IndicatorValue:
    """One year's value in percent; ``n`` is the number of respondents printed with the figure
    (None when the seed prints none); ``source`` names the seed file and the figure quoted."""

    code: str
    label: str
    year: int
    percent: float
    n: int | None
    source: Source
    table: str
    summed: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "label": self.label,
            "year": self.year,
            "percent": self.percent,
            "n": self.n,
            "source": {"seed_file": self.source.seed_file, "where": self.source.where},
            "table": self.table,
            "summed": list(self.summed),
        }


_DEFINITIONS = (
    Indicator(
        "direct_often_always",
        "孤独感が「しばしばある・常にある」と回答した人の割合（直接質問）",
        "direct_question",
        ("often_always",),
    ),
    Indicator(
        "direct_any",
        "孤独感が「しばしばある・常にある」「時々ある」「たまにある」と回答した人の割合（直接質問）",
        "direct_question",
        ("often_always", "sometimes", "occasionally"),
    ),
    Indicator(
        "ucla_10_12",
        "UCLA孤独感尺度（３項目短縮版）の合計スコアが10～12点の人の割合（間接質問）",
        "ucla_bands",
        ("10-12",),
    ),
    Indicator(
        "ucla_7_12",
        "UCLA孤独感尺度（３項目短縮版）の合計スコアが７点以上の人の割合（間接質問）",
        "ucla_bands",
        ("10-12", "7-9"),
    ),
    Indicator(
        "contact_never",
        "同居していない家族や友人たちと直接会って話すことが「全くない」人の割合",
        "contact_frequency",
        ("never",),
    ),
    Indicator(
        "participation_none",
        "社会活動に「特に参加はしていない」人の割合",
        "social_participation",
        ("none",),
    ),
    Indicator(
        "support_not_receiving",
        "不安や悩みがある人のうち、行政機関・NPO等からの支援を「受けていない」人の割合",
        "support_received",
        ("not_receiving",),
    ),
    Indicator(
        "willing_to_help",
        "まわりに不安や悩みを抱えている人がいたら、積極的に声掛けや手助けを「しようと思う」人の割合",
        "willingness_to_help",
        ("willing",),
    ),
)

#: The available indicators by code, in display order.
INDICATORS: dict[str, Indicator] = {indicator.code: indicator for indicator in _DEFINITIONS}


def indicator_value(code: str, year: int, results: NationalResults | None = None) -> IndicatorValue | None:
    """The published value of indicator ``code`` in survey ``year``, or None if the seeds do not
    print it for that year (see the module docstring)."""
    try:
        indicator = INDICATORS[code]
    except KeyError:
        raise UnknownIndicator(code) from None
    results = results or national_results()
    table = results.tables[indicator.table]
    series = table.series_for(year)
    if series is None or any(c not in series.values for c in indicator.categories):
        return None
    percent = round(sum(series.values[c] for c in indicator.categories), 1)
    return IndicatorValue(
        code=code,
        label=indicator.label,
        year=year,
        percent=percent,
        n=series.n,
        source=series.source,
        table=table.id,
        summed=indicator.categories if len(indicator.categories) > 1 else (),
    )


def indicator_series(code: str, results: NationalResults | None = None) -> list[IndicatorValue]:
    """Every published year of ``code``, oldest first."""
    results = results or national_results()
    values = (indicator_value(code, year, results) for year in sorted(results.years))
    return [value for value in values if value is not None]
