"""The days of the people who use the pages, in a real Chromium: caseworker (mouse and keyboard),
mailroom, data protection; refusal of another team's document; escaping of hostile text; axe-core."""

from __future__ import annotations

import os
import time

import pytest
from .browserkit import REPO, SCRIPT, sha256_file
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.keys import Keys

pytestmark = pytest.mark.browser


def _no_alert(browser) -> None:
    try:
        alert = browser.driver.switch_to.alert
    except NoAlertPresentException:
        return
    raise AssertionError(f"a script ran: alert {alert.text!r}")


def _keep_screenshot(browser, name: str) -> None:
    """README pictures: written to docs/screenshots when DMS_UPDATE_SCREENSHOTS=1."""
    shot = browser.snap(name)
    if os.environ.get("DMS_UPDATE_SCREENSHOTS") == "1":
        from PIL import Image

        target = REPO / "docs" / "screenshots" / f"{name}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        image = Image.open(shot).convert("RGB")
        image.thumbnail((960, 960))
        image.quantize(colors=64).save(target, optimize=True)


def test_caseworker_day(world, browser):
    browser.open("/anmelden")
    browser.assert_accessible()
    browser.login("anna")
    assert browser.path.startswith("/posteingang")
    assert _count(browser) == "2"                  # the two documents of her team's case
    browser.assert_accessible()
    rows = browser.find_all("tbody tr")
    assert len(rows) == 2 and all("neu" in r.text for r in rows)
    assert _fits_a_narrow_screen(browser)          # a phone or a split screen at home: no sideways page
    # htmx: "Gesehen" updates the row and the count in place, without loading the page again
    browser.driver.execute_script("window.keptAcrossTheClick = true;")
    row = next(r for r in rows if "Anwaltsschreiben" in r.text)
    row.find_element("css selector", "button.secondary").click()
    _wait(lambda: _count(browser) == "1")
    assert browser.driver.execute_script("return window.keptAcrossTheClick === true")
    assert "gesehen" in browser.find(f"#eingang-{world.documents['schreiben_ahmadi.pdf']}").text
    browser.snap("posteingang-htmx")

    browser.click(browser.link("ABH-2022-06060"))
    assert browser.find("h1").text == "Fallakte ABH-2022-06060"
    assert "Ahmadi, Farid" in browser.text() and "01.01.1998" in browser.text()
    thumbs = browser.find_all(".thumbs img")
    assert len(thumbs) == 3 and all(t.get_property("naturalWidth") > 0 for t in thumbs)
    spilled = browser.driver.execute_script(   # the application's checklist: every cell holds its text
        "return Array.from(document.querySelectorAll('.checklist td')).filter(c => c.scrollWidth > c.clientWidth)"
        ".map(c => c.textContent.trim())")
    assert browser.find_all(".checklist td") and spilled == []
    assert _fits_a_narrow_screen(browser)
    _keep_screenshot(browser, "fallakte")
    browser.assert_accessible()

    browser.click(browser.link("Antrag"))
    assert browser.path.startswith("/dokumente/" + world.documents["antrag_ahmadi.pdf"])
    browser.assert_accessible()
    field = browser.find("#q")
    field.send_keys("Verlängerung der Aufenthaltserlaubnis")
    browser.click(browser.find("form[role=search] button"))
    marks = [m.text for m in browser.find_all(".page-text mark")]
    assert "Verlängerung" in marks and "Aufenthaltserlaubnis" in marks
    boxes = browser.find_all("#seite-1 svg rect.hit")
    assert len(boxes) >= 3                          # on the page image, where the words are
    assert all(float(b.get_attribute("width")) > 0 for b in boxes)
    assert "Fundstellen" in browser.find("[role=status]").text

    shown_checksum = browser.find("dd code").text
    pdf = browser.download(browser.link("Archivfassung (PDF/A)"))
    assert pdf.read_bytes().startswith(b"%PDF") and sha256_file(pdf) == shown_checksum

    browser.open("/posteingang")
    assert _count(browser) == "0"                  # the opened document counts as seen
    browser.logout()
    assert browser.path.startswith("/anmelden") and "Sie sind abgemeldet" in browser.text()
    browser.open("/posteingang")
    assert browser.path.startswith("/anmelden")


def _fits_a_narrow_screen(browser, width: int = 500) -> bool:
    """At *width* pixels the page itself does not scroll sideways (wide tables scroll in their box)."""
    driver = browser.driver
    size = driver.get_window_size()
    driver.set_window_size(width, size["height"])
    try:
        return driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        driver.set_window_size(size["width"], size["height"])


