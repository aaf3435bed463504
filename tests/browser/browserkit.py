"""What the browser tests share: the Chromium tab wrapper with screenshots and axe-core."""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..web_office import PASSWORDS, REPO, SCRIPT  # noqa: F401 - shared with the page tests

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"


@dataclass
class World:
    home: Path
    url: str
    documents: dict[str, str] = field(default_factory=dict)   # file name -> document id
    rejected: str = "scan_kaputt.pdf"

    def runtime(self):
        from dms_ingest.config import load_settings
        from dms_ingest.services.runtime import Runtime

        return Runtime(load_settings(REPO / "config.yaml", home=self.home))


class Browser:
    """A Chromium tab with the habits of these tests: photograph each page, run axe on request."""

    def __init__(self, driver, base_url: str, folder: Path):
        self.driver = driver
        self.base_url = base_url
        self.folder = folder
        self.shots = 0
        self.downloads = folder / "downloads"

    def open(self, path: str) -> None:
        self.driver.get(self.base_url + path)
        self.snap()

    def wait_images(self, timeout: float = 20) -> None:
        """Until every image on the page has loaded (or failed)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.driver.execute_script(
                    "return Array.from(document.images).every(i => i.complete)"
                    " && Array.from(document.querySelectorAll('svg image')).length >= 0"):
                return
            time.sleep(0.1)

    def snap(self, label: str = "") -> Path:
        self.wait_images()
        self.shots += 1
        name = f"{self.shots:02d}-{label or self.driver.title or 'seite'}"
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in name)[:60]
        path = self.folder / "screenshots" / f"{safe}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        self.driver.save_screenshot(str(path))
        return path

    def find(self, css: str):
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css: str):
        from selenium.webdriver.common.by import By

        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def link(self, text: str):
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.PARTIAL_LINK_TEXT, text)

    def click(self, element) -> None:
        element.click()
        self.snap()

    @property
    def path(self) -> str:
        return self.driver.current_url[len(self.base_url):]

    def text(self) -> str:
        return self.find("body").text

    def login(self, login: str) -> None:
        self.open("/anmelden")
        self.find("#login").send_keys(login)
        self.find("#password").send_keys(PASSWORDS[login])
        self.click(self.find("form button[type=submit]"))

    def logout(self) -> None:
        self.click(self.find(".user-box button"))

    def axe(self) -> list[dict]:
        """Serious and critical WCAG 2.1 A/AA violations on the current page."""
        self.driver.execute_script(AXE.read_text(encoding="utf-8"))
        result = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
            ".then(r => done(JSON.stringify(r.violations))).catch(e => done(JSON.stringify([{id: 'axe-error', "
            "impact: 'critical', help: String(e), nodes: []}])));")
        violations = json.loads(result)
        return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
                 "nodes": [n.get("target") for n in v.get("nodes", [])][:5]}
                for v in violations if v.get("impact") in ("serious", "critical")]

    def assert_accessible(self) -> None:
        problems = self.axe()
        assert not problems, f"{self.path}: {json.dumps(problems, ensure_ascii=False, indent=1)}"

    def download(self, link, press=None) -> Path:
        """Activate a download link (a click, or *press*: keys sent to it) and wait for the file."""
        before = set(self.downloads.glob("*"))
        if press is None:
            link.click()
        else:
            link.send_keys(press)
        # Chromium may reserve the file's name with an empty file while it writes NAME.crdownload, renamed
        # when complete: done is a new file while no new .crdownload is left (an empty one only
        # once it has stayed empty a while: a download may be empty).
        deadline = time.monotonic() + 30
        empty_since = None
        while time.monotonic() < deadline:
            new = set(self.downloads.glob("*")) - before
            done = [p for p in new if not p.name.endswith(".crdownload")]
            if done and len(done) == len(new):
                if done[0].stat().st_size > 0:
                    return done[0]
                empty_since = empty_since or time.monotonic()
                if time.monotonic() - empty_since > 2:
                    return done[0]
            time.sleep(0.1)
        raise AssertionError("download did not arrive")


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
