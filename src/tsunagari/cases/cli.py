"""``tsunagari audit verify`` and ``tsunagari cases purge|overdue``.

- ``audit verify``: recompute the audit log's hash chain; exit 0 when intact, 1 naming the first bad
  entry otherwise.
- ``cases purge``: delete case records past their retention period; prints counts per type.
- ``cases overdue [--notify]``: handovers with no answer after the configured time (ids and ages
  only); ``--notify`` also e-mails each sender once about theirs.
- ``cases export-pseudonymised OUT.csv [--key-file PATH]``: keyed pseudonyms, months, codes only
  (``cases.export``); exit 1 when the key is missing or too short.
"""

from __future__ import annotations

import argparse
import sys


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from tsunagari.cases.audit import verify

    result = verify()
    print(str(result), file=sys.stdout if result.ok else sys.stderr)
    return 0 if result.ok else 1


def cmd_purge(args: argparse.Namespace) -> int:
    from tsunagari.cases.purge import purge
    from tsunagari.cases.retention import RetentionConfigError

    try:
        counts = purge()
    except RetentionConfigError as exc:
        print(f"error: TSUNAGARI_RETENTION_YEARS: {exc}", file=sys.stderr)
        return 1
    for kind, count in counts.items():
        print(f"{kind}: {count} deleted")
    return 0


def cmd_overdue(args: argparse.Namespace) -> int:
    from django.utils import timezone

    from tsunagari.cases.referrals import notify_overdue, overdue

    now = timezone.now()
    for referral in overdue(now, hours=args.hours):
        hours = (now - referral.requested_at).total_seconds() / 3600
        print(f"{referral.pk}  {referral.kind}  {referral.status}  {hours:.0f}h")
    if args.notify:
        print(f"{notify_overdue(now, hours=args.hours)} e-mails sent")
    return 0


def cmd_export_pseudonymised(args: argparse.Namespace) -> int:
    """``cases export-pseudonymised OUT.csv [--key-file PATH]``: see ``cases.export``."""
    import os

    from tsunagari.cases import export

    try:
        if args.key_file:
            with open(args.key_file, encoding="utf-8") as handle:
                raw = handle.read()
        else:
            raw = os.environ.get("TSUNAGARI_PSEUDONYM_KEY")
        key = export.check_key(raw)
    except (OSError, export.ExportKeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    partial = f"{args.out}.partial"  # renamed on success: a failed export leaves no half file
    try:
        with open(partial, "w", encoding="utf-8", newline="") as out:
            cases, sections = export.write(out, key)
        os.replace(partial, args.out)
    finally:
        if os.path.exists(partial):
            os.remove(partial)
    print(f"{cases} cases, {sections} sections written to {args.out}")
    return 0


def add_parser(sub) -> None:
    audit = sub.add_parser("audit", help="the audit log of personal-data access").add_subparsers(
        dest="action", required=True
    )
    audit.add_parser("verify", help="check the hash chain of the audit log").set_defaults(
        func=cmd_audit_verify
    )
    cases = sub.add_parser("cases", help="case records").add_subparsers(dest="action", required=True)
    cases.add_parser("purge", help="delete records past their retention period").set_defaults(func=cmd_purge)
    p = cases.add_parser("overdue", help="handovers with no answer in time")
    p.add_argument("--hours", type=float, help="default: TSUNAGARI_REFERRAL_OVERDUE_HOURS")
    p.add_argument("--notify", action="store_true", help="e-mail each sender once about theirs")
    p.set_defaults(func=cmd_overdue)
    p = cases.add_parser("export-pseudonymised", help="pseudonymised CSV of case records for statistics")
    p.add_argument("out", help="the CSV file to write")
    p.add_argument("--key-file", help="the pseudonym key (default: TSUNAGARI_PSEUDONYM_KEY)")
    p.set_defaults(func=cmd_export_pseudonymised)
