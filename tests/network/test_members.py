"""Platforms, member bodies, memberships and committees through the write services and selectors."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from tsunagari.network import selectors, services
from tsunagari.network.models import Committee, MemberBody, Membership
from tsunagari.network.services import NetworkRuleError

from .factories import member, national_platform

pytestmark = pytest.mark.django_db


def test_platform_scope_rules_and_joint_local_platforms():
    with pytest.raises(NetworkRuleError, match="national platform"):
        services.create_platform("全国", "national", ["131016"])
    with pytest.raises(NetworkRuleError, match="at least one"):
        services.create_platform("地方", "local", [])
    with pytest.raises(NetworkRuleError, match="unknown local government"):
        services.create_platform("地方", "local", ["999999"])
    joint = services.create_platform("共同プラットフォーム", "local", ["312011", "312029"])
    assert sorted(g.code for g in joint.local_governments.all()) == ["312011", "312029"]


def test_body_keys_topics_and_areas():
    body = services.save_body(
        name="ＮＰＯ法人　つながり",
        address="千代田区１－１",
        topics=["loneliness", "poverty"],
        area_codes=["131016"],
    )
    assert body.name_key == "npo法人つながり" and body.address_key == "千代田区1-1"
    services.save_body(body, topics=["poverty", "housing"])
    assert sorted(body.topics.values_list("code", flat=True)) == ["housing", "poverty"]
    assert [a.code for a in body.areas.all()] == ["131016"]
    with pytest.raises(NetworkRuleError, match="unknown topic"):
        services.save_body(name="x", topics=["nosuch"])
    with pytest.raises(NetworkRuleError, match="法人番号"):
        services.save_body(name="x", corporate_number="7000012050003")


def test_corporate_number_is_unique_when_given():
    services.save_body(name="A", corporate_number="7000012050002")
    services.save_body(name="B")
    services.save_body(name="C")  # two bodies without a number are fine
    with pytest.raises(IntegrityError), transaction.atomic():
        services.save_body(name="D", corporate_number="7000012050002")


def test_one_open_membership_per_platform_and_class_changes():
    platform = national_platform()
    membership = member(platform, "A", "supporting", date(2022, 6, 1))
    with pytest.raises(NetworkRuleError, match="already a member"):
        services.join(platform, membership.body, "member", date(2023, 1, 1))
    new = services.change_class(membership, "member", date(2023, 4, 1))
    membership.refresh_from_db()
    assert membership.left_on == date(2023, 4, 1) and new.joined_on == date(2023, 4, 1)
    assert new.listed_publicly  # consent carries over
    assert selectors.member_counts(platform, date(2023, 3, 31)) == {
        "member": 0,
        "cooperating": 0,
        "supporting": 1,
    }
    assert selectors.member_counts(platform, date(2023, 4, 1)) == {
        "member": 1,
        "cooperating": 0,
        "supporting": 0,
    }
    with pytest.raises(NetworkRuleError, match="before joined_on"):
        services.leave(new, date(2023, 3, 1))


def test_counts_over_time_follow_join_and_leave_dates():
    platform = national_platform()
    member(platform, "A", "member", date(2022, 2, 25))
    member(platform, "B", "cooperating", date(2022, 6, 1))
    gone = member(platform, "C", "member", date(2022, 3, 1))
    services.leave(gone, date(2024, 4, 1))
    series = selectors.member_count_series(platform, [date(2022, 2, 24), date(2022, 6, 15), date(2024, 4, 1)])
    assert [(p.total, p.by_class["member"]) for p in series] == [(0, 0), (3, 2), (2, 1)]


def test_board_seats_go_to_open_member_class_only():
    platform = national_platform()
    board = Committee.objects.create(platform=platform, kind="board", name="幹事会")
    subcommittee = Committee.objects.create(platform=platform, kind="subcommittee", name="分科会1")
    npo = member(platform, "NPO", "member")
    chamber = member(platform, "商工会議所", "cooperating")
    services.add_seat(board, npo, date(2023, 6, 1), role="chair")
    with pytest.raises(NetworkRuleError, match="elected from 会員"):
        services.add_seat(board, chamber, date(2023, 6, 1))
    services.add_seat(subcommittee, chamber, date(2023, 6, 1))
    with pytest.raises(NetworkRuleError, match="already has a seat"):
        services.add_seat(subcommittee, chamber, date(2023, 7, 1))
    services.leave(npo, date(2024, 3, 31))
    assert npo.seats.get().ended_on == date(2024, 3, 31)  # leaving ends the seats
    other = services.create_platform("地方", "local", ["131016"])
    outsider = member(other, "よそ", "member")
    with pytest.raises(NetworkRuleError, match="this committee's platform"):
        services.add_seat(board, outsider, date(2023, 6, 1))


def test_public_members_only_listed_and_active():
    platform = national_platform()
    member(platform, "いろは", listed=True, topics=["loneliness"])
    member(platform, "あいう", listed=True)
    member(platform, "非公開", listed=False)
    services.leave(member(platform, "退会済", listed=True), date(2024, 1, 1))
    member(platform, "未来", listed=True, joined_on=date(2030, 1, 1))
    names = [m.body.name for m in selectors.public_members(platform, date(2025, 1, 1))]
    assert names == ["あいう", "いろは"]


def test_merge_moves_everything_and_refuses_clashes():
    platform = national_platform()
    keep = member(platform, "つながり", topics=["loneliness"]).body
    duplicate = services.save_body(
        name="つながり", address="千代田区1-1", corporate_number="7000012050002", topics=["poverty"]
    )
    services.add_contact(duplicate, "山田")
    old = services.join(platform, duplicate, "member", date(2022, 1, 1))
    with pytest.raises(NetworkRuleError, match="same platform"):
        services.merge_bodies(keep, duplicate)
    services.leave(old, date(2022, 12, 31))
    merged = services.merge_bodies(keep, duplicate)
    assert not MemberBody.objects.filter(pk=duplicate.pk).exists()
    assert merged.corporate_number == "7000012050002" and merged.address_key == "千代田区1-1"
    assert sorted(merged.topics.values_list("code", flat=True)) == ["loneliness", "poverty"]
    assert Membership.objects.filter(body=merged).count() == 2
    assert merged.contacts.get().name == "山田"


def test_class_choices_match_the_pure_vocabulary():
    from django.utils import translation

    from tsunagari.network.classes import MEMBER_CLASSES
    from tsunagari.network.models.platforms import MEMBER_CLASS_CHOICES

    with translation.override("ja"):
        assert {code: str(label) for code, label in MEMBER_CLASS_CHOICES} == MEMBER_CLASSES


def test_member_counts_command(capsys):
    import json

    from tsunagari.cli import main

    platform = national_platform()
    member(platform, "A", "member", date(2022, 2, 25))
    member(platform, "B", "supporting", date(2023, 1, 1))
    assert main(["network", "member-counts"]) == 0
    out = capsys.readouterr().out
    assert (
        "2025-01-01: 615 (member 407, cooperating 161, supporting 47)  [001_e9a77c84168798d3.txt line 355]"
        in out
    )
    args = [
        "network",
        "member-counts",
        "--platform",
        str(platform.pk),
        "--on",
        "2022-06-15",
        "--on",
        "2023-06-01",
    ]
    assert main([*args, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [(r["as_of"], r["total"]) for r in data["recorded"]] == [("2022-06-15", 1), ("2023-06-01", 2)]
    assert [r["total"] for r in data["published"]] == [257, 339, 559, 615]
    assert main(["network", "member-counts", "--platform", str(platform.pk), "--on", "2023-02-30"]) == 1
