"""A small office for the web tests: registry, two teams, four users, four born-digital documents
(one with `<script>` in its text, one from another team, one for review) and one broken file."""

from __future__ import annotations

import re
from pathlib import Path

from .paths import REPO

SCRIPT = "<script>alert(1)</script>"

CASES_CSV = """case_number,surname,given_names,date_of_birth,nationality
ABH-2022-06060,Ahmadi,Farid,1998-01-01,afghanisch
ABH-2024-00077,Ahmadi,Farida,2001-08-15,afghanisch
ABH-2023-04567,Yılmaz,Emre,1990-05-05,türkisch
"""
PASSWORDS = {"anna": "anna-Test-2026", "yusuf": "yusuf-Test-2026", "post": "post-Test-2026", "dsb": "dsb-Test-2026"}

# (file name, pages of lines) -- born-digital PDFs: real pipeline, no OCR wait.
DOCUMENTS = [
    ("antrag_ahmadi.pdf", [[
        "Stadt Elbhausen – Ausländerbehörde", "Aktenzeichen: ABH-2022-06060",
        "Antrag auf Verlängerung der Aufenthaltserlaubnis nach § 8 AufenthG",
        "Antragsteller: Farid Ahmadi, geb. 01.01.1998", "Hiermit beantrage ich die Verlängerung",
        "meiner Aufenthaltserlaubnis um zwei Jahre."], [
        "Anlagen: Reisepass, Meldebescheinigung, Gehaltsnachweise", "Elbhausen, den 03.02.2025",
        "Farid Ahmadi"]]),
    ("schreiben_ahmadi.pdf", [[
        "Rechtsanwältin Dr. Hoffmann", "Ihr Zeichen: ABH-2022-06060", "Mandant: Farid Ahmadi, geb. 01.01.1998",
        "Sehr geehrte Damen und Herren,", f"im Formular stand wörtlich {SCRIPT} als Name.",
        "Wir bitten um Berichtigung."]]),
    ("bescheid_yilmaz.pdf", [[
        "Stadt Elbhausen – Ausländerbehörde", "Aktenzeichen: ABH-2023-04567",
        "Bescheid über die Verlängerung der Aufenthaltserlaubnis", "Herrn Emre Yilmaz, geb. 05.05.1990",
        "Die Aufenthaltserlaubnis wird bis zum 31.12.2027 verlängert."]]),
    ("nachreichung_ohne_az.pdf", [[
        "Nachreichung von Unterlagen", "Sehr geehrte Damen und Herren,",
        "anbei die Gehaltsnachweise von Herrn Ahmadi.", f"Bemerkung des Absenders: {SCRIPT}",
        "Mit freundlichen Grüßen"]]),
]



def build_office(home: Path, folder: Path) -> dict[str, str]:
    """Registry, teams, users and a few documents, through the service layer as the system."""
    from dms_datagen.pdf import born_digital_pdf
    from dms_ingest.config import load_settings
    from dms_ingest.services import applications, cases, documents, people
    from dms_ingest.services.actor import Actor
    from dms_ingest.services.runtime import Runtime

    system = Actor.system(client="test")
    runtime = Runtime(load_settings(REPO / "config.yaml", home=home))
    registry = folder / "cases.csv"
    registry.write_text(CASES_CSV, encoding="utf-8")
    cases.import_cases(system, runtime, registry)
    people.add_team(system, runtime, "A-F", "A-F")
    people.add_team(system, runtime, "G-Z", "G-Z")
    people.add_user(system, runtime, "anna", "sachbearbeitung", ["A-F"], PASSWORDS["anna"])
    people.add_user(system, runtime, "yusuf", "sachbearbeitung", ["G-Z"], PASSWORDS["yusuf"])
    people.add_user(system, runtime, "post", "poststelle", [], PASSWORDS["post"])
    people.add_user(system, runtime, "dsb", "datenschutz", [], PASSWORDS["dsb"])
    files = [born_digital_pdf(pages, folder / name) for name, pages in DOCUMENTS]
    broken = folder / "scan_kaputt.pdf"
    broken.write_bytes(b"%PDF-1.4\n% nothing but a header, then the scanner gave up\n")
    results = documents.ingest(system, runtime, files + [broken], workers=1)
    ids = {Path(r.source).name: r.id for r in results if r.id}
    assert len(ids) == len(DOCUMENTS), [r.to_json() for r in results]
    applications.open_application(system, runtime, "ABH-2022-06060", "verlaengerung")   # the case file's checklist
    return ids


def web_client(app, login: str | None = None):
    """A TestClient of *app* that asks for pages (not JSON), logged in as *login* if given."""
    return logged_in(app, login, PASSWORDS.get(login or ""))


def logged_in(app, login: str | None, password: str | None, accept: str = "text/html"):
    """A TestClient of *app* logged in through the login page as *login* (if given), then asking for *accept*."""
    from fastapi.testclient import TestClient

    client = TestClient(app, follow_redirects=False, headers={"Accept": "text/html"})
    if login:
        page = client.get("/anmelden")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        answer = client.post("/anmelden", data={"login": login, "password": password, "csrf_token": token})
        assert answer.status_code == 303, answer.text
    client.headers["Accept"] = accept
    return client


def office_app(folder: Path):
    """The web application over a freshly built office: (app, file name -> document id)."""
    from dms_ingest.config import load_settings
    from dms_ingest.web.app import create_app

    ids = build_office(folder / "home", folder)
    return create_app(load_settings(REPO / "config.yaml", home=folder / "home")), ids
