"""The warm-up of a server process (``tsunagari.core.warmup``, run by ``tsunagari.wsgi``): what the
first requests would load is loaded before them, without a database, and a failing part never
stops the server. The process-wide effects (frozen heap, imported views) are checked in a new
Python process, as a server loads the application."""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

from django.apps import apps

from tests.core.django_process import environment, run_snippet
from tsunagari.core import warmup
from tsunagari.navigator import crisis, flow, triage

# A server loading the application: what is loaded and frozen afterwards.
LOAD_THE_APPLICATION = """
import gc, json, logging, sys
logging.basicConfig(level=logging.ERROR)
from tsunagari.wsgi import application
from django.db import connections
from tsunagari.navigator import crisis, flow, triage
print(json.dumps({
    "frozen": gc.get_freeze_count(),
    "views_imported": "tsunagari.navigator.views" in sys.modules and "weasyprint" in sys.modules,
    "flow": flow.load_flow.cache_info().currsize,
    "lexicon": triage._default_index.cache_info().currsize,
    "patterns": crisis.default_patterns.cache_info().currsize,
    "open_connections": [c.alias for c in connections.all(initialized_only=True) if c.connection is not None],
}))
"""


def _load_the_application(tmp_path: Path) -> tuple[dict, subprocess.CompletedProcess]:
    # A database that cannot be opened: the warm-up must not need one.
    database = f"sqlite:///{tmp_path / 'missing' / 'nowhere.sqlite3'}"
    return run_snippet(
        LOAD_THE_APPLICATION, environment(TSUNAGARI_DATA_DIR=str(tmp_path), DATABASE_URL=database)
    )


def test_loading_the_application_warms_the_process_without_a_database_and_freezes_its_heap(tmp_path):
    found, proc = _load_the_application(tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "warm-up of" not in proc.stderr, proc.stderr  # no part failed (none needs the database)
    assert found["views_imported"]  # the URL conf and its views (WeasyPrint with the PDF view)
    assert (found["flow"], found["lexicon"], found["patterns"]) == (1, 1, 1)
    assert found["frozen"] > 10_000  # modules, caches and templates moved out of the collector's way
    assert found["open_connections"] == []  # nothing a forked worker could inherit


def test_warm_loads_the_navigator_data_and_reports_each_part():
    for loaded in (flow.load_flow, triage._default_index, triage.default_lexicon, crisis.default_patterns):
        loaded.cache_clear()
    seconds = warmup.warm()
    assert set(seconds) == {"urls and languages", "navigator"}
    for loaded in (flow.load_flow, triage._default_index, crisis.default_patterns):
        assert loaded.cache_info().currsize == 1


def test_a_failing_part_is_logged_and_the_others_still_run(monkeypatch, caplog):
    navigator = apps.get_app_config("navigator")

    def broken() -> None:
        raise RuntimeError("flow file unreadable")

    monkeypatch.setattr(navigator, "warm_up", broken)
    flow.load_flow.cache_clear()
    with caplog.at_level(logging.ERROR, logger="tsunagari.core.warmup"):
        seconds = warmup.warm()
    assert set(seconds) == {"urls and languages"}
    assert "warm-up of navigator failed" in caplog.text and "flow file unreadable" in caplog.text
