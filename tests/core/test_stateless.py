"""The project's WSGI application (``tsunagari.wsgi``): the navigator runs without the staff-session
middleware, with the security headers kept; every other page keeps the whole chain.

Requests go through the real WSGI callable, as gunicorn calls it (not Django's test client, which
builds its own handler with every middleware)."""

from __future__ import annotations

import io
import sys
from urllib.parse import urlencode

import pytest
from django.conf import settings

from tsunagari.core import path_locale, stateless

pytestmark = pytest.mark.django_db(transaction=True)


def call(
    app, method: str, path: str, data: dict | None = None, extra: dict | None = None
) -> tuple[str, dict, bytes]:
    body = urlencode(data or {}).encode("ascii")
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        **(extra or {}),
    }
    started: list = []
    result = app(environ, lambda status, headers, exc_info=None: started.append((status, headers)))
    try:
        content = b"".join(result)
    finally:
        result.close()
    status, headers = started[0]
    collected: dict[str, list[str]] = {}
    for name, value in headers:
        collected.setdefault(name.lower(), []).append(value)
    return status, collected, content


@pytest.fixture(scope="module")
def app():
    return stateless.SplitApplication()


def test_only_the_staff_session_middleware_is_left_out_and_locale_is_done_by_the_path():
    kept = stateless.stateless_middleware()
    assert not set(kept) & stateless.STATEFUL
    expected = [m for m in settings.MIDDLEWARE if m not in stateless.STATEFUL]  # same order
    assert kept == [stateless.PATH_LOCALE if m == path_locale.REPLACES else m for m in expected]
    for needed in (
        "django.middleware.security.SecurityMiddleware",
        stateless.PATH_LOCALE,
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
    ):
        assert needed in kept


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/navi/", True),
        ("/navi/teens/", True),
        ("/en/navi/", True),
        ("/zh-hans/navi/teens/", True),
        ("/helpline/hooks/voice/incoming", True),
        ("/helpline/hooks/line/", True),
        ("/helpline/chat/", False),
        ("/", False),
        ("/navigator/", False),
        ("/helpline/console/", False),
        ("/accounts/login/", False),
        ("/admin/", False),
        ("/en/services/", False),
        ("/xx/navi/", False),
    ],
)
def test_which_paths_are_stateless(path, expected):
    assert stateless.is_stateless(path) is expected


def test_the_navigator_through_the_application_sets_no_cookie_and_keeps_security_headers(app):
    status, headers, content = call(app, "GET", "/navi/")
    assert status.startswith("200")
    assert "set-cookie" not in headers
    assert headers["x-frame-options"] == ["DENY"]
    assert headers["x-content-type-options"] == ["nosniff"]
    assert headers["referrer-policy"] == ["same-origin"]
    assert b'name="state"' in content
    # a turn: the posted state is accepted without any CSRF token or cookie
    state = content.split(b'name="state" value="', 1)[1].split(b'"', 1)[0].decode()
    status, headers, content = call(app, "POST", "/navi/", {"state": state, "action": "next", "age": "20s"})
    assert status.startswith("200") and "set-cookie" not in headers


def test_the_english_navigator_is_english_through_the_application(app):
    status, headers, content = call(app, "GET", "/en/navi/")
    assert status.startswith("200") and b'lang="en"' in content and "set-cookie" not in headers


def test_other_pages_keep_sessions_csrf_and_login(app):
    status, headers, _content = call(app, "GET", "/accounts/login/")
    assert status.startswith("200")
    assert any(c.strip().startswith("csrftoken=") for c in headers.get("set-cookie", []))
    status, headers, _content = call(app, "GET", "/helpline/console/")
    assert status.startswith("302") and "/accounts/login/" in headers["location"][0]


def test_a_signed_voice_webhook_through_the_application(app, settings):
    from tests.helpline.test_webhooks_support import TOKEN, make_field, make_menu
    from tsunagari.helpline.models import Contact
    from tsunagari.helpline.signatures import sign_twilio

    settings.TSUNAGARI_TWILIO_AUTH_TOKEN = TOKEN
    settings.TSUNAGARI_PUBLIC_BASE_URL = "https://tsunagari.example.jp"
    make_menu([("4", make_field("kodoku", "孤独・孤立", general=True), "孤独や孤立のご相談は4を。")])
    path = "/helpline/hooks/voice/incoming"
    params = {"CallSid": "CA" + "7" * 32, "From": "+819012345678", "CallStatus": "ringing"}
    forged = {"HTTP_X_TWILIO_SIGNATURE": "nope"}
    signed = {"HTTP_X_TWILIO_SIGNATURE": sign_twilio(TOKEN, "https://tsunagari.example.jp" + path, params)}
    status, _headers, _content = call(app, "POST", path, params, extra=forged)
    assert status.startswith("403") and Contact.objects.count() == 0
    status, headers, content = call(app, "POST", path, params, extra=signed)
    assert status.startswith("200") and b"<Gather" in content and "set-cookie" not in headers
    assert Contact.objects.count() == 1
