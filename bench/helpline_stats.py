"""Helpline statistics benchmark: a whole trial period (年末年始, 26,567 calls) on SQLite and PostgreSQL.

    .venv/bin/python bench/helpline_stats.py [--only sqlite|postgresql] [--repeat R]

For each database a worker subprocess (``--worker``) gets ``DATABASE_URL`` / ``TSUNAGARI_DATA_DIR``
pointing at a scratch database, never the real one: SQLite ``bench/out/helpline_stats.sqlite3`` and
PostgreSQL ``tsunagari_bench_stats`` (server from ``TSUNAGARI_BENCH_PG``, default
``postgres://postgres@127.0.0.1:5432``), both dropped and recreated. The worker migrates, loads the
New-Year trial scenario (``helpline.scenarios``: 26,567 contacts, about 97,000 events), ANALYZEs,
then times what the statistics page computes for the trial period — ``stats_selectors.report``
(one grouped query + the pure aggregation) and ``stats_selectors.record_summary`` — R times after
one warm-up, and a field-filtered report. Prints the figures and writes
``bench/out/results-helpline-stats.json``. Run by ``bench/run.py --only helpline`` (the "Helpline"
section of ``BENCHMARKS.md``).

Target (issue): statistics for a whole trial period in ≤ 200 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
RESULT = OUT / "results-helpline-stats.json"
SQLITE_PATH = OUT / "helpline_stats.sqlite3"
PG_SERVER = os.environ.get("TSUNAGARI_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
PG_DB = "tsunagari_bench_stats"
TRIAL = "newyear"
DATABASES = ("sqlite", "postgresql")
TARGET_MS = 200.0


def _env(db: str) -> dict[str, str]:
    url = f"sqlite:///{SQLITE_PATH}" if db == "sqlite" else f"{PG_SERVER}/{PG_DB}"
    return {
        "DATABASE_URL": url,
        "TSUNAGARI_DATA_DIR": str(OUT / "data"),
        "DJANGO_SETTINGS_MODULE": "tsunagari.settings",
    }


def _reset(db: str) -> None:
    if db == "sqlite":
        OUT.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=5) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_DB} TEMPLATE template0 ENCODING 'UTF8'")


def _ms(function, *args) -> float:
    started = time.perf_counter_ns()
    function(*args)
    return (time.perf_counter_ns() - started) / 1e6


def _summary(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {
        "median_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 1),
        "max_ms": round(ordered[-1], 1),
        "min_ms": round(ordered[0], 1),
    }


def worker(db: str, repeat: int) -> dict:
    expected = _env(db)["DATABASE_URL"]
    if os.environ.get("DATABASE_URL") != expected:
        raise SystemExit(f"refusing to run: DATABASE_URL must be the scratch database {expected}")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from tsunagari.helpline import scenarios, stats_selectors

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    loaded = scenarios.load(TRIAL)
    load_s = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    trial = scenarios.trial(TRIAL)
    period = stats_selectors.Filter(trial.first, trial.last)
    by_field = stats_selectors.Filter(trial.first, trial.last, field="loneliness")

    def page_figures(f):
        stats_selectors.report(f)
        stats_selectors.record_summary(f)

    report = stats_selectors.report(period)
    assert report.total.offered == trial.offered == 26567, report.total
    assert report.total.answer_rate == trial.answer_rate, report.total.answer_rate
    cold = _ms(page_figures, period)
    report_ms = [_ms(stats_selectors.report, period) for _ in range(repeat)]
    page_ms = [_ms(page_figures, period) for _ in range(repeat)]
    field_ms = [_ms(page_figures, by_field) for _ in range(repeat)]
    return {
        "database": db,
        "vendor": connection.vendor,
        "trial": TRIAL,
        "contacts": loaded.contacts,
        "events": loaded.events,
        "load_seconds": round(load_s, 2),
        "repeat": repeat,
        "first_ms": round(cold, 1),
        "report": _summary(report_ms),
        "report_and_records": _summary(page_ms),
        "field_filtered": _summary(field_ms),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=DATABASES)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--worker", choices=DATABASES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args.repeat)))
        return 0
    results = []
    for db in (args.only,) if args.only else DATABASES:
        try:
            _reset(db)
        except Exception as exc:  # e.g. no PostgreSQL server here
            print(f"== {db}: skipped ({exc})", file=sys.stderr)
            continue
        print(f"== {db}", flush=True)
        proc = subprocess.run(
            [sys.executable, __file__, "--worker", db, "--repeat", str(args.repeat)],
            env=dict(os.environ, **_env(db)),
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode:
            print(proc.stdout, proc.stderr, sep="\n", file=sys.stderr)
            return proc.returncode
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        results.append(result)
        print(
            f"{db}: {result['contacts']} contacts, {result['events']} events;"
            f" report median {result['report']['median_ms']} ms (p95 {result['report']['p95_ms']});"
            f" report + records median {result['report_and_records']['median_ms']} ms"
            f" (p95 {result['report_and_records']['p95_ms']});"
            f" one field {result['field_filtered']['median_ms']} ms",
            flush=True,
        )
    OUT.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(
        json.dumps(
            {
                "measured_at": datetime.now(ZoneInfo("Asia/Tokyo")).isoformat(timespec="seconds"),
                "machine": platform.platform(),
                "cpus": os.cpu_count(),
                "target_ms": TARGET_MS,
                "results": results,
            },
            ensure_ascii=False,
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
