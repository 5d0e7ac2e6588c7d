"""Helpline under load: simulated calls through the real voice webhooks, gunicorn (2 workers) on PostgreSQL.

    .venv/bin/python bench/helpline_load.py [--servers sync,gthread:4] [--calls N] [--clients K] [--profile]
    .venv/bin/python bench/helpline_load.py --profile-only    # the in-process profile again, on the same database

Run by ``bench/run.py --only helpline`` (which then rewrites the "Helpline" section of ``BENCHMARKS.md``).
Target (issue #4): ≥ 2,000 contact events/s with 0 lost or duplicated events under 1,000 concurrent calls.

1. A scratch PostgreSQL database ``tsunagari_bench_helpline`` (server ``TSUNAGARI_BENCH_PG``, default
   ``postgres://postgres@127.0.0.1:5432``), dropped and recreated, filled by ``tsunagari setup --demo``
   (the demo line: 4 fields, 5 lines staffed around the clock, overflow policies). This run's own random
   ``SECRET_KEY`` and Twilio auth token; DEBUG off; the other settings as they come (recorded).
2. For each configuration of ``--servers`` (gunicorn ``sync``, or ``gthread:THREADS``; 2 workers each, from
   ``bench/navigator_load.py``): the helpline tables emptied (contacts, events, line states, queued
   calls), gunicorn started, a warm-up of a few hundred calls, ``ANALYZE`` (the server here runs without
   autovacuum: the planner would otherwise keep the statistics of empty tables), then the measured calls.
3. The calls are :mod:`tsunagari.helpline.simulator` calls (the project's own simulator, unchanged): the
   call arrives, the caller presses a digit, then follows the TwiML answers — a line that rings and
   answers or not, the queue and its wait URL, the other windows — with the line's and the call's status
   callbacks, 15 % of them sent twice and 15 % of the calls' callbacks out of order. ``--clients`` threads
   each run one simulation of ``--concurrency / clients`` calls in progress at once (in the simulator's
   virtual time, as fast as possible): 1,000 calls are open at any moment, ``--clients`` requests are in
   flight. Every request is signed (``X-Twilio-Signature``) and sent over a kept-alive HTTP/1.1 connection
   (:class:`KeepAliveTransport`; gunicorn's sync worker closes it after each answer, it then reconnects).
4. Figures: contact events written per second (``ContactEvent`` rows added during the measured calls, over
   their wall time), webhook requests per second, client-side latency, and the CPU of gunicorn, of this
   client, of PostgreSQL and of everything else, read from /proc (they share the machine's cores).
5. Checks, in the database, after the measured calls (:func:`verify`): every call the client started has its
   contact with exactly one ``offered`` and one ``completed`` event; no call has two events of a kind that
   happens once (``menu_choice``, ``answered``, ``abandoned``, ``message_played`` …); every call whose menu
   answer took its choice (a callback offer included) has its ``menu_choice`` and exactly one outcome
   (``answered``, ``abandoned``, ``message_played`` or ``callback_requested``), and no other call has a
   ``menu_choice``; the calls answered and abandoned are as
   many as the client counted; the ``X-Tsunagari-Recorded`` headers add up to the rows written; no line is
   left busy and no call left waiting.
6. With ``--profile`` (or when the target is missed): calls replayed in one process through Django's WSGI
   handler (as gunicorn calls it), timed and counted per endpoint, then under cProfile
   (``bench/out/helpline-load-profile.txt``).

Writes ``bench/out/results-helpline-load.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
import wsgiref.util
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
for _path in (ROOT, ROOT / "src"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from bench import navigator_load as shared  # noqa: E402  (gunicorn, CPU accounting, fingerprints)
from tsunagari.helpline import simulator  # noqa: E402  (no Django needed to play calls)
from tsunagari.helpline.signatures import TWILIO_HEADER, sign_twilio  # noqa: E402

OUT = ROOT / "bench" / "out"
RESULT = OUT / "results-helpline-load.json"
PROFILE_TEXT = OUT / "helpline-load-profile.txt"
PROFILE_JSON = OUT / "helpline-load-profile.json"
# gunicorn's error log: navigator_load's Server writes (and first deletes) the file its module names; in
# this process it is our own, so the navigator benchmark's log is left alone.
shared.GUNICORN_LOG = OUT / "helpline-load-gunicorn.log"
DATA_DIR = OUT / "helpline-load-data"
PG_SERVER = os.environ.get("TSUNAGARI_BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
PG_DB = "tsunagari_bench_helpline"
TARGET_EVENTS_PER_SECOND = 2000.0
CONCURRENT_CALLS = 1000
SERVERS = "sync,gthread:4"
MENU = "/helpline/hooks/voice/menu"
#: In the menu's answer, signs that no field was chosen: "invalid, listen again" (a Redirect back to the
#: menu) or the foreign-language menu (a Gather).
NOT_CHOSEN = ("/helpline/hooks/voice/incoming", "<Gather")
#: Tables of what calls leave behind, emptied before each configuration (configuration tables are kept).
RUNTIME_TABLES = ("helpline_contactevent", "helpline_linestate", "helpline_queuedcall", "helpline_contact")


def database_url() -> str:
    return f"{PG_SERVER}/{PG_DB}"


def env(secret_key: str, token: str) -> dict[str, str]:
    """Environment of the server, the setup and the profile: the scratch database only, debug off."""
    return {
        "DATABASE_URL": database_url(),
        "TSUNAGARI_DATA_DIR": str(DATA_DIR),
        "DJANGO_SETTINGS_MODULE": "tsunagari.settings",
        "TSUNAGARI_DEBUG": "0",
        "TSUNAGARI_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "TSUNAGARI_LOG_LEVEL": "WARNING",
        "TSUNAGARI_TWILIO_AUTH_TOKEN": token,
        "SECRET_KEY": secret_key,
    }


def log(message: str) -> None:
    print(f"[helpline {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --------------------------------------------------------------------------------------------
# The scratch database
# --------------------------------------------------------------------------------------------


def _sql(query: str, params=None, *, database: str = PG_DB) -> list[tuple]:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/{database}", autocommit=True, connect_timeout=10) as conn:
        cursor = conn.execute(query, params)
        return cursor.fetchall() if cursor.description else []


def prepare_database(server_env: dict[str, str]) -> None:
    """Drop and recreate ``tsunagari_bench_helpline``, then ``tsunagari setup --demo`` into it."""
    _sql(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)", database="postgres")
    _sql(f"CREATE DATABASE {PG_DB} TEMPLATE template0 ENCODING 'UTF8'", database="postgres")
    cli = Path(sys.executable).with_name("tsunagari")
    subprocess.run(
        [str(cli), "setup", "--demo"], env=dict(os.environ, **server_env), cwd=ROOT, check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip


def empty_runtime_tables() -> None:
    """Forget every call (contacts, events, line states); the configuration stays. No server may run."""
    _sql(f"TRUNCATE {', '.join(RUNTIME_TABLES)} CASCADE")
    _sql("ANALYZE")


def menu_digits() -> tuple[list[str], list[str]]:
    """The digits of the demo menu, and those of crisis fields (read with SQL: no Django here)."""
    rows = _sql(
        "SELECT o.digit, f.crisis FROM helpline_menuoption o JOIN helpline_field f ON f.code = o.field_id "
        "ORDER BY o.digit"
    )
    return [d for d, _c in rows], [d for d, c in rows if c]


def event_count() -> int:
    return _sql("SELECT count(*) FROM helpline_contactevent")[0][0]


def postgres_cpu_seconds() -> float:
    """User + system CPU of PostgreSQL so far: its live processes (backends, WAL writer, checkpointer …) and,
    through the postmaster's children times, the backends that have exited."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            text = stat.read_text()
            if text[text.index("(") + 1 : text.rindex(")")] == "postgres":
                fields = text.rsplit(")", 1)[1].split()
                total += sum(int(x) for x in fields[11:15]) / tick  # utime stime cutime cstime
    return total


