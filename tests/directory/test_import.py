"""Imports: whole-file validation, nothing written on error, idempotent re-import, change history."""

from __future__ import annotations

from importlib import resources

import pytest
import yaml

from tsunagari.core.ids import as_uuid
from tsunagari.directory.importers.errors import ImportValidationError
from tsunagari.directory.importers.run import import_file
from tsunagari.directory.models import SearchDoc, Service, ServiceChange

pytestmark = pytest.mark.django_db

BUNDLED = resources.files("tsunagari.directory").joinpath("data")


def _windows(tmp_path, services, organizations=None):
    doc = {
        "version": 1,
        "organizations": organizations
        or [{"id": "t-org", "name": "テスト団体", "url": "https://example.org/"}],
        "services": services,
    }
    path = tmp_path / "windows.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def _entry(**overrides):
    entry = {
        "id": "t-line",
        "name": "テスト相談ライン",
        "organization": "t-org",
        "description": "テスト用の窓口です。",
        "topics": ["loneliness"],
        "audiences": ["adult"],
        "channels": ["phone"],
        "phones": [{"number": "0120-000-000", "label": "テスト"}],
        "hours_text": "毎日 10時〜22時",
        "schedule": {"rules": [{"days": "daily", "opens": "10:00", "closes": "22:00"}]},
        "source": {"name": "テスト", "url": "https://example.org/src"},
        "last_verified": "2026-11-01",
        "verification": "verified",
    }
    entry.update(overrides)
    return entry


def test_bundled_directory_has_at_least_150_active_sourced_services():
    active = Service.objects.filter(status="active")
    assert active.count() >= 150
    assert not active.filter(source_url="").exists()
    assert not active.filter(source_name="").exists()


def test_bundled_crisis_lines_are_verified_and_have_phones():
    crisis = Service.objects.filter(crisis_line=True)
    assert crisis.exists()
    for service in crisis:
        assert service.verification == "verified" and service.last_verified is not None
        assert service.phones.exists() or service.url


def test_cpsvj_rows_keep_attribution():
    services = Service.objects.filter(local_id__startswith="cas2021-")
    assert services.count() == 122
    assert all("CC BY 4.0" in s.attribution for s in services)


def test_reimporting_a_bundled_file_changes_nothing():
    before = ServiceChange.objects.count()
    for name in ("national_windows.yaml", "notalone-cas-2021/data.csv"):
        with resources.as_file(BUNDLED.joinpath(name)) as path:
            report = import_file(path)
        assert report.created == report.updated == 0
    assert ServiceChange.objects.count() == before


def test_malformed_file_writes_nothing_and_names_row_and_column(tmp_path):
    good = _entry(id="t-good")
    bad_topic = _entry(id="t-bad", topics=["no_such_topic"])
    bad_time = _entry(
        id="t-bad2", schedule={"rules": [{"days": "daily", "opens": "25:00", "closes": "22:00"}]}
    )
    path = _windows(tmp_path, [good, bad_topic, bad_time])
    services_before, tokens_before = Service.objects.count(), SearchDoc.objects.count()
    with pytest.raises(ImportValidationError) as info:
        import_file(path)
    text = str(info.value)
    assert "windows.yaml row 2, column 'topics'" in text and "no_such_topic" in text
    assert "row 3, column 'schedule'" in text and "25:00" in text
    assert Service.objects.count() == services_before
    assert SearchDoc.objects.count() == tokens_before
    assert not Service.objects.filter(pk=as_uuid("service", "t-good")).exists()


def test_unverified_entries_cannot_be_crisis_lines(tmp_path):
    path = _windows(tmp_path, [_entry(verification="unverified", last_verified=None, crisis_line=True)])
    with pytest.raises(ImportValidationError, match="crisis_line"):
        import_file(path)


def test_unknown_area_code_is_rejected(tmp_path):
    path = _windows(tmp_path, [_entry(area="999999")])
    with pytest.raises(ImportValidationError, match="column 'area'"):
        import_file(path)


def test_update_is_upserted_and_recorded_in_history(tmp_path):
    report = import_file(_windows(tmp_path, [_entry()]))
    assert report.created == 1
    pk = as_uuid("service", "t-line")
    assert import_file(_windows(tmp_path, [_entry()])).unchanged == 1
    report = import_file(_windows(tmp_path, [_entry(phones=[{"number": "0120-111-111"}])]))
    assert report.updated == 1
    service = Service.objects.get(pk=pk)
    assert [p.number for p in service.phones.all()] == ["0120-111-111"]
    history = list(ServiceChange.objects.filter(service_id_ref=pk).order_by("id"))
    assert [h.action for h in history] == ["create", "update"]
    assert "phones" in history[-1].changes and list(history[-1].changes) == ["phones"]


def test_is_24h_is_derived_from_the_schedule(tmp_path):
    import_file(_windows(tmp_path, [_entry(schedule={"is_24h": True})]))
    assert Service.objects.get(pk=as_uuid("service", "t-line")).is_24h


def test_unsupported_and_missing_files(tmp_path):
    with pytest.raises(ImportValidationError, match="file not found"):
        import_file(tmp_path / "nope.yaml")
    other = tmp_path / "x.txt"
    other.write_text("hello")
    with pytest.raises(ImportValidationError, match="unsupported"):
        import_file(other)


def test_broken_csv_writes_nothing(tmp_path):
    path = tmp_path / "broken.csv"
    path.write_text("name,abstract\n", encoding="utf-8")
    before = Service.objects.count()
    with pytest.raises(ImportValidationError):
        import_file(path)
    assert Service.objects.count() == before
