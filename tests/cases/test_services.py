"""cases.services and cases.selectors: writes and reads of case records, each audited; optimistic
locking; versioned record forms; need-to-know by body."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied

from tsunagari.cases import selectors, services
from tsunagari.cases.errors import InvalidRecordError, StaleRecordError
from tsunagari.cases.models import AuditEntry, Case, Section
from tsunagari.helpline.models import Contact

from .conftest import CASEWORK

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 4, 1, 10, tzinfo=UTC)
ASSESSMENT = {
    "topics": ["loneliness", "poverty"],
    "lives_alone": True,
    "situation_text": "仕事を失い、家賃が払えない。",
    "risk": "medium",
    "support_wanted": "住まいの相談先",
    "consent_to_share": True,
    "consent_scope": "市の生活困窮者自立相談支援窓口",
}


def audit_log() -> list[tuple]:
    return list(
        AuditEntry.objects.order_by("seq").values_list(
            "actor", "action", "object_type", "object_id", "fields"
        )
    )


@pytest.fixture
def case(worker, body):
    return services.open_case(worker, body=body, person_name="佐藤一郎", summary="初回の相談", opened_at=T0)


def test_open_case_is_audited_and_encrypted(case, worker):
    assert audit_log() == [
        (
            f"user:{worker.pk}",
            "create",
            "cases.case",
            str(case.pk),
            ["person_name", "person_contact", "summary"],
        )
    ]
    assert isinstance(Case.objects.values_list("person_name", flat=True).get(pk=case.pk).token, str)


def test_reading_a_case_is_audited(case, worker):
    loaded = selectors.case_detail(worker, case.pk)
    assert (loaded.person_name, loaded.summary) == ("佐藤一郎", "初回の相談")
    assert audit_log()[-1] == (
        f"user:{worker.pk}",
        "read",
        "cases.case",
        str(case.pk),
        ["person_name", "person_contact", "summary"],
    )


def test_timeline_orders_sections_and_contacts(case, worker):
    later = services.add_section(worker, case.pk, "note", occurred_at=T0 + timedelta(days=2), body="2回目")
    earlier = services.add_section(
        worker, case.pk, "assessment", occurred_at=T0 + timedelta(hours=1), data=ASSESSMENT
    )
    contact = Contact.objects.create(
        channel="voice", provider_id="CA-test-1", started_at=T0 + timedelta(days=1)
    )
    services.link_contact(worker, case.pk, contact)
    before = AuditEntry.objects.count()
    items = selectors.timeline(worker, case.pk)
    assert [i.section.pk if i.section else i.contact.contact_id for i in items] == [
        earlier.pk,
        contact.pk,
        later.pk,
    ]
    assert items[0].section.data["consent_scope"] == "市の生活困窮者自立相談支援窓口"
    assert items[2].section.body == "2回目"
    assert AuditEntry.objects.count() == before + 1
    assert audit_log()[-1][1:4] == ("read", "cases.case", str(case.pk))


def test_assessment_keeps_its_form_version_and_is_validated(case, worker):
    section = services.add_section(worker, case.pk, "assessment", data=ASSESSMENT)
    assert section.form_version == "v1"
    stored = Section.objects.get(pk=section.pk)
    assert stored.data["topics"] == ["loneliness", "poverty"] and stored.data["risk"] == "medium"
    with pytest.raises(InvalidRecordError) as invalid:
        services.add_section(
            worker, case.pk, "assessment", data=ASSESSMENT | {"risk": "extreme", "consent_scope": ""}
        )
    assert {e.field for e in invalid.value.errors} == {"risk", "consent_scope"}
    assert "extreme" not in str(invalid.value)
    with pytest.raises(InvalidRecordError):
        services.add_section(worker, case.pk, "note", data={"x": 1})


def test_two_writers_of_a_case_no_lost_update(case, worker):
    first_read = Case.objects.get(pk=case.pk)
    second_read = Case.objects.get(pk=case.pk)
    services.update_case(worker, case.pk, first_read.version, summary="一人目の変更")
    with pytest.raises(StaleRecordError, match="他の人が更新しました"):
        services.update_case(worker, case.pk, second_read.version, summary="二人目の変更")
    stored = Case.objects.get(pk=case.pk)
    assert (stored.summary, stored.version) == ("一人目の変更", 2)
    # The second writer reloads and redoes the change.
    services.update_case(worker, case.pk, stored.version, summary="二人目の変更")
    assert Case.objects.get(pk=case.pk).version == 3
    updates = [row for row in audit_log() if row[1] == "update"]
    assert updates == [(f"user:{worker.pk}", "update", "cases.case", str(case.pk), ["summary"])] * 2


def test_two_writers_of_a_section(case, worker):
    section = services.add_section(worker, case.pk, "note", body="最初")
    services.update_section(worker, section.pk, 1, body="一人目")
    with pytest.raises(StaleRecordError):
        services.update_section(worker, section.pk, 1, body="二人目")
    assert Section.objects.get(pk=section.pk).body == "一人目"


def test_close_case(case, worker):
    closed = services.close_case(worker, case.pk, case.version, closed_at=T0 + timedelta(days=30))
    assert closed.status == "closed" and Case.objects.get(pk=case.pk).version == 2
    with pytest.raises(TypeError):
        services.update_case(worker, case.pk, 2, status="open")


def test_need_to_know_by_body(case, make_user, other_body):
    outsider = make_user("outsider", *CASEWORK, body=other_body)
    reader = make_user("reader", "cases.view_case", "helpline.view_all_bodies")
    with pytest.raises(Case.DoesNotExist):
        selectors.case_detail(outsider, case.pk)
    with pytest.raises(Case.DoesNotExist):
        services.update_case(outsider, case.pk, 1, summary="x")
    assert selectors.case_detail(reader, case.pk).summary == "初回の相談"
    with pytest.raises(PermissionDenied):
        services.add_section(reader, case.pk, "note", body="x")
    with pytest.raises(PermissionDenied):
        services.open_case(outsider, body=case.body)
    assert selectors.open_cases(outsider) == []
    assert [c.pk for c in selectors.open_cases(reader)] == [case.pk]
    assert not any(row[0] == f"user:{outsider.pk}" for row in audit_log())


def test_two_concurrent_writer_processes_lose_no_update(tmp_path):
    """Two processes update one case as fast as they can, each on the version it just read: every
    update that reports success is counted in the version, the others are refused as stale (none
    fails otherwise), and the audit chain stays one chain."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    from .conftest import keys_config
    from .test_audit import _scratch_database

    url, drop = _scratch_database(tmp_path)
    env = os.environ | {
        "DATABASE_URL": url,
        "TSUNAGARI_DATA_DIR": str(tmp_path),
        "TSUNAGARI_FIELD_KEYS": keys_config(),
    }
    script = str(Path(__file__).with_name("case_writer.py"))
    python = sys.executable
    try:
        subprocess.run(
            [python, "-m", "tsunagari.cli", "manage", "migrate", "-v0"], env=env, check=True, timeout=300
        )
        case_id = subprocess.run(
            [python, script, "init"], env=env, check=True, capture_output=True, text=True, timeout=120
        ).stdout.strip()
        start = tmp_path / "go"
        writers = [
            subprocess.Popen(
                [python, script, "update", case_id, "40", str(start)],
                env=env,
                stdout=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        start.touch()
        results = [json.loads(w.communicate(timeout=300)[0]) for w in writers]
        assert all(w.returncode == 0 for w in writers)
        assert sum(r["ok"] + r["stale"] for r in results) == 80
        succeeded = sum(r["ok"] for r in results)
        check = (
            "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'tsunagari.settings'); django.setup();"
            "from tsunagari.cases.models import Case, AuditEntry; from tsunagari.cases.audit import verify;"
            f"c = Case.objects.get(pk='{case_id}');"
            "print(c.version, AuditEntry.objects.filter(action='update').count(), verify().ok, c.summary.split('-')[1])"
        )
        out = subprocess.run(
            [python, "-c", check], env=env, check=True, capture_output=True, text=True, timeout=120
        )
        version, updates, chain_ok, _last = out.stdout.split()
        assert int(version) == 1 + succeeded
        assert int(updates) == succeeded
        assert chain_ok == "True"
    finally:
        if drop is not None:
            drop()


def test_case_page_is_one_visibility_check_and_one_audit_entry_naming_every_field(case, worker, make_user):
    services.add_section(worker, case.pk, "note", occurred_at=T0 + timedelta(hours=1), body="1回目")
    before = AuditEntry.objects.count()
    page = selectors.case_page(worker, case.pk)
    assert page.case.person_name == "佐藤一郎"
    assert [item.section.body for item in page.items] == ["1回目"]
    assert page.handovers == []
    assert AuditEntry.objects.count() == before + 1
    assert audit_log()[-1] == (
        f"user:{worker.pk}",
        "read",
        "cases.case",
        str(case.pk),
        [
            "person_name",
            "person_contact",
            "summary",
            "sections.body",
            "sections.data",
            "referrals.reason",
            "referrals.events.note",
        ],
    )
    outsider = make_user("outsider_page", "cases.view_case")
    with pytest.raises(Case.DoesNotExist):
        selectors.case_page(outsider, case.pk)
    assert AuditEntry.objects.count() == before + 1  # a refused read writes nothing
