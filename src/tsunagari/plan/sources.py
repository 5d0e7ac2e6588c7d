"""Where yearly KPI values can come from besides staff entry: the survey's indicators.

:func:`survey_value` asks ``tsunagari.survey.indicators.indicator_value(code, year)`` (the survey
app) and returns a :class:`SourcedValue` (the value as a Decimal and a source text), or None when the
survey has no value for that code and year, or when that module (or its function) does not exist:
"no source available". The survey's answer may be an ``IndicatorValue`` (``percent`` and ``source``
with ``seed_file`` and ``where``) or a plain number. Other errors from the survey (e.g. an unknown
code) are not hidden; :func:`unknown_indicators` lets the plan loader refuse such codes up front.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from decimal import Decimal

INDICATORS_MODULE = "tsunagari.survey.indicators"


@dataclass(frozen=True)
class SourcedValue:
    value: Decimal
    source: str


def _module():
    try:
        return importlib.import_module(INDICATORS_MODULE)
    except ImportError as exc:
        if exc.name == INDICATORS_MODULE:
            return None
        raise


def survey_available() -> bool:
    module = _module()
    return module is not None and callable(getattr(module, "indicator_value", None))


def unknown_indicators(codes: list[str]) -> list[str]:
    """The codes the survey does not know ([] when the survey lists no codes or is absent)."""
    known = getattr(_module(), "INDICATORS", None)
    if known is None:
        return []
    return [code for code in codes if code not in known]


def survey_value(code: str, year: int) -> SourcedValue | None:
    """The survey's value of indicator ``code`` for ``year``, or None (none, or no source)."""
    if not code or not survey_available():
        return None
    answer = _module().indicator_value(code, year)
    if answer is None:
        return None
    if hasattr(answer, "percent"):
        source = getattr(answer, "source", None)
        where = f"{source.seed_file} {source.where}" if source is not None else ""
        return SourcedValue(
            Decimal(str(answer.percent)), f"調査の指標 {code}（{where}）" if where else f"調査の指標 {code}"
        )
    return SourcedValue(Decimal(str(answer)), f"調査の指標 {code}")
