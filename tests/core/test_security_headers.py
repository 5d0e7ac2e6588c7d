"""Every page carries a strict Content-Security-Policy and the usual security headers, and no page
contains what that policy would block (inline scripts, event-handler attributes, inline styles):
the public pages, the staff pages (as a verified superuser) and every other page reachable by a
GET without parameters (found by walking the URL configuration, so new pages are checked too)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.staff_login import login_staff

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = [
    "/",
    "/navi/",
    "/en/navi/",
    "/helpline/chat/",
    "/network/",
    "/survey/answer/",
    "/accounts/login/",
]
STAFF_PAGES = [
    "/helpline/console/",
    "/helpline/console/queue/",
    "/helpline/console/chats/",
    "/helpline/stats/",
    "/helpline/stats/staffing/",
    "/helpline/coverage/",
    "/admin/",
    "/admin/auth/user/",
    "/admin/auth/user/add/",
]
REQUIRED_DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


class _InlineCode(HTMLParser):
    """Collects what a CSP without 'unsafe-inline' blocks."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if name == "style":
                self.found.append(f"<{tag} style=…>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:…>")
        if tag == "style":
            self.found.append("<style>")
        data_block = (attributes.get("type") or "").lower() in ("application/json", "application/ld+json")
        if tag == "script" and not attributes.get("src") and not data_block:
            self.found.append("inline <script>")


def inline_code(html: str) -> list[str]:
    parser = _InlineCode()
    parser.feed(html)
    return parser.found


def _policy(response) -> dict[str, str]:
    header = response.headers.get("Content-Security-Policy", "")
    return {part.split()[0]: " ".join(part.split()[1:]) for part in header.split(";") if part.strip()}


def _assert_safe(path: str, response) -> None:
    policy = _policy(response)
    for directive, value in REQUIRED_DIRECTIVES.items():
        assert policy.get(directive) == value, (path, directive, policy)
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"], path
    assert response.headers["X-Content-Type-Options"] == "nosniff", path
    assert response.headers["X-Frame-Options"] == "DENY", path
    assert response.headers["Referrer-Policy"] == "same-origin", path
    assert "camera=()" in response.headers["Permissions-Policy"], path
    assert inline_code(response.content.decode()) == [], path


@pytest.fixture
def staff_client():
    client = Client()
    login_staff(client, get_user_model().objects.create_superuser("csp-root", "", "a long enough password 5"))
    return client


def test_the_checker_finds_inline_code():
    html = (
        '<p style="color:red">x</p><button onclick="go()">b</button><script>alert(1)</script>'
        '<style>p{}</style><a href="javascript:void(0)">j</a><script src="/static/a.js"></script>'
        '<script type="application/json">{}</script>'
    )
    assert inline_code(html) == [
        "<p style=…>",
        "<button onclick=…>",
        "inline <script>",
        "<style>",
        "<a href=javascript:…>",
    ]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_carry_the_policy_and_no_inline_code(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    _assert_safe(path, response)


def test_staff_pages_carry_the_policy_and_no_inline_code(staff_client):
    for path in STAFF_PAGES:
        response = staff_client.get(path)
        assert response.status_code == 200, path
        _assert_safe(path, response)


def test_the_two_factor_pages_carry_the_policy_and_no_inline_code(client):
    get_user_model().objects.create_superuser("csp-enrol", "", "a long enough password 6")
    response = client.post(
        "/accounts/login/", {"username": "csp-enrol", "password": "a long enough password 6"}, follow=True
    )
    assert response.redirect_chain[-1][0].startswith("/accounts/two-factor/setup/")
    _assert_safe("two-factor setup", response)
    assert "<svg" in response.content.decode()


def _get_paths(resolver: URLResolver, prefix: str = "") -> list[str]:
    paths = []
    for entry in resolver.url_patterns:
        pattern = str(entry.pattern)
        if "<" in pattern or "(" in pattern:
            continue  # a parameter
        if isinstance(entry, URLResolver):
            paths += _get_paths(entry, prefix + pattern.lstrip("^"))
        elif isinstance(entry, URLPattern):
            paths.append("/" + prefix + pattern.lstrip("^").rstrip("$"))
    return paths


def test_every_parameterless_html_page_has_no_inline_code(staff_client):
    staff_client.raise_request_exception = False
    checked, found = [], {}
    for path in sorted(set(_get_paths(get_resolver()))):
        if "logout" in path or "\\" in path or "?" in path:
            continue
        response = staff_client.get(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        checked.append(path)
        assert "Content-Security-Policy" in response.headers, path
        if problems := inline_code(response.content.decode()):
            found[path] = problems
    assert len(checked) >= 15, checked
    assert {"/helpline/console/", "/admin/", "/navi/"} <= set(checked)
    assert not found, found
