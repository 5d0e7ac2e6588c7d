"""Racing database work in threads, for the concurrency tests (no tests here).

Each call runs on a connection of its own in autocommit, on committed data, so a test's own
connection stays idle inside its usual rolled-back transaction; the callers delete what they made.
On the in-memory shared-cache SQLite test database a blocked writer (or reader) is refused at once
with "database table is locked" instead of waiting: :func:`refused_by_sqlite_lock` names that case.
"""

from __future__ import annotations

import threading

from django.db import OperationalError, connection


def race(target, n: int) -> list:
    """Run ``target(i)`` in ``n`` threads released together; results (or exceptions) by index."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = target(i)
        except Exception as exc:  # reported to the test, not swallowed
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def in_thread(target):
    """``target()`` on a connection of its own (autocommit); its exception is raised here."""
    (result,) = race(lambda _i: target(), 1)
    if isinstance(result, Exception):
        raise result
    return result


def refused_by_sqlite_lock(result) -> bool:
    return isinstance(result, OperationalError) and connection.vendor == "sqlite" and "locked" in str(result)
