"""A caseworker with the keyboard alone, in a real Chromium: from a search to the first hit past the
filters, then a case file's application opened and the letter for what is missing written and opened.
As yusuf on his team's case (ABH-2023-04567): anna's unseen documents and case are test_browser_pages'."""

from __future__ import annotations

import time

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from .browserkit import PASSWORDS

pytestmark = pytest.mark.browser


def _label(element) -> str:
    return (element.text or element.get_attribute("value") or "").strip()


def _tab_to(browser, wanted, limit: int = 60):
    """Press Tab until the focused element is *wanted*; returns it (the number of presses is the test's)."""
    for _ in range(limit):
        ActionChains(browser.driver).send_keys(Keys.TAB).perform()
        element = browser.driver.switch_to.active_element
        if wanted(element):
            return element
    raise AssertionError("not reachable with Tab")


def _wait(condition, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_search_and_application_with_the_keyboard_alone(world, browser):
    driver = browser.driver
    browser.open("/anmelden")
    driver.switch_to.active_element.send_keys("yusuf", Keys.TAB, PASSWORDS["yusuf"], Keys.ENTER)
    _wait(lambda: browser.path.startswith("/posteingang"))

    browser.open("/suche")
    _tab_to(browser, lambda e: e.get_attribute("id") == "q").send_keys("Aufenthaltserlaubnis", Keys.ENTER)
    _wait(lambda: browser.find_all("#treffer"))
    _tab_to(browser, lambda e: _label(e) == "Zu den Treffern springen", limit=12).send_keys(Keys.ENTER)
    hit = _tab_to(browser, lambda e: True, limit=1)                  # the next stop is the first hit
    assert "/dokumente/" in hit.get_attribute("href") and "bescheid_yilmaz.pdf" in hit.text
    hit.send_keys(Keys.ENTER)
    _wait(lambda: browser.path.startswith("/dokumente/"))
    browser.snap("treffer-geoeffnet")

    browser.open("/akten/ABH-2023-04567")
    kinds = _tab_to(browser, lambda e: e.get_attribute("id") == "antragsart")
    kinds.send_keys(Keys.END)                                         # the last type offered
    chosen = driver.execute_script("return document.getElementById('antragsart').selectedOptions[0].text")
    _tab_to(browser, lambda e: _label(e) == "Eröffnen", limit=2).send_keys(Keys.ENTER)
    _wait(lambda: "eröffnet" in browser.text())
    assert chosen.split(" (")[0] in browser.find(".notice").text
    browser.assert_accessible()
    button = _tab_to(browser, lambda e: _label(e).startswith("Nachforderung erstellen"))
    button.send_keys(Keys.ENTER)
    _wait(lambda: "Die Nachforderung wurde erstellt" in browser.text())
    browser.snap("nachforderung")
    _tab_to(browser, lambda e: _label(e).startswith("Nachforderung vom")).send_keys(Keys.ENTER)
    _wait(lambda: browser.path.startswith("/dokumente/"))
    text = browser.find(".page-text").text
    assert "ABH-2023-04567" in text and "Nachforderung von Unterlagen" in text
    browser.assert_accessible()
