"""The "Helpline" section of BENCHMARKS.md, from the results of the three helpline benchmarks.

``section(machine, current)`` renders it from ``bench/out/results-helpline-{load,year,stats}.json``
(written by ``bench/helpline_load.py``, ``helpline_year.py``, ``helpline_stats.py``); a part whose
results file is missing is kept as ``current`` (the text of BENCHMARKS.md) has it, so a run on another
machine without ``bench/out`` does not erase measured figures. ``replace_section(text, lines)`` puts the
section in place of the old one, or before "## Notes". Figures are printed as measured; nothing here
measures.
"""

from __future__ import annotations

import json
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
SECTION = "Helpline"
PARTS = {
    "load": ("### Voice webhooks under load", OUT / "results-helpline-load.json"),
    "year": ("### A year of calls in the simulator", OUT / "results-helpline-year.json"),
    "stats": ("### Statistics of a whole trial period", OUT / "results-helpline-stats.json"),
}


def _read(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _block(text: str, heading: str, level: str) -> list[str]:
    """The lines of the block under ``heading`` in ``text`` (up to the next heading of its level or above)."""
    lines = text.split("\n")
    if heading not in lines:
        return []
    start = lines.index(heading)
    stops = ("## ", "### ") if level == "###" else ("## ",)
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith(stops)), len(lines))
    return lines[start:end]


def replace_section(text: str, lines: list[str], section: str = SECTION) -> str:
    """``text`` with its ``## section`` (default "Helpline") replaced by ``lines`` (or inserted before
    "## Notes"); ``bench/run.py`` uses it for the "Navigator under load" section too."""
    old = _block(text, f"## {section}", "##")
    new = "\n".join(lines).strip("\n")
    if old:
        return text.replace("\n".join(old).rstrip("\n"), new, 1)
    notes = text.find("\n## Notes\n")
    if notes == -1:
        return text.rstrip("\n") + "\n\n" + new + "\n"
    return text[: notes + 1] + new + "\n\n" + text[notes + 1 :]


def section(machine: dict, current: str = "") -> list[str]:
    """The whole section; [] when nothing was ever measured."""
    kept = _block(current, f"## {SECTION}", "##")
    parts = []
    for name, (heading, path) in PARTS.items():
        result = _read(path)
        if result is not None:
            parts.append(RENDER[name](result))
        else:
            parts.append(_block("\n".join(kept), heading, "###"))
    if not any(parts):
        return []
    lines = [
        f"## {SECTION}",
        "",
        f"The unified line #9999 (`src/tsunagari/helpline/`), measured by `.venv/bin/python bench/run.py --only "
        f"helpline` on {machine['cpu']}, {machine['cores']} cores, {machine['ram']} RAM, {machine['os']} "
        "(the machine is shared: other processes' CPU during each load run is in its table). Targets from issue "
        "#4; no timing is asserted in the test suite.",
    ]
    for part in parts:
        if part:
            lines += ["", *part]
    return [line.rstrip() for line in lines]


def _n(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.1f}"


