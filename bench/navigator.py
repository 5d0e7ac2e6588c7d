"""Navigator benchmark: free-text triage per message and the PDF result, on this machine.

Run by ``bench/run.py`` (``make bench``; ``--only navigator`` for this part alone) in a subprocess
whose ``DATABASE_URL`` is a scratch SQLite file under ``bench/out/`` loaded with the bundled
directory by ``tsunagari setup``. Writes ``bench/out/results-navigator.json``.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
RESULT = OUT / "results-navigator.json"
DB = OUT / "navigator.sqlite3"
TRIAGE_REPEAT = 5
PDF_REPEAT = 15


def env() -> dict[str, str]:
    return {
        "DATABASE_URL": f"sqlite:///{DB}",
        "TSUNAGARI_DATA_DIR": str(OUT / "data"),
        "DJANGO_SETTINGS_MODULE": "tsunagari.settings",
    }


def _timed(function, *args) -> float:
    started = time.perf_counter_ns()
    function(*args)
    return (time.perf_counter_ns() - started) / 1e6


def main() -> int:
    if os.environ.get("DATABASE_URL") != env()["DATABASE_URL"]:
        raise SystemExit("refusing to run: DATABASE_URL must be the scratch navigator database")
    from tsunagari.cli import main as cli

    cli(["setup"])  # migrate and load the bundled directory (idempotent)
    import yaml

    from tsunagari.navigator.conversation import Conversation
    from tsunagari.navigator.flow import load_flow
    from tsunagari.navigator.pdf import result_pdf
    from tsunagari.navigator.triage import triage
    from tsunagari.navigator.views import _result_context

    messages = [
        m["text"]
        for m in yaml.safe_load((ROOT / "tests/navigator/triage_corpus.yaml").read_text())["messages"]
    ]
    cold = _timed(triage, messages[0])
    for text in messages:
        triage(text)
    triage_ms = [_timed(triage, text) for _ in range(TRIAGE_REPEAT) for text in messages]

    flow = load_flow()
    conversation = Conversation(
        answers={"age": ["age30_64"], "topics": ["debt_legal", "housing"]}, step="result"
    )
    context = {
        **_result_context(flow, conversation),
        "note": "家賃を三か月ためています",
        "today": "2026-11-23",
    }
    first_pdf = _timed(result_pdf, context)
    pdf_ms = [_timed(result_pdf, context) for _ in range(PDF_REPEAT)]
    pages = result_pdf(context).count(b"/Type /Page\n") or None
    RESULT.write_text(
        json.dumps(
            {
                "messages": len(messages),
                "triage_repeat": TRIAGE_REPEAT,
                "triage_cold_ms": cold,
                "triage_ms": triage_ms,
                "pdf_repeat": PDF_REPEAT,
                "pdf_first_ms": first_pdf,
                "pdf_ms": pdf_ms,
                "pdf_services": len(context["items"]),
                "pdf_pages": pages,
                "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            },
            indent=1,
        )
    )
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    sys.exit(main())
