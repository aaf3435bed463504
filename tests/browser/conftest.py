"""Browser tests: Debian's headless Chromium (driven by Debian's chromedriver through Selenium)
against a real `dms serve` on a free loopback port (tests/plugins/web.py), over a small office
built through the services.

Every page a test visits is photographed into the test's temporary folder (`screenshots/`), so a
failure leaves the pictures of the way there; axe-core (vendored, tests/browser/vendor) checks each
page for WCAG 2.1 A/AA violations.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ..plugins.web import dms_server
from ..web_office import build_office
from .browserkit import CHROMEDRIVER, CHROMIUM, REPO, Browser, World


@pytest.fixture(scope="session")
def world(tmp_path_factory) -> World:
    folder = tmp_path_factory.mktemp("office")
    home = folder / "home"
    ids = build_office(home, folder)
    with dms_server(home, REPO / "config.yaml") as url:
        yield World(home, url, ids)


@pytest.fixture
def browser(request, world, tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    assert Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists(), "install chromium chromium-driver (scripts/install.sh)"
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,1000", "--lang=de-DE", "--no-first-run", "--disable-extensions"):
        options.add_argument(argument)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False,
                                              "intl.accept_languages": "de-DE,de"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    tab = Browser(driver, world.url, tmp_path)
    try:
        yield tab
        failed = getattr(request.node, "outcome_failed", False)
        if failed:
            tab.snap("fehler")
            (tmp_path / "screenshots" / "letzte-seite.html").write_text(driver.page_source, encoding="utf-8")
            print(f"screenshots of the way to the failure: {tmp_path / 'screenshots'}")
    finally:
        driver.quit()
        _reap_browser_zombies()


def _reap_browser_zombies() -> None:
    """Where this process is the reaper of orphans (pid 1 of a PID namespace, as in
    scripts/fresh-machine-check.sh), collect the exited Chromium helpers; other children are left
    alone, so no subprocess loses its exit status."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            pid, rest = stat.read_text().split(" (", 1)
            name, fields = rest.rsplit(") ", 1)
            state, ppid = fields.split()[:2]
        except (OSError, ValueError):
            continue
        if int(ppid) == os.getpid() and state == "Z" and name.startswith(("chrom", "chrome_crashpad")):
            try:
                os.waitpid(int(pid), os.WNOHANG)
            except ChildProcessError:
                pass


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        item.outcome_failed = True


