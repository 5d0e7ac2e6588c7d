"""Network benchmarks (issue 7): the public member list with 10,000 bodies, and a newsletter issue
sent to 100,000 recipients through Django's file e-mail backend.

    flock /tmp/tsunagari-bench.lock .venv/bin/python bench/network_bench.py [--db postgresql|sqlite]
        [--bodies N] [--recipients N] [--requests N] [--no-report]

``bench/run.py --only network`` runs it too. The parent process starts one worker subprocess per
part (``--part members|newsletter``) with ``DATABASE_URL`` pointing at a scratch database, never the
real one: PostgreSQL ``tsunagari_bench_network`` (dropped and recreated; server from
``TSUNAGARI_BENCH_PG``) or SQLite ``bench/out/network.sqlite3``. Each worker migrates, fills its data
with bulk inserts and measures:

- members: ``GET /network/<id>/members/`` through Django's test client in the worker's process (the
  whole request: middleware, selectors, template), page 1, a middle page, the last page and a class
  filter, interleaved; p50/p95/max per page and over all. Target p95 ≤ 50 ms.
- newsletter: one issue queued for N subscribers and sent by ``newsletter_sender.send_due`` through
  ``django.core.mail.backends.filebased`` into a scratch folder; wall time (target ≤ 60 s), the
  process's RSS sampled every 0.1 s during the send (flat memory: the peak minus the RSS at the start
  of the send), then checked: every delivery ``sent``, exactly N messages with N distinct recipients
  in the written files, and a second run sends nothing.

Results go to ``bench/out/results-network.json`` and the "Network" section of ``BENCHMARKS.md``
(``bench.helpline_report.replace_section``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
RESULT = OUT / "results-network.json"
REPORT = ROOT / "BENCHMARKS.md"
PG_SERVER = os.environ.get("TSUNAGARI_BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
PG_DB = "tsunagari_bench_network"
SQLITE_DB = OUT / "network.sqlite3"
MAIL_DIR = OUT / "network-mail"
TARGET_P95_MS = 50.0
TARGET_SEND_S = 60.0
TOKYO = ZoneInfo("Asia/Tokyo")
SECTION = "Network"

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def database_url(db: str) -> str:
    return f"{PG_SERVER}/{PG_DB}" if db == "postgresql" else f"sqlite:///{SQLITE_DB}"


def _fresh_database(db: str) -> None:
    if db == "sqlite":
        SQLITE_DB.unlink(missing_ok=True)
        return
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{PG_DB}"')


# --------------------------------------------------------------------------------------------
# Worker: one part in a scratch database
# --------------------------------------------------------------------------------------------


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tsunagari.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _platform():
    from tsunagari.network.models import Platform

    return Platform.objects.create(
        name="孤独・孤立対策官民連携プラットフォーム（ベンチマーク）", scope="national"
    )


def _classes(n: int) -> list[str]:
    # 407 : 161 : 47 (seed 001, 2025-01-01)
    pattern = ["member"] * 407 + ["cooperating"] * 161 + ["supporting"] * 47
    return [pattern[(i * 7919) % len(pattern)] for i in range(n)]


def _fill_members(bodies: int) -> int:
    from tsunagari.core.models import LocalGovernment
    from tsunagari.core.services import load_local_governments
    from tsunagari.core.vocabulary import TOPICS
    from tsunagari.network.dedupe import normalize_key
    from tsunagari.network.models import MemberBody, MemberBodyTopic, Membership

    load_local_governments()
    platform = _platform()
    areas = list(LocalGovernment.objects.order_by("code").values_list("pk", flat=True))
    topics = list(TOPICS)
    chunk = 2000
    classes = _classes(bodies)
    for start in range(0, bodies, chunk):
        rows = []
        for i in range(start, min(bodies, start + chunk)):
            name = f"特定非営利活動法人 つながり支援ネットワーク{i:05d}"
            rows.append(
                MemberBody(
                    name=name,
                    name_key=normalize_key(name),
                    address=f"東京都千代田区永田町{i % 3 + 1}丁目{i % 20 + 1}番",
                    address_key=normalize_key(f"東京都千代田区永田町{i % 3 + 1}丁目{i % 20 + 1}番"),
                    website=f"https://example.org/body/{i}" if i % 3 == 0 else "",
                    nationwide=i % 10 == 0,
                )
            )
        created = MemberBody.objects.bulk_create(rows)
        if created[0].pk is None:  # SQLite before RETURNING support
            created = list(MemberBody.objects.order_by("-pk")[: len(rows)])[::-1]
        Through = MemberBody.areas.through
        links, tags, memberships = [], [], []
        for offset, body in enumerate(created):
            i = start + offset
            memberships.append(
                Membership(
                    platform=platform,
                    body=body,
                    member_class=classes[i],
                    joined_on=date(2022, 2, 25),
                    listed_publicly=i % 20 != 0,  # 5 % did not agree to be listed
                )
            )
            if not body.nationwide:
                for k in range(1 + i % 2):
                    links.append(
                        Through(
                            memberbody_id=body.pk, localgovernment_id=areas[(i * 31 + k * 7) % len(areas)]
                        )
                    )
            for k in range(2):
                tags.append(MemberBodyTopic(body=body, code=topics[(i + k * 5) % len(topics)]))
        Through.objects.bulk_create(links)
        MemberBodyTopic.objects.bulk_create(tags)
        Membership.objects.bulk_create(memberships)
    return platform.pk


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def _summary(times: list[float]) -> dict:
    return {
        "n": len(times),
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(_percentile(times, 0.95), 2),
        "max_ms": round(max(times), 2),
    }


def part_members(args) -> dict:
    from django.db import connection
    from django.test import Client

    from tsunagari.network.models import Membership

    started = time.perf_counter()
    platform_id = _fill_members(args.bodies)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    fill_s = time.perf_counter() - started
    listed = Membership.objects.filter(platform_id=platform_id, listed_publicly=True).count()
    last_page = (listed + 49) // 50
    url = f"/network/{platform_id}/members/"
    pages = {
        "page 1": url,
        "middle page": f"{url}?page={last_page // 2}",
        "last page": f"{url}?page={last_page}",
        "class 賛助会員, page 1": f"{url}?class=supporting",
    }
    client = Client(HTTP_HOST="127.0.0.1")
    for path in pages.values():  # warm-up (templates, connection, caches)
        for _ in range(3):
            assert client.get(path).status_code == 200
    times: dict[str, list[float]] = {name: [] for name in pages}
    body_sizes = {}
    for _ in range(args.requests):
        for name, path in pages.items():
            t0 = time.perf_counter_ns()
            response = client.get(path)
            times[name].append((time.perf_counter_ns() - t0) / 1e6)
            assert response.status_code == 200
            body_sizes[name] = len(response.content)
    everything = [t for series in times.values() for t in series]
    return {
        "bodies": args.bodies,
        "listed": listed,
        "pages": last_page,
        "fill_s": round(fill_s, 1),
        "per_page": {name: {**_summary(series), "bytes": body_sizes[name]} for name, series in times.items()},
        "all": _summary(everything),
        "target_p95_ms": TARGET_P95_MS,
    }


def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _fill_newsletter(recipients: int):
    from django.utils import timezone

    from tsunagari.network import newsletter_services
    from tsunagari.network.models import Issue, Newsletter, Subscriber

    newsletter = Newsletter.objects.create(
        platform=_platform(), name="官民連携プラットフォーム メールマガジン", from_email="mag@example.jp"
    )
    chunk = 5000
    for start in range(0, recipients, chunk):
        Subscriber.objects.bulk_create(
            Subscriber(newsletter=newsletter, email=f"r{i:06d}@example.org", subscribed_at=timezone.now())
            for i in range(start, min(recipients, start + chunk))
        )
    issue = Issue.objects.create(
        newsletter=newsletter,
        subject="メールマガジン 第100号",
        body="会員の皆さまへ\n\n今月の活動紹介、イベントのお知らせ、支援情報をお届けします。\n" * 20,
    )
    queued = newsletter_services.queue_issue(issue)
    return issue, queued


def part_newsletter(args) -> dict:
    import gc

    from django.conf import settings
    from django.db import connection

    from tsunagari.network.models import Delivery
    from tsunagari.network.newsletter_sender import send_due

    settings.TSUNAGARI_PUBLIC_BASE_URL = "https://tsunagari.example.jp"
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    MAIL_DIR.mkdir(parents=True, exist_ok=True)
    for old in MAIL_DIR.iterdir():
        old.unlink()
    settings.EMAIL_FILE_PATH = str(MAIL_DIR)
    started = time.perf_counter()
    issue, queued = _fill_newsletter(args.recipients)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    fill_s = time.perf_counter() - started
    gc.collect()
    load_before = os.getloadavg()[0]
    samples: list[tuple[float, int]] = []
    stop = threading.Event()
    rss_start = _rss_kib()

    def sample() -> None:
        t0 = time.perf_counter()
        while not stop.is_set():
            samples.append((time.perf_counter() - t0, _rss_kib()))
            stop.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t0, cpu0 = time.perf_counter(), time.process_time()
    report = send_due(batch_size=args.batch_size)
    send_s, cpu_s = time.perf_counter() - t0, time.process_time() - cpu0
    stop.set()
    sampler.join()
    rss_end = _rss_kib()
    second = send_due(batch_size=args.batch_size)
    statuses = dict(
        issue.deliveries.values_list("status").annotate(
            n=__import__("django.db.models", fromlist=["Count"]).Count("id")
        )
    )
    recipients_written: list[str] = []
    size = 0
    for path in MAIL_DIR.iterdir():
        size += path.stat().st_size
        with open(path, encoding="utf-8", errors="replace") as handle:
            recipients_written += [line[4:].strip() for line in handle if line.startswith("To: ")]
    peak = max(kib for _t, kib in samples) if samples else rss_end
    # RSS in the first and last tenth of the send: flat memory means they are about the same
    n = len(samples)
    head = [kib for _t, kib in samples[: max(1, n // 10)]]
    tail = [kib for _t, kib in samples[-max(1, n // 10) :]]
    return {
        "recipients": args.recipients,
        "queued": queued,
        "batch_size": args.batch_size,
        "fill_s": round(fill_s, 1),
        "send_s": round(send_s, 1),
        "send_cpu_s": round(cpu_s, 1),
        "load_before": round(load_before, 2),
        "load_after": round(os.getloadavg()[0], 2),
        "per_second": round(report.sent / send_s) if send_s else None,
        "sent": report.sent,
        "second_run_sent": second.sent,
        "statuses": statuses,
        "messages_written": len(recipients_written),
        "distinct_recipients": len(set(recipients_written)),
        "files": len(list(MAIL_DIR.iterdir())),
        "mail_bytes": size,
        "rss_start_mib": round(rss_start / 1024, 1),
        "rss_peak_mib": round(peak / 1024, 1),
        "rss_first_tenth_mib": round(max(head) / 1024, 1) if samples else None,
        "rss_last_tenth_mib": round(max(tail) / 1024, 1) if samples else None,
        "rss_end_mib": round(rss_end / 1024, 1),
        "samples": n,
        "target_send_s": TARGET_SEND_S,
        "ok": report.sent == args.recipients
        and second.sent == 0
        and statuses == {Delivery.Status.SENT: args.recipients}
        and len(recipients_written) == args.recipients == len(set(recipients_written)),
    }


def worker(args) -> int:
    if os.environ.get("DATABASE_URL") != database_url(args.db):
        raise SystemExit("refusing to run: DATABASE_URL must be the scratch network database")
    _setup_django()
    from django.db import connection

    result = part_members(args) if args.part == "members" else part_newsletter(args)
    if connection.vendor == "postgresql":
        version = connection.cursor().connection.info.server_version
        result["database"] = f"PostgreSQL {version // 10000}.{version % 10000}"
    else:
        result["database"] = f"SQLite {'.'.join(map(str, connection.Database.sqlite_version_info))}"
    for path in MAIL_DIR.glob("*") if args.part == "newsletter" else ():
        path.unlink()
    print(json.dumps(result, ensure_ascii=False))
    return 0


# --------------------------------------------------------------------------------------------
# Parent: run the workers, write the JSON and BENCHMARKS.md
# --------------------------------------------------------------------------------------------


def machine() -> dict:
    from bench.run import _machine

    return _machine()


def run_part(part: str, args) -> dict:
    _fresh_database(args.db)
    env = {
        **os.environ,
        "DATABASE_URL": database_url(args.db),
        "TSUNAGARI_DATA_DIR": str(OUT / "data"),
        "DJANGO_SETTINGS_MODULE": "tsunagari.settings",
        "TSUNAGARI_DEBUG": "0",
    }
    cmd = [sys.executable, __file__, "--worker", "--part", part, "--db", args.db]
    cmd += [
        "--bodies",
        str(args.bodies),
        "--recipients",
        str(args.recipients),
        "--requests",
        str(args.requests),
    ]
    cmd += ["--batch-size", str(args.batch_size)]
    print(f"network bench: {part} ({args.db}) …", file=sys.stderr, flush=True)
    done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"network bench: the {part} worker failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


def section_lines(result: dict) -> list[str]:
    m, n, info = result["members"], result["newsletter"], result["machine"]
    lines = [
        f"## {SECTION}",
        "",
        f"The network app (`src/tsunagari/network/`), measured {result['measured_at']} by "
        f"`bench/network_bench.py` (`bench/run.py --only network`) on {info['cpu']}, {info['cores']} cores, "
        f"{info['ram']} RAM, {info['os']}; Python {result['python']}, {m['database']} (scratch database "
        "`tsunagari_bench_network`, recreated for each part, same machine, default configuration). "
        "Targets from issue #7; no timing is asserted in the test suite. The machine is shared with other "
        "engineers' processes: figures vary between runs.",
        "",
        f"### Member list `/network/<id>/members/` with {m['bodies']:,} member bodies",
        "",
        f"{m['listed']:,} listed publicly ({m['pages']} pages of 50), one or two areas and two topics each. "
        f"Django test client in one process (middleware, selectors, template; no network, DEBUG off), "
        f"{m['per_page']['page 1']['n']} requests per page after warm-up, interleaved. Target p95 ≤ "
        f"{m['target_p95_ms']:.0f} ms.",
        "",
        "| page | p50 ms | p95 ms | max ms | bytes |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, s in m["per_page"].items():
        lines.append(f"| {name} | {s['p50_ms']} | {s['p95_ms']} | {s['max_ms']} | {s['bytes']:,} |")
    a = m["all"]
    verdict = "met" if a["p95_ms"] <= m["target_p95_ms"] else "**not met**"
    lines += [
        f"| **all** | {a['p50_ms']} | **{a['p95_ms']}** | {a['max_ms']} | |",
        "",
        f"Target {verdict}.",
        "",
        f"### Newsletter to {n['recipients']:,} recipients (file e-mail backend)",
        "",
        f"One issue queued for {n['queued']:,} subscribers, sent by `newsletter_sender.send_due` "
        f"(batches of {n['batch_size']}) through `django.core.mail.backends.filebased` in one process; RSS of "
        f"that process sampled every 0.1 s ({n['samples']} samples). Target ≤ {n['target_send_s']:.0f} s, "
        "memory flat.",
        "",
        "| figure | value |",
        "|---|---:|",
        f"| send time | **{n['send_s']} s** ({n['per_second']:,} messages/s) |",
        f"| CPU time of the sending process | {n['send_cpu_s']} s |",
        f"| machine load (1-min average) before / after the send | {n['load_before']} / {n['load_after']} |",
        f"| messages written / distinct recipients | {n['messages_written']:,} / {n['distinct_recipients']:,} |",
        f"| deliveries by status after the run | {', '.join(f'{k} {v:,}' for k, v in n['statuses'].items())} |",
        f"| sent by a second run | {n['second_run_sent']} |",
        f"| RSS at the start of the send | {n['rss_start_mib']} MiB |",
        f"| RSS, highest in the first / last tenth of the send | {n['rss_first_tenth_mib']} / {n['rss_last_tenth_mib']} MiB |",
        f"| RSS peak during the send | {n['rss_peak_mib']} MiB |",
        "",
        f"Checks {'passed' if n['ok'] else '**failed**'} (each recipient exactly once, all `sent`, nothing sent by "
        f"the second run). Target {'met' if n['send_s'] <= n['target_send_s'] else '**not met**'}.",
    ]
    lines += ["", *result.get("notes", [])] if result.get("notes") else []
    return lines


def write_report(result: dict) -> None:
    from bench.helpline_report import replace_section

    text = REPORT.read_text(encoding="utf-8")
    REPORT.write_text(replace_section(text, section_lines(result), SECTION), encoding="utf-8")


NOTES: list[str] = [
    "What changed (measured on this machine, same data):",
    "",
    "- Member list, before: p50 90 ms, p95 137 ms over the four pages (20 requests each, 2026-11-23), in line "
    "with the ≈ 100 ms measured earlier. Two causes: PostgreSQL sorted the whole joined rows (every column of "
    "9,500 bodies) for `ORDER BY name_key` with the page's OFFSET, spilling to disk (external merge, 3 MB, "
    "≈ 55 ms on a middle page); and the template called `get_member_class_display` / `get_code_display` per "
    "row, each hashing every translated choice label (≈ 26,000 `gettext` calls per page). Now "
    "`selectors.public_member_page` sorts only the membership ids (narrow rows, in memory), reads the page's "
    "50 rows with the shown columns, areas and topics in one query each, and looks labels up once per "
    "request; the template gets plain cards. Same rows, same order, same HTML.",
    "- Newsletter, before: 128 messages/s on 10,000 recipients (≈ 13 min for 100,000): two commits per "
    "message (the claim and the `sent` mark; with `synchronous_commit` on, each waits for the WAL flush). "
    "Now a batch is claimed in one conditional `UPDATE … RETURNING` and the accepted deliveries are marked "
    "`sent` together at the end of the batch (also when it ends by an exception); claimed but untried ones go "
    "back to `pending`. Nothing is sent twice (tests/network/test_newsletter.py: two runs, a crash mid-batch, "
    "a delivery claimed by another sender); the price is that a sender killed outright leaves up to one "
    "batch as `uncertain` (reported, never resent) instead of one message. The issue's fixed parts "
    "(unsubscribe URL around the token, footer) are built once per issue.",
    "- RSS rises in the first seconds of the send (URL configuration, translations and e-mail modules loaded "
    "by the first message) and then stays flat: candidates are read 500 at a time and nothing is kept per "
    "message.",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--bodies", type=int, default=10_000)
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=100, help="timed requests per page")
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--only", choices=("members", "newsletter"))
    parser.add_argument("--no-report", action="store_true")
    parser.add_argument(
        "--report-only", action="store_true", help="rewrite the section from the last results"
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--part", choices=("members", "newsletter"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker(args)
    if args.report_only:
        result = json.loads(RESULT.read_text(encoding="utf-8"))
        result["notes"] = NOTES
        write_report(result)
        return 0
    OUT.mkdir(parents=True, exist_ok=True)
    previous = json.loads(RESULT.read_text()) if RESULT.exists() else {}
    result = {
        "measured_at": datetime.now(TOKYO).strftime("%Y-%m-%dT%H:%M:%S%z"),
        "python": platform.python_version(),
        "machine": machine(),
        "notes": NOTES,
    }
    for part in ("members", "newsletter"):
        result[part] = run_part(part, args) if args.only in (None, part) else previous.get(part)
    RESULT.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(json.dumps({k: result[k] for k in ("members", "newsletter")}, ensure_ascii=False, indent=2))
    if not args.no_report and result["members"] and result["newsletter"]:
        write_report(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
