"""Councils scoped by area (``cases.area_models.StaffArea``, ``cases.policy``): what an area
covers, setting up councils only within one's area, running the councils of one's area, the
council list, and the council form refusing a local government outside the area."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tests.staff_login import login_staff
from tsunagari.cases import council_selectors, council_services, policy
from tsunagari.cases.area_models import StaffArea
from tsunagari.cases.council_models import Council

from .sharing_fixtures import MEMBER, RUN_COUNCIL, cities, councils, member_a, officer  # noqa: F401

pytestmark = pytest.mark.django_db
HOKKAIDO, SAPPORO, SAPPORO_CHUO, HAKODATE = "010006", "011002", "011011", "012025"
TOKYO, CHIYODA, HACHIOJI = "130001", "131016", "132012"


def _officer(make_user, name, *codes):
    user = make_user(name, *RUN_COUNCIL)
    for code in codes:
        StaffArea.objects.create(user=user, local_government_id=code)
    return type(user).objects.get(pk=user.pk)


def test_what_an_area_covers(make_user):
    prefecture = policy.area_codes_of(_officer(make_user, "pref", HOKKAIDO))
    assert {HOKKAIDO, SAPPORO, SAPPORO_CHUO, HAKODATE} <= prefecture and CHIYODA not in prefecture
    city = policy.area_codes_of(_officer(make_user, "sapporo", SAPPORO))
    assert {SAPPORO, SAPPORO_CHUO} <= city and HAKODATE not in city and HOKKAIDO not in city
    assert policy.area_codes_of(_officer(make_user, "hakodate", HAKODATE)) == {HAKODATE}
    assert policy.area_codes_of(_officer(make_user, "nowhere")) == frozenset()
    assert policy.area_codes_of(make_user("national", *RUN_COUNCIL, "cases.all_areas")) is None


def test_setting_up_a_council_only_within_the_area(make_user):
    chiyoda = _officer(make_user, "chiyoda", CHIYODA)
    assert policy.may_add_council(chiyoda) and policy.may_add_council(chiyoda, [CHIYODA])
    council_services.create_council(chiyoda, "千代田区協議会", [CHIYODA])
    with pytest.raises(ValidationError) as refused:  # a joint council with a government outside the area
        council_services.create_council(chiyoda, "千代田・八王子共同協議会", [CHIYODA, HACHIOJI])
    assert HACHIOJI in str(refused.value) and CHIYODA not in str(refused.value)
    assert not Council.objects.filter(name="千代田・八王子共同協議会").exists()  # nothing written
    tokyo = _officer(
        make_user, "tokyo", TOKYO
    )  # the prefecture may set up a joint council of its municipalities
    council_services.create_council(tokyo, "千代田・八王子共同協議会", [CHIYODA, HACHIOJI])
    nowhere = _officer(make_user, "nowhere")
    assert not policy.may_add_council(nowhere)
    with pytest.raises(PermissionDenied):  # an officer without an area sets up nothing
        council_services.create_council(nowhere, "X協議会", [CHIYODA])
    national = make_user("national", *RUN_COUNCIL, "cases.all_areas")
    council_services.create_council(national, "函館市協議会", [HAKODATE])


def test_running_the_councils_of_the_area(make_user):
    national = make_user("national", *RUN_COUNCIL, "cases.all_areas")
    joint = council_services.create_council(national, "千代田・八王子共同協議会", [CHIYODA, HACHIOJI])
    hachioji = _officer(make_user, "hachioji", HACHIOJI)
    sapporo = _officer(make_user, "sapporo", SAPPORO)
    assert policy.may_manage_council(hachioji, joint)  # one of the governments that set it up
    assert not policy.may_manage_council(sapporo, joint)
    member = make_user("member", *MEMBER)
    council_services.add_member(hachioji, joint.pk, member)
    with pytest.raises(PermissionDenied):
        council_services.add_member_body(sapporo, joint.pk, "某団体")
    # a secretariat seat still lets an officer of another area run it
    council_services.add_member(national, joint.pk, sapporo, "secretariat")
    sapporo = type(sapporo).objects.get(pk=sapporo.pk)
    assert policy.may_manage_council(sapporo, joint)


def test_the_council_list_shows_the_area_councils_to_those_who_run_them(make_user):
    national = make_user("national", *RUN_COUNCIL, "cases.all_areas")
    chiyoda_council = council_services.create_council(national, "千代田区協議会", [CHIYODA])
    council_services.create_council(national, "函館市協議会", [HAKODATE])
    tokyo = _officer(make_user, "tokyo", TOKYO)
    assert council_selectors.councils_of(tokyo) == [chiyoda_council]
    member = make_user("member", *MEMBER)  # a plain member sees only the councils they sit on
    assert council_selectors.councils_of(member) == []


def test_the_council_form_refuses_a_government_outside_the_area(client, make_user):
    chiyoda = _officer(make_user, "chiyoda", CHIYODA)
    login_staff(client, chiyoda)
    url = reverse("cases:council_list")
    response = client.post(url, {"name": "八王子市協議会", "local_governments": HACHIOJI})
    assert response.status_code == 400
    assert "担当地域の外の地方公共団体があります" in response.content.decode()
    assert not Council.objects.filter(name="八王子市協議会").exists()
    response = client.post(url, {"name": "千代田区協議会", "local_governments": CHIYODA})
    assert response.status_code == 302 and Council.objects.filter(name="千代田区協議会").exists()
