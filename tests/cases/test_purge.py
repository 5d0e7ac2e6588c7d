"""cases.purge: retention per record type; counts only in the log; every deletion audited."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from tsunagari.cases import audit, purge
from tsunagari.cases.models import AuditEntry, Case, Section
from tsunagari.cli import main

pytestmark = pytest.mark.django_db
NOW = datetime(2030, 6, 1, tzinfo=UTC)


def case(closed_at=None, *kinds: str) -> Case:
    c = Case(person_name="秘密の名前", opened_at=datetime(2019, 1, 1, tzinfo=UTC), closed_at=closed_at)
    c.status = "closed" if closed_at else "open"
    c.save()
    for kind in kinds:
        Section(case=c, kind=kind, occurred_at=c.opened_at, body="秘密の記録").save()
    return c


def test_due_records_are_deleted_per_type(settings, caplog):
    settings.TSUNAGARI_RETENTION_YEARS = '{"case": 8, "note": 3, "document": 1}'
    old = case(datetime(2021, 1, 1, tzinfo=UTC), "note", "assessment", "document")  # 9+ years
    middle = case(datetime(2026, 1, 1, tzinfo=UTC), "note", "assessment", "document")  # 4.4 years
    recent = case(datetime(2030, 1, 1, tzinfo=UTC), "note", "document")  # 5 months
    still_open = case(None, "note")
    with caplog.at_level(logging.INFO, logger="tsunagari.cases"):
        counts = purge.purge(NOW)
    assert counts == {"note": 2, "assessment": 1, "referral": 0, "document": 2, "case": 1}
    assert not Case.objects.filter(pk=old.pk).exists()
    assert list(Section.objects.filter(case=middle).values_list("kind", flat=True)) == ["assessment"]
    assert sorted(Section.objects.filter(case=recent).values_list("kind", flat=True)) == ["document", "note"]
    assert Section.objects.filter(case=still_open).count() == 1
    assert "note=2" in caplog.text and "秘密" not in caplog.text and str(old.pk) not in caplog.text
    purged = AuditEntry.objects.filter(action=audit.PURGE, actor=purge.ACTOR)
    assert purged.count() == 6 and purged.filter(object_type="cases.case", object_id=str(old.pk)).exists()
    assert audit.verify().ok
    assert purge.purge(NOW) == dict.fromkeys(counts, 0)


def test_purge_command(settings, capsys):
    case(datetime(2000, 1, 1, tzinfo=UTC), "note")
    settings.TSUNAGARI_RETENTION_YEARS = '{"case": 1, "note": 2}'
    assert main(["cases", "purge"]) == 1
    assert "longer than the case" in capsys.readouterr().err
    settings.TSUNAGARI_RETENTION_YEARS = (
        '{"case": 1, "note": 1, "assessment": 1, "referral": 1, "document": 1}'
    )
    assert main(["cases", "purge"]) == 0
    assert "case: 1 deleted" in capsys.readouterr().out
