"""A process killed (SIGKILL) inside a referral transition or a member-list import leaves no partial
state, and the operation then succeeds when retried.

The worker (``killed_worker.py``) runs the real services with the venv's Python, against a scratch
database made from the test database's connection settings (SQLite: a file; PostgreSQL: a new
database on the same server, dropped afterwards). Not the pytest-django test database itself: the
test's writes live in a transaction no other process sees, and a ``transaction=True`` test would
flush the session's reference data (local governments, the national directory) for the tests
after it. The worker stops inside the transaction after a write (a test-only wrapper prints
``READY`` and sleeps); the test kills it there and inspects the database from a fresh process.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import keys_config
from .test_audit import _scratch_database

WORKER = str(Path(__file__).with_name("killed_worker.py"))
PYTHON = sys.executable
MEMBERS = (
    "団体名,会員種別,入会日,活動地域,一覧掲載,担当者名,担当者メール\n"
    "つながりネット,会員,2024-04-01,全国,はい,山田,y@example.org\n"
    "ひだまりの会,協力会員,2024-05-01,全国,いいえ,佐藤,s@example.org\n"
    "まちの居場所,賛助会員,2024-06-01,全国,はい,,\n"
)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory, django_db_blocker):
    """(environment, setup ids) of a migrated scratch database with a referral and a platform."""
    tmp_path = tmp_path_factory.mktemp("killed")
    with django_db_blocker.unblock():
        url, drop = _scratch_database(tmp_path)
    env = os.environ | {
        "DATABASE_URL": url,
        "TSUNAGARI_DATA_DIR": str(tmp_path),
        "TSUNAGARI_FIELD_KEYS": keys_config(),
    }
    try:
        subprocess.run(
            [PYTHON, "-m", "tsunagari.cli", "manage", "migrate", "-v0"], env=env, check=True, timeout=600
        )
        ids = _run(env, "setup")
        yield env, ids, tmp_path
    finally:
        if drop is not None:
            drop()


def _run(env, *args) -> dict:
    done = subprocess.run(
        [PYTHON, WORKER, *map(str, args)], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _kill_when_ready(env, *args) -> None:
    """Start the worker with ``--hold``, wait for READY (it is inside the transaction), SIGKILL it."""
    worker = subprocess.Popen(
        [PYTHON, WORKER, *map(str, args), "--hold"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        line = ""
        while line.strip() != "READY":
            remaining = deadline - time.monotonic()
            ready, _, _ = select.select([worker.stdout], [], [], max(remaining, 0))
            if not ready:
                raise AssertionError("the worker never reached the point inside the transaction")
            line = worker.stdout.readline()
            if line == "":  # ended without READY
                raise AssertionError(f"the worker ended early: {worker.stderr.read()[-3000:]}")
        os.kill(worker.pid, signal.SIGKILL)
        assert worker.wait(timeout=30) == -signal.SIGKILL
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        worker.stdout.close()
        worker.stderr.close()


def test_a_transition_killed_inside_its_transaction_leaves_no_trace_and_can_be_retried(scratch):
    env, ids, _tmp = scratch
    before = _run(env, "state")
    assert before["status"] == "requested" and before["audit_ok"]

    _kill_when_ready(env, "transition", ids["referral"], before["version"])

    after_kill = _run(env, "state")
    assert after_kill == before  # status, version, events, audit entries: nothing of the killed move
    assert after_kill["audit_ok"]

    moved = _run(env, "transition", ids["referral"], before["version"])
    assert moved == {"status": "received", "version": before["version"] + 1}
    retried = _run(env, "state")
    assert retried["events"] == [*before["events"], "received"]
    assert retried["first_response"] and retried["audit_entries"] == before["audit_entries"] + 1
    assert retried["audit_ok"]


def test_an_import_killed_inside_its_transaction_writes_no_member_and_can_be_retried(scratch):
    env, ids, tmp = scratch
    csv_path = tmp / "members.csv"
    csv_path.write_text(MEMBERS, encoding="utf-8")
    before = _run(env, "state")
    assert before["member_bodies"] == before["memberships"] == before["contacts"] == 0

    _kill_when_ready(env, "import", csv_path, ids["platform"])  # killed after the first row's writes

    after_kill = _run(env, "state")
    assert (after_kill["member_bodies"], after_kill["memberships"], after_kill["contacts"]) == (0, 0, 0)
    assert after_kill["audit_ok"]

    assert _run(env, "import", csv_path, ids["platform"]) == {"created": 3}
    retried = _run(env, "state")
    assert (retried["member_bodies"], retried["memberships"], retried["contacts"]) == (3, 3, 2)
