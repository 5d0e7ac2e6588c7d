"""Import entry point: detect a file's format, parse it completely, validate, then write.

Nothing is written unless the whole file is valid (``ImportValidationError`` lists every problem
with file, row, column and reason). Re-importing the same file changes nothing: ids are stable and
writes are upserts that skip unchanged records.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path

from tsunagari.directory.importers.cpsvj import parse_cpsvj
from tsunagari.directory.importers.errors import ImportValidationError, RowError
from tsunagari.directory.importers.windows_yaml import parse_windows_yaml
from tsunagari.directory.records import OrganizationRecord, PhoneRecord, ServiceRecord, SourceRecord
from tsunagari.directory.services import ApplyReport, apply_records, validate_records

Progress = Callable[[int, int], None]

CPSVJ_SOURCE = SourceRecord(
    name="内閣官房 孤独・孤立対策担当室「あなたはひとりじゃない」チャットボット掲載の支援制度（β版、2021年11月）、Civichat による抽出",
    url="https://github.com/Civichat/notalone-cas.go.jp",
    attribution="CC BY 4.0 — 内閣官房 孤独・孤立対策担当室, extraction by Civichat (github.com/Civichat/notalone-cas.go.jp)",
    last_verified=None,
    verification="unverified",
    verification_note="2021年11月時点の掲載情報を転記したもの。金額・連絡先・URLは変わっている可能性があり、tsunagari では未確認です。",
)

#: Stable organization ids for bodies named in several sources, so they are one organization.
KNOWN_ORGANIZATIONS = {
    "内閣官房": "cas",
    "内閣府": "cao",
    "厚生労働省": "mhlw",
    "法務省": "moj",
    "文部科学省": "mext",
    "国土交通省": "mlit",
    "警察庁": "npa",
    "消費者庁": "caa",
    "こども家庭庁": "cfa",
    "総務省": "soumu",
    "経済産業省": "meti",
    "農林水産省": "maff",
    "金融庁": "fsa",
    "出入国在留管理庁": "isa",
    "財務省": "mof",
    "日本司法支援センター（法テラス）": "houterasu",
}


def organization_id(name: str) -> str:
    """A stable id for an organization known only by name."""
    name = unicodedata.normalize("NFKC", name).strip()
    return KNOWN_ORGANIZATIONS.get(name) or "org-" + hashlib.sha1(name.encode()).hexdigest()[:12]


def cpsvj_records(path: Path) -> tuple[list[OrganizationRecord], list[ServiceRecord]]:
    """Records of a CPSV-J CSV; the source and its CC BY attribution go with every entry."""
    organizations: dict[str, OrganizationRecord] = {}
    services = []
    for item in parse_cpsvj(path):
        org_name = item.organization or "（所管組織の記載なし）"
        org = organizations.setdefault(
            org_name, OrganizationRecord(id=organization_id(org_name), name=org_name)
        )
        services.append(
            ServiceRecord(
                id=item.id,
                organization_id=org.id,
                name=item.name,
                description=item.description,
                url=item.url,
                eligibility_description=item.eligibility,
                application_process=item.application,
                topics=item.topics,
                audiences=item.audiences,
                channels=item.channels,
                phones=tuple(
                    PhoneRecord(p["number"], p.get("label") or "", extension=p.get("extension") or "")
                    for p in item.phones
                ),
                source=CPSVJ_SOURCE,
                origin=(item.row, item.name),
            )
        )
    return list(organizations.values()), services


def parse_file(path: str | Path) -> tuple[list[OrganizationRecord], list[ServiceRecord]]:
    """Parse any supported file into records (no database access)."""
    path = Path(path)
    if not path.exists():
        raise ImportValidationError([RowError(str(path), 0, "", "file not found")])
    suffix = path.suffix.lower()
    if path.is_dir() or path.name == "datapackage.json":
        from tsunagari.directory.hsds.importer import parse_datapackage

        return parse_datapackage(path)
    if suffix == ".csv":
        return cpsvj_records(path)
    if suffix in {".yaml", ".yml"}:
        return parse_windows_yaml(path)
    if suffix == ".json":
        from tsunagari.directory.hsds.importer import parse_hsds_json

        return parse_hsds_json(path)
    raise ImportValidationError([RowError(path.name, 0, "", f"unsupported file type '{suffix}'")])


def import_file(
    path: str | Path, via: str = "cli", actor=None, progress: Progress | None = None
) -> ApplyReport:
    """Parse, validate and write one file; raises ``ImportValidationError`` and writes nothing on bad input."""
    organizations, services = parse_file(path)
    validate_records(Path(path).name, organizations, services)
    return apply_records(organizations, services, via=via, actor=actor, progress=progress)


BUNDLED = ("national_windows.yaml", "notalone-cas-2021/data.csv")


def import_bundled_directory(progress: Progress | None = None) -> Iterator[tuple[str, ApplyReport]]:
    """Import the national directory shipped with tsunagari (curated windows, then the 2021 CSV)."""
    base = resources.files("tsunagari.directory").joinpath("data")
    for name in BUNDLED:
        with resources.as_file(base.joinpath(name)) as path:
            yield name, import_file(path, via="setup", progress=progress)
