"""A writer process for the audit log's two-writer test: waits for a start file, then appends
``count`` entries as fast as it can. Usage: python audit_writer.py NAME COUNT START_FILE"""

from __future__ import annotations

import os
import sys
import time


def main() -> None:
    name, count, start_file = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tsunagari.settings")
    import django

    django.setup()
    from tsunagari.cases import audit

    deadline = time.monotonic() + 60
    while not os.path.exists(start_file) and time.monotonic() < deadline:
        time.sleep(0.002)
    for number in range(count):
        audit.record(f"system:{name}", audit.READ, "tests.writer", number)


if __name__ == "__main__":
    main()
