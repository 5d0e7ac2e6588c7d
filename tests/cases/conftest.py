"""Fixtures of the cases tests: field-encryption keys and staff users."""

from __future__ import annotations

import json

import pytest

from tsunagari.core import crypto

KEY_1 = crypto.generate_key()
KEY_2 = crypto.generate_key()


def keys_config(active: str = "k1", **keys: str) -> str:
    return json.dumps({"active": active, "keys": keys or {"k1": KEY_1}})


@pytest.fixture(autouse=True)
def field_keys(settings):
    """A test keyring (k1 active); tests that rotate change ``settings.TSUNAGARI_FIELD_KEYS``."""
    settings.TSUNAGARI_FIELD_KEYS = keys_config()
    return settings


def _user(username: str, *codenames: str, body=None):
    from django.contrib.auth.models import Permission, User

    from tsunagari.helpline.chat_models import StaffMembership

    user = User.objects.create_user(username, password=None)
    for codename in codenames:
        app, code = codename.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app, codename=code))
    if body is not None:
        StaffMembership.objects.create(user=user, body=body)
    return User.objects.get(pk=user.pk)  # fresh permission cache


@pytest.fixture
def make_user(db):
    return _user


@pytest.fixture
def body(db):
    from tsunagari.helpline.models import PartnerBody

    return PartnerBody.objects.create(name="テスト相談団体")


@pytest.fixture
def other_body(db):
    from tsunagari.helpline.models import PartnerBody

    return PartnerBody.objects.create(name="別の団体")


CASEWORK = ("cases.view_case", "cases.add_case", "cases.change_case")


@pytest.fixture
def worker(make_user, body):
    """A counsellor of ``body`` allowed to do casework."""
    return make_user("worker", *CASEWORK, body=body)
