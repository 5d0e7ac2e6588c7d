"""``tsunagari helpline erlang|staff|trial-staffing|simulate|line-send|chat-purge``: the staffing maths
from the command line (JSON or text), what the four trials would have needed, the simulator that drives the voice webhooks with synthetic calls, the
LINE outbox sender and the retention job of chats and LINE data."""

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


def cmd_trial_staffing(args: argparse.Namespace) -> int:
    from tsunagari.helpline.trial_staffing import Assumptions, as_dict, trial_needs

    try:
        assumptions = Assumptions(
            aht_sec=args.aht_sec, patience_sec=args.patience_sec, target=args.target, model=args.model
        )
        needs = [as_dict(need) for need in trial_needs(assumptions)]
    except ValueError as exc:
        raise SystemExit(f"error: {exc}") from None
    if args.json:
        print(json.dumps({"trials": needs}, ensure_ascii=False, indent=2))
    else:
        for need in needs:
            print(
                f"{need['name']}: {need['offered']} calls in {need['days']} days, published rate "
                f"{need['published_answer_rate_percent']} %; lines needed {need['lines_needed_peak']} "
                f"(consistent with the published rate: {need['lines_consistent_with_published_rate']})"
            )
        print("assumed (not published): " + json.dumps(needs[0]["assumptions"] if needs else {}))
    return 0


def cmd_simulate(args: argparse.Namespace) -> int:
    import secrets

    from django.conf import settings

    from tsunagari.helpline import simulator

    if args.load_demo:
        from tsunagari.helpline.demo import load_demo

        print("demo configuration: " + ", ".join(f"{v} {k}" for k, v in load_demo().items()))
    token = settings.TSUNAGARI_TWILIO_AUTH_TOKEN
    if args.in_process and not token:
        # No server to agree with: sign with a throw-away token that this process also verifies.
        token = settings.TSUNAGARI_TWILIO_AUTH_TOKEN = secrets.token_urlsafe(24)
    if not token:
        raise SystemExit(
            "error: set TSUNAGARI_TWILIO_AUTH_TOKEN to the token the server uses (or use --in-process)"
        )
    digits, crisis = (args.digits.split(","), []) if args.digits else simulator.menu_digits()
    if not digits:
        raise SystemExit("error: no voice menu is valid now; use --load-demo or --digits 1,2,3")
    options = simulator.Options(
        calls=args.calls,
        seed=args.seed,
        concurrency=args.concurrency,
        time_scale=args.time_scale,
        digits=digits,
        crisis_digits=crisis,
    )
    public = settings.TSUNAGARI_PUBLIC_BASE_URL
    if args.in_process:
        hosts = [h for h in settings.ALLOWED_HOSTS if h and "*" not in h and not h.startswith(".")]
        transport = simulator.ClientTransport(
            token, host=hosts[0] if hosts else "localhost", sign_base=public
        )
    else:
        transport = simulator.HttpTransport(args.base_url, token, sign_base=public)
    try:
        summary = simulator.simulate(transport, options, in_process=args.in_process)
    except (OSError, ValueError) as exc:
        raise SystemExit(f"error: {exc}") from None
    if args.json:
        print(json.dumps(summary.as_dict(), ensure_ascii=False, sort_keys=True))
    else:
        print("\n".join(summary.lines()))
    return 0 if summary.errors == 0 else 1


def cmd_line_send(args: argparse.Namespace) -> int:
    import time

    from tsunagari.helpline.line_sender import send_due

    while True:
        report = send_due(limit=args.limit)
        if report.skipped:
            raise SystemExit("error: set TSUNAGARI_LINE_CHANNEL_ACCESS_TOKEN to send LINE messages")
        if args.json:
            print(json.dumps(report.as_dict(), sort_keys=True), flush=True)
        elif not args.loop or report.sent or report.retried or report.failed:
            print(f"sent {report.sent}, to retry {report.retried}, given up {report.failed}", flush=True)
        if not args.loop:
            return 0 if report.failed == 0 else 1
        time.sleep(args.interval)


def cmd_chat_purge(args: argparse.Namespace) -> int:
    from tsunagari.helpline.chat_retention import purge

    report = purge()
    _print(report.as_dict(), args.json)
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
    p = helpline.add_parser(
        "trial-staffing", help="lines the four trials would have needed (assumptions stated)"
    )
    p.add_argument("--model", choices=["b", "c", "a"], default="a")
    p.add_argument("--aht-sec", type=float, default=1200.0, help="assumed handling time (default 1200)")
    p.add_argument(
        "--patience-sec", type=float, default=60.0, help="assumed mean patience, Erlang A (default 60)"
    )
    p.add_argument(
        "--target", type=float, default=0.8, help="answered fraction (a, b) or service level (c), 0–1"
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_trial_staffing)
    p = helpline.add_parser("simulate", help="drive the voice webhooks with synthetic, signed calls")
    p.add_argument("--calls", type=int, default=20, help="number of calls (default 20)")
    p.add_argument(
        "--seed",
        type=int,
        default=1,
        help="random seed; the same seed plays the same calls (under new call ids)",
    )
    p.add_argument("--concurrency", type=int, default=5, help="calls in progress at once (default 5)")
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--base-url", default="http://127.0.0.1:8000", help="a running server (default http://127.0.0.1:8000)"
    )
    where.add_argument(
        "--in-process",
        action="store_true",
        help="no server: post through Django's test client in this process (writes to its database)",
    )
    p.add_argument(
        "--time-scale",
        type=float,
        default=0.0,
        help="real seconds per simulated second (default 0: as fast as possible; try 0.01)",
    )
    p.add_argument("--digits", help="menu digits to press, e.g. 1,2,3,4 (default: the menu valid now)")
    p.add_argument("--load-demo", action="store_true", help="first load the demo configuration (fictional)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_simulate)
    p = helpline.add_parser("line-send", help="send the LINE outbox (Reply and Push API)")
    p.add_argument("--loop", action="store_true", help="keep sending (a worker); Ctrl-C stops")
    p.add_argument("--interval", type=float, default=1.0, help="seconds between rounds with --loop")
    p.add_argument("--limit", type=int, default=100, help="messages per round (default 100)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_line_send)
    p = helpline.add_parser(
        "chat-purge", help="apply the retention rules of chats and LINE data (run at least hourly)"
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_chat_purge)
