"""Open Referral HSDS 3.1: serialization, export (JSON and tabular), validation, import round trip.

The session database holds the bundled national directory; ``seed`` adds records that use every
part of the profile (hours with holidays and closed periods, area codes, extensions, contacts,
locations). One export of each format is made per module (in a rolled-back transaction) and read by
the tests; tests that import it seed the same records again, so the database equals the export.
"""

from __future__ import annotations

import csv
import json
import shutil
from datetime import date

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tsunagari.core.ids import as_uuid, stable_uuid
from tsunagari.directory.hsds.export import export_datapackage, export_hsds_json
from tsunagari.directory.hsds.importer import parse_datapackage, parse_hsds_json, schedule_from_hsds
from tsunagari.directory.hsds.serialize import SERVICE_PREFETCH, service_to_hsds
from tsunagari.directory.hsds.validate import package_schema, validate_datapackage, validate_object
from tsunagari.directory.importers.errors import ImportValidationError, RowError
from tsunagari.directory.importers.run import import_file
from tsunagari.directory.models import (
    Contact,
    Location,
    Organization,
    Service,
    ServiceAtLocation,
    ServiceChange,
)
from tsunagari.directory.records import OrganizationRecord, PhoneRecord, ServiceRecord, SourceRecord
from tsunagari.directory.services import apply_records, snapshot, validate_records

SOURCE = SourceRecord(
    name="テスト出典", url="https://example.jp/src", retrieved=date(2026, 10, 1), attribution="CC BY 4.0",
    last_verified=date(2026, 11, 1), verification="verified", verification_note="電話で確認",
)  # fmt: skip
ORG = OrganizationRecord(id="hsds-org", name="HSDSテスト団体", website="https://example.jp/", source=SOURCE)
LINE = ServiceRecord(
    id="hsds-line", organization_id="hsds-org", name="HSDSテスト電話", description="説明",
    alternate_name="えいちえすでぃーえす", url="https://example.jp/line", email="line@example.jp",
    eligibility_description="どなたでも", application_process="電話してください", fees_description="通話料",
    minimum_age=12, maximum_age=29, free_of_charge=True, anonymous=False, crisis_line=True,
    hours_text="平日9時〜17時（祝日・年末年始を除く）、毎月10日8時〜翌8時",
    schedule={
        "rules": [{"days": "weekdays", "opens": "09:00", "closes": "17:00"},
                  {"days_of_month": [10], "opens": "08:00", "closes": "08:00"}],
        "public_holidays": "closed", "closed_periods": [{"from": "12-29", "to": "01-03"}], "note": "メモ",
    },
    area_code="131016", topics=("suicide", "elderly"), audiences=("elderly", "youth"), channels=("phone", "sms"),
    languages=("ja", "en"),
    phones=(PhoneRecord("0120-000-000", "フリーダイヤル", extension="123"), PhoneRecord("#8008", "短縮", "voice")),
    source=SOURCE,
)  # fmt: skip
ALWAYS = ServiceRecord(
    id="hsds-24h", organization_id="hsds-org", name="HSDS24時間", status="temporarily closed",
    schedule={"is_24h": True}, area_code="130001", topics=("loneliness",), audiences=("adult",),
    channels=("chat",), languages=(),
)  # fmt: skip

pytestmark = pytest.mark.django_db


def seed() -> None:
    """Write the test records (and a contact and a location, which records cannot carry)."""
    validate_records("test", [ORG], [LINE, ALWAYS])
    apply_records([ORG], [LINE, ALWAYS], via="test")
    line = Service.objects.get(pk=as_uuid("service", LINE.id))
    location = Location.objects.create(
        id=stable_uuid("location", "hsds"), organization=line.organization, name="相談室",
        address_1="千代田1-1", city="千代田区", region="東京都", postal_code="100-0001",
        latitude="35.685175", longitude="139.752800",
    )  # fmt: skip
    ServiceAtLocation.objects.create(id=stable_uuid("sal", "hsds"), service=line, location=location)
    Contact.objects.create(id=stable_uuid("contact", "hsds"), service=line, name="担当", email="c@example.jp")


@pytest.fixture(scope="module")
def exported(tmp_path_factory, django_db_setup, django_db_blocker):
    """Both exports of the bundled directory plus ``seed`` (the seed is rolled back)."""
    base = tmp_path_factory.mktemp("hsds")
    with django_db_blocker.unblock(), transaction.atomic():
        seed()
        paths = {"json": export_hsds_json(base / "json"), "datapackage": export_datapackage(base / "dp")}
        transaction.set_rollback(True)
    return paths


@pytest.fixture
def seeded():
    seed()


def _json(path):
    return json.loads(path.read_text(encoding="utf-8"))


