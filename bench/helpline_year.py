"""A year of calls (about 1 million) through the line's discrete-event simulator, timed.

    .venv/bin/python bench/helpline_year.py [--repeat R] [--calls N]

Run by ``bench/run.py --only helpline``. Target (issue #4): simulate a year of calls in ≤ 10 s.

Times :func:`tsunagari.helpline.simulation.simulate` (pure Python, one process) on a CONSTRUCTED year,
not published figures: ``--calls`` expected calls (default 1,000,000) over 365 days of 24 hours, spread
over the hours of the day by the diurnal profile the trial scenarios use (``placement.hour_weights`` of
``helpline/data/trials.yaml``); handling time exponential with a mean of 20 minutes (the scenarios' talk
time); patience exponential, mean 3 minutes; at most 20 callers queued; 10 % crisis callers, served first;
lines per hour of the day from ``staffing.lines_needed`` (Erlang A, 80 % of calls answered). The plan is
computed before the clock starts; each of ``--repeat`` runs (seeds 1, 2, …) is timed alone (wall and CPU).
Writes ``bench/out/results-helpline-year.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

from tsunagari.helpline import scenarios, simulation, staffing  # noqa: E402  (pure modules, no Django)

OUT = ROOT / "bench" / "out"
RESULT = OUT / "results-helpline-year.json"
TARGET_SECONDS = 10.0
DAYS = 365
AHT_SEC = 1200.0
PATIENCE_SEC = 180.0
MAX_QUEUE = 20
CRISIS_SHARE = 0.1
ANSWERED_TARGET = 0.8


def year_model(calls: int) -> dict:
    """Arrival rates and lines per hour of the day for ``calls`` expected calls in :data:`DAYS` days."""
    weights = scenarios.placement()["hour_weights"]
    per_day = calls / DAYS
    rates = [per_day * w / sum(weights) for w in weights]
    lines = [
        staffing.lines_needed("a", rate, AHT_SEC, ANSWERED_TARGET, patience_sec=PATIENCE_SEC).lines
        for rate in rates
    ]
    return {"rates": rates, "lines": lines}


def run_once(model: dict, seed: int) -> dict:
    cpu, wall = time.process_time(), time.perf_counter()
    result = simulation.simulate(
        model["rates"],
        model["lines"],
        aht_sec=AHT_SEC,
        hours=24 * DAYS,
        seed=seed,
        patience_sec=PATIENCE_SEC,
        max_queue=MAX_QUEUE,
        priority_fraction=CRISIS_SHARE,
        answer_within_sec=60.0,
    )
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {
        "seed": seed,
        "seconds": round(wall, 3),
        "cpu_seconds": round(cpu, 3),
        "calls_simulated": result.calls_simulated,
        "offered": result.offered,
        "answered": result.answered,
        "abandoned": result.abandoned,
        "blocked": result.blocked,
        "answer_rate": round(result.answer_rate, 4),
        "service_level_60s": round(result.service_level or 0.0, 4),
        "calls_per_second": round(result.calls_simulated / wall),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=1_000_000, help="expected calls in the year")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs (seeds 1, 2, …)")
    args = parser.parse_args(argv)
    model = year_model(args.calls)
    runs = []
    for seed in range(1, args.repeat + 1):
        runs.append(run_once(model, seed))
        print(
            f"year, seed {seed}: {runs[-1]['calls_simulated']:,} calls in {runs[-1]['seconds']:.2f} s "
            f"(CPU {runs[-1]['cpu_seconds']:.2f} s)",
            flush=True,
        )
    seconds = [r["seconds"] for r in runs]
    OUT.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(
        json.dumps(
            {
                "measured_at": datetime.now(ZoneInfo("Asia/Tokyo")).isoformat(timespec="seconds"),
                "python": sys.version.split()[0],
                "machine": platform.platform(),
                "cpus": os.cpu_count(),
                "model": {
                    "expected_calls": args.calls,
                    "days": DAYS,
                    "aht_sec": AHT_SEC,
                    "patience_sec": PATIENCE_SEC,
                    "max_queue": MAX_QUEUE,
                    "crisis_share": CRISIS_SHARE,
                    "answered_target": ANSWERED_TARGET,
                    "lines_by_hour": model["lines"],
                    "calls_per_hour": [round(r, 1) for r in model["rates"]],
                },
                "runs": runs,
                "median_seconds": round(statistics.median(seconds), 3),
                "max_seconds": round(max(seconds), 3),
                "target_seconds": TARGET_SECONDS,
                "met": max(seconds) <= TARGET_SECONDS,
            },
            indent=1,
        ),
        encoding="utf-8",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
