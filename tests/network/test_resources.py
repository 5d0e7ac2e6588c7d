"""A local platform's social-resource list (/network/<platform_id>/resources/): the directory
services of its listed member bodies plus the services of its local governments' areas."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse

from tsunagari.directory.models import Service, ServiceArea
from tsunagari.directory.records import SourceRecord
from tsunagari.network import resource_views, selectors_public, services

from .factories import member
from .test_body_edit import directory_services

pytestmark = pytest.mark.django_db

TOTTORI_CITY, YONAGO, CHIYODA = "312011", "312029", "131016"


@pytest.fixture
def world():
    """A joint local platform of 鳥取市 and 米子市 with a listed member, an unlisted member and a
    former member, each linked to a directory organization; plus area services in and out."""
    platform = services.create_platform("鳥取県西部・東部つながりネット", "local", [TOTTORI_CITY, YONAGO])
    other = services.create_platform("千代田区プラットフォーム", "local", [CHIYODA])
    ids = {}

    def linked(membership, key, name, *svc):
        org_id, service_ids = directory_services(key, name, *svc)
        services.save_body(membership.body, organization_id=org_id)
        return service_ids

    ids["member"] = linked(
        member(platform, "NPO法人あかり"),
        "akari-org",
        "NPO法人あかり",
        {"key": "akari-line", "name": "あかり電話相談", "topics": ("loneliness", "poverty"), "phones": ["0120-000-111"]},
        {"key": "akari-food", "name": "あかりフードパントリー", "topics": ("poverty",),
         "source": SourceRecord(name="self")},
        {"key": "akari-old", "name": "あかり旧窓口", "status": "defunct"},
    )  # fmt: skip
    ids["unlisted"] = linked(
        member(platform, "掲載不可NPO", listed=False),
        "hidden-org",
        "掲載不可NPO",
        {"key": "hidden-line", "name": "非掲載の窓口"},
    )
    former = member(platform, "退会したNPO")
    ids["former"] = linked(
        former, "former-org", "退会したNPO", {"key": "former-line", "name": "退会団体の窓口"}
    )
    services.leave(former, date(2024, 3, 31))
    ids["other_platform"] = linked(
        member(other, "千代田のNPO"),
        "chiyoda-org",
        "千代田のNPO",
        {"key": "chiyoda-line", "name": "千代田の窓口"},
    )
    _org, ids["area"] = directory_services(
        "city-org",
        "鳥取市役所",
        {"key": "tottori-housing", "name": "鳥取市住まい相談", "area_code": TOTTORI_CITY, "topics": ("housing",),
         "phones": ["0857-00-1234（平日）"]},
        {"key": "yonago-kids", "name": "米子市こども相談", "area_code": YONAGO, "topics": ("child_rearing",)},
        {"key": "chiyoda-area", "name": "千代田区の区民相談", "area_code": CHIYODA},
        {"key": "tottori-pref", "name": "鳥取県の県民相談", "area_code": "310000"},
    )  # fmt: skip
    return platform, ids


def test_only_listed_members_and_area_services(world):
    platform, ids = world
    member_ids, area_ids = selectors_public.resource_service_ids(platform)
    akari_line, akari_food, akari_old = ids["member"]
    assert member_ids == {akari_line, akari_food}  # defunct left out
    tottori_housing, yonago_kids, chiyoda_area, tottori_pref = ids["area"]
    assert {tottori_housing, yonago_kids} <= area_ids
    shown = member_ids | area_ids
    for excluded in (
        *ids["unlisted"],
        *ids["former"],
        *ids["other_platform"],
        chiyoda_area,
        tottori_pref,
        akari_old,
    ):
        assert excluded not in shown
    # Every area service really is in one of the platform's areas (the bundled directory included).
    govs = {TOTTORI_CITY, YONAGO}
    for service in Service.objects.filter(pk__in=area_ids):
        service_areas = set(ServiceArea.objects.filter(service=service).values_list("area_id", flat=True))
        assert service.area_id in govs or service_areas & govs


def test_page_groups_by_topic_with_verbatim_phones_and_verification(client, world):
    platform, _ids = world
    response = client.get(reverse("network:resources", args=[platform.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    headings = re.findall(r"<h2>([^<]+)</h2>", html)
    assert headings.index("孤独・孤立、話し相手や居場所がない") < headings.index("生活困窮・お金")
    assert headings.index("生活困窮・お金") < headings.index("住まい") < headings.index("妊娠・出産・子育て")
    # A service with two topics appears under each.
    assert html.count("あかり電話相談") == 2
    assert "0120-000-111" in html and 'href="tel:0120000111"' in html
    assert "0857-00-1234（平日）" in html  # verbatim, as the directory has it
    assert "確認済み（2026-11-01）" in html and "情報未確認" in html
    for hidden in ("非掲載の窓口", "退会団体の窓口", "千代田の窓口", "千代田区の区民相談", "あかり旧窓口"):
        assert hidden not in html
    assert "鳥取市" in html and "米子市" in html
    assert "<script" not in html and " style=" not in html


def test_topic_filter_and_bad_topic(client, world):
    platform, _ids = world
    url = reverse("network:resources", args=[platform.pk])
    html = client.get(url, {"topic": "housing"}).content.decode()
    assert "鳥取市住まい相談" in html and "あかりフードパントリー" not in html
    assert 'href="?topic=housing" aria-current="true"' in html
    response = client.get(url, {"topic": "astrology"})
    assert response.status_code == 400
    assert "指定された分野はありません" in response.content.decode()


def test_pagination_keeps_every_row_once(client, world, monkeypatch):
    platform, _ids = world
    monkeypatch.setattr(resource_views, "PER_PAGE", 2)
    rows = selectors_public.resource_rows(platform)
    url = reverse("network:resources", args=[platform.pk])
    seen = []
    pages = -(-len(rows) // 2)
    assert pages >= 3
    for number in range(1, pages + 1):
        html = client.get(url, {"page": number}).content.decode()
        seen += re.findall(r'<h3 lang="ja"><a href="/services/([^/]+)/">', html)
        if number < pages:
            assert 'rel="next"' in html
    assert seen == [row.service_id for row in rows]


def test_unknown_platform_is_404(client):
    assert client.get(reverse("network:resources", args=[999999])).status_code == 404


def test_query_count_does_not_grow_with_the_list(client, world, django_assert_max_num_queries):
    platform, _ids = world
    for n in range(10):
        directory_services(
            f"more-{n}", f"鳥取の団体{n}", {"key": f"more-{n}", "name": f"窓口{n}", "area_code": TOTTORI_CITY,
                                            "phones": [f"0857-00-{n:04d}"]},
        )  # fmt: skip
    with django_assert_max_num_queries(12):
        assert client.get(reverse("network:resources", args=[platform.pk])).status_code == 200