# --------------------------------------------------------------------------------------------
# The client
# --------------------------------------------------------------------------------------------


class ServerClosed(ConnectionError):
    pass


class KeepAliveTransport:
    """A :mod:`simulator` transport: signed form POSTs to ``127.0.0.1:port`` over one HTTP/1.1 connection,
    kept open while the server keeps it (a request on a connection the server has just closed is sent
    again on a new one; a request the server may have read is never sent twice).

    Signs as the provider does, over ``http://127.0.0.1:port`` + path and query. Keeps what the checks need:
    the call ids of the calls it started, the ``X-Tsunagari-Recorded`` / ``-Duplicates`` totals, the
    latency of each request (seconds) and the count of answers by status.
    """

    def __init__(self, port: int, token: str) -> None:
        self.address = ("127.0.0.1", port)
        self.host = f"127.0.0.1:{port}"
        self.sign_base = f"http://{self.host}"
        self.token = token
        self.sock: socket.socket | None = None
        self.started_calls: list[str] = []
        self.chosen_calls: set[str] = set()
        self.recorded = 0
        self.duplicates = 0
        self.latencies: list[float] = []
        self.statuses: dict[int, int] = {}
        self.connections = 0

    def post(self, target: str, params: dict[str, str]) -> simulator.Reply:
        parts = urlsplit(target)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        body = urlencode(params).encode()
        signature = sign_twilio(self.token, self.sign_base + path, params)
        request = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Type: {simulator.FORM}\r\n"
            f"Content-Length: {len(body)}\r\n{TWILIO_HEADER}: {signature}\r\n\r\n"
        ).encode() + body
        started = time.perf_counter()
        status, headers, content = self._exchange(request)
        self.latencies.append(time.perf_counter() - started)
        self.statuses[status] = self.statuses.get(status, 0) + 1
        reply = simulator.Reply(
            status,
            content.decode("utf-8", "replace"),
            int(headers.get("x-tsunagari-recorded") or 0),
            int(headers.get("x-tsunagari-duplicates") or 0),
        )
        self.recorded += reply.recorded
        self.duplicates += reply.duplicates
        if parts.path == simulator.INCOMING and "again=" not in parts.query:
            self.started_calls.append(params["CallSid"])
        elif (
            parts.path == MENU
            and status == 200
            and (simulator.CALLBACK in reply.body or not any(x in reply.body for x in NOT_CHOSEN))
        ):
            self.chosen_calls.add(params["CallSid"])  # a field was chosen (a callback offer is a Gather)
        return reply

    def _exchange(self, request: bytes) -> tuple[int, dict[str, str], bytes]:
        for _attempt in range(2):
            reused = self.sock is not None
            if self.sock is None:
                self.sock = socket.create_connection(self.address, timeout=120)
                self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                self.connections += 1
            try:
                self.sock.sendall(request)
                status, headers, content = self._read()
            except ServerClosed:
                self.close()
                if reused:
                    continue  # the server closed the idle connection before reading: send again
                raise
            except OSError:
                self.close()
                raise
            if headers.get("connection", "").lower() == "close":
                self.close()
            return status, headers, content
        raise ConnectionError("the server closed two connections in a row")

    def _read(self) -> tuple[int, dict[str, str], bytes]:
        assert self.sock is not None
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = self.sock.recv(65536)
            if not chunk:
                if data:
                    raise ConnectionError("connection closed in the middle of an answer")
                raise ServerClosed("connection closed before an answer")
            data += chunk
        head, _, content = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if "content-length" not in headers:
            raise ConnectionError(f"answer without Content-Length ({lines[0]})")
        length = int(headers["content-length"])
        while len(content) < length:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed in the middle of an answer")
            content += chunk
        return status, headers, content

    def close(self) -> None:
        if self.sock is not None:
            with contextlib.suppress(OSError):
                self.sock.close()
            self.sock = None


