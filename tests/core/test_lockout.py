"""Repeated failed logins lock the username out from that IP address for a while (django-axes):
a clear message, no login even with the right password, other addresses unaffected, and no
username or address in the log."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import override_settings

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough password 7"
LOGIN = "/accounts/login/"


def _attempt(client, password: str, ip: str = "192.0.2.10"):
    return client.post(LOGIN, {"username": "locked-user", "password": password, "next": "/"}, REMOTE_ADDR=ip)


@pytest.fixture
def user():
    return get_user_model().objects.create_user("locked-user", password=PASSWORD)


def test_five_failures_lock_the_username_from_that_address(client, user, caplog):
    assert settings.AXES_FAILURE_LIMIT == 5
    caplog.set_level(logging.INFO)
    for _ in range(4):
        response = _attempt(client, "wrong password")
        assert response.status_code == 200 and 'role="alert"' in response.content.decode()
    fifth = _attempt(client, "wrong password")
    assert fifth.status_code == 429
    locked = _attempt(client, PASSWORD)
    assert locked.status_code == 429 and "_auth_user_id" not in client.session
    html = locked.content.decode()
    assert "5回続けて間違えた" in html and "30分ほど待って" in html and 'role="alert"' in html
    # The log says that a lockout happened, without the username or the address.
    assert "AXES" in caplog.text
    assert "locked-user" not in caplog.text and "192.0.2.10" not in caplog.text

    other_address = _attempt(client.__class__(), PASSWORD, ip="198.51.100.7")
    assert other_address.status_code == 302 and other_address["Location"] == "/"


def test_a_success_before_the_limit_starts_the_count_again(client, user):
    for _ in range(4):
        _attempt(client, "wrong password")
    assert _attempt(client, PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(4):
        assert _attempt(client, "wrong password").status_code == 200
    assert _attempt(client, PASSWORD).status_code == 302


def test_the_lockout_ends_after_the_cool_off_time(client, user):
    with override_settings(AXES_COOLOFF_TIME=timedelta(seconds=1)):
        for _ in range(5):
            _attempt(client, "wrong password")
        assert _attempt(client, PASSWORD).status_code == 429
        time.sleep(1.2)
        assert _attempt(client, PASSWORD).status_code == 302
