"""``tsunagari network import-members``: all or nothing, every error located, duplicates reported."""

from __future__ import annotations

import pytest

from tsunagari.cli import main
from tsunagari.directory.importers.errors import ImportValidationError
from tsunagari.network import services
from tsunagari.network.member_import import import_members
from tsunagari.network.models import ContactPerson, MemberBody, Membership

from .factories import national_platform

pytestmark = pytest.mark.django_db

HEADER = "団体名,法人番号,会員種別,入会日,所在地,活動分野,活動地域,一覧掲載,担当者名,担当者メール\n"
GOOD = (
    HEADER
    + "NPO法人つながり,7000012050002,会員,2022-02-25,千代田区1-1,loneliness,131016,はい,山田,y@example.org\n"
    + "つながり財団,,賛助会員,2022-06-01,港区2-2,,全国,いいえ,,\n"
)


def _csv(tmp_path, text):
    path = tmp_path / "members.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_import_creates_bodies_memberships_and_contacts(tmp_path):
    platform = national_platform()
    report = import_members(_csv(tmp_path, GOOD), platform)
    assert report.created == 2 and report.merge_candidates == []
    npo = MemberBody.objects.get(corporate_number="7000012050002")
    assert [a.code for a in npo.areas.all()] == ["131016"]
    assert npo.contacts.get().email == "y@example.org"
    membership = Membership.objects.get(body=npo)
    assert membership.member_class == "member" and membership.listed_publicly
    assert MemberBody.objects.get(name="つながり財団").nationwide


def test_one_bad_row_writes_nothing(tmp_path):
    platform = national_platform()
    text = GOOD + "壊れた行,,会員,2022-02-30,,,999999,,,\n"
    with pytest.raises(ImportValidationError) as info:
        import_members(_csv(tmp_path, text), platform)
    assert {(e.row, e.column) for e in info.value.errors} == {(4, "joined_on"), (4, "areas")}
    assert not MemberBody.objects.exists() and not ContactPerson.objects.exists()


def test_unknown_area_code_is_reported_by_row(tmp_path):
    platform = national_platform()
    # 139998: right shape and check digit for Tokyo, but no such municipality
    text = HEADER + "A,,会員,2022-02-25,,,139998,,,\n"
    with pytest.raises(ImportValidationError) as info:
        import_members(_csv(tmp_path, text), platform)
    (error,) = info.value.errors
    assert (error.row, error.column, error.reason) == (2, "areas", "no local government with code 139998")
    assert not MemberBody.objects.exists()


def test_duplicates_are_merge_candidates_not_created_twice(tmp_path):
    platform = national_platform()
    stored = services.save_body(name="既存の団体", corporate_number="7000012050002")
    text = (
        HEADER
        + "別名で登録,7000012050002,会員,2022-02-25,,,,,,\n"  # same 法人番号 as the stored body
        + "ＮＰＯ法人　みなと,,会員,2022-02-25,港区３－３,,,,,\n"
        + "NPO法人 みなと,,協力会員,2023-01-01,港区3-3,,,,,\n"  # same as row 3 after NFKC
    )
    report = import_members(_csv(tmp_path, text), platform)
    assert report.created == 1
    first, second = report.merge_candidates
    assert (first.row, first.reason, first.body_id, first.same_as_row) == (
        2,
        "corporate_number",
        stored.pk,
        None,
    )
    assert (second.row, second.reason, second.same_as_row) == (4, "name_and_address", 3)
    assert MemberBody.objects.filter(address_key="港区3-3").count() == 1
    assert not Membership.objects.filter(body=stored).exists()


def test_cli_reports_errors_and_candidates(tmp_path, capsys):
    platform = national_platform()
    bad = _csv(tmp_path, HEADER + ",,特別会員,2022-02-25,,,,,,\n")
    assert main(["network", "import-members", str(bad), "--platform", str(platform.pk)]) == 1
    err = capsys.readouterr().err
    assert "nothing imported" in err
    assert "members.csv row 2, column 'name': required" in err
    assert "members.csv row 2, column 'member_class': unknown class '特別会員'" in err

    good = _csv(tmp_path, GOOD)
    assert main(["network", "import-members", str(good), "--platform", str(platform.pk), "--dry-run"]) == 0
    assert "2 bodies would be created (dry run" in capsys.readouterr().out
    assert not MemberBody.objects.exists()
    assert main(["network", "import-members", str(good), "--platform", str(platform.pk)]) == 0
    assert main(["network", "import-members", str(good), "--platform", str(platform.pk)]) == 0
    out = capsys.readouterr().out
    assert (
        "0 bodies created, 2 merge candidates" in out
        and "row 2 'NPO法人つながり' looks like a stored body" in out
    )
    assert MemberBody.objects.count() == 2
    assert main(["network", "import-members", str(good), "--platform", "999999"]) == 1
