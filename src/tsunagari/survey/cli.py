"""``tsunagari survey estimate|compare``: design‑based estimates from a CSV, and the report's test.

    tsunagari survey estimate DATA.csv --weight W [--strata S] [--cluster C [--cluster C2]]
        [--fpc F [--fpc F2]] (--mean VAR | --total VAR | --prop VAR=VALUE) [--by COL]
        [--ci-method logit|beta|wald] [--lonely-psu fail|remove|certainty|adjust|average] [--json]
    tsunagari survey compare --p1 P --n1 N --p2 P --n2 N [--json]
    tsunagari survey wave-create|sample|import-mail|response-rate …   (see collection_cli)

``estimate`` has the semantics of R's ``svydesign(ids=~C, strata=~S, weights=~W, fpc=~F,
nest=TRUE)`` (see :mod:`tsunagari.survey.design`); ``--mean`` uses ``svymean`` (missing values left
out) with a normal Wald interval, ``--prop`` the share of rows equal to VALUE with missing answers
in the denominator (the report's 無回答) and ``svyciprop``'s interval (logit by default). JSON:
``{"estimates": [{"group": null|value, "estimate": x, "se": s, "ci_low": l, "ci_high": h}]}``.
``compare`` runs the pooled two‑proportion z‑test; P is a fraction (0.158) or a percentage (15.8%).
Invalid input exits with status 1 and a message naming the row and column.
"""

from __future__ import annotations

import argparse
import json
import math

from tsunagari.survey import estimation
from tsunagari.survey.csvdata import DataError, Table, read_table
from tsunagari.survey.design import LONELY_PSU_OPTIONS, DesignError, make_design
from tsunagari.survey.tests_of_difference import pooled_z_test


def _finite(value):
    return None if isinstance(value, float) and not math.isfinite(value) else value


def _design(table: Table, args: argparse.Namespace):
    return make_design(
        weights=table.numbers(args.weight, missing_ok=False, positive=True),
        strata=table.labels(args.strata, missing_ok=False) if args.strata else None,
        clusters=[table.labels(c, missing_ok=False) for c in args.cluster or []],
        fpc=[table.numbers(f, missing_ok=False, positive=True) for f in args.fpc or []],
        n=table.n,
        lonely_psu=args.lonely_psu,
    )


def _estimates(table: Table, args: argparse.Namespace) -> list[estimation.Estimate]:
    design = _design(table, args)
    if args.prop:
        variable, sep, value = args.prop.partition("=")
        if not sep or not variable:
            raise DataError(f"--prop wants VAR=VALUE, got {args.prop!r}")
        y = estimation.indicator(table.column(variable), value)
        statistic, options = estimation.proportion, {"method": args.ci_method}
    else:
        variable = args.mean or args.total
        y = table.numbers(variable)
        statistic = estimation.mean if args.mean else estimation.total
        options = {}
    if args.by:
        return estimation.by_group(statistic, design, y, table.labels(args.by), level=args.level, **options)
    return [statistic(design, y, level=args.level, **options)]


def cmd_estimate(args: argparse.Namespace) -> int:
    try:
        table = read_table(args.data)
        results = _estimates(table, args)
    except (DataError, DesignError, ValueError) as exc:
        raise SystemExit(f"error: {exc}") from None
    rows = [
        {
            k: _finite(v)
            for k, v in r.as_dict().items()
            if k in ("group", "estimate", "se", "ci_low", "ci_high")
        }
        for r in results
    ]
    if args.json:
        print(json.dumps({"estimates": rows}, ensure_ascii=False))
    else:
        for row in rows:
            group = "(all)" if row["group"] is None else row["group"]
            print(f"{group}\t{row['estimate']:.6g}\tSE {row['se']:.4g}\t[{row['ci_low']}, {row['ci_high']}]")
    return 0


def _proportion(text: str) -> float:
    text = text.strip()
    try:
        value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a proportion (0.158 or 15.8%)") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not between 0 and 1 (or 0% and 100%)")
    return value


def _count(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of respondents") from None
    if not value > 0 or not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} must be a positive number of respondents")
    return value


def cmd_compare(args: argparse.Namespace) -> int:
    try:
        test = pooled_z_test(args.p1, args.n1, args.p2, args.n2)
    except ValueError as exc:
        raise SystemExit(f"error: {exc}") from None
    data = {"test": "pooled two-proportion z-test", "n1": args.n1, "n2": args.n2, **test.as_dict()}
    if args.json:
        print(json.dumps({k: _finite(v) for k, v in data.items()}, ensure_ascii=False, sort_keys=True))
    else:
        verdict = {"increase": "significant increase", "decrease": "significant decrease"}.get(
            test.direction, "no significant difference"
        )
        print(f"{test.p1:.4f} -> {test.p2:.4f}: z = {test.z:.3f}, p = {test.p_value:.4g} ({verdict} at 95%)")
    return 0


def add_parser(sub) -> None:
    """Add ``survey estimate`` and ``survey compare`` to the ``tsunagari`` command."""
    survey = sub.add_parser("survey", help="survey collection, estimation and tests").add_subparsers(
        dest="action", required=True
    )

    p = survey.add_parser("estimate", help="design-based estimate (R survey semantics, nest=TRUE)")
    p.add_argument("data", help="respondents CSV (UTF-8, header row)")
    p.add_argument("--weight", required=True, help="sampling weight column")
    p.add_argument("--strata", help="first-stage strata column")
    p.add_argument("--cluster", action="append", help="cluster column, once per stage (PSU first)")
    p.add_argument(
        "--fpc", action="append", help="fpc column per stage: population size or sampling fraction"
    )
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--mean", metavar="VAR", help="weighted mean of a numeric column (missing left out)")
    what.add_argument("--total", metavar="VAR", help="estimated population total of a numeric column")
    what.add_argument("--prop", metavar="VAR=VALUE", help="share of rows with VAR equal to VALUE")
    p.add_argument("--by", metavar="COL", help="one estimate per value of COL")
    p.add_argument("--ci-method", choices=estimation.CI_METHODS, default="logit", help="interval for --prop")
    p.add_argument(
        "--lonely-psu", choices=LONELY_PSU_OPTIONS, default="fail", help="single-PSU strata (R's option)"
    )
    p.add_argument("--level", type=float, default=0.95, help="confidence level (default 0.95)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_estimate)

    p = survey.add_parser("compare", help="pooled two-proportion z-test (year-on-year change)")
    p.add_argument("--p1", type=_proportion, required=True, help="first proportion: 0.158 or 15.8%%")
    p.add_argument("--n1", type=_count, required=True, help="respondents behind p1")
    p.add_argument("--p2", type=_proportion, required=True)
    p.add_argument("--n2", type=_count, required=True)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_compare)

    from tsunagari.survey.collection_cli import add_parsers as add_collection_parsers

    add_collection_parsers(survey)
