"""Cases benchmark: a 200-section case timeline with its audit write, and ``audit verify`` of a
million entries, on PostgreSQL.

    flock /tmp/tsunagari-bench.lock .venv/bin/python bench/cases_bench.py [--repeat R] [--entries N]
    (or .venv/bin/python bench/run.py --only cases)

A worker subprocess (``--worker``) gets ``DATABASE_URL`` / ``TSUNAGARI_DATA_DIR`` pointing at a
scratch database, never the real one: PostgreSQL ``tsunagari_bench_cases`` (server from
``TSUNAGARI_BENCH_PG``, default ``postgres://postgres@127.0.0.1:5432``), dropped and recreated, with a
field-encryption keyring generated for the run. The worker migrates, then

1. opens a case through ``cases.services`` and adds 200 sections (notes of about 400 characters of
   narrative, every fifth an assessment with form data), all encrypted at field level; times
   ``cases.selectors.timeline`` (policy check, both queries, the audit entry it appends) plus
   reading every section's decrypted narrative and data, R times after 5 warm-ups; then the case
   timeline page ``/cases/<id>/`` through Django's test client (a counsellor of the case's body,
   logged in as ``tests.staff_login`` does), R times;
2. appends audit entries up to N (default 1,000,000) by bulk insert, computing each entry's hash
   with ``core.audit_chain.entry_hash`` exactly as ``cases.audit.record`` does (continuing the
   chain the services wrote, then moving the chain head), and times ``cases.audit.verify()`` over
   the whole log (its result must be intact, with N entries).

Writes ``bench/out/results-cases.json`` and the "Cases" section of ``BENCHMARKS.md``
(``helpline_report.replace_section``). Targets (issue 5): timeline p95 ≤ 50 ms; verify ≤ 30 s.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

OUT = ROOT / "bench" / "out"
RESULT = OUT / "results-cases.json"
REPORT = ROOT / "BENCHMARKS.md"
PG_SERVER = os.environ.get("TSUNAGARI_BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
PG_DB = "tsunagari_bench_cases"
SECTION = "Cases"
SECTIONS = 200
TIMELINE_TARGET_MS = 50.0
VERIFY_TARGET_S = 30.0
NARRATIVE = (
    "本人から電話で相談。退職後に外出の機会が減り、近所付き合いもなく、話し相手がいないとのこと。"
    "食事は一日一回、夜は眠れない日が続いている。地域の居場所や交流の場について情報提供し、"
    "次回は地域包括支援センターへのつなぎを検討する。本人の同意を得て、次回の連絡日を決めた。"
)


def _env() -> dict[str, str]:
    from tsunagari.core import crypto

    return {
        "DATABASE_URL": f"{PG_SERVER}/{PG_DB}",
        "TSUNAGARI_DATA_DIR": str(OUT / "data"),
        "DJANGO_SETTINGS_MODULE": "tsunagari.settings",
        "TSUNAGARI_FIELD_KEYS": json.dumps({"active": "bench", "keys": {"bench": crypto.generate_key()}}),
        "TSUNAGARI_CONN_MAX_AGE": "60",
    }


def _reset() -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=5) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_DB} TEMPLATE template0 ENCODING 'UTF8'")


def _summary(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {
        "median_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 2),
        "max_ms": round(ordered[-1], 2),
        "min_ms": round(ordered[0], 2),
    }


# -- worker ----------------------------------------------------------------------------------------


def _fill_case():
    from django.contrib.auth.models import Group, Permission, User

    from tsunagari.cases import record_forms, roles, services
    from tsunagari.helpline import roles as helpline_roles
    from tsunagari.helpline.chat_models import StaffMembership
    from tsunagari.helpline.models import PartnerBody

    helpline_roles.ensure_roles()
    roles.ensure_case_roles()
    body = PartnerBody.objects.create(name="ベンチマーク相談団体")
    user = User.objects.create_user("bench_counsellor", is_staff=True)
    user.groups.add(*Group.objects.filter(name="counsellor"))
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_case", "add_case", "change_case"])
    )
    StaffMembership.objects.create(user=user, body=body)
    user = User.objects.get(pk=user.pk)
    case = services.open_case(user, body=body, person_name="山田 太郎", summary="孤立の相談", is_serious=True)
    form = record_forms.load_form(record_forms.current_version())
    assessment = _assessment_data(form)
    start = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    for number in range(SECTIONS):
        kind = "assessment" if number % 5 == 4 else "note"
        services.add_section(
            user,
            case.pk,
            kind,
            occurred_at=start + timedelta(days=number),
            body=f"{number + 1}回目。{NARRATIVE}",
            data=assessment if kind == "assessment" else None,
        )
    return user, case


def _assessment_data(form) -> dict | None:
    """An assessment filled in: every choice field its first option, texts a sentence, booleans on."""
    data = {}
    for field in form.fields:
        if field.type == "multichoice":
            data[field.id] = [field.options[0].value]
        elif field.type == "choice":
            data[field.id] = field.options[0].value
        elif field.type == "boolean":
            data[field.id] = True
        else:
            data[field.id] = NARRATIVE[:80]
    result = form.validate(data)
    if not result.ok:
        raise ValueError(f"the benchmark's assessment does not validate: {result.errors}")
    return result.cleaned


def _time_timeline(user, case, repeat: int) -> dict:
    from tsunagari.cases import selectors

    def read():
        items = selectors.timeline(user, case.pk)
        chars = 0
        for item in items:
            if item.section is not None:
                chars += len(item.section.body) + len(json.dumps(item.section.data or {}))
        return len(items), chars

    for _ in range(5):
        read()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter_ns()
        count, chars = read()
        samples.append((time.perf_counter_ns() - started) / 1e6)
    assert count == SECTIONS and chars > SECTIONS * 100, (count, chars)
    return {"items": count, **_summary(samples)}


def _time_page(user, case, repeat: int) -> dict | None:
    from django.test import Client
    from django.urls import NoReverseMatch, reverse
    from tests.staff_login import login_staff

    try:
        url = reverse("cases:case_timeline", kwargs={"case_id": case.pk})
    except NoReverseMatch:
        return None
    client = Client()
    login_staff(client, user)
    for _ in range(5):
        response = client.get(url)
        assert response.status_code == 200, response.status_code
    samples = []
    for _ in range(repeat):
        started = time.perf_counter_ns()
        response = client.get(url)
        samples.append((time.perf_counter_ns() - started) / 1e6)
        assert response.status_code == 200
    return {"url": "/cases/<id>/", "bytes": len(response.content), **_summary(samples)}


def _bulk_audit(total: int) -> float:
    """Append entries until the log holds ``total``, chained as ``audit.record`` chains them."""
    from django.db import connection, transaction
    from django.utils import timezone

    from tsunagari.cases.audit_models import AuditEntry, AuditHead
    from tsunagari.core import audit_chain

    started = time.perf_counter()
    table = AuditEntry._meta.db_table
    columns = (
        "seq",
        "at",
        "actor",
        "action",
        "object_type",
        "object_id",
        "fields",
        "reason",
        "prev_hash",
        "hash",
    )
    with transaction.atomic():
        head = AuditHead.objects.select_for_update().get(pk=1)
        seq, prev = head.seq, head.hash
        base = timezone.now()
        batch = []
        with connection.cursor() as cursor:
            while seq < total:
                seq += 1
                at = base + timedelta(microseconds=seq)
                record = audit_chain.AuditRecord(
                    seq=seq,
                    at=audit_chain.canonical_time(at),
                    actor=f"user:{seq % 50 + 1}",
                    action="read",
                    object_type="cases.case",
                    object_id=f"{seq % 9973:08d}-0000-4000-8000-000000000000",
                    fields=("sections.body", "sections.data"),
                )
                digest = audit_chain.entry_hash(prev, record)
                batch.append(
                    (seq, at, record.actor, record.action, record.object_type, record.object_id,
                     json.dumps(list(record.fields)), "", prev, digest)
                )  # fmt: skip
                prev = digest
                if len(batch) == 20_000 or seq == total:
                    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                        for row in batch:
                            copy.write_row(row)
                    batch = []
        AuditHead.objects.filter(pk=1).update(seq=seq, hash=prev)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")
    return time.perf_counter() - started


def worker(repeat: int, entries: int) -> dict:
    expected = f"{PG_SERVER}/{PG_DB}"
    if os.environ.get("DATABASE_URL") != expected:
        raise SystemExit(f"refusing to run: DATABASE_URL must be the scratch database {expected}")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from tsunagari.cases import audit

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0)
    user, case = _fill_case()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    load_before = os.getloadavg()[0]
    timeline = _time_timeline(user, case, repeat)
    page = _time_page(user, case, repeat)
    load_after = os.getloadavg()[0]
    fill_s = _bulk_audit(entries)
    started = time.perf_counter()
    verification = audit.verify()
    verify_s = time.perf_counter() - started
    assert verification.ok and verification.checked == entries, str(verification)
    return {
        "vendor": connection.vendor,
        "server_version": connection.cursor().connection.info.server_version,
        "sections": SECTIONS,
        "repeat": repeat,
        "timeline": timeline,
        "page": page,
        "load_average": [round(load_before, 2), round(load_after, 2)],
        "audit_entries": entries,
        "audit_fill_seconds": round(fill_s, 1),
        "verify_seconds": round(verify_s, 2),
        "verify_result": str(verification),
    }


# -- parent ----------------------------------------------------------------------------------------


def section_lines(result: dict, machine: dict) -> list[str]:
    t, page = result["timeline"], result.get("page")
    ok = "✅" if t["p95_ms"] <= TIMELINE_TARGET_MS else "❌"
    verify_ok = "✅" if result["verify_seconds"] <= VERIFY_TARGET_S else "❌"
    lines = [
        f"## {SECTION}",
        "",
        f"Measured {result['measured_at']} by `bench/cases_bench.py` (`flock /tmp/tsunagari-bench.lock "
        f".venv/bin/python bench/run.py --only cases`) on {machine['cpu']}, {machine['cores']} cores, "
        f"{machine['ram']} RAM, {machine['os']}; PostgreSQL {result['server_version'] // 10000}.{result['server_version'] % 10000} "
        "on the same machine (default configuration), scratch database `tsunagari_bench_cases`. Targets (issue 5): "
        f"**timeline with 200 sections and its audit write p95 ≤ {TIMELINE_TARGET_MS:.0f} ms**; "
        f"**`audit verify` of 1,000,000 entries ≤ {VERIFY_TARGET_S:.0f} s**.",
        "",
        "| what | runs | min | median | p95 | max | target |",
        "|---|---:|---:|---:|---:|---:|---|",
        f"| `cases.selectors.timeline` ({t['items']} sections, AES-GCM narrative and form data decrypted, "
        f"one audit entry appended per read) | {result['repeat']} | {t['min_ms']} ms | {t['median_ms']} ms | "
        f"{t['p95_ms']} ms | "
        f"{t['max_ms']} ms | {ok} ≤ {TIMELINE_TARGET_MS:.0f} ms |",
    ]
    if page:
        page_ok = "✅" if page["p95_ms"] <= TIMELINE_TARGET_MS else "❌"
        lines.append(
            f"| the case page `/cases/<id>/` through Django's test client (case detail, this timeline and the "
            f"handovers, each read audited; rendered, "
            f"{page['bytes']:,} bytes) | {result['repeat']} | {page['min_ms']} ms | {page['median_ms']} ms | "
            f"{page['p95_ms']} ms | "
            f"{page['max_ms']} ms | {page_ok} ≤ {TIMELINE_TARGET_MS:.0f} ms |"
        )
    lines += [
        f"| `cases.audit.verify()` over {result['audit_entries']:,} entries (`tsunagari audit verify`) | 1 | "
        f"{result['verify_seconds']} s | | | | {verify_ok} ≤ {VERIFY_TARGET_S:.0f} s |",
        "",
        f"The log was filled by bulk `COPY` ({result['audit_fill_seconds']} s), each entry's hash computed by "
        "`core.audit_chain.entry_hash` as `cases.audit.record` computes it, continuing the chain the services "
        f"wrote; verify answered: “{result['verify_result']}”. Sections were written through `cases.services` "
        "(every fifth an assessment with form data). Timeline runs follow 5 warm-ups, in one process. "
        "The page adds two more audited reads (three audit commits per view) and renders every entry; "
        "its cost is in `cases/page_views.py` and the template, not in the selector.",
    ]
    load = result.get("load_average")
    if load:
        lines.append("")
        lines.append(
            f"The machine is shared: its 1-minute load average was {load[0]} before and {load[1]} after the "
            f"timeline runs (on {machine['cores']} cores), so the spread between min and median is mostly "
            "waiting for a CPU."
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--no-report", action="store_true", help="do not rewrite BENCHMARKS.md")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "src"))
    if args.worker:
        print(json.dumps(worker(args.repeat, args.entries)))
        return 0
    _reset()
    proc = subprocess.run(
        [sys.executable, __file__, "--worker", "--repeat", str(args.repeat), "--entries", str(args.entries)],
        env=dict(os.environ, **_env()),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode:
        print(proc.stdout[-3000:], proc.stderr[-5000:], sep="\n", file=sys.stderr)
        return proc.returncode
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["measured_at"] = datetime.now(ZoneInfo("Asia/Tokyo")).isoformat(timespec="seconds")
    OUT.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=2))
    if not args.no_report:
        from bench.helpline_report import replace_section
        from bench.run import _machine

        text = REPORT.read_text(encoding="utf-8")
        REPORT.write_text(replace_section(text, section_lines(result, _machine()), SECTION), encoding="utf-8")
        print(f"wrote {REPORT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