def play(
    port: int, token: str, calls: int, concurrency: int, clients: int, seed: int, digits: tuple[list, list]
) -> dict:
    """``calls`` simulated calls, ``concurrency`` in progress at once, over ``clients`` threads (one
    simulation and one connection each). Returns the figures of the client side."""
    transports = [KeepAliveTransport(port, token) for _ in range(clients)]
    summaries: list[simulator.Summary | None] = [None] * clients
    failures: list[str] = []

    def run(index: int) -> None:
        options = simulator.Options(
            calls=calls // clients + (1 if index < calls % clients else 0),
            concurrency=max(1, concurrency // clients + (1 if index < concurrency % clients else 0)),
            seed=seed * 1000 + index,
            digits=digits[0],
            crisis_digits=digits[1],
        )
        try:
            summaries[index] = simulator.Simulation(transports[index], options).run()
        except Exception as exc:  # reported, and the run is invalid
            failures.append(f"client {index}: {type(exc).__name__}: {exc}")
        finally:
            transports[index].close()

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(clients)]
    cpu, wall = time.process_time(), time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    total = simulator.Summary()
    for summary in summaries:
        for name, value in (summary.as_dict() if summary else {}).items():
            if isinstance(value, int) and not isinstance(value, bool):
                setattr(total, name, getattr(total, name) + value)
            elif name == "error_samples":
                total.error_samples += value[: max(0, 5 - len(total.error_samples))]
    latencies = sorted(x for t in transports for x in t.latencies)
    statuses: dict[int, int] = {}
    for t in transports:
        for status, n in t.statuses.items():
            statuses[status] = statuses.get(status, 0) + n
    return {
        "wall": wall,
        "client_cpu": cpu,
        "summary": total.as_dict(),
        "failures": failures,
        "started_calls": [sid for t in transports for sid in t.started_calls],
        "chosen_calls": {sid for t in transports for sid in t.chosen_calls},
        "recorded": sum(t.recorded for t in transports),
        "duplicates": sum(t.duplicates for t in transports),
        "connections": sum(t.connections for t in transports),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "latency_ms": {
            str(q): round(1000 * latencies[min(len(latencies) - 1, int(q / 100 * len(latencies)))], 2)
            for q in (50, 90, 99, 99.9)
        }
        if latencies
        else {},
        "max_ms": round(1000 * latencies[-1], 1) if latencies else None,
    }


