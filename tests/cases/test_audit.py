"""cases.audit: the hash-chained audit log finds edits, removals and reorderings made behind its
back (raw SQL), stays one chain under two concurrent writers, and is readable only by auditors."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from tests.staff_login import login_staff
from tsunagari.cases import audit
from tsunagari.cases.models import AuditEntry
from tsunagari.cli import main

pytestmark = pytest.mark.django_db
WRITER = Path(__file__).with_name("audit_writer.py")


def write(n: int = 5) -> None:
    for number in range(n):
        audit.record("user:1", audit.READ, "cases.case", f"case-{number}", ["summary"])


def sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_entries_chain_and_verify():
    write(5)
    entry = AuditEntry.objects.get(seq=3)
    assert (entry.actor, entry.action, entry.object_id, entry.fields) == (
        "user:1",
        "read",
        "case-2",
        ["summary"],
    )
    assert entry.prev_hash == AuditEntry.objects.get(seq=2).hash
    result = audit.verify(batch_size=2)
    assert result.ok and result.checked == 5


def test_edited_entry_is_named():
    write(5)
    sql("UPDATE cases_auditentry SET object_id = %s WHERE seq = 2", ["case-other"])
    result = audit.verify()
    assert not result.ok and result.bad_seq == 2 and "content changed" in result.problem


def test_edited_fields_or_time_are_found():
    write(3)
    sql("UPDATE cases_auditentry SET fields = %s WHERE seq = 3", ['["person_name"]'])
    assert audit.verify().bad_seq == 3


def test_removed_entry_is_named():
    write(5)
    sql("DELETE FROM cases_auditentry WHERE seq = 2")
    result = audit.verify()
    assert not result.ok and result.bad_seq == 3 and "missing" in result.problem


def test_removed_newest_entry_is_found():
    write(5)
    sql("DELETE FROM cases_auditentry WHERE seq = 5")
    result = audit.verify()
    assert not result.ok and result.bad_seq == 5


def test_swapped_entries_are_found():
    write(5)
    sql("UPDATE cases_auditentry SET seq = -1 WHERE seq = 2")
    sql("UPDATE cases_auditentry SET seq = 2 WHERE seq = 3")
    sql("UPDATE cases_auditentry SET seq = 3 WHERE seq = -1")
    result = audit.verify()
    assert not result.ok and result.bad_seq == 2


def test_verify_command(capsys):
    write(3)
    assert main(["audit", "verify"]) == 0
    assert "intact: 3 entries" in capsys.readouterr().out
    sql("UPDATE cases_auditentry SET actor = %s WHERE seq = 2", ["user:2"])
    assert main(["audit", "verify"]) == 1
    assert "broken at entry 2" in capsys.readouterr().err


def test_only_auditors_read_the_log(make_user, client):
    write(2)
    auditor = make_user("auditor", "cases.view_auditentry")
    counsellor = make_user("counsellor", "cases.view_case", "cases.change_case")
    assert [e.seq for e in audit.entries_for(auditor)] == [2, 1]
    assert audit.entries_for(auditor, "cases.case", "case-0").count() == 1
    with pytest.raises(PermissionDenied):
        audit.entries_for(counsellor)
    for user, status in [(auditor, 200), (counsellor, 403)]:
        user.is_staff = True
        user.save()
        login_staff(client, user)
        assert client.get("/admin/cases/auditentry/").status_code == status
    login_staff(client, auditor)
    entry = AuditEntry.objects.get(seq=1)
    assert client.post(f"/admin/cases/auditentry/{entry.pk}/delete/").status_code == 403
    assert AuditEntry.objects.filter(seq=1).exists()


def _scratch_database(tmp_path):
    """A fresh database the writer processes share (the test database lives in one transaction)."""
    if connection.vendor == "sqlite":
        return f"sqlite:///{tmp_path / 'audit.sqlite3'}", None
    import psycopg

    params = connection.settings_dict
    name = f"tsunagari_audit_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(
        host=params["HOST"],
        port=params["PORT"] or 5432,
        user=params["USER"],
        password=params["PASSWORD"],
        dbname="postgres",
        autocommit=True,
    )
    admin.execute(f'CREATE DATABASE "{name}"')
    auth = params["USER"] + (f":{params['PASSWORD']}" if params["PASSWORD"] else "")
    url = f"postgres://{auth}@{params['HOST']}:{params['PORT'] or 5432}/{name}"

    def drop():
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.close()

    return url, drop


def test_two_concurrent_writers_build_one_chain(tmp_path):
    url, drop = _scratch_database(tmp_path)
    env = os.environ | {"DATABASE_URL": url, "TSUNAGARI_DATA_DIR": str(tmp_path)}
    python = sys.executable
    try:
        subprocess.run(
            [python, "-m", "tsunagari.cli", "manage", "migrate", "cases", "-v0"],
            env=env,
            check=True,
            timeout=300,
        )
        start = tmp_path / "go"
        writers = [
            subprocess.Popen([python, str(WRITER), name, "150", str(start)], env=env) for name in ("a", "b")
        ]
        start.touch()
        assert [w.wait(timeout=300) for w in writers] == [0, 0]
        verified = subprocess.run(
            [python, "-m", "tsunagari.cli", "audit", "verify"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert verified.returncode == 0, verified.stderr
        assert "intact: 300 entries" in verified.stdout
    finally:
        if drop is not None:
            drop()
