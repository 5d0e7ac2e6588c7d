"""``tsunagari plan load [FILE]``: load the priority plan's measures, KPIs and published values.

Without FILE the bundled ``data/priority_plan.yaml``. Exit 0 when loaded, 1 when nothing was written
because the file is invalid (the message names the entry and the reason).
"""

from __future__ import annotations

import argparse
import sys


def cmd_load(args: argparse.Namespace) -> int:
    from tsunagari.plan import plan_data, services

    try:
        report = services.load_plan(args.file or plan_data.DEFAULT_PATH)
    except plan_data.PlanDataError as exc:
        print(f"{args.file or plan_data.DEFAULT_PATH}: nothing loaded.\n{exc}", file=sys.stderr)
        return 1
    print(f"priority plan: {report.measures} measures, {report.kpis} KPIs, {report.values} published values")
    for conflict in report.conflicts:
        print(f"  kept the value entered by staff (the file has another): {conflict}")
    for code in report.not_in_file:
        print(f"  in the database but not in the file (left as is): {code}")
    return 0


def add_parser(sub) -> None:
    plan = sub.add_parser("plan", help="the priority plan's measures and KPIs").add_subparsers(
        dest="action", required=True
    )
    p = plan.add_parser("load", help="load the plan file (validated; all or nothing)")
    p.add_argument("file", nargs="?", help="plan YAML (default: the bundled priority_plan.yaml)")
    p.set_defaults(func=cmd_load)


def load_for_setup() -> str:
    """``tsunagari setup --demo``: load the bundled plan; returns the line to print."""
    from tsunagari.plan import services

    report = services.load_plan()
    return f"priority plan: {report.measures} measures, {report.kpis} KPIs"
