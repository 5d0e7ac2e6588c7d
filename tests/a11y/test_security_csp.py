"""The Content-Security-Policy in a real browser: Chromium reports no CSP violation on the main public
and staff pages (the web chat's polling script included), the static CSS is applied, and a
deliberate inline style is refused and reported (so the check can fail)."""

from __future__ import annotations

import base64
import subprocess

import pytest
from django_otp.oath import TOTP
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.a11y.conftest import BIN
from tests.a11y.test_axe import _click, _submit

USERNAME, PASSWORD = "csp-supervisor", "a-long-password-for-csp-1"


# Recorded in every new document before its own scripts run (a DevTools script, which the page's
# policy does not govern): each violation the browser reports to the page.
RECORDER = (
    "window.__cspViolations = [];"
    "document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push("
    "e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + (e.sourceFile || '') + ':' + e.lineNumber));"
)


@pytest.fixture
def recording_browser(browser):
    """The session's Chromium, recording CSP violations on every page (one browser only: the portal
    has a single synchronous worker, which a second browser's idle connections would block)."""
    script = browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORDER})
    browser.delete_all_cookies()
    yield browser
    browser.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", {"identifier": script["identifier"]})
    browser.delete_all_cookies()


@pytest.fixture(scope="module")
def csp_account(portal, portal_env):
    script = (
        "from django.contrib.auth import get_user_model; U = get_user_model(); "
        f"U.objects.filter(username='{USERNAME}').exists() or "
        f"U.objects.create_superuser('{USERNAME}', '', '{PASSWORD}')"
    )
    subprocess.run(
        [BIN / "tsunagari", "manage", "shell", "-c", script], env=portal_env, check=True, capture_output=True
    )
    return USERNAME, PASSWORD


def _pages(browser, portal):
    for path in ("/", "/navi/", "/en/navi/", "/network/", "/survey/answer/"):
        browser.get(portal + path)
        yield path
    browser.get(portal + "/navi/")
    _click(browser, 'input[value="age30_64"]')
    _submit(browser, 'button[value="next"]')
    yield "navigator question"
    browser.get(portal + "/helpline/chat/")
    yield "web chat start"
    browser.find_element(By.CSS_SELECTOR, "textarea").send_keys("話を聞いてほしいです")
    _submit(browser, "form[action$='/start/'] button[type=submit]")
    browser.execute_script("return new Promise(r => setTimeout(r, 6000))")  # one poll of chat_log.js
    yield "web chat room (polling)"
    _submit(browser, "form[action$='/leave/'] button")  # leave no waiting chat for other tests

    browser.delete_all_cookies()
    browser.get(portal + "/helpline/console/")
    yield "staff login"
    browser.find_element(By.ID, "id_username").send_keys(USERNAME)
    browser.find_element(By.ID, "id_password").send_keys(PASSWORD)
    _submit(browser, "form button")
    yield "two-factor enrolment (inline SVG QR code)"
    secret = browser.find_element(By.ID, "totp-secret").text
    browser.find_element(By.ID, "id_token").send_keys(f"{TOTP(base64.b32decode(secret)).token():06d}")
    _submit(browser, "form[action$='/setup/'] button")
    yield "console"
    for path in (
        "/helpline/console/chats/",
        "/helpline/stats/?first=2022-12-01&last=2022-12-01",
        "/helpline/stats/staffing/",
        "/helpline/coverage/",
        "/admin/",
        "/admin/auth/user/add/",
    ):
        browser.get(portal + path)
        yield path


def _violations(browser) -> list[str]:
    return browser.execute_script("return window.__cspViolations || ['recorder missing']")


def test_no_csp_violation_on_the_main_pages(recording_browser, portal, csp_account):
    browser = recording_browser
    found = {}
    for name in _pages(browser, portal):
        assert "Server Error" not in browser.title, name
        background = browser.execute_script("return getComputedStyle(document.body).backgroundColor")
        if not name.startswith("/admin/"):
            assert background == "rgb(251, 250, 247)", (name, "static CSS not applied")
        if violations := _violations(browser):
            found[name] = violations
    assert not found, found


def test_an_inline_style_is_refused_and_reported(recording_browser, portal):
    browser = recording_browser
    browser.get(portal + "/navi/")
    assert _violations(browser) == []
    browser.execute_script(
        "const s = document.createElement('style'); s.textContent = 'body{background:red}';"
        "document.head.appendChild(s);"
    )
    WebDriverWait(browser, 5).until(lambda b: _violations(b))
    assert (
        browser.execute_script("return getComputedStyle(document.body).backgroundColor")
        == "rgb(251, 250, 247)"
    )
    assert any(v.startswith("style-src") for v in _violations(browser)), _violations(browser)
