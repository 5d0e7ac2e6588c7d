"""The public member list page: only consenting, current members; never contact people."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from tsunagari.network import services

from .factories import member, national_platform

pytestmark = pytest.mark.django_db


def test_member_list_shows_only_listed_members_and_no_contacts(client):
    platform = national_platform()
    listed = member(platform, "掲載可NPO", topics=["loneliness"], area_codes=["131016"])
    services.add_contact(listed.body, "担当 花子", email="hanako@example.org")
    member(platform, "掲載不可NPO", listed=False)
    member(platform, "協力商工会", "cooperating")
    response = client.get(reverse("network:members", args=[platform.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "掲載可NPO" in html and "協力商工会" in html and "千代田区" in html
    assert "掲載不可NPO" not in html
    assert "担当 花子" not in html and "hanako@" not in html
    assert 'href="tel:110"' in html  # the crisis block, as on every public page
    assert "<script" not in html


def test_class_filter_and_published_counts(client):
    platform = national_platform()
    member(platform, "会員NPO", "member")
    member(platform, "賛助財団", "supporting")
    html = client.get(
        reverse("network:members", args=[platform.pk]), {"class": "supporting"}
    ).content.decode()
    assert "賛助財団" in html and "会員NPO" not in html
    for total in ("257", "339", "559", "615"):
        assert f"<td>{total}</td>" in html
    assert "2022-06-15" in html


def test_local_platform_page_and_index(client):
    local = services.create_platform("鳥取県孤独・孤立対策官民連携プラットフォーム", "local", ["310000"])
    member(local, "とっとりNPO", joined_on=date(2024, 1, 1))
    html = client.get(reverse("network:members", args=[local.pk])).content.decode()
    assert "とっとりNPO" in html and "<td>615</td>" not in html  # national figures only on national
    index = client.get("/network/")
    assert (
        index.status_code == 200 and "鳥取県孤独・孤立対策官民連携プラットフォーム" in index.content.decode()
    )
    # Japanese only until the network's text is translated: no language prefix, no switcher
    assert client.get("/en/network/").status_code == 404
    assert '<html lang="ja">' in index.content.decode() and 'class="languages"' not in index.content.decode()
    assert client.get(reverse("network:members", args=[999999])).status_code == 404


def test_member_list_pages(client):
    platform = national_platform()
    for i in range(55):
        member(platform, f"団体{i:03d}")
    url = reverse("network:members", args=[platform.pk])
    first = client.get(url).content.decode()
    second = client.get(url, {"page": 2}).content.decode()
    assert "団体000" in first and "団体054" not in first
    assert "団体054" in second and 'rel="prev"' in second


def test_query_count_does_not_grow_with_the_members(client, django_assert_max_num_queries):
    platform = national_platform()
    url = reverse("network:members", args=[platform.pk])
    for i in range(3):
        member(platform, f"少数{i}", topics=["loneliness"], area_codes=["131016", "011011"])
    client.get(url)  # warm per-process caches (crisis lines)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for i in range(30):
        member(platform, f"多数{i}", topics=["poverty", "housing"], area_codes=["011011"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
