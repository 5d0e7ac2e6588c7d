"""Staff log in through the site's own login page (not only the admin's)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db


def test_a_non_staff_counsellor_can_log_in_and_is_sent_on(client):
    get_user_model().objects.create_user("counsellor1", password="a long enough password 1")
    page = client.get("/accounts/login/?next=/helpline/console/")
    assert page.status_code == 200 and 'name="next" value="/helpline/console/"' in page.content.decode()
    response = client.post(
        "/accounts/login/",
        {"username": "counsellor1", "password": "a long enough password 1", "next": "/helpline/console/"},
    )
    assert response.status_code == 302 and response["Location"] == "/helpline/console/"


def test_wrong_password_is_refused_with_a_message(client):
    get_user_model().objects.create_user("counsellor2", password="a long enough password 2")
    response = client.post("/accounts/login/", {"username": "counsellor2", "password": "wrong"})
    assert response.status_code == 200 and 'role="alert"' in response.content.decode()
