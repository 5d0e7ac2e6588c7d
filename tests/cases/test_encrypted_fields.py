"""core.encrypted_fields on the case models: the database holds only tokens bound to their row;
``keys rotate`` moves every value to the active key while all stay readable."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction

from tsunagari.cases.models import Case, Section
from tsunagari.cli import main
from tsunagari.core import crypto
from tsunagari.core.encrypted_fields import Sealed
from tsunagari.core.key_rotation import rotate

from .conftest import KEY_1, KEY_2, keys_config

pytestmark = pytest.mark.django_db
NAME = "山田花子"
SUMMARY = "夜になると死にたい気持ちが強くなると話した。"


def make_case(**values) -> Case:
    values = {"person_name": NAME, "summary": SUMMARY, "opened_at": datetime(2026, 4, 1, tzinfo=UTC)} | values
    case = Case(**values)
    case.save()
    return case


def raw(table: str, column: str, pk) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column} FROM {table} WHERE id = %s", [pk.hex if connection.vendor == "sqlite" else pk]
        )
        return cursor.fetchone()[0]


def raw_set(table: str, column: str, pk, value) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {column} = %s WHERE id = %s",
            [value, pk.hex if connection.vendor == "sqlite" else pk],
        )


def test_round_trip_through_the_database():
    case = make_case(person_contact="")
    loaded = Case.objects.get(pk=case.pk)
    assert (loaded.person_name, loaded.summary, loaded.person_contact) == (NAME, SUMMARY, "")
    section = Section(
        case=case, kind="assessment", occurred_at=case.opened_at, data={"risk": "high", "topics": ["suicide"]}
    )
    section.save()
    assert Section.objects.get(pk=section.pk).data == {"risk": "high", "topics": ["suicide"]}
    section.data = None
    section.save()
    assert Section.objects.get(pk=section.pk).data is None


def test_the_raw_column_holds_no_plaintext():
    case = make_case()
    for column, plaintext in [("person_name", NAME), ("summary", SUMMARY)]:
        stored = raw("cases_case", column, case.pk)
        assert stored.startswith("gcm1:k1:")
        assert plaintext not in stored and "死にたい" not in stored
    # Every text column of the table, as the database itself would dump it.
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM cases_case")
        for row in cursor.fetchall():
            assert not any(isinstance(v, str) and ("山田" in v or "死に" in v) for v in row)


def test_values_swapped_between_rows_fail_loudly():
    first, second = make_case(summary="一人目の話"), make_case(summary="二人目の話")
    token_1 = raw("cases_case", "summary", first.pk)
    token_2 = raw("cases_case", "summary", second.pk)
    raw_set("cases_case", "summary", first.pk, token_2)
    raw_set("cases_case", "summary", second.pk, token_1)
    for pk in (first.pk, second.pk):
        with pytest.raises(crypto.DecryptionError, match="another row or column"):
            _ = Case.objects.get(pk=pk).summary


def test_a_value_moved_to_another_column_fails():
    case = make_case()
    raw_set("cases_case", "person_contact", case.pk, raw("cases_case", "person_name", case.pk))
    with pytest.raises(crypto.DecryptionError):
        _ = Case.objects.get(pk=case.pk).person_contact


def test_tampered_ciphertext_fails():
    case = make_case()
    token = raw("cases_case", "summary", case.pk)
    prefix, body = token.rsplit(":", 1)
    raw_set("cases_case", "summary", case.pk, f"{prefix}:{'A' if body[0] != 'A' else 'B'}{body[1:]}")
    with pytest.raises(crypto.DecryptionError):
        _ = Case.objects.get(pk=case.pk).summary


def test_a_wrong_key_fails_and_no_key_refuses_to_write(field_keys):
    case = make_case()
    field_keys.TSUNAGARI_FIELD_KEYS = keys_config("k1", k1=KEY_2)
    with pytest.raises(crypto.DecryptionError, match="'k1'"):
        _ = Case.objects.get(pk=case.pk).person_name
    field_keys.TSUNAGARI_FIELD_KEYS = ""
    field_keys.TSUNAGARI_FIELD_KEYS_FILE = "/nonexistent/field_keys.json"
    with pytest.raises(ImproperlyConfigured):
        make_case()


def test_plaintext_cannot_bypass_save():
    case = make_case()
    with pytest.raises(TypeError, match="encrypted"), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(summary="平文")
    with pytest.raises(TypeError, match="encrypted"), transaction.atomic():
        list(Case.objects.filter(summary=SUMMARY))
    assert isinstance(Case.objects.values_list("summary", flat=True).get(pk=case.pk), Sealed)


def test_rotation_moves_every_value_to_the_active_key(field_keys):
    cases = [make_case(summary=f"記録 {n}") for n in range(7)]
    section = Section(case=cases[0], kind="note", occurred_at=cases[0].opened_at, body="本文")
    section.save()
    field_keys.TSUNAGARI_FIELD_KEYS = keys_config("k2", k1=KEY_1, k2=KEY_2)
    # Before rotating, old values are read with the retired key and new writes use the new one.
    assert Case.objects.get(pk=cases[1].pk).summary == "記録 1"
    fresh = make_case(summary="新しい記録")
    assert raw("cases_case", "summary", fresh.pk).startswith("gcm1:k2:")

    report = rotate(batch_size=3)
    # 8 cases x 3 columns + the section's body and data (data is NULL: not counted).
    assert report.rotated == 7 * 3 + 1
    assert report.current == 3
    assert report.changed == 0
    for case in [*cases, fresh]:
        for column in ("person_name", "person_contact", "summary"):
            assert raw("cases_case", column, case.pk).startswith("gcm1:k2:")
    assert raw("cases_section", "body", section.pk).startswith("gcm1:k2:")

    # Resumable / idempotent: a second run has nothing left to do.
    assert rotate().rotated == 0
    # The old key can now be removed from the configuration.
    field_keys.TSUNAGARI_FIELD_KEYS = keys_config("k2", k2=KEY_2)
    assert [Case.objects.get(pk=c.pk).summary for c in cases] == [f"記録 {n}" for n in range(7)]
    assert Section.objects.get(pk=section.pk).body == "本文"


def test_without_rotation_removing_the_old_key_loses_access(field_keys):
    case = make_case()
    field_keys.TSUNAGARI_FIELD_KEYS = keys_config("k2", k2=KEY_2)
    with pytest.raises(crypto.DecryptionError, match="unknown key 'k1'"):
        _ = Case.objects.get(pk=case.pk).summary


def test_keys_rotate_command(field_keys, capsys):
    make_case()
    field_keys.TSUNAGARI_FIELD_KEYS = keys_config("k2", k1=KEY_1, k2=KEY_2)
    assert main(["keys", "rotate", "--batch-size", "2"]) == 0
    out = capsys.readouterr().out
    assert "cases_case.summary: 1 re-encrypted" in out and "active key k2" in out
    assert NAME not in out and SUMMARY not in out


def test_local_key_file(settings, tmp_path):
    from tsunagari.core import field_keys

    settings.TSUNAGARI_FIELD_KEYS = ""
    settings.TSUNAGARI_FIELD_KEYS_FILE = tmp_path / "field_keys.json"
    assert field_keys.ensure_local_keyfile() == tmp_path / "field_keys.json"
    assert (tmp_path / "field_keys.json").stat().st_mode & 0o077 == 0
    assert field_keys.ensure_local_keyfile() is None  # already there
    first = field_keys.keyring()
    assert field_keys.add_local_key() == "k2"
    ring = field_keys.keyring()
    assert ring.active == "k2" and ring.keys["k1"] == first.keys["k1"]
