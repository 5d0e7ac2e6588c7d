"""Anonymous usage counts of the navigator (write side).

Counts are aggregated per day, dimension and value (``UsageCount``); nothing ties them to a person
or a conversation. They are buffered in the process and written at most every
``TSUNAGARI_USAGE_FLUSH_SECONDS`` (default 5 s; 0 writes at once) and when the process exits, so a
busy navigator does not take a database write lock on every turn. A crash loses at most the
buffered seconds of counts, never a person's answers (there are none here).

"When the process exits" covers both kinds of server worker: an interpreter that ends normally
(``atexit``: gunicorn's workers, the CLI) and a process started by :mod:`multiprocessing`
(granian's workers), which leaves through ``os._exit`` without running ``atexit`` handlers but runs
multiprocessing's own finalizers. A forked child starts with an empty buffer: what its parent had
counted is the parent's to write (else both would write it).
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import multiprocessing.util
import os
import threading
import time
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)
_lock = threading.Lock()
_pending: Counter[tuple[str, str, str]] = Counter()
_last_flush = time.monotonic()
#: (start and end of the day as Unix times, the day, its time zone) of the last today()
_day: tuple[float, float, str, object] = (0.0, 0.0, "", None)
DAY = timedelta(days=1)


def count(events: Iterable[tuple[str, str]]) -> None:
    """Add one to each (dimension, value) for today; writes when the buffer is due."""
    from tsunagari.navigator.models import UsageCount

    day = today()
    with _lock:
        for dimension, value in events:
            if dimension not in UsageCount.DIMENSIONS:
                raise ValueError(f"unknown usage dimension {dimension!r}")
            _pending[(day, dimension, str(value)[:40])] += 1
        due = time.monotonic() - _last_flush >= getattr(settings, "TSUNAGARI_USAGE_FLUSH_SECONDS", 5)
    if due:
        try:
            flush()
        except DatabaseError:
            # Statistics must never break a person's page; the counts of this flush are lost.
            logger.warning("navigator usage counts could not be written", exc_info=True)


def today() -> str:
    """Today's date in the current time zone (ISO), as ``timezone.localdate()`` gives it; worked out
    again only when the clock leaves the day it gave (``localdate`` took a few percent of a question
    turn)."""
    global _day
    tz = timezone.get_current_timezone()
    since, until, day, of = _day
    if of is tz and since <= time.time() < until:
        return day
    date = timezone.localtime(timezone.now(), tz).date()
    since, until = (
        datetime.combine(d, datetime.min.time(), tzinfo=tz).timestamp() for d in (date, date + DAY)
    )
    _day = (since, until, date.isoformat(), tz)
    return _day[2]


def flush() -> int:
    """Write the buffered counts (added to what is stored); returns how many rows were touched."""
    global _last_flush
    with _lock:
        rows = [(day, dim, value, n) for (day, dim, value), n in _pending.items()]
        _pending.clear()
        _last_flush = time.monotonic()
    if not rows:
        return 0
    from tsunagari.navigator.models import UsageCount

    table = connection.ops.quote_name(UsageCount._meta.db_table)
    sql = (
        f"INSERT INTO {table} (day, dimension, value, count) VALUES (%s, %s, %s, %s) "
        f"ON CONFLICT (day, dimension, value) DO UPDATE SET count = {table}.count + excluded.count"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    return len(rows)


def _flush_at_exit() -> None:
    with contextlib.suppress(Exception):  # the process is ending; counts are best effort
        flush()


def _register_exit_flush(_owner: object = None) -> None:
    """Flush when this process ends, whichever way it ends (see the module docstring)."""
    # A multiprocessing child runs its finalizers at exit, but first forgets those its parent had:
    # hence the registration again after such a fork (``register_after_fork``) as well as at import.
    multiprocessing.util.Finalize(None, _flush_at_exit, exitpriority=10)


class _ExitFlushOwner:
    """What ``register_after_fork`` keeps a weak reference to (a module-level instance lives on)."""


def _forget_parent_counts() -> None:
    """In a forked child: no counts of the parent, and a lock no other thread of the parent held."""
    global _lock
    _lock = threading.Lock()
    _pending.clear()


_exit_flush_owner = _ExitFlushOwner()
os.register_at_fork(after_in_child=_forget_parent_counts)
atexit.register(_flush_at_exit)
_register_exit_flush()
multiprocessing.util.register_after_fork(_exit_flush_owner, _register_exit_flush)
