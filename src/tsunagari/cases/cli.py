"""``tsunagari audit verify`` and ``tsunagari cases purge|overdue``.

- ``audit verify``: recompute the audit log's hash chain; exit 0 when intact, 1 naming the first bad
  entry otherwise.
- ``cases purge``: delete case records past their retention period; prints counts per type.
- ``cases overdue [--notify]``: handovers with no answer after the configured time (ids and ages
  only); ``--notify`` also e-mails each sender once about theirs.
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
