"""``tsunagari survey wave-create|sample|import-mail|response-rate``: collecting a survey.

    tsunagari survey instrument-check FILE.yaml
    tsunagari survey wave-create --name NAME --instrument national [--version 1] [--local-government CODE]
    tsunagari survey sample FRAME.csv --wave ID --size N [--strata COL] --seed S --mailing-list OUT.csv
    tsunagari survey import-mail FILE.csv --wave ID
    tsunagari survey response-rate --wave ID [--json]

``sample`` draws a stratified random sample (proportional allocation) from a resident‑register extract,
records the seed with the wave, issues one‑time access codes and writes the mailing list (the only
place where codes and addresses meet; delete it after mailing). ``import-mail`` imports answers
returned by mail. Invalid input exits with status 1 and a report naming row, column and reason;
nothing is written then.
"""

from __future__ import annotations

import argparse
import json
import sys


def _fail(exc: Exception) -> int:
    print(f"error: {exc}", file=sys.stderr)
    return 1


def _wave(wave_id: int):
    from tsunagari.survey.selectors import wave

    found = wave(wave_id)
    if found is None:
        raise SystemExit(f"error: no survey wave {wave_id}")
    return found


def cmd_instrument_check(args: argparse.Namespace) -> int:
    from tsunagari.survey.instrument import InstrumentError, load_file

    try:
        instrument = load_file(args.file)
    except InstrumentError as exc:
        return _fail(exc)
    print(f"{instrument.key}: {len(instrument.questions)} questions, {len(instrument.asked)} asked")
    for question in instrument.questions:
        mark = "asked" if question.asked else "not asked"
        print(f"  {question.code}\t{mark}\t" + " | ".join(question.gaps))
    return 0


def cmd_wave_create(args: argparse.Namespace) -> int:
    from tsunagari.survey.instrument import InstrumentError
    from tsunagari.survey.services import CollectionError, create_wave

    try:
        wave = create_wave(args.name, args.instrument, args.version, args.local_government)
    except (InstrumentError, CollectionError) as exc:
        return _fail(exc)
    print(f"wave {wave.pk}: {wave}")
    return 0


def cmd_sample(args: argparse.Namespace) -> int:
    from tsunagari.survey.csvrows import ValidationReport
    from tsunagari.survey.services import CollectionError, draw_sample

    wave = _wave(args.wave)
    try:
        result = draw_sample(
            wave,
            args.frame,
            size=args.size,
            seed=args.seed,
            strata=args.strata,
            mailing_list=args.mailing_list,
        )
    except (ValidationReport, CollectionError) as exc:
        return _fail(exc)
    print(f"wave {wave.pk}: {result.sample.size} drawn with seed {result.sample.seed}")
    for stratum, n in result.allocation.items():
        print(f"  {stratum or '(all)'}\t{n}")
    print(f"mailing list (access codes and addresses; delete after mailing): {result.mailing_list}")
    return 0


def cmd_import_mail(args: argparse.Namespace) -> int:
    from tsunagari.survey.csvrows import ValidationReport
    from tsunagari.survey.instrument import InstrumentError
    from tsunagari.survey.services import CollectionError, import_mail

    wave = _wave(args.wave)
    try:
        count = import_mail(wave, args.file)
    except (ValidationReport, CollectionError, InstrumentError) as exc:
        return _fail(exc)
    print(f"wave {wave.pk}: {count} mail-in responses imported")
    return 0


def cmd_response_rate(args: argparse.Namespace) -> int:
    from tsunagari.survey.selectors import response_rates

    rates = response_rates(_wave(args.wave))
    if args.json:
        print(json.dumps({"wave": args.wave, "strata": [r.as_dict() for r in rates]}, ensure_ascii=False))
        return 0
    print("stratum\tsampled\tsubmitted\tonline\tmail\tdrafts\trate")
    for r in rates:
        name = "(total)" if r.stratum is None else (r.stratum or "(all)")
        print(f"{name}\t{r.sampled}\t{r.submitted}\t{r.online}\t{r.mail}\t{r.drafts}\t{r.rate:.1%}")
    return 0


def add_parsers(survey) -> None:
    """Add the collection commands to the ``tsunagari survey`` sub‑parsers."""
    p = survey.add_parser("instrument-check", help="check an instrument file; list its questions and gaps")
    p.add_argument("file", help="instrument YAML, e.g. survey/data/instruments/national_v1.yaml")
    p.set_defaults(func=cmd_instrument_check)

    p = survey.add_parser("wave-create", help="start a survey wave on an instrument version")
    p.add_argument("--name", required=True)
    p.add_argument("--instrument", required=True, help="instrument name, e.g. national or tottori")
    p.add_argument("--version", type=int, default=1)
    p.add_argument("--local-government", help="全国地方公共団体コード (6 digits) of a local survey")
    p.set_defaults(func=cmd_wave_create)

    p = survey.add_parser("sample", help="draw the sample, issue access codes, write the mailing list")
    p.add_argument("frame", help="resident-register extract CSV (UTF-8, header row)")
    p.add_argument("--wave", type=int, required=True)
    p.add_argument("--size", type=int, required=True)
    p.add_argument("--strata", metavar="COL", help="stratum column (proportional allocation)")
    p.add_argument("--seed", type=int, required=True, help="random seed (recorded with the wave)")
    p.add_argument("--mailing-list", required=True, metavar="OUT.csv", help="mailing list to write")
    p.set_defaults(func=cmd_sample)

    p = survey.add_parser("import-mail", help="import answers returned by mail (all or nothing)")
    p.add_argument("file", help="CSV: access_code and one column per question")
    p.add_argument("--wave", type=int, required=True)
    p.set_defaults(func=cmd_import_mail)

    p = survey.add_parser("response-rate", help="response rate by stratum")
    p.add_argument("--wave", type=int, required=True)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_response_rate)
