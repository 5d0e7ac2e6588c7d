"""Plain records every importer produces and the write services consume (pure; no Django).

An importer's job ends at a list of ``OrganizationRecord`` and ``ServiceRecord``; validating the
vocabulary, the hours and the area code and writing them is shared (``directory.services``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class PhoneRecord:
    number: str  # verbatim as the source writes it
    description: str = ""
    type: str = "voice"
    extension: str = ""


@dataclass(frozen=True)
class SourceRecord:
    name: str = ""
    url: str = ""
    retrieved: date | None = None
    attribution: str = ""
    last_verified: date | None = None
    verification: str = "unverified"  # "verified" | "unverified"
    verification_note: str = ""


@dataclass(frozen=True)
class OrganizationRecord:
    id: str
    name: str
    website: str = ""
    description: str = ""
    email: str = ""
    source: SourceRecord = field(default_factory=SourceRecord)


@dataclass(frozen=True)
class ServiceRecord:
    id: str
    organization_id: str
    name: str
    description: str = ""
    alternate_name: str = ""
    url: str = ""
    email: str = ""
    status: str = "active"
    eligibility_description: str = ""
    application_process: str = ""
    fees_description: str = ""
    minimum_age: int | None = None
    maximum_age: int | None = None
    free_of_charge: bool | None = None
    anonymous: bool | None = None
    crisis_line: bool = False
    hours_text: str = ""
    schedule: dict | None = None
    area_code: str = ""  # "" = national; else a 全国地方公共団体コード
    topics: tuple[str, ...] = ()
    audiences: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    languages: tuple[str, ...] = ("ja",)
    phones: tuple[PhoneRecord, ...] = ()
    source: SourceRecord = field(default_factory=SourceRecord)
    #: where the record came from in its file, for error messages: (row, label)
    origin: tuple[int, str] = (0, "")
