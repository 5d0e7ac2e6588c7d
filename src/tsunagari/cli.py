"""The ``tsunagari`` command: every job a user or an operator runs.

    tsunagari setup [--no-data] [--demo]          migrate, load reference and national data (idempotent)
    tsunagari serve [--host H] [--port P]         serve the portal (development server)
    tsunagari directory import FILE...            import CPSV-J CSV, windows YAML or HSDS JSON/datapackage
    tsunagari directory export --format F DIR     export hsds-json | datapackage
    tsunagari directory search QUERY [--area CODE] [--topic T] [--age N] [--open-now] [--json]
    tsunagari directory reindex | stale
    tsunagari triage TEXT [--lang L] [--json]     topics, crisis and suggested services for a message
    tsunagari helpline erlang --model b|c|a --erlangs A --lines N [--aht-sec S] [--answer-within-sec T]
                              [--patience-sec P] [--json]
    tsunagari helpline staff --model b|c|a --calls-per-hour L --aht-sec S --target R [--patience-sec P]
                             [--answer-within-sec T] [--json]
    tsunagari helpline trial-staffing [--model a|b|c] [--aht-sec S] [--patience-sec P] [--target R] [--json]
    tsunagari helpline line-send [--loop]          send the LINE outbox (Reply / Push API)
    tsunagari helpline chat-purge                  retention of chat transcripts and LINE data
    tsunagari survey instrument-check | wave-create | sample | import-mail | response-rate   survey collection
    tsunagari survey estimate DATA.csv … | compare …   design-based estimates, the report's test
    tsunagari network import-members FILE.csv --platform ID [--dry-run]   member list, all or nothing
    tsunagari network member-counts [--platform ID] [--on DATE]... [--json]  members by class over time
    tsunagari network newsletter-send [--loop]     send queued mail-magazine issues (each recipient once)
    tsunagari plan load [FILE]                    load the priority plan's measures and KPIs (validated)
    tsunagari keys rotate [--batch-size N] | add  re-encrypt case data with the active key | add a local key
    tsunagari audit verify                        check the audit log's hash chain
    tsunagari cases purge | overdue [--hours H] [--notify]   retention of case records | handovers with no answer
    tsunagari cases export-pseudonymised OUT.csv [--key-file F]   pseudonymised case records for statistics
    tsunagari manage ARGS...                      any Django management command

Exit status: 0 on success, 1 on invalid input (the message says what and where), 2 on usage errors.
"""

from __future__ import annotations

import argparse
import json
import os
import sys


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tsunagari.settings")
    import django

    django.setup()


def _progress(label: str):
    def report(done: int, total: int) -> None:
        print(f"\r{label}: {done}/{total}", end="" if done < total else "\n", file=sys.stderr, flush=True)

    return report


def cmd_setup(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    from tsunagari.core.catalogues import compile_catalogues
    from tsunagari.core.services import load_local_governments
    from tsunagari.directory.importers.run import import_bundled_directory

    compile_catalogues()
    call_command("migrate", interactive=False, verbosity=0)
    from tsunagari.core.field_keys import ensure_local_keyfile

    if (key_file := ensure_local_keyfile()) is not None:
        print(f"field encryption key created: {key_file} (development only; keep it secret)")
    print(f"reference data: {load_local_governments()} local governments")
    if not args.no_data:
        for name, report in import_bundled_directory(progress=_progress("directory")):
            print(f"{name}: {report.created} created, {report.updated} updated, {report.unchanged} unchanged")
    from tsunagari.directory.search_index import ensure_index

    if ensure_index(progress=_progress("search index")) is not None:
        print("search index rebuilt")
    from tsunagari.helpline.roles import ensure_roles

    ensure_roles()
    from tsunagari.cases.roles import ensure_case_roles

    ensure_case_roles()
    from tsunagari.network.roles import ensure_network_roles

    ensure_network_roles()
    from tsunagari.survey.roles import ensure_evidence_roles

    ensure_evidence_roles()
    if args.demo:
        from tsunagari.core.services import ensure_demo_maintainer
        from tsunagari.helpline.demo import load_demo

        print(f"helpline demo configuration (fictional bodies, undiallable numbers): {load_demo()}")
        from tsunagari.plan.cli import load_for_setup

        print(load_for_setup())

        username, password = ensure_demo_maintainer()
        if password:
            print(f"demo maintainer for /admin/: {username} / {password} (shown once; local use only)")
        else:
            print(f"demo maintainer for /admin/: {username} (already exists)")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    call_command("runserver", f"{args.host}:{args.port}", use_reloader=False, insecure_serving=True)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from tsunagari.directory.importers.errors import ImportValidationError
    from tsunagari.directory.importers.run import import_file

    status = 0
    for path in args.files:
        try:
            report = import_file(path, via="cli", progress=_progress(os.path.basename(path)))
        except ImportValidationError as exc:
            print(f"{path}: nothing imported.\n{exc}", file=sys.stderr)
            status = 1
            continue
        print(f"{path}: {report.created} created, {report.updated} updated, {report.unchanged} unchanged")
    return status


def cmd_export(args: argparse.Namespace) -> int:
    from tsunagari.directory.hsds.export import export_datapackage, export_hsds_json

    exporter = export_hsds_json if args.format == "hsds-json" else export_datapackage
    written = exporter(args.directory)
    print(f"wrote {written}")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from tsunagari.directory.selectors.search import SearchError, SearchFilters
    from tsunagari.directory.selectors.services import search_results

    filters = SearchFilters(
        topics=args.topic or [],
        audiences=args.audience or [],
        channels=args.channel or [],
        age=args.age,
        area=args.area,
        open_now=args.open_now,
        is_24h=args.is_24h,
        free=args.free,
    )
    try:
        page = search_results(args.query, filters, limit=args.limit)
    except SearchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(page["results"], ensure_ascii=False, indent=2))
    else:
        print(f"{page['total']}{'' if page['total_exact'] else '+'} services")
        for item in page["results"]:
            phones = ", ".join(item["phones"])
            flags = " [24h]" if item["is_24h"] else ""
            print(f"{item['score']:>4}  {item['name']}{flags}  {phones}")
    return 0


