"""``tsunagari network import-members|member-counts|newsletter-send``.

``import-members FILE.csv --platform ID [--dry-run]`` loads a member list.

``member-counts [--platform ID] [--on YYYY-MM-DD]... [--json]`` prints the published counts by
class (with their seed source) and, for a platform, the counts from its membership records.

``newsletter-send [--batch-size N] [--loop] [--json]`` runs the mail-magazine sender
(``newsletter_sender.send_due``); exit 1 when a delivery failed or its outcome is uncertain.

``import-members`` exits 0 when the file was imported (merge candidates are listed but are not errors), 1 when
nothing was written because the file or the platform is invalid (every problem is printed with its
row, column and reason).
"""

from __future__ import annotations

import argparse
import sys


def cmd_import_members(args: argparse.Namespace) -> int:
    from tsunagari.directory.importers.errors import ImportValidationError
    from tsunagari.network import selectors
    from tsunagari.network.member_import import import_members

    platform = selectors.platform(args.platform)
    if platform is None:
        print(f"error: no platform with id {args.platform}", file=sys.stderr)
        return 1
    try:
        report = import_members(args.file, platform, dry_run=args.dry_run)
    except ImportValidationError as exc:
        print(f"{args.file}: nothing imported.\n{exc}", file=sys.stderr)
        return 1
    verb = "would be created (dry run, nothing written)" if report.dry_run else "created"
    print(f"{args.file}: {report.created} bodies {verb}, {len(report.merge_candidates)} merge candidates")
    for candidate in report.merge_candidates:
        print(f"  {candidate}")
    return 0


def cmd_member_counts(args: argparse.Namespace) -> int:
    import json
    from datetime import date

    from django.utils import timezone

    from tsunagari.network import selectors

    published = selectors.published_member_counts()
    rows = [
        {
            "as_of": count.as_of.isoformat(),
            "total": count.total,
            "by_class": count.by_class,
            "source": f"{count.seed_file} line {count.total_quote.lines[0]}",
        }
        for count in published
    ]
    data: dict = {"published": rows}
    if args.platform is not None:
        platform = selectors.platform(args.platform)
        if platform is None:
            print(f"error: no platform with id {args.platform}", file=sys.stderr)
            return 1
        try:
            dates = [date.fromisoformat(d) for d in args.on] if args.on else [timezone.localdate()]
        except ValueError as exc:
            print(f"error: --on: {exc}", file=sys.stderr)
            return 1
        data["recorded"] = [
            {"as_of": point.as_of.isoformat(), "total": point.total, "by_class": point.by_class}
            for point in selectors.member_count_series(platform, dates)
        ]
    if args.json:
        print(json.dumps(data, ensure_ascii=False, sort_keys=True))
        return 0
    for title, key in (("published (seeds)", "published"), ("recorded", "recorded")):
        if key not in data:
            continue
        print(f"{title}:")
        for row in data[key]:
            classes = ", ".join(f"{code} {n}" for code, n in row["by_class"].items())
            source = f"  [{row['source']}]" if "source" in row else ""
            print(f"  {row['as_of']}: {row['total']} ({classes}){source}")
    return 0


def cmd_newsletter_send(args: argparse.Namespace) -> int:
    import json
    import time

    from tsunagari.network.newsletter_sender import NewsletterConfigError, send_due

    while True:
        try:
            report = send_due(batch_size=args.batch_size)
        except NewsletterConfigError as exc:
            raise SystemExit(f"error: {exc}") from None
        if args.json:
            print(json.dumps(report.as_dict(), sort_keys=True), flush=True)
        elif not args.loop or report.sent or report.retry or report.failed or report.uncertain:
            print(
                f"sent {report.sent}, to retry {report.retry}, failed {report.failed}, "
                f"uncertain {report.uncertain}, skipped {report.skipped}, issues done {report.issues_done}",
                flush=True,
            )
        if not args.loop:
            return 0 if report.failed == 0 and report.uncertain == 0 else 1
        time.sleep(args.interval)


def add_parser(sub) -> None:
    network = sub.add_parser("network", help="platforms, member bodies, events").add_subparsers(
        dest="action", required=True
    )
    p = network.add_parser("import-members", help="import a member-list CSV into a platform (all or nothing)")
    p.add_argument("file", help="CSV, UTF-8; columns by key or Japanese label (see member_csv.py)")
    p.add_argument("--platform", type=int, required=True, help="the platform's id")
    p.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
    p.set_defaults(func=cmd_import_members)
    p = network.add_parser(
        "member-counts", help="members by class: published figures and, per platform, records"
    )
    p.add_argument("--platform", type=int, help="also count this platform's memberships from the records")
    p.add_argument("--on", action="append", metavar="YYYY-MM-DD", help="date(s) to count on (default today)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_member_counts)
    p = network.add_parser("newsletter-send", help="send queued newsletter issues (each recipient once)")
    p.add_argument("--batch-size", type=int, default=500)
    p.add_argument("--loop", action="store_true", help="keep running (a worker), every --interval seconds")
    p.add_argument("--interval", type=float, default=30.0)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_newsletter_send)