def _count(browser) -> str:
    """The number in the navigation (the visually hidden word after it is for screen readers)."""
    return browser.driver.execute_script("return document.querySelector('#posteingang-zahl').firstChild.textContent")


def _wait(condition, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def _tab_to(browser, wanted, limit: int = 80):
    """Press Tab until the focused element satisfies *wanted*; returns it (keyboard only)."""
    driver = browser.driver
    for _ in range(limit):
        driver.switch_to.active_element.send_keys(Keys.TAB)
        element = driver.switch_to.active_element
        if wanted(element):
            outline = driver.execute_script("return getComputedStyle(arguments[0]).outlineStyle", element)
            assert outline not in ("none", ""), f"no visible focus on {element.text!r}"
            return element
    raise AssertionError("never reached the element by keyboard")


def _label(element) -> str:
    return (element.text or element.get_attribute("value") or element.get_attribute("aria-label") or "").strip()


def test_caseworker_day_with_the_keyboard_alone(world, browser):
    driver = browser.driver
    browser.open("/anmelden")
    driver.switch_to.active_element.send_keys("anna")          # the login field has the focus
    driver.switch_to.active_element.send_keys(Keys.TAB, "anna-Test-2026", Keys.ENTER)
    _wait(lambda: browser.path.startswith("/posteingang"))   # send_keys does not wait for the next page
    rows = len(browser.find_all("tbody tr"))
    _tab_to(browser, lambda e: _label(e) == "Erledigt").send_keys(Keys.ENTER)   # htmx takes the row away
    _wait(lambda: len(browser.find_all("tbody tr")) == rows - 1)
    _wait(lambda: driver.execute_script("return document.activeElement.closest('tbody tr') !== null"))  # on the next row
    driver.execute_script("window.scrollTo(0, 0); document.activeElement.blur();")
    skip = _tab_to(browser, lambda e: _label(e) == "Zum Inhalt springen")
    skip.send_keys(Keys.ENTER)
    _tab_to(browser, lambda e: _label(e) == "ABH-2022-06060").send_keys(Keys.ENTER)
    browser.snap()
    assert browser.find("h1").text == "Fallakte ABH-2022-06060"
    _tab_to(browser, lambda e: _label(e).startswith("Antrag")).send_keys(Keys.ENTER)
    browser.snap()
    search = _tab_to(browser, lambda e: e.get_attribute("id") == "q")
    search.send_keys("Aufenthaltserlaubnis", Keys.ENTER)
    browser.snap()
    assert "Aufenthaltserlaubnis" in [m.text for m in browser.find_all(".page-text mark")]
    assert browser.find_all("svg rect.hit")
    driver.execute_script("window.scrollTo(0, 0); document.activeElement.blur();")
    browser.find("main").send_keys(Keys.NULL)        # start the Tab walk from the top of the page
    link = _tab_to(browser, lambda e: _label(e) == "Archivfassung (PDF/A)")
    pdf = browser.download(link, Keys.ENTER)
    assert sha256_file(pdf) == browser.find("dd code").text
    _tab_to(browser, lambda e: _label(e) == "Abmelden").send_keys(Keys.ENTER)
    browser.snap()
    assert browser.path.startswith("/anmelden")


def test_mailroom_day(world, browser):
    browser.login("post")
    assert browser.path.startswith("/poststelle")
    text = browser.text()
    assert "scan_kaputt.pdf" in text and "abgelehnt" in text
    assert "beschädigt" in text                    # the reason, in German
    assert "Quarantäne" in text
    browser.assert_accessible()

    browser.click(browser.link("Prüfliste"))
    assert browser.path.startswith("/pruefliste/" + world.documents["nachreichung_ohne_az.pdf"])
    assert "Warum eine Prüfung nötig ist" in browser.text()
    candidates = browser.find_all(".candidate")
    assert {c.find_element("css selector", "h3").text for c in candidates} >= {"ABH-2022-06060", "ABH-2024-00077"}
    assert browser.find_all(".page-figure img")[0].get_property("naturalWidth") > 0
    _keep_screenshot(browser, "pruefliste")
    browser.assert_accessible()
    farid = next(c for c in candidates if "ABH-2022-06060" in c.text)
    browser.click(farid.find_element("css selector", "button"))
    assert "Zugeordnet" in browser.text() and "ABH-2022-06060" in browser.text()

    from dms_ingest.services import audit_log
    from dms_ingest.services.actor import Actor

    entries = audit_log.entries(Actor.system(client="test"), world.runtime(), login="post")
    assert any(e["action"] == "review_assign" and e["outcome"] == "ok" for e in entries)
    # the mailroom never sees case contents
    browser.open("/akten/ABH-2022-06060")
    assert browser.find("h1").text == "Kein Zugriff"


def test_another_teams_document_is_refused_and_logged(world, browser):
    from dms_ingest.services import audit_log
    from dms_ingest.services.actor import Actor

    foreign = world.documents["bescheid_yilmaz.pdf"]
    browser.login("anna")
    browser.open(f"/dokumente/{foreign}")
    assert browser.find("h1").text == "Kein Zugriff"
    assert "protokolliert" in browser.text() and "Yilmaz" not in browser.driver.page_source
    browser.assert_accessible()
    browser.open(f"/dokumente/{foreign}/seiten/1/view.png")
    assert "Kein Zugriff" in browser.text()
    entries = audit_log.entries(Actor.system(client="test"), world.runtime(), login="anna")
    denied = [e for e in entries if e["outcome"] == "denied" and e["object_id"] == foreign]
    assert {e["action"] for e in denied} >= {"show", "page_image"}


def test_hostile_text_stays_text(world, browser):
    browser.login("anna")
    browser.open("/suche?q=Formular")
    snippet = browser.find(".snippet")
    assert SCRIPT in snippet.text and "&lt;script&gt;" in browser.driver.page_source
    _no_alert(browser)
    browser.assert_accessible()
    browser.open(f"/dokumente/{world.documents['schreiben_ahmadi.pdf']}")
    assert SCRIPT in browser.find(".page-text").text
    _no_alert(browser)
    browser.open("/akten?q=Ahmadi")                  # the case list: only her team's cases
    assert "ABH-2022-06060" in browser.text() and "ABH-2023-04567" not in browser.text()
    browser.assert_accessible()
    browser.logout()
    browser.login("post")
    browser.open(f"/pruefliste/{world.documents['nachreichung_ohne_az.pdf']}")
    if browser.find("h1").text == "Prüfliste" and browser.find_all(".page-text"):
        assert SCRIPT in browser.find(".page-text").text
    _no_alert(browser)
    assert "<script>alert" not in browser.driver.page_source


def test_upload_then_data_protection_report(world, browser, tmp_path):
    from dms_datagen.pdf import born_digital_pdf

    upload = born_digital_pdf([["Meldebescheinigung", "Aktenzeichen: ABH-2022-06060",
                                             "Farid Ahmadi, geb. 01.01.1998",
                                             "wohnhaft in Elbhausen seit dem 01.02.2024"]], tmp_path / "melde.pdf")
    browser.login("anna")
    browser.open("/akten/ABH-2022-06060/hochladen")
    browser.assert_accessible()
    browser.find("#file").send_keys(str(upload))
    browser.click(browser.find("main form button[type=submit]"))
    main_text = "const m = document.querySelector('main'); return m ? m.innerText : '';"
    deadline = time.monotonic() + 120
    while "Ergebnis" not in browser.driver.execute_script(main_text) and time.monotonic() < deadline:
        time.sleep(0.5)                              # the page refreshes itself while the pipeline runs
    browser.snap("upload")
    result = browser.driver.execute_script(main_text)
    assert "archiviert" in result and "ABH-2022-06060" in result, result
    browser.assert_accessible()
    browser.logout()

    browser.login("dsb")
    assert browser.path.startswith("/datenschutz")
    assert "anna" in browser.find("tbody").text
    browser.assert_accessible()
    browser.open("/datenschutz/auskunft?case=ABH-2022-06060")
    assert "Auskunft nach Art. 15" in browser.text() and "anna" in browser.find("tbody").text
    browser.assert_accessible()
    csv_file = browser.download(browser.link("Als CSV exportieren"))
    lines = csv_file.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("Zeit;Benutzer") and any(";anna;" in line for line in lines[1:])
    pdf_file = browser.download(browser.link("Als PDF exportieren"))
    assert pdf_file.read_bytes().startswith(b"%PDF")
    browser.open("/akten/ABH-2022-06060")
    assert browser.find("h1").text == "Kein Zugriff"     # no contents for data protection
