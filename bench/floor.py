"""The machine's floor: what this machine gives at most *below* the application, so that the load
targets of issues 3 (navigator: 800 turns/s, p99 ≤ 30 ms) and 4 (unified line: 2,000 contact events/s)
can be read against it.

    flock /tmp/tsunagari-bench.lock .venv/bin/python bench/floor.py [--seconds S]
    (or .venv/bin/python bench/run.py --only floor; wrk from scripts/bench-packages.sh, pgbench from
    PostgreSQL's client package)

1. HTTP: gunicorn with 2 workers (``sync`` and ``gthread`` 2×4, as the load benchmarks start it,
   ``navigator_load.Server``) on the navigator benchmark's scratch SQLite database, loaded by wrk in
   closed loop (every connection sends again as soon as it has its answer) for ``--seconds``, with 16
   connections (the helpline benchmark's clients) and 200 (the navigator's):
   - ``bare WSGI``: ``bench/floor_app.py``, 9 bytes for every request — gunicorn and wrk alone;
   - ``webhook refused``: ``POST /helpline/hooks/voice/incoming`` with a forged ``X-Twilio-Signature``
     through ``tsunagari.wsgi`` (the stateless handler, URL routing, the signature check, a 403; no
     database) — the least a voice webhook request costs in Django;
   - ``navigator start``: ``GET /navi/`` (a kept page: rendered once per process, no database).
2. PostgreSQL: pgbench, 16 clients, 2 threads, ``--seconds``, on a scratch database
   ``tsunagari_bench_floor`` (dropped and recreated): ``one insert`` = one INSERT of a row shaped like a
   contact event per committed transaction; ``a webhook's statements`` = what a voice webhook request
   sends on average per ``BENCHMARKS.md`` "Helpline" (≈ 4 statements: the health check ``SELECT 1``, the
   call looked up by its key, an event inserted, a state row updated) in one committed transaction.
   ``synchronous_commit`` as the server has it (on).

CPU in cores from /proc (the server or PostgreSQL, the load generator, the rest of the machine).
Writes ``bench/out/results-floor.json`` and the "Machine floor" section of ``BENCHMARKS.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import navigator_load as shared  # noqa: E402
from bench.helpline_load import postgres_cpu_seconds  # noqa: E402

OUT = ROOT / "bench" / "out"
RESULT = OUT / "results-floor.json"
REPORT = ROOT / "BENCHMARKS.md"
SECTION = "Machine floor"
PG_SERVER = os.environ.get("TSUNAGARI_BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
PG_DB = "tsunagari_bench_floor"
POST_SCRIPT = ROOT / "bench" / "floor_post.lua"
CONNECTIONS = (16, 200)
SERVERS = (("sync", 1), ("gthread", 4))
TARGETS = (
    ("bare WSGI", "bench.floor_app:application", "GET /", None),
    ("webhook refused", "tsunagari.wsgi:application", "POST /helpline/hooks/voice/incoming", POST_SCRIPT),
    ("navigator start", "tsunagari.wsgi:application", "GET /navi/", None),
)
EVENT_TABLE = """
CREATE TABLE floor_event (
    id bigserial PRIMARY KEY, contact_id bigint NOT NULL, kind varchar(30) NOT NULL,
    at timestamptz NOT NULL, event_key varchar(100) NOT NULL UNIQUE, line_id bigint, body_id bigint,
    field_id bigint, detail jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX floor_event_contact ON floor_event (contact_id, at);
CREATE TABLE floor_call (id bigserial PRIMARY KEY, provider_id varchar(100) NOT NULL UNIQUE, state varchar(20));
INSERT INTO floor_call (provider_id, state) SELECT 'CA' || g, 'ringing' FROM generate_series(1, 100000) g;
ANALYZE;
"""
ONE_INSERT = """
INSERT INTO floor_event (contact_id, kind, at, event_key, detail)
VALUES (:client_id, 'menu_choice', now(), md5(random()::text || clock_timestamp()::text), '{"digit": "1"}');
"""
WEBHOOK_STATEMENTS = """
\\set call random(1, 100000)
BEGIN;
SELECT 1;
SELECT id, state FROM floor_call WHERE provider_id = 'CA' || :call;
INSERT INTO floor_event (contact_id, kind, at, event_key, detail)
VALUES (:call, 'menu_choice', now(), md5(random()::text || clock_timestamp()::text), '{"digit": "1"}');
UPDATE floor_call SET state = 'queued' WHERE provider_id = 'CA' || :call;
COMMIT;
"""


def log(message: str) -> None:
    print(f"[floor {time.strftime('%H:%M:%S')}] {message}", flush=True)


# -- HTTP -------------------------------------------------------------------------------------------


def measured_run(command: list[str], measured_cpu) -> tuple[str, float, float, float, float]:
    """Run the load generator ``command`` to its end; (its output, wall seconds, CPU seconds of what
    ``measured_cpu()`` counts — the server or PostgreSQL —, of the load generator, of the rest of the
    machine)."""
    measured, busy = measured_cpu(), shared.machine_cpu_seconds()
    own = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    proc = subprocess.run(command, capture_output=True, text=True, check=True)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    measured = measured_cpu() - measured
    client = after.ru_utime + after.ru_stime - own.ru_utime - own.ru_stime
    other = max(shared.machine_cpu_seconds() - busy - measured - client, 0.0)
    return proc.stdout, wall, measured, client, other


def wrk(server: shared.Server, path: str, script: Path | None, connections: int, seconds: int) -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout=10s"]
    if script is not None:
        command += ["-s", str(script)]
    command.append(f"http://127.0.0.1:{server.port}{path}")
    output, wall, server_cpu, client_cpu, other_cpu = measured_run(command, server.cpu_seconds)
    parsed = shared.parse_wrk_text(output)
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    statuses = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "connections": connections,
        "rps": round(parsed.get("rps", requests / wall)),
        "p50_ms": parsed["latency"].get("50"),
        "p99_ms": parsed["latency"].get("99"),
        "non_2xx": int(statuses.group(1)) if statuses else 0,
        "errors": "Socket errors" in output,
        "server_cpu": round(server_cpu / wall, 2),
        "client_cpu": round(client_cpu / wall, 2),
        "other_cpu": round(other_cpu / wall, 2),
        "server_ms_per_request": round(server_cpu * 1000 / max(requests, 1), 3),
    }


def http_floor(seconds: int) -> list[dict]:
    server_env = shared.env(secret_key="floor-" + os.urandom(24).hex())
    server_env["TSUNAGARI_TWILIO_AUTH_TOKEN"] = os.urandom(16).hex()
    OUT.mkdir(parents=True, exist_ok=True)
    log("preparing the scratch SQLite database (tsunagari setup --demo)")
    shared.prepare_database(server_env)
    rows = []
    for name, app, request, script in TARGETS:
        path = request.split(" ", 1)[1]
        for worker_class, threads in SERVERS:
            server = shared.Server(server_env, worker_class, threads, defer_accept=True)
            server.command[3] = app
            server.start()
            try:
                for connections in CONNECTIONS:
                    shared.wait_for_quiet(60)
                    wrk(server, path, script, connections, 3)  # warm-up
                    row = wrk(server, path, script, connections, seconds)
                    row.update(target=name, request=request, server=server.describe().split(" ", 1)[1])
                    row["server_label"] = f"{worker_class} 2×{threads}"
                    log(f"{name} {row['server_label']} c={connections}: {row['rps']} req/s")
                    rows.append(row)
            finally:
                server.stop()
    return rows


def question_turns_floor(seconds: int) -> list[dict]:
    """Question turns only (the navigator's cheapest real turns: no directory search, no triage),
    replayed by ``bench/navigator_load.lua`` with 200 connections through ``sync`` 2×1, in closed loop
    and paced at 800 turns/s: if these miss p99 ≤ 30 ms at 800/s, the whole mix cannot meet it."""
    server_env = shared.env(secret_key="floor-" + os.urandom(24).hex())
    shared.prepare_database(server_env)
    server = shared.Server(server_env, "sync", 1, defer_accept=True)
    server.start()
    rows = []
    try:
        measured, warmup, _stats = shared.make_turns(server.port, 600, 8000, 20261123, 100)
        steps = OUT / "floor-question-turns.txt"
        warm = OUT / "floor-question-turns-warmup.txt"
        shared.write_turns(steps, [t for t in measured if t["kind"] == "step"])
        shared.write_turns(warm, [t for t in warmup if t["kind"] == "step"])
        for rate in (0, 800):
            shared.wait_for_quiet(60)
            shared.run_wrk(server, 3, rate, "floor-warmup", warm)
            server.wait_idle()
            run = shared.run_wrk(server, seconds, rate, f"floor-question-{rate or 'closed'}", steps)
            rows.append(
                {
                    "run": f"paced {rate}/s" if rate else "closed loop",
                    "rps": round(run["rps"]),
                    "p50_ms": round(run["latency_ms"]["50"], 1),
                    "p90_ms": round(run["latency_ms"]["90"], 1),
                    "p99_ms": round(run["latency_ms"]["99"], 1),
                    "valid": run["valid"],
                    "server_cpu": run["server_cpu"],
                    "client_cpu": run["wrk_cpu"],
                    "other_cpu": run["other_cpu"],
                    "server_ms_per_request": run["server_cpu_ms_per_turn"],
                }
            )
            log(f"question turns {rows[-1]['run']}: {rows[-1]['rps']} turns/s")
    finally:
        server.stop()
    return rows


# -- PostgreSQL -------------------------------------------------------------------------------------


def _psql(database: str, sql: str) -> None:
    subprocess.run(
        ["psql", "-q", "-v", "ON_ERROR_STOP=1", f"{PG_SERVER}/{database}", "-c", sql],
        check=True,
        capture_output=True,
        text=True,
    )


def pgbench(name: str, script: str, seconds: int) -> dict:
    path = OUT / f"floor-{name.replace(' ', '-').replace(chr(39), '')}.sql"
    path.write_text(script, encoding="utf-8")
    command = [
        "pgbench",
        "-n",
        "-c",
        "16",
        "-j",
        "2",
        "-T",
        str(seconds),
        "-f",
        str(path),
        f"{PG_SERVER}/{PG_DB}",
    ]
    output, wall, pg_cpu, client_cpu, other_cpu = measured_run(command, postgres_cpu_seconds)
    transactions = int(re.search(r"number of transactions actually processed: (\d+)", output).group(1))
    failed = re.search(r"number of failed transactions: (\d+)", output)
    latency = re.search(r"latency average = ([\d.]+) ms", output)
    return {
        "workload": name,
        "tps": round(transactions / wall),
        "failed": int(failed.group(1)) if failed else 0,
        "latency_ms": float(latency.group(1)) if latency else None,
        "postgres_cpu": round(pg_cpu / wall, 2),
        "client_cpu": round(client_cpu / wall, 2),
        "other_cpu": round(other_cpu / wall, 2),
        "postgres_ms_per_tx": round(pg_cpu * 1000 / max(transactions, 1), 3),
    }


def postgres_floor(seconds: int) -> tuple[list[dict], str]:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=5) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_DB} TEMPLATE template0 ENCODING 'UTF8'")
        version = conn.execute("SHOW server_version").fetchone()[0]
        sync = conn.execute("SHOW synchronous_commit").fetchone()[0]
    _psql(PG_DB, EVENT_TABLE)
    rows = []
    for name, script in (("one insert", ONE_INSERT), ("a webhook's statements", WEBHOOK_STATEMENTS)):
        shared.wait_for_quiet(60)
        pgbench(name, script, 3)  # warm-up
        row = pgbench(name, script, seconds)
        log(f"{name}: {row['tps']} transactions/s")
        rows.append(row)
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=5) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
    return rows, f"PostgreSQL {version} (`synchronous_commit` {sync})"


# -- report -----------------------------------------------------------------------------------------


def section_lines(result: dict, machine: dict) -> list[str]:
    lines = [
        f"## {SECTION}",
        "",
        f"Measured {result['measured_at']} by `bench/floor.py` (`.venv/bin/python bench/run.py --only floor`) on "
        f"{machine['cpu']}, {machine['cores']} cores, {machine['ram']} RAM, {machine['os']}: what this machine "
        "gives at most *below* the application, to read the load targets of issues 3 and 4 against. Closed "
        f"loop, {result['seconds']} s per run after a 3 s warm-up; the load generator runs on the same cores. "
        "CPU in cores; *ms/request* = the server's CPU per request.",
        "",
        "### HTTP: gunicorn with 2 workers, wrk",
        "",
        "| what | server | connections | requests/s | p50 ms | p99 ms | non-2xx | server CPU | wrk CPU | other CPU "
        "| server ms/request |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in result["http"]:
        lines.append(
            f"| {row['target']} (`{row['request']}`) | {row['server_label']} | {row['connections']} | "
            f"{row['rps']:,} | {row['p50_ms']} | {row['p99_ms']} | {row['non_2xx']:,} | {row['server_cpu']} | "
            f"{row['client_cpu']} | {row['other_cpu']} | {row['server_ms_per_request']} |"
        )
    lines += [
        "",
        "*webhook refused* answers 403 by design (a forged signature; nothing is read or written), so its "
        "non-2xx count is every request.",
        "",
        "### The navigator's question turns alone: gunicorn sync 2×1, 200 connections",
        "",
        "Question turns only (a POST answering one question; no directory search, no triage — the cheapest "
        "real turns, 80 % of the navigator benchmark's mix) from 600 conversations walked as in "
        '"Navigator under load", replayed by `bench/navigator_load.lua`, '
        f"{result['seconds'] * 2} s per run.",
        "",
        "| run | turns/s | p50 ms | p90 ms | p99 ms | every answer right | server CPU | wrk CPU | other CPU "
        "| server ms/turn |",
        "|---|---:|---:|---:|---:|---|---:|---:|---:|---:|",
    ]
    for row in result["questions"]:
        lines.append(
            f"| {row['run']} | {row['rps']:,} | {row['p50_ms']} | {row['p90_ms']} | {row['p99_ms']} | "
            f"{'yes' if row['valid'] else 'no'} | {row['server_cpu']} | {row['client_cpu']} | {row['other_cpu']} | "
            f"{row['server_ms_per_request']} |"
        )
    lines += [
        "",
        f"### PostgreSQL: pgbench, 16 clients ({result['postgres']})",
        "",
        "| workload | transactions/s | failed | mean latency ms | PostgreSQL CPU | pgbench CPU | other CPU "
        "| PostgreSQL ms/transaction |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in result["pg"]:
        lines.append(
            f"| {row['workload']} | {row['tps']:,} | {row['failed']} | {row['latency_ms']} | {row['postgres_cpu']} | "
            f"{row['client_cpu']} | {row['other_cpu']} | {row['postgres_ms_per_tx']} |"
        )
    lines += ["", *_reading(result, machine)]
    return lines


def _best(rows: list[dict], target: str, connections: int) -> dict:
    return max(
        (r for r in rows if r["target"] == target and r["connections"] == connections), key=lambda r: r["rps"]
    )


def _reading(result: dict, machine: dict) -> list[str]:
    """What the floor means for the two targets, computed from the rows above."""
    webhook = _best(result["http"], "webhook refused", 16)
    statements = next(r for r in result["pg"] if r["workload"] == "a webhook's statements")
    needed = (
        2000 / 1.2
    )  # requests/s: a voice webhook request writes 1.2 events on average (BENCHMARKS "Helpline")
    cores = needed * (webhook["server_ms_per_request"] + statements["postgres_ms_per_tx"]) / 1000
    navi = _best(result["http"], "navigator start", 200)
    paced = next(r for r in result["questions"] if r["run"] != "closed loop")
    return [
        f"Reading: 2,000 contact events/s are about {needed:,.0f} webhook requests/s (1.2 events per request). "
        f"At the floor — Django refusing the request before any database work "
        f"({webhook['server_ms_per_request']} ms of server CPU, {webhook['server_label']}) plus PostgreSQL "
        f"doing only a webhook's statements ({statements['postgres_ms_per_tx']} ms) — that rate needs "
        f"{cores:.1f} cores before the application's own work, the request's client and the operating system; "
        f"this machine has {machine['cores']}. The navigator's cheapest page, kept in memory, answers "
        f"{navi['rps']:,} requests/s with 200 connections ({navi['server_label']}, "
        f"{navi['server_ms_per_request']} ms of server CPU each, p99 {navi['p99_ms']} ms in closed loop); "
        f"the question turns alone, paced at 800/s, have a p99 of {paced['p99_ms']} ms "
        f"({'within' if paced['p99_ms'] <= 30 else 'above'} the navigator's 30 ms).",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--no-report", action="store_true", help="do not rewrite BENCHMARKS.md")
    parser.add_argument(
        "--report-only", action="store_true", help="rewrite BENCHMARKS.md from the last results"
    )
    args = parser.parse_args(argv)
    from bench.helpline_report import replace_section
    from bench.run import _machine

    if args.report_only:
        result = json.loads(RESULT.read_text(encoding="utf-8"))
    else:
        http = http_floor(args.seconds)
        questions = question_turns_floor(args.seconds * 2)
        pg, postgres = postgres_floor(args.seconds)
        result = {
            "measured_at": datetime.now(ZoneInfo("Asia/Tokyo")).isoformat(timespec="seconds"),
            "seconds": args.seconds,
            "http": http,
            "questions": questions,
            "pg": pg,
            "postgres": postgres,
        }
        RESULT.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    if not args.no_report:
        text = REPORT.read_text(encoding="utf-8")
        REPORT.write_text(replace_section(text, section_lines(result, _machine()), SECTION), encoding="utf-8")
    print("\n".join(section_lines(result, _machine())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
