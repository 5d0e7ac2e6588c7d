"""Accessibility of the navigator in a real browser: axe-core finds no violations on the start page,
a question page, the area question, a result page (with crisis lines), the under-18 entry and a
translated page; and the whole conversation works with the keyboard alone."""

from __future__ import annotations

import json

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from tests.a11y.conftest import AXE


def _axe_violations(browser) -> list[dict]:
    browser.execute_script(AXE.read_text(encoding="utf-8"))
    result = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document).then(r => done(JSON.stringify(r.violations))).catch(e => done(JSON.stringify("
        "[{id: 'axe-error', help: String(e), nodes: []}])));"
    )
    return json.loads(result)


def _report(violations: list[dict]) -> str:
    return "\n".join(
        f"{v['id']}: {v['help']} — {[n.get('target') for n in v['nodes']][:3]}" for v in violations
    )


def _click(browser, selector: str) -> None:
    browser.find_element(By.CSS_SELECTOR, selector).click()


def _submit(browser, selector: str) -> None:
    """Click a submit button and wait until the next page has replaced this one."""
    _navigating(browser, lambda: _click(browser, selector))


def _navigating(browser, action) -> None:
    """Run ``action`` and wait for the next page: a marker set on this page's window is gone and the
    new document has loaded (element staleness is not reliable across Chromium versions)."""
    browser.execute_script("window.__tsunagariPreviousPage = true;")
    action()
    WebDriverWait(browser, 20).until(
        lambda b: b.execute_script(
            "return window.__tsunagariPreviousPage === undefined && document.readyState === 'complete'"
        )
    )


def _question(browser) -> str:
    return browser.find_element(By.TAG_NAME, "h1").text


def _pages(browser, portal):
    """(name, url reached) of each page to check, reached by really using the forms."""
    browser.get(portal + "/navi/")
    yield "start"
    _click(browser, 'input[value="age30_64"]')
    _submit(browser, 'button[value="next"]')
    yield "question"
    _click(browser, 'input[value="poverty"]')
    browser.find_element(By.ID, "id_text").send_keys("もう消えたい")
    _submit(browser, 'button[value="next"]')
    for _ in range(3):
        _submit(browser, 'button[value="skip"]')
    yield "area question (crisis lines shown)"
    browser.find_element(By.ID, "id_municipality").send_keys("千代田区")
    _submit(browser, 'button[value="next"]')
    yield "result"
    browser.get(portal + "/navi/teens/")
    yield "under-18 entry"
    browser.get(portal + "/en/navi/")
    yield "English start page"


def test_axe_finds_no_violations(browser, portal):
    failures = {}
    checked = []
    for name in _pages(browser, portal):
        checked.append(name)
        violations = _axe_violations(browser)
        if violations:
            failures[name] = _report(violations)
    assert checked == [
        "start",
        "question",
        "area question (crisis lines shown)",
        "result",
        "under-18 entry",
        "English start page",
    ]
    assert not failures, "\n\n".join(f"[{page}]\n{text}" for page, text in failures.items())


def _active(browser):
    return browser.switch_to.active_element


def _tab_to(browser, predicate, limit: int = 80):
    """Press Tab until the focused element satisfies ``predicate``; returns it (fails after ``limit``)."""
    for _ in range(limit):
        _active(browser).send_keys(Keys.TAB)
        element = _active(browser)
        if predicate(element):
            return element
    pytest.fail("element not reachable with Tab")


def test_quick_exit_is_the_first_thing_the_keyboard_reaches(browser, portal):
    browser.get(portal + "/navi/")
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    first = _active(browser)
    assert first.get_attribute("id") == "quick-exit"
    outline = browser.execute_script("return getComputedStyle(arguments[0]).outlineStyle", first)
    assert outline != "none"  # focus is visible


def test_a_whole_conversation_with_the_keyboard_only(browser, portal):
    browser.get(portal + "/navi/")
    first_question = _question(browser)
    radio = _tab_to(browser, lambda e: e.get_attribute("type") == "radio")
    radio.send_keys(Keys.SPACE)
    assert radio.is_selected()
    button = _tab_to(browser, lambda e: e.get_attribute("value") == "next")
    _navigating(browser, lambda: button.send_keys(Keys.ENTER))
    assert _question(browser) != first_question
    box = _tab_to(browser, lambda e: e.get_attribute("type") == "checkbox")
    box.send_keys(Keys.SPACE)
    assert box.is_selected()
    button = _tab_to(browser, lambda e: e.get_attribute("value") == "finish")
    _navigating(browser, lambda: button.send_keys(Keys.ENTER))
    assert browser.find_elements(By.CSS_SELECTOR, "article.card")  # results reached
    edit = _tab_to(browser, lambda e: (e.get_attribute("value") or "").startswith("edit:"))
    _navigating(browser, lambda: edit.send_keys(Keys.ENTER))
    assert browser.find_element(By.TAG_NAME, "fieldset")  # back at a question to change the answer