# --------------------------------------------------------------------------------------------
# Checks in the database
# --------------------------------------------------------------------------------------------

#: Kinds a call has at most once (``answered``: a call is answered once, whatever the attempts).
ONCE = (
    "offered",
    "menu_choice",
    "message_played",
    "answered",
    "abandoned",
    "completed",
    "callback_offered",
    "callback_requested",
    "callback_declined",
)
#: What can happen to a call after its field was chosen: exactly one of these.
OUTCOMES = ("answered", "abandoned", "message_played", "callback_requested")


def verify(played: dict, rows_written: int) -> dict:
    """Lost and duplicated events of the measured calls (see the module docstring, step 5). Per call:
    the client knows which calls it started and which chose a field (the menu's answer went on to a
    line, the queue or the other windows); in total: the calls it counted answered and abandoned."""
    sids = played["started_calls"]
    counts: dict[str, dict[str, int]] = {sid: {} for sid in sids}
    for sid, kind, n in _sql(
        "SELECT c.provider_id, e.kind, count(*) FROM helpline_contact c "
        "JOIN helpline_contactevent e ON e.contact_id = c.id WHERE c.provider_id = ANY(%s) GROUP BY 1, 2",
        [sids],
    ):
        counts[sid][kind] = n
    contacts = _sql("SELECT count(*) FROM helpline_contact WHERE provider_id = ANY(%s)", [sids])[0][0]
    summary = played["summary"]

    def having(kind: str) -> int:
        return sum(1 for c in counts.values() if c.get(kind))

    lost = {
        "calls without a contact": len(sids) - contacts,
        "calls without their offered event": sum(1 for c in counts.values() if not c.get("offered")),
        "calls without their completed event": sum(1 for c in counts.values() if not c.get("completed")),
        "recorded by the server but not in the database": max(played["recorded"] - rows_written, 0),
        "answered calls without answered event": max(summary["answered"] - having("answered"), 0),
        "abandoned calls without abandoned event": max(summary["abandoned"] - having("abandoned"), 0),
        "calls that chose a field without menu_choice": sum(
            1 for sid in played["chosen_calls"] if not counts.get(sid, {}).get("menu_choice")
        ),
        "calls that chose a field without an outcome": sum(
            1 for sid in played["chosen_calls"] if not any(counts.get(sid, {}).get(k) for k in OUTCOMES)
        ),
    }
    duplicated = {
        f"calls with two or more {kind}": sum(1 for c in counts.values() if c.get(kind, 0) > 1)
        for kind in ONCE
    }
    duplicated["rows not announced by X-Tsunagari-Recorded"] = max(rows_written - played["recorded"], 0)
    duplicated["answered events beyond the calls answered"] = max(having("answered") - summary["answered"], 0)
    duplicated["abandoned events beyond the calls abandoned"] = max(
        having("abandoned") - summary["abandoned"], 0
    )
    duplicated["calls with two outcomes"] = sum(
        1 for c in counts.values() if sum(1 for k in OUTCOMES if c.get(k)) > 1
    )
    duplicated["menu_choice of calls whose choice was not taken"] = sum(
        1 for sid, c in counts.items() if c.get("menu_choice") and sid not in played["chosen_calls"]
    )
    duplicated["event keys twice"] = _sql(
        "SELECT count(*) - count(DISTINCT event_key) FROM helpline_contactevent"
    )[0][0]
    left_over = {
        "lines left busy": _sql("SELECT count(*) FROM helpline_linestate WHERE busy_with_id IS NOT NULL")[0][
            0
        ],
        "calls left waiting": _sql(
            "SELECT count(DISTINCT q.contact_id) FROM helpline_contactevent q WHERE q.kind = 'queued' AND NOT "
            "EXISTS (SELECT 1 FROM helpline_contactevent e WHERE e.contact_id = q.contact_id "
            "AND e.kind IN ('completed', 'abandoned'))"
        )[0][0],
    }
    return {
        "calls": len(sids),
        "distinct_calls": len(set(sids)),
        "chose_a_field": len(played["chosen_calls"]),
        "told_other_windows": {
            "client": summary["told_other_windows"],
            "message_played": having("message_played"),
        },
        "lost": lost,
        "duplicated": duplicated,
        "left_over": left_over,
        "lost_total": sum(lost.values()),
        "duplicated_total": sum(duplicated.values()) + len(sids) - len(set(sids)),
        "ok": sum(lost.values()) == 0 and sum(duplicated.values()) == 0 and sum(left_over.values()) == 0,
    }


