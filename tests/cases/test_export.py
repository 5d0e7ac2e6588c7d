# ruff: noqa: F811 — fixtures imported from sharing_fixtures are redefined as arguments
"""``tsunagari cases export-pseudonymised``: keyed, stable, non-reversible pseudonyms; months, not
dates; codes kept; no personal field value (name, contact, summary, narrative, free-text form field)
anywhere in the output; audited; a missing or short key is a clear error."""

from __future__ import annotations

import csv
import re
from datetime import UTC, datetime

import pytest

from tsunagari.cases import services
from tsunagari.cases.models import AuditEntry
from tsunagari.cli import main

from .sharing_fixtures import ASSESSMENT, T0, case, sections, sharer  # noqa: F401

pytestmark = pytest.mark.django_db
KEY = "k" * 16 + "export-key-for-tests-0123456789"
PERSONAL = (
    "佐藤一郎",
    "090-0000-0000",
    "家賃の滞納",
    "初回面談の記録",
    "共有しない家族の事情",
    ASSESSMENT["situation_text"],
    ASSESSMENT["support_wanted"],
    ASSESSMENT["consent_scope"],
)


def _export(tmp_path, monkeypatch, key=KEY, name="out.csv"):
    monkeypatch.setenv("TSUNAGARI_PSEUDONYM_KEY", key)
    out = tmp_path / name
    assert main(["cases", "export-pseudonymised", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    return text, list(csv.DictReader(text.splitlines()))


def test_no_personal_value_in_the_output(tmp_path, monkeypatch, case, sections):
    text, rows = _export(tmp_path, monkeypatch)
    for value in PERSONAL:
        assert value not in text
    assert str(case.pk) not in text and str(case.pk).replace("-", "") not in text
    for section in sections:
        assert str(section.pk) not in text
    assert len(rows) == 3 and {r["case_pseudonym"] for r in rows} == {rows[0]["case_pseudonym"]}


def test_dates_are_months_and_codes_are_kept(tmp_path, monkeypatch, case, sections):
    text, rows = _export(tmp_path, monkeypatch)
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)
    assessment = next(r for r in rows if r["section_kind"] == "assessment")
    assert (assessment["case_opened_month"], assessment["section_month"]) == ("2026-04", "2026-04")
    assert (assessment["topics"], assessment["risk"], assessment["lives_alone"]) == (
        "loneliness;poverty",
        "high",
        "1",
    )
    assert assessment["consent_to_share"] == "1" and assessment["form_version"] == "v1"
    assert "situation_text" not in rows[0] and "consent_scope" not in rows[0]  # free-text columns never exist
    note = next(r for r in rows if r["section_kind"] == "note")
    assert note["topics"] == "" and note["case_serious"] == "1"


def test_month_follows_japan_time(tmp_path, monkeypatch, sharer, body):
    # 2026-04-30 20:00 UTC is 2026-05-01 05:00 in Tokyo
    services.open_case(sharer, body=body, opened_at=datetime(2026, 4, 30, 20, tzinfo=UTC))
    _text, rows = _export(tmp_path, monkeypatch)
    assert rows[0]["case_opened_month"] == "2026-05" and rows[0]["section_pseudonym"] == ""


def test_pseudonyms_are_stable_per_key_and_differ_between_keys(tmp_path, monkeypatch, case, sections):
    _t, first = _export(tmp_path, monkeypatch, name="a.csv")
    _t, again = _export(tmp_path, monkeypatch, name="b.csv")
    _t, other = _export(tmp_path, monkeypatch, key="another-key-of-enough-length-9876543210", name="c.csv")
    assert [r["section_pseudonym"] for r in first] == [r["section_pseudonym"] for r in again]
    assert not {r["case_pseudonym"] for r in first} & {r["case_pseudonym"] for r in other}
    assert all(re.fullmatch(r"[0-9a-f]{32}", r["case_pseudonym"]) for r in first)


def test_export_is_audited(tmp_path, monkeypatch, case, sections):
    _export(tmp_path, monkeypatch)
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.actor, entry.action, entry.reason) == (
        "system:export",
        "read",
        "pseudonymised export: 1 cases, 3 sections",
    )


@pytest.mark.parametrize("key", ["", "too-short"])
def test_missing_or_short_key_is_a_clear_error(tmp_path, monkeypatch, capsys, key, case):
    monkeypatch.setenv("TSUNAGARI_PSEUDONYM_KEY", key)
    out = tmp_path / "out.csv"
    assert main(["cases", "export-pseudonymised", str(out)]) == 1
    assert "pseudonym key" in capsys.readouterr().err
    assert not out.exists()


def test_key_file(tmp_path, monkeypatch, case):
    monkeypatch.delenv("TSUNAGARI_PSEUDONYM_KEY", raising=False)
    key_file = tmp_path / "key"
    key_file.write_text(KEY + "\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    assert main(["cases", "export-pseudonymised", str(out), "--key-file", str(key_file)]) == 0
    _text, rows = _export(tmp_path, monkeypatch, name="env.csv")
    assert (
        next(csv.DictReader(out.read_text(encoding="utf-8").splitlines()))["case_pseudonym"]
        == rows[0]["case_pseudonym"]
    )
