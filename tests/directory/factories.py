"""Helpers that write test services through the real write services (no shortcuts)."""

from __future__ import annotations

from datetime import date

from tsunagari.directory.records import OrganizationRecord, PhoneRecord, ServiceRecord, SourceRecord
from tsunagari.directory.services import apply_records, validate_records

TEST_ORG = OrganizationRecord(id="test-org", name="テスト団体")
VERIFIED = SourceRecord(
    name="test", url="https://example.org/", last_verified=date(2026, 11, 1), verification="verified"
)


def make_service(key: str, name: str, **fields) -> str:
    """Create (or update) one service; returns its id (UUID)."""
    from tsunagari.core.ids import as_uuid

    fields.setdefault("topics", ("loneliness",))
    fields.setdefault("audiences", ("adult",))
    fields.setdefault("channels", ("phone",))
    fields.setdefault("source", VERIFIED)
    if "phones" in fields:
        fields["phones"] = tuple(PhoneRecord(p) if isinstance(p, str) else p for p in fields["phones"])
    record = ServiceRecord(id=key, organization_id=TEST_ORG.id, name=name, **fields)
    validate_records("test", [TEST_ORG], [record])
    apply_records([TEST_ORG], [record], via="test")
    return as_uuid("service", key)