# --------------------------------------------------------------------------------------------
# One configuration
# --------------------------------------------------------------------------------------------


def measure(server: shared.Server, args: argparse.Namespace, token: str, digits, label: str) -> dict:
    log(f"{label}: warm-up, {args.warmup_calls} calls")
    play(server.port, token, args.warmup_calls, min(args.concurrency, args.warmup_calls), args.clients,
         args.seed + 1, digits)  # fmt: skip
    server.wait_idle()
    _sql("ANALYZE")  # planner statistics for tables that were empty (this server runs without autovacuum)
    idle = shared.wait_for_quiet()
    rows_before = event_count()
    log(f"{label}: {args.calls:,} calls, {args.concurrency:,} in progress at once, {args.clients} clients")
    server_cpu, pg_cpu, busy = server.cpu_seconds(), postgres_cpu_seconds(), shared.machine_cpu_seconds()
    played = play(server.port, token, args.calls, args.concurrency, args.clients, args.seed, digits)
    busy = shared.machine_cpu_seconds() - busy
    server_cpu, pg_cpu = server.cpu_seconds() - server_cpu, postgres_cpu_seconds() - pg_cpu
    rows = event_count() - rows_before
    wall = played["wall"]
    checks = verify(played, rows)
    summary = played["summary"]
    run = {
        "label": label,
        "command": server.describe(),
        "calls": args.calls,
        "concurrency": args.concurrency,
        "clients": args.clients,
        "seconds": round(wall, 2),
        "events": rows,
        "events_per_second": round(rows / wall, 1),
        "requests": summary["requests"],
        "requests_per_second": round(summary["requests"] / wall, 1),
        "events_per_request": round(rows / max(summary["requests"], 1), 3),
        "duplicates_refused": played["duplicates"],
        "latency_ms": played["latency_ms"],
        "max_ms": played["max_ms"],
        "statuses": played["statuses"],
        "connections": played["connections"],
        "errors": summary["errors"] + len(played["failures"]),
        "error_samples": summary["error_samples"] + played["failures"][:5],
        "summary": {k: v for k, v in summary.items() if isinstance(v, int) and not isinstance(v, bool)},
        "cpu": {
            "server": round(server_cpu / wall, 2),
            "client": round(played["client_cpu"] / wall, 2),
            "postgresql": round(pg_cpu / wall, 2),
            "other": round(max(busy - server_cpu - played["client_cpu"] - pg_cpu, 0.0) / wall, 2),
            "server_ms_per_request": round(server_cpu * 1000 / max(summary["requests"], 1), 3),
            "client_ms_per_request": round(played["client_cpu"] * 1000 / max(summary["requests"], 1), 3),
            "postgresql_ms_per_request": round(pg_cpu * 1000 / max(summary["requests"], 1), 3),
        },
        "busy_before": round(idle, 2),
        "checks": checks,
    }
    run["disturbed"] = run["cpu"]["other"] > shared.OTHER_CPU_LIMIT
    log(
        f"  {run['events_per_second']:,.0f} events/s ({rows:,} in {wall:.1f} s), "
        f"{run['requests_per_second']:,.0f} requests/s, p50 {run['latency_ms'].get('50')} p99 "
        f"{run['latency_ms'].get('99')} ms, errors {run['errors']}, lost {checks['lost_total']}, duplicated "
        f"{checks['duplicated_total']}, left over {sum(checks['left_over'].values())}; CPU server "
        f"{run['cpu']['server']} / client {run['cpu']['client']} / PostgreSQL {run['cpu']['postgresql']} / "
        f"other {run['cpu']['other']} cores"
    )
    return run


