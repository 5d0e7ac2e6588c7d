"""Public event pages, registration through the form, and the iCalendar feed."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from django.urls import reverse

from tsunagari.network import event_services
from tsunagari.network.models import Registration

from .factories import event, national_platform

pytestmark = pytest.mark.django_db


def _unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def test_event_list_and_registration_form(client):
    e = event(national_platform(), capacity=1, title="つながりサポーター養成講座")
    html = client.get(reverse("network:events")).content.decode()
    assert "つながりサポーター養成講座" in html and reverse("network:event_feed") in html
    url = reverse("network:event", args=[e.pk])
    response = client.post(url, {"name": "山田", "email": "y@example.org"})
    assert response.status_code == 302 and response["Location"].endswith("?registered=confirmed")
    assert "参加が確定しました" in client.get(response["Location"]).content.decode()
    response = client.post(url, {"name": "佐藤", "email": "s@example.org"})
    assert response["Location"].endswith("?registered=waitlisted")
    assert list(Registration.objects.filter(event=e).values_list("status", flat=True)) == [
        "confirmed",
        "waitlisted",
    ]


def test_bad_or_duplicate_registration_is_refused_with_a_message(client):
    e = event(national_platform(), capacity=5)
    url = reverse("network:event", args=[e.pk])
    assert client.post(url, {"name": "", "email": "not-an-address"}).status_code == 400
    client.post(url, {"name": "山田", "email": "y@example.org"})
    response = client.post(url, {"name": "山田", "email": "y@example.org"})
    assert response.status_code == 400 and "すでに申し込まれています" in response.content.decode()
    assert Registration.objects.filter(event=e).count() == 1


def test_private_events_are_not_shown(client):
    e = event(national_platform(), is_public=False, title="非公開の分科会")
    assert client.get(reverse("network:event", args=[e.pk])).status_code == 404
    assert "非公開の分科会" not in client.get(reverse("network:events")).content.decode()
    assert "非公開の分科会" not in client.get(reverse("network:event_feed")).content.decode()


def test_feed_is_rfc5545_with_stable_uids(client):
    platform = national_platform()
    e = event(
        platform,
        title="シンポジウム「声を上げやすい・声をかけやすい社会」に向けた取組の在り方",
        description="第2回;オンライン併用,申込制",
    )
    response = client.get(reverse("network:event_feed"))
    assert response.status_code == 200 and response["Content-Type"] == "text/calendar; charset=utf-8"
    raw = response.content
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    lines = _unfold(raw.decode("utf-8"))
    assert f"UID:{e.uid}@tsunagari" in lines
    assert f"DTSTART:{e.starts_at.astimezone(UTC):%Y%m%dT%H%M%SZ}" in lines
    assert "DESCRIPTION:第2回\\;オンライン併用\\,申込制" in lines
    assert client.get(reverse("network:event_feed")).content == raw  # unchanged event, same bytes

    event_services.update_event(
        e, starts_at=e.starts_at + timedelta(hours=1), ends_at=e.ends_at + timedelta(hours=1)
    )
    event_services.cancel_event(e)
    lines = _unfold(client.get(reverse("network:event_feed")).content.decode("utf-8"))
    assert f"UID:{e.uid}@tsunagari" in lines  # same UID: clients update, not duplicate
    assert "SEQUENCE:2" in lines and "STATUS:CANCELLED" in lines


def test_feed_does_not_publish_the_online_meeting_url(client):
    platform = national_platform()
    e = event(platform, venue="", online_url="https://meet.example.org/secret-room")
    text = client.get(reverse("network:event_feed")).content.decode("utf-8")
    lines = _unfold(text)
    assert "secret-room" not in text
    assert "LOCATION:オンライン" in lines
    assert f"URL:http://testserver{reverse('network:event', args=[e.pk])}" in lines
    page = client.get(reverse("network:event", args=[e.pk])).content.decode()
    assert "secret-room" not in page


def test_only_public_materials_are_shown(client):
    e = event(national_platform())
    e.materials.create(title="当日資料（公開）", url="https://example.org/slides.pdf", is_public=True)
    e.materials.create(title="内部メモ", url="https://example.org/internal.pdf")
    html = client.get(reverse("network:event", args=[e.pk])).content.decode()
    assert "当日資料（公開）" in html and "https://example.org/slides.pdf" in html
    assert "内部メモ" not in html
