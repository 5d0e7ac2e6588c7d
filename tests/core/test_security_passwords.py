"""Passwords are hashed with Argon2; hashes of the older PBKDF2 hasher still verify and are
rehashed with Argon2 when their owner logs in."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough password 9"


def test_new_passwords_are_hashed_with_argon2():
    user = get_user_model().objects.create_user("new-user", password=PASSWORD)
    assert user.password.startswith("argon2$argon2id$")
    assert check_password(PASSWORD, user.password)


def test_an_old_pbkdf2_hash_verifies_and_is_upgraded_at_login(client):
    old_hash = make_password(PASSWORD, hasher="pbkdf2_sha256")
    assert old_hash.startswith("pbkdf2_sha256$")
    user = get_user_model().objects.create_user("old-user")
    user.password = old_hash
    user.save(update_fields=["password"])

    response = client.post("/accounts/login/", {"username": "old-user", "password": PASSWORD, "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    user.refresh_from_db()
    assert user.password.startswith("argon2$") and user.password != old_hash
    assert check_password(PASSWORD, user.password)