def django_settings(server_env: dict[str, str]) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "d = s.DATABASES['default']; print(json.dumps({'debug': s.DEBUG, 'engine': d['ENGINE'], "
        "'conn_max_age': d.get('CONN_MAX_AGE'), 'conn_health_checks': d.get('CONN_HEALTH_CHECKS'), "
        "'cache_seconds': getattr(s, 'TSUNAGARI_CACHE_SECONDS', None), "
        "'public_base_url': s.TSUNAGARI_PUBLIC_BASE_URL}))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], env=dict(os.environ, **server_env), cwd=ROOT, capture_output=True,
        text=True, check=True,
    )  # fmt: skip
    return json.loads(proc.stdout.strip().splitlines()[-1])


def postgres_settings() -> dict:
    names = ("server_version", "shared_buffers", "synchronous_commit", "autovacuum", "max_connections")
    return {name: _sql(f"SHOW {name}")[0][0] for name in names}


# --------------------------------------------------------------------------------------------
# In-process profile (subprocess: ``--profile-worker``)
# --------------------------------------------------------------------------------------------

#: Named costs read from the profile (cumulative time; rows overlap).
PROFILE_BUCKETS = [
    ("request, whole (WSGI handler)", "django/core/handlers/wsgi.py", "__call__"),
    ("signature check (`verify_twilio`)", "tsunagari/helpline/signatures.py", "verify_twilio"),
    ("start the call (`start_call`)", "tsunagari/helpline/services.py", "start_call"),
    ("menu choice (`choose_field`)", "tsunagari/helpline/services.py", "choose_field"),
    ("routing decision (`_decide`)", "tsunagari/helpline/services.py", "_decide"),
    ("  lines (`routing_snapshot`)", "tsunagari/helpline/selectors.py", "routing_snapshot"),
    ("  waiting calls (`waiting_calls`)", "tsunagari/helpline/selectors.py", "waiting_calls"),
    ("  `routing.route`", "tsunagari/helpline/routing.py", "route"),
    ("state of a call (`call_state`)", "tsunagari/helpline/selectors.py", "call_state"),
    ("writing an event (`record_event`)", "tsunagari/helpline/services.py", "record_event"),
    ("line states (`refresh_line_states`)", "tsunagari/helpline/services.py", "refresh_line_states"),
    ("end of a call (`end_call`)", "tsunagari/helpline/services.py", "end_call"),
    ("TwiML answer (`_render`)", "tsunagari/helpline/webhooks.py", "_render"),
    ("ORM: SQL compilation (`as_sql`)", "django/db/models/sql/compiler.py", "as_sql"),
    ("all SQL statements (`CursorWrapper.execute`)", "django/db/backends/utils.py", "execute"),
    ("transactions (`Atomic.__exit__`)", "django/db/transaction.py", "__exit__"),
    ("ORM: model instances (`Model.from_db`)", "django/db/models/base.py", "from_db"),
]


