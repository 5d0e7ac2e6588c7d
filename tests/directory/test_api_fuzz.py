"""Schemathesis against the served OpenAPI document of the directory API: every operation, with a
bounded number of generated requests each, must answer without a server error and as the document
says (status code, content type, headers, response schema).

The real app runs as it does in production: ``tsunagari setup`` on a scratch SQLite database (the
reference data and the bundled national directory, so ids and searches hit real records) served by
gunicorn on a free loopback port; schemathesis reads ``/api/openapi.json`` from that server. Not
pytest-django's ``live_server``: it needs a ``transaction=True`` test, whose flush would remove the
session's reference data for the tests after it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from tests.free_port import free_port

BIN = Path(sys.executable).parent
EXAMPLES = 40  # per operation: the whole run stays well under a minute


@pytest.fixture(scope="module")
def api_server(tmp_path_factory):
    """Base URL of the app served by gunicorn on a scratch database with the bundled directory."""
    data = tmp_path_factory.mktemp("api")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{data / 'api.sqlite3'}",
        "TSUNAGARI_DATA_DIR": str(data),
        "DJANGO_SETTINGS_MODULE": "tsunagari.settings",
    }
    subprocess.run([BIN / "tsunagari", "setup"], env=env, check=True, capture_output=True, timeout=600)
    port = free_port()
    server = subprocess.Popen(
        [BIN / "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2", "tsunagari.wsgi:application"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/api/openapi.json", timeout=2).read()
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                raise RuntimeError(
                    f"the app did not start: {server.stderr.read().decode()[-2000:]}"
                ) from None
            time.sleep(0.2)
    yield base
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
    server.stderr.close()


@pytest.fixture(scope="module")
def api_schema(api_server):
    return schemathesis.openapi.from_url(f"{api_server}/api/openapi.json")


def _operations(api_schema) -> list:
    operations = []
    for result in api_schema.get_all_operations():
        operations.append(result.ok())  # raises if the document has an operation it cannot read
    return operations


def test_every_operation_answers_as_documented(api_schema):
    """Each operation in turn (schemathesis' pytest plugin is not used: it does not support this
    pytest); a failure names the operation and schemathesis' reproduction of the request."""
    operations = _operations(api_schema)
    assert len(operations) >= 6
    for operation in operations:
        # The search refuses (400, documented) two kinds of schema-valid requests a schema cannot
        # rule out: an area code that names no stored local government (or has a wrong check
        # digit), and a page beyond the search depth (page × per_page > 1000). Every other check,
        # server errors first, runs on every operation.

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def fuzz(case):
            search = case.operation.path == "/services"
            case.call_and_validate(excluded_checks=[checks.positive_data_acceptance] if search else None)

        try:
            fuzz()
        except Exception as exc:
            raise AssertionError(f"{operation.label}: {exc}") from exc


def test_the_fuzzed_document_covers_every_api_route(api_schema):
    """The operations fuzzed are the API's routes (a new route must be documented to be fuzzed)."""
    from tsunagari.directory.api.urls import urlpatterns

    documented = {re.sub(r"\{[^}]+\}", "{}", path) for path in api_schema.raw_schema["paths"]}
    routed = {re.sub(r"<[^>]+>", "{}", "/" + str(p.pattern)) for p in urlpatterns}
    routed.discard("/openapi.json")
    assert routed <= documented, (
        f"API routes missing from the OpenAPI document: {sorted(routed - documented)}"
    )


def test_the_documented_area_pattern_rejects_unknown_prefectures(api_server):
    """Regression (found by this fuzzing): the document allowed any two leading digits, so
    ``area=98775`` was schema-valid yet refused; the pattern now names the prefectures 01–47."""
    import json
    import urllib.error

    from tsunagari.directory.api.openapi import AREA_PATTERN

    document = json.loads(urllib.request.urlopen(f"{api_server}/api/openapi.json", timeout=10).read())
    area = next(p for p in document["paths"]["/services"]["get"]["parameters"] if p["name"] == "area")
    assert area["schema"]["pattern"] == AREA_PATTERN
    for code in ("98775", "48", "00"):
        assert re.search(AREA_PATTERN, code) is None
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{api_server}/api/services?area={code}", timeout=10)
        assert refused.value.code == 400
    for code in ("13", "13101", "131016", "01", "47"):
        assert re.search(AREA_PATTERN, code) is not None
    assert urllib.request.urlopen(f"{api_server}/api/services?area=131016", timeout=10).status == 200