def _line(services: list[dict]) -> dict:
    return next(s for s in services if s["id"] == as_uuid("service", LINE.id))


def _edit_csv(path, edit) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    edit(rows)
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)


# -- serialization --------------------------------------------------------------------------------
def _attr(service: dict, code: str):
    values = [a.get("value") for a in service["attributes"] if a["taxonomy_term"]["code"] == code]
    return values[0] if values else None


def test_service_to_hsds_maps_fields_and_profile(seeded):
    service = Service.objects.prefetch_related(*SERVICE_PREFETCH).get(pk=as_uuid("service", LINE.id))
    data = service_to_hsds(service)
    assert validate_object("service", data, strict=True) == []
    assert data["organization"]["id"] == as_uuid("organization", ORG.id)
    assert [(p["number"], p.get("extension")) for p in data["phones"]] == [
        ("0120-000-000", 123),
        ("#8008", None),
    ]
    assert data["assured_date"] == "2026-11-01" and data["minimum_age"] == 12
    assert {s["freq"] for s in data["schedules"]} == {"WEEKLY", "MONTHLY"}
    assert all(s["timezone"] == 9 and s["notes"] == "メモ" for s in data["schedules"])
    assert [lang["code"] for lang in data["languages"]] == ["en", "ja"]
    assert data["service_at_locations"][0]["location"]["addresses"][0]["country"] == "JP"
    assert _attr(data, "tsunagari-profile:crisis_line") == "true"
    assert _attr(data, "tsunagari-profile:anonymous") == "false"
    assert _attr(data, "tsunagari-profile:area_code") == "131016"
    assert _attr(data, "tsunagari-profile:area_scope") == "municipality"
    assert json.loads(_attr(data, "tsunagari-profile:schedule")) == LINE.schedule
    assert _attr(data, "tsunagari-profile:local_id") == "hsds-line"
    topic = next(a for a in data["attributes"] if a["taxonomy_term"]["code"] == "topic:elderly")
    assert topic["link_entity"] == "service" and topic["link_id"] == data["id"]
    assert topic["taxonomy_term_id"] == stable_uuid("taxonomy_term", "topic:elderly")
    assert topic["taxonomy_term"]["taxonomy_id"] == stable_uuid("taxonomy", "topic")


def test_serializing_prefetched_services_costs_no_query_per_object(seeded):
    def queries(services) -> int:
        qs = services.select_related("organization").prefetch_related(*SERVICE_PREFETCH)
        with CaptureQueriesContext(connection) as ctx:
            [service_to_hsds(s) for s in qs]
        return len(ctx.captured_queries)

    assert Service.objects.count() > 100
    assert queries(Service.objects.filter(pk=as_uuid("service", LINE.id))) == queries(Service.objects.all())


def test_non_ascii_url_is_written_as_a_uri(seeded):
    Service.objects.filter(pk=as_uuid("service", LINE.id)).update(url="https://example.jp/相談")
    data = service_to_hsds(Service.objects.get(pk=as_uuid("service", LINE.id)))
    assert data["url"] == "https://example.jp/%E7%9B%B8%E8%AB%87"
    assert validate_object("service", data, strict=True) == []


# -- export and validation ------------------------------------------------------------------------
def test_json_export_is_valid_hsds(exported):
    folder = exported["json"].parent
    kinds = {"services": "service", "organizations": "organization", "taxonomies": "taxonomy"}
    kinds["taxonomy_terms"] = "taxonomy_term"
    for name, kind in kinds.items():
        items = _json(folder / f"{name}.json")
        assert items and [i["id"] for i in items] == sorted(i["id"] for i in items)
        assert all(validate_object(kind, item, strict=True) == [] for item in items), name
    services = _json(folder / "services.json")
    assert len(services) >= 150
    assert any(t["name"] == "tsunagari-profile" for t in _json(folder / "taxonomies.json"))


def test_datapackage_export_is_valid_and_matches_the_shipped_tables(exported):
    folder = exported["datapackage"].parent
    assert validate_datapackage(folder) == []
    for resource in _json(exported["datapackage"])["resources"]:
        shipped = next(r for r in package_schema()["resources"] if r["name"] == resource["name"])
        with (folder / resource["path"]).open(encoding="utf-8", newline="") as handle:
            assert next(csv.reader(handle)) == [f["name"] for f in shipped["schema"]["fields"]]
    with (folder / "services.csv").open(encoding="utf-8", newline="") as handle:
        ids = [row["id"] for row in csv.DictReader(handle)]
    assert len(ids) >= 150 and ids == sorted(ids)


def test_exports_are_deterministic(seeded, tmp_path):
    for exporter in (export_hsds_json, export_datapackage):
        first, second = exporter(tmp_path / "a"), exporter(tmp_path / "b")
        for path in first.parent.iterdir():
            assert path.read_bytes() == (second.parent / path.name).read_bytes(), path.name