class WsgiTransport:
    """A :mod:`simulator` transport calling the WSGI application in this process (as gunicorn does);
    times and counts SQL statements per endpoint."""

    def __init__(self, application, token: str) -> None:
        self.application = application
        self.token = token
        self.ms: dict[str, list[float]] = {}
        self.queries: dict[str, int] = {}
        self.statements = 0

    def count(self, execute, sql, params, many, context):
        self.statements += 1
        return execute(sql, params, many, context)

    def post(self, target: str, params: dict[str, str]) -> simulator.Reply:
        parts = urlsplit(target)
        body = urlencode(params).encode()
        url = "http://127.0.0.1:8000" + parts.path + (f"?{parts.query}" if parts.query else "")
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": parts.path,
            "QUERY_STRING": parts.query,
            "HTTP_HOST": "127.0.0.1:8000",
            "CONTENT_TYPE": simulator.FORM,
            "CONTENT_LENGTH": str(len(body)),
            "HTTP_X_TWILIO_SIGNATURE": sign_twilio(self.token, url, params),
            "wsgi.input": io.BytesIO(body),
        }
        wsgiref.util.setup_testing_defaults(environ)  # server name and port from HTTP_HOST, wsgi.* keys
        answer: list = []
        before, started = self.statements, time.perf_counter_ns()
        result = self.application(
            environ, lambda status, headers, exc_info=None: answer.append((status, headers))
        )
        try:
            content = b"".join(result)
        finally:
            result.close()
        endpoint = parts.path.rsplit("/", 1)[-1]
        self.ms.setdefault(endpoint, []).append((time.perf_counter_ns() - started) / 1e6)
        self.queries[endpoint] = self.queries.get(endpoint, 0) + self.statements - before
        status, headers = answer[0]
        named = {k.lower(): v for k, v in headers}
        return simulator.Reply(
            int(status[:3]),
            content.decode(),
            int(named.get("x-tsunagari-recorded", 0)),
            int(named.get("x-tsunagari-duplicates", 0)),
        )


def profile_worker(calls: int, concurrency: int, token: str) -> int:
    """Play calls in this process through the WSGI application: a warm-up, ``calls`` timed (per endpoint,
    with SQL statements counted), then ``calls`` more under cProfile. Writes the figures to
    :data:`PROFILE_JSON`."""
    import cProfile
    import pstats

    import django

    django.setup()
    from django.db import connection

    from tsunagari.wsgi import application  # what gunicorn serves (tsunagari.core.stateless)

    transport = WsgiTransport(application, token)
    digits = menu_digits()

    def simulate(n: int, seed: int) -> simulator.Summary:
        options = simulator.Options(
            calls=n, concurrency=min(concurrency, n), seed=seed, digits=digits[0], crisis_digits=digits[1]
        )
        return simulator.Simulation(transport, options).run()

    simulate(min(200, calls), 11)
    transport.ms.clear()
    transport.queries.clear()
    rows = event_count()
    with connection.execute_wrapper(transport.count):
        timed = simulate(calls, 12)
    rows = event_count() - rows
    times, queries = transport.ms, transport.queries
    transport.ms, transport.queries = {}, {}  # the profiled pass counts apart
    profiler = cProfile.Profile()
    profiler.enable()
    simulate(calls, 13)
    profiler.disable()
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    text.write(f"===== {calls} calls through the WSGI handler, by cumulative time =====\n")
    stats.sort_stats("cumulative").print_stats(60)
    text.write("\n===== by own time =====\n")
    stats.sort_stats("tottime").print_stats(40)
    PROFILE_TEXT.write_text(text.getvalue(), encoding="utf-8")
    total = shared._cumulative(stats, "django/core/handlers/wsgi.py", "__call__")
    requests = sum(len(v) for v in times.values())
    mean_ms = sum(sum(v) for v in times.values()) / max(requests, 1)
    buckets = [
        {
            "what": label,
            "ms": round(shared._cumulative(stats, suffix, name) / total * mean_ms, 3) if total else 0.0,
            "calls": round(shared._calls(stats, suffix, name) / max(requests, 1), 2),
        }
        for label, suffix, name in PROFILE_BUCKETS
    ]
    PROFILE_JSON.write_text(
        json.dumps(
            {
                "calls": calls,
                "requests": requests,
                "events": rows,
                "summary": timed.as_dict(),
                "endpoints": {
                    name: {
                        "requests": len(v),
                        "mean_ms": round(sum(v) / len(v), 3),
                        "p50_ms": round(statistics.median(v), 3),
                        "statements": round(queries.get(name, 0) / len(v), 2),
                    }
                    for name, v in sorted(times.items(), key=lambda kv: -sum(kv[1]))
                },
                "mean_ms": round(mean_ms, 3),
                "buckets": buckets,
            }
        ),
        encoding="utf-8",
    )
    return 0


def run_profile(server_env: dict[str, str], calls: int, concurrency: int) -> dict:
    """:func:`profile_worker` in a subprocess with the scratch database's environment; its figures, with
    the load other processes put on the machine just before."""
    busy_before = shared.wait_for_quiet()
    log(f"profile: {calls} calls in one process, twice (timed, then under cProfile)")
    PROFILE_JSON.unlink(missing_ok=True)
    command = [sys.executable, str(Path(__file__).resolve()), "--profile-worker"]
    command += ["--profile-calls", str(calls), "--concurrency", str(concurrency)]
    subprocess.run(command, env=dict(os.environ, **server_env), cwd=ROOT, check=True)
    return {**json.loads(PROFILE_JSON.read_text(encoding="utf-8")), "busy_before": round(busy_before, 2)}


