"""E-mails to registrants (after commit), the online URL only there, and the signed cancel link
that frees a seat for the next person waiting."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse

from tsunagari.network import event_mail, event_services
from tsunagari.network.models import Registration

from .factories import event, national_platform

pytestmark = pytest.mark.django_db
BASE = "https://tsunagari.example.jp"


class FailingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("no mail server")


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.TSUNAGARI_PUBLIC_BASE_URL = BASE


def _register(e, n, capture):
    with capture(execute=True):
        return event_services.register(e, f"参加者{n}", f"p{n}@example.org")


def test_confirmed_and_waitlisted_mails(django_capture_on_commit_callbacks):
    e = event(national_platform(), capacity=1, venue="", online_url="https://meet.example.org/room-1")
    _register(e, 1, django_capture_on_commit_callbacks)
    _register(e, 2, django_capture_on_commit_callbacks)
    confirmed, waitlisted = mail.outbox
    assert confirmed.to == ["p1@example.org"] and "参加が確定しました" in confirmed.subject
    assert "https://meet.example.org/room-1" in confirmed.body
    assert f"{BASE}/network/events/cancel/" in confirmed.body
    assert "キャンセル待ち" in waitlisted.subject and "room-1" not in waitlisted.body


def test_nothing_is_sent_before_commit(django_capture_on_commit_callbacks):
    e = event(national_platform(), capacity=5)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        event_services.register(e, "山田", "y@example.org")
    assert mail.outbox == [] and len(callbacks) == 1


def test_cancel_link_frees_the_seat_for_the_next_in_line(client, django_capture_on_commit_callbacks):
    e = event(national_platform(), capacity=1)
    seated = _register(e, 1, django_capture_on_commit_callbacks)
    waiting = _register(e, 2, django_capture_on_commit_callbacks)
    url = reverse("network:event_cancel", args=[event_mail.cancel_token(seated)])
    assert client.get(url).status_code == 200
    assert Registration.objects.get(pk=seated.pk).status == "confirmed"  # a GET changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 200  # no CSRF token: the signed link is the authority
    assert Registration.objects.get(pk=seated.pk).status == "cancelled"
    assert Registration.objects.get(pk=waiting.pk).status == "confirmed"
    promoted = mail.outbox[-1]
    assert promoted.to == ["p2@example.org"] and "キャンセル待ちから参加が確定しました" in promoted.subject
    assert client.post(url).status_code == 200  # again: still cancelled, nobody else promoted
    assert len(mail.outbox) == 3
    assert client.get(url[:-2] + "x/").status_code == 404


def test_a_mail_failure_keeps_the_registration(settings, django_capture_on_commit_callbacks, caplog):
    settings.EMAIL_BACKEND = "tests.network.test_event_mail.FailingBackend"
    e = event(national_platform(), capacity=5)
    registration = _register(e, 1, django_capture_on_commit_callbacks)
    assert Registration.objects.get(pk=registration.pk).status == "confirmed"
    assert "event mail not sent" in caplog.text and "p1@example.org" not in caplog.text


def test_without_a_public_url_the_mail_points_to_the_secretariat(
    settings, django_capture_on_commit_callbacks
):
    settings.TSUNAGARI_PUBLIC_BASE_URL = ""
    e = event(national_platform(), capacity=5)
    _register(e, 1, django_capture_on_commit_callbacks)
    assert "事務局にご連絡ください" in mail.outbox[0].body
