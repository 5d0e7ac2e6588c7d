"""``tsunagari helpline erlang|staff``: the staffing maths from the command line (JSON or text)."""

from __future__ import annotations

import argparse
import json
import math
from dataclasses import asdict

from tsunagari.helpline.erlang import evaluate
from tsunagari.helpline.staffing import lines_needed


def _finite(value):
    """JSON has no infinity: unbounded waits (an unstable queue) are written as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    return value


def _print(data: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(_finite(data), ensure_ascii=False, sort_keys=True))
    else:
        for key, value in _finite(data).items():
            if not isinstance(value, dict):
                print(f"{key}: {value}")


def cmd_erlang(args: argparse.Namespace) -> int:
    try:
        performance = evaluate(
            args.model,
            args.erlangs,
            args.lines,
            aht_sec=args.aht_sec,
            answer_within_sec=args.answer_within_sec,
            patience_sec=args.patience_sec,
        )
    except ValueError as exc:
        raise SystemExit(f"error: {exc}") from None
    _print(asdict(performance), args.json)
    return 0


def cmd_staff(args: argparse.Namespace) -> int:
    try:
        result = lines_needed(
            args.model,
            args.calls_per_hour,
            args.aht_sec,
            args.target,
            patience_sec=args.patience_sec,
            answer_within_sec=args.answer_within_sec,
        )
    except ValueError as exc:
        raise SystemExit(f"error: {exc}") from None
    _print(asdict(result), args.json)
    return 0


def add_parser(sub) -> None:
    helpline = sub.add_parser("helpline", help="the unified consultation line").add_subparsers(
        dest="action", required=True
    )
    p = helpline.add_parser("erlang", help="performance of N lines under Erlang B, C or A")
    p.add_argument("--model", choices=["b", "c", "a"], required=True)
    p.add_argument("--erlangs", type=float, required=True, help="offered load A = calls per second × AHT")
    p.add_argument("--lines", type=int, required=True)
    p.add_argument("--aht-sec", type=float, default=600.0, help="average handling time (default 600)")
    p.add_argument("--answer-within-sec", type=float, help="service level threshold T")
    p.add_argument("--patience-sec", type=float, help="mean patience (Erlang A)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_erlang)
    p = helpline.add_parser("staff", help="lines needed to reach a target")
    p.add_argument("--model", choices=["b", "c", "a"], required=True)
    p.add_argument("--calls-per-hour", type=float, required=True)
    p.add_argument("--aht-sec", type=float, required=True)
    p.add_argument(
        "--target", type=float, required=True, help="answered fraction (b, a) or service level (c), 0–1"
    )
    p.add_argument("--patience-sec", type=float, help="mean patience (Erlang A)")
    p.add_argument("--answer-within-sec", type=float, help="service level threshold T (model c)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_staff)