def test_object_validation_rejects_corrupted_objects(exported):
    service = _line(_json(exported["json"]))
    assert validate_object("service", service, strict=True) == []
    broken = {**service, "id": "not-a-uuid", "status": "open", "colour": "red"}
    del broken["name"]
    broken["phones"] = [{"id": service["phones"][0]["id"]}]
    problems = validate_object("service", broken, strict=True)
    assert "id: 'not-a-uuid' is not a valid uuid" in problems
    assert "name: required" in problems and "phones[0].number: required" in problems
    assert any(p.startswith("status:") for p in problems)
    assert any("colour" in p for p in problems)
    assert not any("colour" in p for p in validate_object("service", broken))  # HSDS allows extras


def test_datapackage_validation_rejects_corrupted_copies(exported, tmp_path):
    copy = shutil.copytree(exported["datapackage"].parent, tmp_path / "copy")

    def corrupt(rows):
        rows[1][0] = "not-a-uuid"  # record 2: id
        rows[2][rows[0].index("name")] = ""  # record 3: required
        rows[3][rows[0].index("status")] = "open"  # record 4: enum
        rows[4][rows[0].index("minimum_age")] = "twelve"  # record 5: number

    _edit_csv(copy / "services.csv", corrupt)
    problems = validate_datapackage(copy)
    assert "services.csv row 2, column 'id': 'not-a-uuid' is not a valid uuid" in problems
    assert "services.csv row 3, column 'name': required" in problems
    assert any(p.startswith("services.csv row 4, column 'status'") for p in problems)
    assert any(p.startswith("services.csv row 5, column 'minimum_age'") for p in problems)
    assert any("is not an id in services.csv" in p for p in problems)  # rows now pointing nowhere

    _edit_csv(copy / "phones.csv", lambda rows: rows[0].__setitem__(rows[0].index("number"), "tel"))
    assert any(
        p.startswith("phones.csv row 1, column 'tel': header must be") for p in validate_datapackage(copy)
    )
    (copy / "languages.csv").unlink()
    assert "languages.csv: missing (listed in datapackage.json)" in validate_datapackage(copy)


# -- import ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["json", "datapackage"])
def test_reimporting_an_export_changes_nothing(exported, seeded, kind):
    history = ServiceChange.objects.count()
    report = import_file(exported[kind])
    assert (report.created, report.updated) == (0, 0)
    assert report.unchanged == Service.objects.count()
    assert ServiceChange.objects.count() == history


def _organization_state() -> dict:
    fields = ("local_id", "name", "website", "description", "email", "source_name", "source_url",
              "source_retrieved", "attribution", "last_verified", "verification", "verification_note")  # fmt: skip
    return {o.pk: [getattr(o, f) for f in fields] for o in Organization.objects.all()}


@pytest.mark.parametrize("kind", ["json", "datapackage"])
def test_export_then_import_into_an_empty_directory_round_trips(exported, seeded, kind):
    services = {s.pk: snapshot(s) for s in Service.objects.all()}
    organizations = _organization_state()
    Service.objects.all().delete()
    Organization.objects.all().delete()
    report = import_file(exported[kind])
    assert report.created == len(services)
    assert {s.pk: snapshot(s) for s in Service.objects.all()} == services
    assert _organization_state() == organizations
    again = import_file(exported[kind])
    assert (again.created, again.updated) == (0, 0)


def test_json_api_page_and_single_object_are_accepted(exported, tmp_path):
    line = _line(_json(exported["json"]))
    for name, content in (("page.json", {"contents": [line], "total_items": 1}), ("one.json", line)):
        (tmp_path / name).write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
        organizations, services = parse_hsds_json(tmp_path / name)
        assert [o.id for o in organizations] == [ORG.id]
        assert services[0].id == LINE.id and services[0].phones == LINE.phones
        assert services[0].topics == ("elderly", "suicide") and services[0].schedule == LINE.schedule


def test_malformed_json_names_row_and_column_and_writes_nothing(exported, tmp_path):
    services = _json(exported["json"])[:3]
    services[1]["id"] = "not-a-uuid"
    del services[2]["status"]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(services, ensure_ascii=False), encoding="utf-8")
    before = Service.objects.count()
    with pytest.raises(ImportValidationError) as info:
        import_file(path)
    errors = info.value.errors
    assert RowError("bad.json", 3, "status", "required") in errors
    assert any((e.row, e.column) == (2, "id") and "uuid" in e.reason for e in errors)
    assert "bad.json row 2, column 'id'" in str(info.value)
    assert Service.objects.count() == before

    path.write_text("[{", encoding="utf-8")
    with pytest.raises(ImportValidationError, match="not a readable JSON file"):
        parse_hsds_json(path)


