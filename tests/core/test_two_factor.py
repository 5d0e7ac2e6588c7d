"""Staff in roles that see personal data pass a TOTP second factor after the password, through the
real pages: enrolment (QR code, URI, secret, first code), the code step, the redirects of every
staff page (the admin included) until then. Codes are computed from the device key with
django-otp's own TOTP, as an authenticator app would."""

from __future__ import annotations

import base64
import re
import time

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tsunagari.core import two_factor
from tsunagari.helpline import roles

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough password 1"
CONSOLE = "/helpline/console/"
THROTTLE_SECONDS = 1.1  # OTP_TOTP_THROTTLE_FACTOR (1 s), doubled per further failure


def _code(key: bytes, offset_steps: int = 0) -> str:
    totp = TOTP(key)
    totp.time = time.time() + 30 * offset_steps
    return f"{totp.token():06d}"


def _user(name: str, *groups: str, superuser: bool = False):
    model = get_user_model()
    if superuser:
        user = model.objects.create_superuser(name, "", PASSWORD)
    else:
        user = model.objects.create_user(name, password=PASSWORD)
    for group in groups:
        user.groups.add(Group.objects.get_or_create(name=group)[0])
    return user


def _password_step(client, username: str, next_url: str = CONSOLE):
    return client.post("/accounts/login/", {"username": username, "password": PASSWORD, "next": next_url})


@pytest.fixture
def counsellor():
    roles.ensure_roles()
    return _user("counsellor-2fa", roles.COUNSELLOR)


def test_the_roles_that_see_personal_data_need_the_second_factor():
    assert {
        "counsellor",
        "supervisor",
        "coordinator",
        "council_member",
        "municipal_officer",
        "auditor",
        "platform_secretariat",
        "local_platform_officer",
        "member_body_editor",
    } == two_factor.ROLES_REQUIRING_TWO_FACTOR
    for role in sorted(two_factor.ROLES_REQUIRING_TWO_FACTOR):
        assert two_factor.needs_two_factor(_user(f"u-{role}", role)), role
    assert two_factor.needs_two_factor(_user("root", superuser=True))
    assert not two_factor.needs_two_factor(_user("analyst1", "analyst"))
    assert not two_factor.needs_two_factor(_user("plain"))


def test_enrolment_shows_the_key_and_a_first_code_confirms_it(client, counsellor):
    response = _password_step(client, counsellor.username)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/two-factor/setup/?next=%2Fhelpline%2Fconsole%2F"
    # Until the factor is verified the console (a staff page) sends to the code step.
    assert client.get(CONSOLE)["Location"] == "/accounts/two-factor/setup/?next=%2Fhelpline%2Fconsole%2F"

    page = client.get(response["Location"])
    html = page.content.decode()
    device = TOTPDevice.objects.get(user=counsellor)
    assert not device.confirmed
    secret = re.search(r'<code id="totp-secret">([A-Z2-7]+)</code>', html).group(1)
    assert secret and "otpauth://totp/tsunagari%3Acounsellor-2fa?secret=" + secret in html.replace(
        "&amp;", "&"
    )
    assert "<svg" in html and "<script" not in html
    key = base64.b32decode(secret)
    assert key == device.bin_key

    refused = client.post(
        "/accounts/two-factor/setup/",
        {"token": "000000" if _code(key) != "000000" else "111111", "next": CONSOLE},
    )
    assert refused.status_code == 200 and 'role="alert"' in refused.content.decode()
    assert client.get(CONSOLE).status_code == 302
    time.sleep(THROTTLE_SECONDS)  # a wrong code delays the next try (django-otp's throttling)

    done = client.post("/accounts/two-factor/setup/", {"token": _code(key), "next": CONSOLE})
    assert done.status_code == 302 and done["Location"] == CONSOLE
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(CONSOLE).status_code == 200


def test_a_user_with_a_device_is_asked_for_the_code(client, counsellor):
    device = TOTPDevice.objects.create(user=counsellor, name="phone", confirmed=True)
    response = _password_step(client, counsellor.username)
    assert response["Location"] == "/accounts/two-factor/?next=%2Fhelpline%2Fconsole%2F"
    page = client.get(response["Location"])
    assert page.status_code == 200 and 'autocomplete="one-time-code"' in page.content.decode()
    # No second device can be enrolled before the first one is verified (no bypass).
    assert client.get("/accounts/two-factor/setup/")["Location"].startswith("/accounts/two-factor/")
    assert TOTPDevice.objects.filter(user=counsellor).count() == 1

    code = _code(device.bin_key)
    wrong = str((int(code) + 1) % 1_000_000).zfill(6)
    assert client.post("/accounts/two-factor/", {"token": wrong, "next": CONSOLE}).status_code == 200
    assert client.post("/accounts/two-factor/", {"token": "12ab", "next": CONSOLE}).status_code == 200
    assert client.get(CONSOLE).status_code == 302
    # Wrong codes delay the next try (django-otp's throttling: 1 s, then 2 s); wait as a person would.
    time.sleep(2 * THROTTLE_SECONDS)
    ok = client.post("/accounts/two-factor/", {"token": code, "next": CONSOLE})
    assert ok.status_code == 302 and ok["Location"] == CONSOLE
    assert client.get(CONSOLE).status_code == 200


