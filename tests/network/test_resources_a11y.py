"""Accessibility of the member-body and resource-list pages in a real browser (axe-core, headless
Chromium, the same portal as tests/a11y): a local platform's resource list, a body's public page,
a directory service page with the platform-member line, and a member body editor's pages (the
list, the edit form, the edit form refused with errors). The portal is set up by ``tsunagari setup``
(which creates the network roles); the data here is written through the write services."""

from __future__ import annotations

import base64
import json
import subprocess

import pytest
from django_otp.oath import TOTP
from selenium.webdriver.common.by import By

from tests.a11y.conftest import BIN, browser, portal, portal_env  # noqa: F401 (fixtures)
from tests.a11y.test_axe import _axe_violations, _report, _submit

USERNAME, PASSWORD = "a11y-body-editor", "a-long-password-for-a11y-2"

SETUP = f"""
import json
from datetime import date
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from tsunagari.directory.models import Service
from tsunagari.network import services
from tsunagari.network.models import BodyEditor
service = Service.objects.exclude(status="defunct").order_by("pk").first()
platform = services.create_platform("鳥取市つながりプラットフォーム", "local", ["312011"])
body = services.save_body(name=service.organization.name, organization_id=service.organization_id,
                          topics=["loneliness"], area_codes=["312011"])
services.join(platform, body, "member", date(2024, 4, 1), listed_publicly=True)
services.add_contact(body, "担当 一郎", email="ichiro@example.org")
user = get_user_model().objects.create_user("{USERNAME}", password="{PASSWORD}")
user.groups.add(Group.objects.get(name="member_body_editor"))
BodyEditor.objects.create(user=user, body=body)
print(json.dumps({{"platform": platform.pk, "body": body.pk, "service": service.pk}}))
"""


@pytest.fixture(scope="module")
def ids(portal, portal_env):  # noqa: F811
    done = subprocess.run(
        [BIN / "tsunagari", "manage", "shell", "-c", SETUP],
        env=portal_env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _pages(browser, portal, ids):  # noqa: F811
    browser.delete_all_cookies()
    browser.get(f"{portal}/network/{ids['platform']}/resources/")
    assert browser.find_elements(By.CSS_SELECTOR, "article.card")
    yield "resource list"
    browser.get(f"{portal}/network/bodies/{ids['body']}/")
    yield "public body page"
    browser.get(f"{portal}/services/{ids['service']}/")
    assert "官民連携プラットフォーム会員" in browser.page_source
    yield "directory service page with the member line"
    browser.get(f"{portal}/accounts/login/?next=/network/bodies/mine/")
    browser.find_element(By.ID, "id_username").send_keys(USERNAME)
    browser.find_element(By.ID, "id_password").send_keys(PASSWORD)
    _submit(browser, "form button")
    # a body editor sees contact people: the second factor is required (enrolment, a real code)
    secret = browser.find_element(By.ID, "totp-secret").text
    browser.find_element(By.ID, "id_token").send_keys(f"{TOTP(base64.b32decode(secret)).token():06d}")
    _submit(browser, "form[action$='/setup/'] button")
    assert "/network/bodies/mine/" in browser.current_url
    yield "bodies I may edit"
    browser.get(f"{portal}/network/bodies/{ids['body']}/edit/")
    assert "担当 一郎" in browser.page_source
    yield "edit form"
    field = browser.find_element(By.ID, "id_area_codes")
    field.clear()
    field.send_keys("999999")
    _submit(browser, "form.body-edit button[type=submit]")
    assert "存在しない地方公共団体コードです" in browser.page_source
    yield "edit form with errors"


def test_axe_finds_no_violations(browser, portal, ids):  # noqa: F811
    failures, checked = {}, []
    for name in _pages(browser, portal, ids):
        checked.append(name)
        violations = _axe_violations(browser)
        if violations:
            failures[name] = _report(violations)
    assert len(checked) == 6
    assert not failures, "\n\n".join(f"[{page}]\n{text}" for page, text in failures.items())