def test_bad_profile_values_are_reported_where_they_are(exported, tmp_path):
    line = _line(_json(exported["json"]))
    index = next(
        n for n, a in enumerate(line["attributes"]) if a["taxonomy_term"]["code"].endswith(":crisis_line")
    )
    line["attributes"][index]["value"] = "yes"
    (tmp_path / "one.json").write_text(json.dumps([line]), encoding="utf-8")
    with pytest.raises(ImportValidationError) as info:
        parse_hsds_json(tmp_path / "one.json")
    assert [(e.row, e.column) for e in info.value.errors] == [(1, f"attributes[{index}].value")]

    copy = shutil.copytree(exported["datapackage"].parent, tmp_path / "copy")
    term = stable_uuid("taxonomy_term", "tsunagari-profile:free_of_charge")
    marked = []

    def edit(rows):
        for number, row in enumerate(rows[1:], start=2):
            if row[rows[0].index("taxonomy_term_id")] == term and not marked:
                row[rows[0].index("value")] = "maybe"
                marked.append(number)

    _edit_csv(copy / "attributes.csv", edit)
    with pytest.raises(ImportValidationError) as info:
        parse_datapackage(copy / "datapackage.json")
    assert [(e.file, e.row, e.column) for e in info.value.errors] == [("attributes.csv", marked[0], "value")]


def test_malformed_datapackage_names_file_row_and_column_and_writes_nothing(exported, tmp_path):
    copy = shutil.copytree(exported["datapackage"].parent, tmp_path / "copy")
    _edit_csv(copy / "services.csv", lambda rows: rows[3].__setitem__(rows[0].index("status"), "open"))
    before = Service.objects.count()
    with pytest.raises(ImportValidationError) as info:
        import_file(copy)
    assert [(e.file, e.row, e.column) for e in info.value.errors] == [("services.csv", 4, "status")]
    assert Service.objects.count() == before


def test_local_id_must_match_the_id(exported, tmp_path):
    line = _line(_json(exported["json"]))
    line["id"] = stable_uuid("service", "something-else")
    (tmp_path / "one.json").write_text(json.dumps([line]), encoding="utf-8")
    with pytest.raises(ImportValidationError, match="does not match local_id 'hsds-line'"):
        parse_hsds_json(tmp_path / "one.json")


def test_foreign_hsds_service_is_imported_with_its_hours(tmp_path):
    org = {"id": "0b7b0a52-6c8e-4a5e-9b1a-2f0c9d1e7a11", "name": "Foreign org", "description": "d"}
    service = {
        "id": "6f1c2b0e-3a4d-4e5f-8a9b-0c1d2e3f4a5b", "name": "Foreign line", "status": "active",
        "organization": org,
        "schedules": [{"id": "7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d", "freq": "WEEKLY", "byday": "MO,WE",
                       "opens_at": "09:00:00", "closes_at": "23:59", "timezone": 9}],
        "phones": [{"id": "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "number": "03-0000-0000", "extension": 12}],
        "attributes": [{"id": "2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e", "link_id": "6f1c2b0e-3a4d-4e5f-8a9b-0c1d2e3f4a5b",
                        "taxonomy_term": {"id": "3c4d5e6f-7a8b-4c9d-8e1f-2a3b4c5d6e7f", "name": "Other",
                                          "description": "", "taxonomy": "Open Eligibility"}}],
    }  # fmt: skip
    (tmp_path / "foreign.json").write_text(json.dumps(service), encoding="utf-8")
    organizations, services = parse_hsds_json(tmp_path / "foreign.json")
    assert organizations[0].id == org["id"] and services[0].organization_id == org["id"]
    record = services[0]
    assert record.id == service["id"] and record.topics == () and record.languages == ()
    assert record.schedule == {"rules": [{"days": ["mon", "wed"], "opens": "09:00", "closes": "24:00"}]}
    assert record.phones == (PhoneRecord("03-0000-0000", extension="12"),)
    assert import_file(tmp_path / "foreign.json").created == 1


def test_schedule_from_hsds_gives_up_on_what_it_cannot_express():
    weekly = {"freq": "WEEKLY", "byday": "SA", "opens_at": "10:00", "closes_at": "16:00"}
    assert schedule_from_hsds([weekly]) == {"rules": [{"days": ["sat"], "opens": "10:00", "closes": "16:00"}]}
    assert schedule_from_hsds([{**weekly, "byday": "2SA"}]) is None
    assert schedule_from_hsds([{**weekly, "timezone": -5}]) is None
    assert schedule_from_hsds([{**weekly, "freq": None}]) is None
    assert schedule_from_hsds([]) is None