def test_a_code_is_accepted_only_once(client, counsellor):
    device = TOTPDevice.objects.create(user=counsellor, name="phone", confirmed=True)
    code = _code(device.bin_key)
    _password_step(client, counsellor.username)
    assert client.post("/accounts/two-factor/", {"token": code})["Location"] == "/helpline/console/"
    client.post("/accounts/logout/")
    _password_step(client, counsellor.username)
    replay = client.post("/accounts/two-factor/", {"token": code, "next": CONSOLE})
    assert replay.status_code == 200 and client.get(CONSOLE).status_code == 302


def test_next_must_stay_on_the_site(client, counsellor):
    device = TOTPDevice.objects.create(user=counsellor, name="phone", confirmed=True)
    _password_step(client, counsellor.username)
    response = client.post(
        "/accounts/two-factor/", {"token": _code(device.bin_key), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/helpline/console/"  # LOGIN_REDIRECT_URL


def test_the_admin_needs_the_second_factor_too(client):
    root = _user("root", superuser=True)
    device = TOTPDevice.objects.create(user=root, name="phone", confirmed=True)
    client.post("/admin/login/?next=/admin/", {"username": "root", "password": PASSWORD, "next": "/admin/"})
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"] == "/accounts/two-factor/?next=%2Fadmin%2F"
    assert client.get("/admin/auth/user/").status_code == 302
    client.post("/accounts/two-factor/", {"token": _code(device.bin_key), "next": "/admin/"})
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/auth/user/").status_code == 200


def test_public_pages_serve_a_pending_user_as_anonymous(client, counsellor):
    _password_step(client, counsellor.username)
    page = client.get("/navi/")
    assert page.status_code == 200
    assert client.get("/").status_code == 200


def test_users_without_a_personal_data_role_log_in_with_the_password_only(client):
    _user("analyst2", "analyst")
    response = _password_step(client, "analyst2", "/helpline/coverage/")
    assert response.status_code == 302 and response["Location"] == "/helpline/coverage/"
    assert not TOTPDevice.objects.exists()


def test_the_code_step_needs_the_password_step_first(client):
    response = client.get("/accounts/two-factor/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get("/accounts/two-factor/setup/")["Location"].startswith("/accounts/login/")


def test_login_staff_leaves_the_session_verified_as_django_otp_does(client, counsellor):
    from django_otp import DEVICE_ID_SESSION_KEY

    from tests.staff_login import login_staff

    login_staff(client, counsellor)
    device = TOTPDevice.objects.get(user=counsellor, confirmed=True)
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get(CONSOLE).status_code == 200


def _parameterless_paths(resolver, prefix=""):
    from django.urls import URLResolver

    paths = []
    for entry in resolver.url_patterns:
        pattern = str(entry.pattern)
        if "<" in pattern or "(" in pattern:
            continue
        if isinstance(entry, URLResolver):
            paths += _parameterless_paths(entry, prefix + pattern.lstrip("^"))
        else:
            paths.append("/" + prefix + pattern.lstrip("^").rstrip("$"))
    return sorted(set(paths))


def test_every_page_treats_a_pending_user_as_anonymous_and_sends_them_to_the_code_step(client):
    """For each page reachable by a GET without parameters: a superuser who passed only the password
    step gets what an anonymous visitor gets, except that a redirect to a login page (or a 403)
    becomes a redirect to the code step."""
    from django.urls import get_resolver

    root = _user("root-pending", superuser=True)
    TOTPDevice.objects.create(user=root, name="phone", confirmed=True)
    _password_step(client, "root-pending")
    anonymous = client.__class__()
    client.raise_request_exception = anonymous.raise_request_exception = False
    sent_to_code_step = []
    for path in _parameterless_paths(get_resolver()):
        if "logout" in path or "two-factor" in path or "\\" in path:
            continue
        pending, anon = client.get(path), anonymous.get(path)
        location = anon.get("Location", "")
        if (anon.status_code == 302 and "login/" in location) or anon.status_code == 403:
            assert pending.status_code == 302, path
            assert pending["Location"].startswith("/accounts/two-factor/?next="), (path, pending["Location"])
            sent_to_code_step.append(path)
        else:
            assert pending.status_code == anon.status_code, path
    assert {"/helpline/console/", "/helpline/stats/", "/admin/", "/cases/"} <= set(sent_to_code_step)