def _load_lines(r: dict) -> list[str]:
    runs = r["runs"]
    first = runs[0]
    v = r["verdict"]
    pg = r.get("postgresql", {})
    lines = [
        PARTS["load"][0],
        "",
        f"Measured {r['measured_at']} by `bench/helpline_load.py`; code: files under `src/` with fingerprint "
        f"`{r['code']}`. Target: **≥ 2,000 contact events/s on PostgreSQL with 0 lost or duplicated events under "
        "1,000 concurrent simulated calls**.",
        "",
        f"- Server: gunicorn {r['gunicorn']} with {r['workers']} workers, Django {r['django']}, psycopg "
        f"{r['psycopg']}, Python {r['python']}, DEBUG off, settings as they come (`CONN_MAX_AGE` "
        f"{r['settings'].get('conn_max_age')}, health checks {r['settings'].get('conn_health_checks')}, "
        f"`TSUNAGARI_CACHE_SECONDS` {r['settings'].get('cache_seconds')}); PostgreSQL {pg.get('server_version')} "
        f"on the same machine (`shared_buffers` {pg.get('shared_buffers')}, `synchronous_commit` "
        f"{pg.get('synchronous_commit')}, autovacuum {pg.get('autovacuum')}), scratch database "
        "`tsunagari_bench_helpline` dropped, recreated and filled by `tsunagari setup --demo` (4 fields, 5 lines "
        "staffed around the clock, queues of 5–10 calls); the call tables are emptied before each configuration.",
        f"- Load: {first['calls']:,} calls per configuration (after a warm-up of a few hundred and `ANALYZE`), "
        f"**{first['concurrency']:,} calls in progress at once**, played by the project's simulator "
        "(`helpline/simulator.py`, unchanged) in "
        f"{first['clients']} client threads of one process (one simulation and one kept-alive HTTP/1.1 "
        "connection each, so that many requests in flight). Each call goes through the real endpoints with a "
        "valid `X-Twilio-Signature`: incoming → menu digit → dial a line (rings, answers or not) or the queue "
        "(wait URL polls, queue exit) or the other windows → line status callbacks → the call's status "
        "callback; 15 % of status callbacks are sent twice and 15 % of calls send theirs out of order.",
        "- Figures: *events/s* = `ContactEvent` rows written during the measured calls over their wall time; "
        "*requests/s* = webhook requests; latency seen by the client. CPU in cores, from /proc: gunicorn "
        "(master and workers), the client process, every PostgreSQL process, and the rest of the machine.",
        "- Checks after each run, in the database: every call the client started has one `offered` and one "
        "`completed` event; no call has two `menu_choice`, `answered`, `abandoned`, `message_played`, "
        "`offered` or `completed`; every call whose menu answer took its choice has its `menu_choice` and "
        "exactly one outcome (`answered`, `abandoned`, `message_played` or `callback_requested`), and no other call a `menu_choice`; "
        "calls answered and abandoned are as many as the client counted; the `X-Tsunagari-Recorded` headers "
        "add up to the rows written; no line left busy, no call left waiting. *lost* and *duplicated* in the "
        "table add up the failures of these checks.",
        "",
        "| server | calls | events | events/s | requests/s | events/request | p50 ms | p99 ms | errors | lost "
        "| duplicated | left over | server CPU | client CPU | PostgreSQL CPU | other CPU | server ms/request |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        c, k = run["cpu"], run["checks"]
        lines.append(
            f"| `{run['label']}`, {run['clients']} clients | {run['calls']:,} | {run['events']:,} | "
            f"**{run['events_per_second']:,.0f}** | {run['requests_per_second']:,.0f} | "
            f"{run['events_per_request']:.2f} | {_n(run['latency_ms'].get('50', 0))} | "
            f"{_n(run['latency_ms'].get('99', 0))} | {run['errors']} | {k['lost_total']} | "
            f"{k['duplicated_total']} | {sum(k['left_over'].values())} | {c['server']:.2f} | {c['client']:.2f} | "
            f"{c['postgresql']:.2f} | {c['other']:.2f}{' ⚠' if run.get('disturbed') else ''} | "
            f"{c['server_ms_per_request']:.2f} |"
        )
    duplicates = ", ".join(f"{run['duplicates_refused']:,}" for run in runs)
    told = "; ".join(
        f"{run['checks']['told_other_windows']['client']:,} / {run['checks']['told_other_windows']['message_played']:,}"
        for run in runs
        if "told_other_windows" in run["checks"]
    )
    disturbed = any(run.get("disturbed") for run in runs)
    lines += [
        "",
        f"Repeated callbacks refused as duplicates (`X-Tsunagari-Duplicates`): {duplicates}. Calls the simulator "
        f"counted as told the other windows / calls with `message_played`: {told} (the simulator also counts a "
        "caller who pressed an invalid digit and then nothing until the line hung up)."
        + (" ⚠: other processes used more than 0.2 cores during the run." if disturbed else ""),
        "",
        (
            f"**Target met**: {v['events_per_second']:,.0f} events/s with `{v['best']}`."
            if v["met"]
            else f"**Target missed**: at most {v['events_per_second']:,.0f} contact events/s (`{v['best']}`), "
            f"against 2,000; {'no' if v['valid'] else 'SOME'} lost or duplicated events"
            + (" (every check passed)." if v["valid"] else ": see the checks.")
        ),
    ]
    profile = r.get("profile")
    if profile:
        lines += _profile_lines(profile)
    return [*lines, "", *LOAD_NOTES]


#: Single checks made while the server code was optimised (same benchmark, one run each unless said).
LOAD_NOTES = [
    "Notes (single checks on 2026-11-23, 1,000 calls in progress at once, one run each unless said):",
    "",
    "- Before the changes below: **43 events/s** (1,000 calls, sync 2×1, 16 clients, 0 lost or duplicated; other "
    "processes kept 1.26 cores busy during that run). In one process, with 200 calls in progress, a `menu` "
    "request took 89 ms and a queue poll 64 ms (23 and 19 SQL statements): every routing decision read the "
    "configuration again, checked every queue event of the last 4 hours against the end events (2–51 ms in "
    "PostgreSQL alone, growing with the run, more with stale planner statistics), and a line's state was "
    "re-derived from all its holds of the last 4 hours.",
    "- What changed in `src/tsunagari/helpline/`: the configuration (fields, policies, menus, lines with their "
    "shifts) is read once per `TSUNAGARI_CACHE_SECONDS` per process (`config.py`; a write to it empties the "
    "cache of the process that wrote); contacts, events and line states on the hot path are read and written "
    "with plain SQL written once (`voice_store.py`: looking a call up took 0.75 ms of CPU through the ORM, "
    "0.15 ms as plain SQL); the calls that may be waiting are kept in a derived table (`QueuedCall`, migration "
    "0006, like `LineState`), so routing reads about one row per waiting call; a line's state is re-derived "
    "from the holds of its current holder and of the call whose event is written; an event that touches "
    "nothing else is one INSERT, without a transaction of its own; repeated `answered` / `not_answered` "
    "callbacks are recognised from the call's state instead of a failing INSERT; a new call is inserted "
    "without being looked up first. With the cache and the plain SQL but not yet `QueuedCall`: 221 events/s "
    "(6,000 calls, sync 2×1) and PostgreSQL the busiest process (0.88 cores, the waiting-calls query); with "
    "`QueuedCall` it used 0.26–0.45 cores.",
    "- Worker class (4,000 calls each, code of the same hour; the last two changes above came between some of "
    "these runs): sync 2×1 with 4, 8 and 16 clients 346, 318 and 313 events/s (8 clients earlier: 373); "
    "gthread 2×4 with 8, 16 and 32 clients 252, 383 and 310; gthread 2×2 with 16 clients 274; gthread 2×8 "
    "with 32 clients 333. gthread 2×4 with 16 clients gave 272, 365, 280 and 383 in four runs: runs of one "
    "configuration differ by up to 40 % on this shared machine, more than the configurations do. gthread's "
    "threads cost more server CPU per request (3.7–5.4 ms against 3.5–4.2 ms for sync); a sync worker is idle "
    "while PostgreSQL answers and flushes its WAL (`synchronous_commit` on). Neither keeps both cores busy: "
    "gunicorn, the client and PostgreSQL together used 1.5–1.8 cores.",
    "- This PostgreSQL server runs with autovacuum off: the benchmark runs `ANALYZE` after the warm-up, or the "
    "planner keeps the statistics of the emptied tables.",
    "- Every request also pays Django's connection health check (`CONN_HEALTH_CHECKS`: one `SELECT 1` round "
    "trip per request) and the portal's middleware; neither was changed here.",
]


def _profile_lines(p: dict) -> list[str]:
    lines = [
        "",
        "Where a request's time goes: "
        f"{p['calls']:,} calls ({p['requests']:,} requests, {p['events']:,} events) played in one process "
        "through Django's WSGI handler, as gunicorn calls it, on the same database, then as many again under "
        "cProfile (full profile: `bench/out/helpline-load-profile.txt`). Wall milliseconds per request "
        "(database waits included), SQL statements per request:",
        "",
        "| endpoint | requests | mean ms | p50 ms | SQL statements |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, e in p["endpoints"].items():
        lines.append(
            f"| `{name}` | {e['requests']:,} | {e['mean_ms']:.2f} | {e['p50_ms']:.2f} | {e['statements']:.1f} |"
        )
    lines += [
        "",
        "Cumulative cost per request (rows overlap: a row includes what it calls; the profile's share of the "
        "handler's time times the unprofiled mean), and calls per request:",
        "",
        "| what | ms/request | calls/request |",
        "|---|---:|---:|",
    ]
    for b in p["buckets"]:
        if b["ms"] >= 0.005:
            lines.append(f"| {b['what']} | {b['ms']:.2f} | {b['calls']:.2f} |")
    return lines


def _year_lines(r: dict) -> list[str]:
    m = r["model"]
    runs = r["runs"]
    lines = [
        PARTS["year"][0],
        "",
        f"Measured {r['measured_at']} by `bench/helpline_year.py`: `helpline.simulation.simulate` (pure Python, "
        f"one process, Python {r['python']}) over {m['days']} days of 24 hours with {m['expected_calls']:,} "
        "expected calls, a CONSTRUCTED model (not published figures): the scenarios' diurnal profile "
        f"(`placement.hour_weights`, {min(m['calls_per_hour'])}–{max(m['calls_per_hour'])} calls/hour), "
        f"handling time exponential with mean {m['aht_sec'] / 60:.0f} min, patience exponential with mean "
        f"{m['patience_sec'] / 60:.0f} min, at most {m['max_queue']} queued, {m['crisis_share']:.0%} crisis "
        f"callers first, {min(m['lines_by_hour'])}–{max(m['lines_by_hour'])} lines by hour "
        f"(`staffing.lines_needed`, Erlang A, {m['answered_target']:.0%} answered). Target: **≤ "
        f"{r['target_seconds']:.0f} s**.",
        "",
        "| seed | calls simulated | seconds | CPU seconds | calls/s | answered | abandoned | blocked |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        lines.append(
            f"| {run['seed']} | {run['calls_simulated']:,} | {run['seconds']:.2f} | {run['cpu_seconds']:.2f} | "
            f"{run['calls_per_second']:,} | {run['answer_rate']:.1%} | {run['abandoned']:,} | {run['blocked']:,} |"
        )
    lines += [
        "",
        f"**Target {'met' if r['met'] else 'missed'}**: {r['median_seconds']:.2f} s median, {r['max_seconds']:.2f} s "
        "at most.",
    ]
    return lines


def _stats_lines(r: dict) -> list[str]:
    results = r["results"]
    target = r.get("target_ms", 200.0)
    lines = [
        PARTS["stats"][0],
        "",
        f"Measured {r.get('measured_at', '?')} by `bench/helpline_stats.py`: the 年末年始 trial scenario "
        f"({results[0]['contacts']:,} contacts, {results[0]['events']:,} events, `helpline.scenarios`) loaded "
        "into a scratch database per engine (`bench/out/helpline_stats.sqlite3`, PostgreSQL "
        "`tsunagari_bench_stats`), `ANALYZE`d; then what the statistics page computes for the whole period, "
        f"after one warm-up, {results[0]['repeat']} times each: `stats_selectors.report` (one grouped query and "
        "the pure aggregation), the report plus `record_summary` (the page's figures), and both for one field. "
        f"Milliseconds. Target: **≤ {target:.0f} ms** for the whole period.",
        "",
        "| database | report median | p95 | max | report + records median | p95 | one field median | p95 | "
        "first call | target (median of the page's figures) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for x in results:
        rep, page, field = x["report"], x["report_and_records"], x["field_filtered"]
        label = "SQLite" if x["database"] == "sqlite" else "PostgreSQL"
        lines.append(
            f"| {label} | {rep['median_ms']:.0f} | {rep['p95_ms']:.0f} | {rep['max_ms']:.0f} | "
            f"{page['median_ms']:.0f} | {page['p95_ms']:.0f} | {field['median_ms']:.0f} | {field['p95_ms']:.0f} | "
            f"{x['first_ms']:.0f} | {'met' if page['median_ms'] <= target else '**missed**'} |"
        )
    return lines


RENDER = {"load": _load_lines, "year": _year_lines, "stats": _stats_lines}
