"""Shared set-up of the council, sharing, page and export tests: two councils (A single, B joint),
a case of ``body`` with three sections, and users in each role."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tsunagari.cases import council_services, services

T0 = datetime(2026, 4, 1, 10, tzinfo=UTC)
CASEWORK = ("cases.view_case", "cases.add_case", "cases.change_case")
SHARING = (
    *CASEWORK,
    "cases.add_caseshare",
    "cases.change_caseshare",
    "cases.add_consent",
    "cases.change_consent",
)
MEMBER = ("cases.view_council", "cases.view_meeting", "cases.view_shared_sections")
RUN_COUNCIL = (
    "cases.add_council",
    "cases.change_council",
    "cases.view_council",
    "cases.view_meeting",
    "cases.add_meeting",
    "cases.change_meeting",
)
ASSESSMENT = {
    "topics": ["loneliness", "poverty"],
    "lives_alone": True,
    "situation_text": "仕事を失い、家賃が払えない。",
    "risk": "high",
    "support_wanted": "住まいの相談先",
    "consent_to_share": True,
    "consent_scope": "市の地域協議会",
}


@pytest.fixture
def cities(db):
    from tsunagari.core.models import LocalGovernment

    return list(LocalGovernment.objects.filter(kind=LocalGovernment.Kind.CITY).order_by("code")[:3])


@pytest.fixture
def officer(make_user, cities):
    """A municipal officer whose areas are the prefectures of ``cities`` (so both councils lie in them)."""
    from tsunagari.cases.area_models import StaffArea

    user = make_user("officer", *RUN_COUNCIL)
    for code in {city.parent_id or city.code for city in cities}:
        StaffArea.objects.create(user=user, local_government_id=code)
    return user


@pytest.fixture
def councils(officer, cities):
    a = council_services.create_council(officer, "A市孤独・孤立対策地域協議会", [cities[0]])
    b = council_services.create_council(officer, "B・C共同地域協議会", [cities[1], cities[2]])
    return a, b


@pytest.fixture
def member_a(make_user, officer, councils):
    user = make_user("member_a", *MEMBER)
    council_services.add_member(officer, councils[0].pk, user)
    return user


@pytest.fixture
def member_b(make_user, officer, councils):
    user = make_user("member_b", *MEMBER)
    council_services.add_member(officer, councils[1].pk, user)
    return user


@pytest.fixture
def sharer(make_user, body):
    """A coordinator of ``body``: casework, consents and shares, no override."""
    return make_user("sharer", *SHARING, body=body)


@pytest.fixture
def supervisor(make_user, body):
    return make_user("supervisor", *SHARING, "cases.override_consent", body=body)


@pytest.fixture
def case(sharer, body):
    return services.open_case(
        sharer,
        body=body,
        person_name="佐藤一郎",
        person_contact="090-0000-0000",
        summary="家賃の滞納",
        is_serious=True,
        opened_at=T0,
    )


@pytest.fixture
def sections(sharer, case):
    note = services.add_section(
        sharer, case.pk, "note", occurred_at=T0 + timedelta(hours=1), body="初回面談の記録"
    )
    assessment = services.add_section(
        sharer, case.pk, "assessment", occurred_at=T0 + timedelta(hours=2), data=ASSESSMENT
    )
    private = services.add_section(
        sharer, case.pk, "note", occurred_at=T0 + timedelta(hours=3), body="共有しない家族の事情"
    )
    return note, assessment, private
