"""``tsunagari keys rotate|add``: the field-encryption keys of case records.

- ``keys add``: add a new key to the local key file and make it active (development; in production
  add it to ``TSUNAGARI_FIELD_KEYS`` and restart the application processes).
- ``keys rotate [--batch-size N]``: re-encrypt every value with the active key (see
  ``core.key_rotation``); prints counts only. Safe while the application serves; run again to
  resume. Remove an old key from the configuration only after a rotation reported 0 remaining.
"""

from __future__ import annotations

import argparse
import sys


def cmd_keys_add(args: argparse.Namespace) -> int:
    from django.core.exceptions import ImproperlyConfigured

    from tsunagari.core.field_keys import add_local_key

    try:
        key_id = add_local_key()
    except ImproperlyConfigured as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"added key {key_id} (active); now run: tsunagari keys rotate")
    return 0


def cmd_keys_rotate(args: argparse.Namespace) -> int:
    from django.core.exceptions import ImproperlyConfigured

    from tsunagari.core.crypto import DecryptionError
    from tsunagari.core.key_rotation import rotate

    try:
        report = rotate(batch_size=args.batch_size)
    except (ImproperlyConfigured, DecryptionError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for column, count in report.columns.items():
        print(f"{column}: {count} re-encrypted")
    print(
        f"active key {report.active}: {report.rotated} re-encrypted, {report.current} already current, "
        f"{report.changed} changed meanwhile (run again to finish)"
    )
    return 0


def add_parser(sub) -> None:
    keys = sub.add_parser("keys", help="field-encryption keys of case records").add_subparsers(
        dest="action", required=True
    )
    p = keys.add_parser("rotate", help="re-encrypt every encrypted value with the active key")
    p.add_argument("--batch-size", type=int, default=500)
    p.set_defaults(func=cmd_keys_rotate)
    p = keys.add_parser("add", help="add a key to the local key file and make it active")
    p.set_defaults(func=cmd_keys_add)
