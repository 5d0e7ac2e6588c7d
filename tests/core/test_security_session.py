"""Staff sessions end after 30 idle minutes and when the browser closes; public pages get no
session cookie."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from tests.staff_login import login_staff
from tsunagari.core.session_timeout import LAST_SEEN_KEY
from tsunagari.helpline import roles

pytestmark = pytest.mark.django_db

CONSOLE = "/helpline/console/"


@pytest.fixture
def counsellor():
    roles.ensure_roles()
    user = get_user_model().objects.create_user("idle-counsellor", password="a long enough password 3")
    user.groups.add(Group.objects.get(name=roles.COUNSELLOR))
    return user


def _set_last_seen(client, seconds_ago: float) -> None:
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time() - seconds_ago)
    session.save()


def test_a_staff_session_idle_for_more_than_30_minutes_is_logged_out(client, counsellor):
    assert settings.TSUNAGARI_STAFF_IDLE_MINUTES == 30
    login_staff(client, counsellor)
    assert client.get(CONSOLE).status_code == 200
    assert abs(client.session[LAST_SEEN_KEY] - time.time()) < 5

    _set_last_seen(client, 29 * 60)
    assert client.get(CONSOLE).status_code == 200

    _set_last_seen(client, 31 * 60)
    response = client.get(CONSOLE)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session
    assert client.get(CONSOLE).status_code == 302  # stays logged out


def test_the_session_cookie_ends_with_the_browser(client):
    get_user_model().objects.create_user("plain-user", password="a long enough password 4")
    response = client.post(
        "/accounts/login/", {"username": "plain-user", "password": "a long enough password 4"}
    )
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie.value and not cookie["expires"] and not cookie["max-age"]
    assert cookie["httponly"]


def test_public_pages_set_no_session_cookie(client):
    for path in ("/", "/navi/", "/helpline/chat/", "/network/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert settings.SESSION_COOKIE_NAME not in response.cookies, path