# --------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--servers", default=SERVERS, help="gunicorn configurations: 'sync', 'gthread:THREADS'"
    )
    parser.add_argument("--calls", type=int, default=12000, help="measured calls per configuration")
    parser.add_argument("--warmup-calls", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=CONCURRENT_CALLS, help="calls in progress at once")
    parser.add_argument("--clients", type=int, default=16, help="client threads = requests in flight")
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--profile", action="store_true", help="profile even when the target is met")
    parser.add_argument("--no-profile", action="store_true", help="never profile")
    parser.add_argument("--profile-calls", type=int, default=1500, help="calls played by the profile")
    parser.add_argument(
        "--profile-only", action="store_true", help="profile again on the last run's database"
    )
    parser.add_argument("--profile-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.profile_worker:
        if os.environ.get("DATABASE_URL") != database_url():
            raise SystemExit("refusing to run: DATABASE_URL must be the scratch helpline database")
        return profile_worker(args.profile_calls, args.concurrency, os.environ["TSUNAGARI_TWILIO_AUTH_TOKEN"])
    if args.profile_only:
        result = json.loads(RESULT.read_text(encoding="utf-8"))
        result["profile"] = run_profile(env("profile-" + secrets.token_urlsafe(40), secrets.token_urlsafe(24)),
                                        args.profile_calls, args.concurrency)  # fmt: skip
        result["profile"]["again_at"] = datetime.now(shared.TOKYO).isoformat(timespec="seconds")
        RESULT.write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
        log(f"updated {RESULT.relative_to(ROOT)}")
        return 0
    configurations = [shared._configuration(text) for text in args.servers.split(",") if text.strip()]
    OUT.mkdir(parents=True, exist_ok=True)
    RESULT.unlink(missing_ok=True)
    token = secrets.token_urlsafe(24)
    server_env = env(secrets.token_urlsafe(50), token)
    idle = shared.machine_quiet()
    log(f"scratch database {PG_DB}: dropped, recreated, tsunagari setup --demo")
    prepare_database(server_env)
    settings = django_settings(server_env)
    if settings["debug"]:
        raise SystemExit("refusing to measure with DEBUG on")
    digits = menu_digits()
    code = shared.source_fingerprint()
    runs = []
    for worker_class, threads in configurations:
        empty_runtime_tables()
        server = shared.Server(server_env, worker_class, threads, defer_accept=True)
        label = f"{worker_class} {shared.WORKERS}×{threads}"
        try:
            server.start()
            log(f"gunicorn on 127.0.0.1:{server.port}: {server.describe()}")
            runs.append(measure(server, args, token, digits, label))
        finally:
            server.stop()
    best = max(runs, key=lambda r: r["events_per_second"])
    verdict = {
        "best": best["label"],
        "events_per_second": best["events_per_second"],
        "met": best["events_per_second"] >= TARGET_EVENTS_PER_SECOND and best["checks"]["ok"],
        "valid": all(r["errors"] == 0 and r["checks"]["ok"] for r in runs),
        "disturbed": any(r["disturbed"] for r in runs),
    }
    profile = None
    if args.profile or (not verdict["met"] and not args.no_profile):
        profile = run_profile(server_env, args.profile_calls, args.concurrency)
    RESULT.write_text(
        json.dumps(
            {
                "measured_at": datetime.now(shared.TOKYO).isoformat(timespec="seconds"),
                "code": code
                if code == shared.source_fingerprint()
                else f"{code} (src/ changed during the run)",
                "busy_before": round(idle, 2),
                "workers": shared.WORKERS,
                "settings": settings,
                "postgresql": postgres_settings(),
                "gunicorn": shared._version("gunicorn"),
                "django": shared._version("django"),
                "psycopg": shared._version("psycopg"),
                "python": sys.version.split()[0],
                "runs": runs,
                "verdict": verdict,
                "profile": profile,
            },
            indent=1,
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    log(f"wrote {RESULT.relative_to(ROOT)}: {verdict}")
    return 0 if verdict["valid"] else 1


if __name__ == "__main__":
    sys.exit(main())
