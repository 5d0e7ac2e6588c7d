"""Callback requests: stored encrypted with consent, shown only to the counsellor who took one (of a
body serving its field), erased when closed or expired; need-to-know and audit in the console."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tests.helpline.line_support import chat_setup, logged_in
from tsunagari.helpline import callback_services, chat_retention
from tsunagari.helpline.callback_models import CallbackRequest
from tsunagari.helpline.models import Contact

pytestmark = pytest.mark.django_db
NUMBER = "+819012345678"


@pytest.fixture
def setup(django_user_model):
    return chat_setup(django_user_model)


def _request(field="kodoku", crisis=False, hours_ago=0, sid="CA1") -> CallbackRequest:
    now = timezone.now() - timedelta(hours=hours_ago)
    contact = Contact.objects.create(channel=Contact.Channel.VOICE, provider_id=sid, started_at=now)
    return callback_services.request_callback(contact, NUMBER, field, crisis, now)


def _raw_number(request: CallbackRequest) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT number FROM {CallbackRequest._meta.db_table} WHERE id = %s",
            [request.pk.hex if connection.vendor == "sqlite" else request.pk],
        )
        return cursor.fetchone()[0]


def test_the_number_is_stored_encrypted_and_a_repeated_request_is_a_no_op(setup):
    first = _request()
    again = callback_services.request_callback(
        first.contact, "+810000000000", "kodoku", False, timezone.now()
    )
    assert again.pk == first.pk and CallbackRequest.objects.count() == 1
    raw = _raw_number(first)
    assert raw.startswith("gcm1:") and NUMBER not in raw and "9012345678" not in raw
    assert CallbackRequest.objects.get(pk=first.pk).number == NUMBER


def test_only_the_counsellor_who_took_it_sees_the_number_then_it_is_erased(setup, caplog):
    callback = _request()
    counsellor = logged_in(setup["counsellor_a"])
    listing = counsellor.get(reverse("helpline:console_callbacks")).content.decode()
    assert str(callback.pk) in listing and NUMBER not in listing
    with caplog.at_level(logging.INFO, logger="tsunagari.audit"):
        response = counsellor.post(
            reverse("helpline:console_callback_take", kwargs={"callback_id": callback.pk})
        )
        page = counsellor.get(response["Location"]).content.decode()
    assert f'href="tel:{NUMBER}"' in page
    assert NUMBER not in caplog.text and "helpline.callback.number_shown" in caplog.text
    supervisor = logged_in(setup["supervisor"]).get(
        reverse("helpline:console_callback", kwargs={"callback_id": callback.pk})
    )
    assert supervisor.status_code == 200 and NUMBER not in supervisor.content.decode()  # not the taker
    counsellor.post(
        reverse("helpline:console_callback_close", kwargs={"callback_id": callback.pk}), {"reached": "yes"}
    )
    closed = CallbackRequest.objects.get(pk=callback.pk)
    assert closed.status == CallbackRequest.Status.DONE and closed.number == "" and closed.closed_at
    assert NUMBER not in _raw_number(closed)


def test_a_body_that_does_not_serve_the_field_gets_404(setup):
    callback = _request(field="kodoku")
    other = logged_in(setup["counsellor_b"])  # body B answers 18歳以下 only
    assert str(callback.pk) not in other.get(reverse("helpline:console_callbacks")).content.decode()
    for name in ("console_callback", "console_callback_take", "console_callback_close"):
        url = reverse(f"helpline:{name}", kwargs={"callback_id": callback.pk})
        response = other.get(url) if name == "console_callback" else other.post(url)
        assert response.status_code == 404, name
    assert CallbackRequest.objects.get(pk=callback.pk).status == CallbackRequest.Status.WAITING


def test_a_crisis_request_goes_to_bodies_that_accept_crisis_and_comes_first(setup):
    older = _request(field="kodomo", hours_ago=2, sid="CA-old")
    crisis = _request(field="kodomo", crisis=True, sid="CA-crisis")
    listing = logged_in(setup["supervisor"]).get(reverse("helpline:console_callbacks")).content.decode()
    assert listing.index(str(crisis.pk)) < listing.index(str(older.pk))
    a = logged_in(setup["counsellor_a"]).get(reverse("helpline:console_callbacks")).content.decode()
    assert str(crisis.pk) in a and str(older.pk) not in a  # A accepts crisis, does not serve 18歳以下


def test_two_counsellors_cannot_both_take_one_request(setup, django_user_model):
    callback = _request()
    callback_services.take(setup["counsellor_a"], callback.pk, timezone.now())
    with pytest.raises(callback_services.CallbackConflict) as conflict:
        callback_services.take(setup["supervisor"], callback.pk, timezone.now())
    assert conflict.value.code == "not_waiting"
    with pytest.raises(callback_services.CallbackConflict):
        callback_services.close(setup["supervisor"], callback.pk, True, timezone.now())


def test_open_requests_expire_and_lose_their_number(setup, settings):
    settings.TSUNAGARI_CALLBACK_HOURS = 24
    old = _request(hours_ago=25, sid="CA-old")
    fresh = _request(hours_ago=1, sid="CA-fresh")
    report = chat_retention.purge(timezone.now())
    assert report.callbacks_expired == 1
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.status == CallbackRequest.Status.EXPIRED and old.number == ""
    assert fresh.status == CallbackRequest.Status.WAITING and fresh.number == NUMBER
    assert chat_retention.purge(timezone.now()).callbacks_expired == 0
