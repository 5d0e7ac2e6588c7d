"""Public pages: real HTTP requests through Django's test client, no JavaScript needed."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tsunagari.directory.models import Service

from .factories import make_service

pytestmark = pytest.mark.django_db


def test_home_lists_topics_and_emergency_numbers(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="tel:110"' in html and 'href="tel:119"' in html
    assert reverse("directory:topic", args=["loneliness"]) in html
    assert "<script" not in html


def test_crisis_lines_on_every_page_are_verified_24h_lines(client):
    html = client.get("/").content.decode()
    crisis = Service.objects.filter(
        crisis_line=True, is_24h=True, status="active", attributes__term_id="topic:suicide"
    )
    assert crisis.exists()
    for service in crisis:
        assert service.name in html


def test_search_short_query_shows_results_with_tel_links(client):
    response = client.get("/search/", {"q": "DV"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "DV相談" in html
    assert re.search(r'href="tel:(%23)?\d+"', html)


def test_search_form_validates_input(client):
    response = client.get("/search/", {"q": "孤独", "age": "-3", "area": "12345x"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "errorlist" in html


def test_search_with_filters_and_pagination(client):
    response = client.get("/search/", {"q": "相談", "topic": ["poverty"], "page": 1})
    assert response.status_code == 200
    assert "件" in response.content.decode()


def test_service_detail_shows_source_last_verified_and_hours(client):
    sid = make_service(
        "t-page",
        "ページ確認窓口",
        phones=["#8008"],
        hours_text="平日 9時〜17時",
        schedule={
            "rules": [{"days": "weekdays", "opens": "09:00", "closes": "17:00"}],
            "public_holidays": "closed",
        },
    )
    html = client.get(reverse("directory:service", args=[sid])).content.decode()
    assert 'href="tel:%238008"' in html and "#8008" in html
    assert "2026年11月1日" in html  # last verified
    assert "https://example.org/" in html  # source
    assert "9:00〜17:00" in html
    assert "平日 9時〜17時" in html


def test_unverified_service_is_marked(client):
    service = Service.objects.filter(verification="unverified").first()
    html = client.get(reverse("directory:service", args=[service.pk])).content.decode()
    assert "まだ確認できていません" in html
    assert "未確認" in html


def test_topic_page_and_unknown_topic(client):
    assert client.get(reverse("directory:topic", args=["poverty"])).status_code == 200
    assert client.get("/topics/no_such_topic/").status_code == 404
    assert client.get(reverse("directory:topics")).status_code == 200


def test_unknown_service_is_404(client):
    assert client.get("/services/does-not-exist/").status_code == 404


def test_pages_set_no_cookies_for_anonymous_visitors(client):
    response = client.get("/search/", {"q": "孤独"})
    assert not response.cookies


def test_capped_total_is_shown_as_more_than_and_pages_go_on(client, monkeypatch):
    from tsunagari.directory.selectors import search

    monkeypatch.setattr(search, "COUNT_CAP", 25)
    html = client.get("/search/", {"q": "相談"}).content.decode()
    assert "25 件以上" in html
    assert "page=2" in html  # the first page is full: a next page is offered
    deep = client.get("/search/", {"q": "相談", "page": search.MAX_DEPTH})
    assert deep.status_code == 400 and "1000" in deep.content.decode()
