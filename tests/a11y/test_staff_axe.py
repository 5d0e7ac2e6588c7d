"""Accessibility of the staff pages and the web chat in a real browser: axe-core finds no violations
on the staff login, the two-factor enrolment (a real TOTP code from the key shown), the counsellor console (contacts, coordinators' queue, chats, a chat being
answered), the statistics, the trial staffing estimate, the coverage page, and the visitor's side of
the web chat (start page and chat room). The pages are reached by using them: a visitor starts a
chat, a staff member logs in, takes it and answers."""

from __future__ import annotations

import base64
import subprocess

import pytest
from django_otp.oath import TOTP
from selenium.webdriver.common.by import By

from tests.a11y.conftest import BIN
from tests.a11y.test_axe import _axe_violations, _navigating, _report, _submit

USERNAME, PASSWORD = "a11y-supervisor", "a-long-password-for-a11y-1"


@pytest.fixture(scope="module")
def staff_account(portal, portal_env):
    """A superuser on the portal's database (superusers hold every permission, all bodies)."""
    script = (
        "from django.contrib.auth import get_user_model; U = get_user_model(); "
        f"U.objects.filter(username='{USERNAME}').exists() or "
        f"U.objects.create_superuser('{USERNAME}', '', '{PASSWORD}')"
    )
    subprocess.run(
        [BIN / "tsunagari", "manage", "shell", "-c", script], env=portal_env, check=True, capture_output=True
    )
    return USERNAME, PASSWORD


def _pages(browser, portal, account):
    """(name) of each page to check, reached by really using the forms."""
    browser.delete_all_cookies()
    browser.get(portal + "/helpline/chat/")
    yield "web chat: start"
    browser.find_element(By.CSS_SELECTOR, "textarea").send_keys("話を聞いてほしいです")
    _submit(browser, "form[action$='/start/'] button[type=submit]")
    yield "web chat: waiting in the room"
    visitor_cookies = browser.get_cookies()

    browser.delete_all_cookies()
    browser.get(portal + "/helpline/console/")
    yield "staff login"
    browser.find_element(By.ID, "id_username").send_keys(account[0])
    browser.find_element(By.ID, "id_password").send_keys(account[1])
    _submit(browser, "form button")
    yield "two-factor enrolment"  # a superuser sees personal data: TOTP is required
    secret = browser.find_element(By.ID, "totp-secret").text
    browser.find_element(By.ID, "id_token").send_keys(f"{TOTP(base64.b32decode(secret)).token():06d}")
    _submit(browser, "form[action$='/setup/'] button")
    yield "console: contacts"
    browser.get(portal + "/helpline/console/queue/")
    yield "console: coordinators' queue"
    browser.get(portal + "/helpline/console/chats/")
    yield "console: chats waiting"
    _submit(browser, "form[action$='/take/'] button[type=submit]")
    browser.find_element(By.CSS_SELECTOR, "textarea").send_keys("こんにちは。相談員です。")
    _submit(browser, "form[action$='/send/'] button[type=submit]")
    yield "console: chat being answered"
    browser.get(portal + "/helpline/stats/?first=2022-12-01&last=2022-12-01")
    yield "statistics"
    browser.get(portal + "/helpline/stats/staffing/")
    yield "trial staffing estimate"
    browser.get(portal + "/helpline/coverage/")
    yield "coverage"

    browser.delete_all_cookies()
    browser.get(portal + "/helpline/chat/")
    for cookie in visitor_cookies:
        browser.add_cookie({k: cookie[k] for k in ("name", "value", "path") if k in cookie})
    _navigating(browser, lambda: browser.get(portal + "/helpline/chat/"))
    assert "こんにちは。相談員です。" in browser.page_source
    yield "web chat: the counsellor's answer"


def test_axe_finds_no_violations_on_staff_pages_and_the_web_chat(browser, portal, staff_account):
    found = {}
    for name in _pages(browser, portal, staff_account):
        assert "Server Error" not in browser.title, name
        violations = _axe_violations(browser)
        if violations:
            found[name] = _report(violations)
    browser.delete_all_cookies()
    assert not found, "\n\n".join(f"{name}:\n{text}" for name, text in found.items())
