"""Accessibility of the public pages outside the navigator, in a real browser: axe-core finds no
violations on the directory's home and a service page, the network's platforms, events, supporter
training and certificate verification (with an answer), and the survey's access-code page. (Member
and social-resource lists need platforms, which the demo portal has not: test_resources_a11y.py
checks them with its own data.)"""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from tests.a11y.test_axe import _axe_violations, _navigating, _report


def _first_link(browser, css: str) -> str | None:
    links = browser.find_elements(By.CSS_SELECTOR, css)
    return links[0].get_attribute("href") if links else None


def _pages(browser, portal):
    browser.get(portal + "/")
    yield "directory home"
    browser.get(portal + "/search/?q=%E7%9B%B8%E8%AB%87")
    service = _first_link(browser, 'a[href^="/services/"]')
    assert service, "the demo directory has services"
    browser.get(service)
    yield "service page"
    browser.get(portal + "/network/")
    yield "platforms"
    browser.get(portal + "/network/events/")
    yield "events"
    browser.get(portal + "/network/training/")
    yield "supporter training"
    browser.get(portal + "/network/certificates/verify/")
    yield "certificate verification"
    field = browser.find_element(By.CSS_SELECTOR, "input[name='code']")
    field.send_keys("ABCD-EFGH-JKMN-PQR0")
    _navigating(browser, lambda: field.submit())
    yield "certificate verification (an answer)"
    browser.get(portal + "/survey/answer/")
    yield "survey access code"


def test_axe_finds_no_violations_on_public_pages(browser, portal):
    failures, checked = {}, []
    for name in _pages(browser, portal):
        assert "Server Error" not in browser.title, name
        checked.append(name)
        violations = _axe_violations(browser)
        if violations:
            failures[name] = _report(violations)
    browser.delete_all_cookies()
    assert len(checked) == 8, checked
    assert not failures, "\n\n".join(f"[{page}]\n{text}" for page, text in failures.items())


pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")