def cmd_triage(args: argparse.Namespace) -> int:
    from tsunagari.navigator.selectors import suggested_services
    from tsunagari.navigator.triage import triage

    try:
        result = triage(args.text, lang=args.lang)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    services = suggested_services(list(result.topics), result.crisis.is_crisis, limit=args.limit)
    out = {
        "crisis": result.crisis.is_crisis,
        "topics": list(result.topics),
        "services": [
            {"id": s.pk, "name": s.name, "phones": [p.number for p in s.phones.all()], "is_24h": s.is_24h}
            for s in services
        ],
    }
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        if out["crisis"]:
            print("!! 命に関わる危険があれば 110 / 119。24時間の相談窓口:")
        print("topics: " + (", ".join(out["topics"]) or "-"))
        for item in out["services"]:
            print(f"- {item['name']}  {', '.join(item['phones'])}{'  (24h)' if item['is_24h'] else ''}")
    return 0


def cmd_reindex(args: argparse.Namespace) -> int:
    from tsunagari.directory.search_index import rebuild_all

    print(f"{rebuild_all(progress=_progress('reindex'))} index rows written")
    return 0


def cmd_stale(args: argparse.Namespace) -> int:
    from tsunagari.directory.selectors.services import stale_services

    for service in stale_services():
        print(f"{service.last_verified or 'never':>10}  {service.pk}  {service.name}")
    return 0


def cmd_manage(args: argparse.Namespace) -> int:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["tsunagari manage", *args.args])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tsunagari", description="tsunagari — 孤独・孤立対策のためのソフトウェア"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("setup", help="migrate and load reference and national data (idempotent)")
    p.add_argument("--no-data", action="store_true", help="only migrate and load reference data")
    p.add_argument("--demo", action="store_true", help="also create a local demo maintainer account")
    p.set_defaults(func=cmd_setup)

    p = sub.add_parser("serve", help="serve the portal")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", default="8000")
    p.set_defaults(func=cmd_serve)

    directory = sub.add_parser("directory", help="the support directory").add_subparsers(
        dest="action", required=True
    )
    p = directory.add_parser("import", help="import CPSV-J CSV, windows YAML, HSDS JSON or datapackage")
    p.add_argument("files", nargs="+")
    p.set_defaults(func=cmd_import)
    p = directory.add_parser("export", help="export the directory as HSDS 3.1")
    p.add_argument("--format", choices=["hsds-json", "datapackage"], required=True)
    p.add_argument("directory")
    p.set_defaults(func=cmd_export)
    p = directory.add_parser("search", help="search services")
    p.add_argument("query", nargs="?", default="")
    p.add_argument("--area", help="全国地方公共団体コード (2, 5 or 6 digits)")
    p.add_argument("--topic", action="append")
    p.add_argument("--audience", action="append")
    p.add_argument("--channel", action="append")
    p.add_argument("--age", type=int)
    p.add_argument("--open-now", action="store_true")
    p.add_argument("--24h", dest="is_24h", action="store_true")
    p.add_argument("--free", action="store_true")
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_search)
    directory.add_parser("reindex", help="rebuild the search index").set_defaults(func=cmd_reindex)
    directory.add_parser("stale", help="list entries past their review date").set_defaults(func=cmd_stale)

    p = sub.add_parser("triage", help="which topics a message is about, and the services for them")
    p.add_argument("text")
    p.add_argument("--lang", help="language of the message (ISO 639-1), default: try all")
    p.add_argument("--limit", type=int, default=10)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_triage)

    from tsunagari.helpline.cli import add_parser as add_helpline_parser

    add_helpline_parser(sub)

    from tsunagari.survey.cli import add_parser as add_survey_parser

    add_survey_parser(sub)

    from tsunagari.network.cli import add_parser as add_network_parser

    add_network_parser(sub)

    from tsunagari.plan.cli import add_parser as add_plan_parser

    add_plan_parser(sub)

    from tsunagari.cases.cli import add_parser as add_cases_parser
    from tsunagari.core.cli import add_parser as add_keys_parser

    add_keys_parser(sub)
    add_cases_parser(sub)

    p = sub.add_parser("manage", help="run a Django management command")
    p.add_argument("args", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_manage)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _django()
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
