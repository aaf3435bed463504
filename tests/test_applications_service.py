"""Applications end to end on born-digital documents (no OCR, fast): a form opens the application,
the checklist reads the documents' fields, complete cases are ready, the letter asks for the rest."""

from __future__ import annotations

import datetime as dt
import json
import random

import pytest

from .paths import REPO
from .plugins.cli import Dms
from dms_datagen import applications as gen
from dms_datagen.people import Person
from dms_datagen.pdf import born_digital_pdf
from dms_ingest.classifiers.registry import CaseRecord, write_registry_csv
from dms_ingest.config import load_settings
from dms_ingest.errors import Forbidden, Invalid
from dms_ingest.ingest.pdfa import validate
from dms_ingest.migrate.nightly import applications_ready, text
from dms_ingest.services import applications, cases, documents
from dms_ingest.services.actor import Actor
from dms_ingest.services.runtime import Runtime

TODAY = dt.date(2025, 6, 30)
KAYA = Person("Kaya", "Emre", dt.date(1990, 5, 5), "TUR", "M", "Izmir")
NOWAK = Person("Nowak", "Anna", dt.date(1985, 2, 14), "POL", "F", "Gdansk")
SYSTEM = Actor.system("test")


def household(person: Person) -> gen.Household:
    spouse = Person(person.surname, "Maria", dt.date(1992, 1, 1), person.nationality, "F", person.birthplace)
    return gen.Household(person, spouse, "Gartenstraße 14", "21904 Elbhausen")


def write_case(tmp_path, person: Person, case_number: str, *, passport_expiry: dt.date) -> list:
    rng = random.Random(case_number)
    hh = household(person)
    docs = [gen.antrag(rng, hh, "verlaengerung", case_number, TODAY),
            gen.passport(rng, person, passport_expiry),
            *[gen.payslip(rng, person, 2025, month, "Logistik Nord GmbH", 3100.0) for month in (3, 4, 5)],
            gen.contract(rng, person, "Logistik Nord GmbH", dt.date(2020, 4, 1), 3100.0),
            gen.insurance(rng, person, dt.date(2020, 4, 1), None, TODAY - dt.timedelta(days=10)),
            gen.tenancy(rng, hh, person, dt.date(2019, 9, 1)),
            gen.registration(rng, hh, person, TODAY - dt.timedelta(days=20), dt.date(2019, 9, 1))]
    files = []
    for k, doc in enumerate(docs):
        lines = [f"Aktenzeichen: {case_number}"] + [line.as_text() for line in doc.lines]
        files.append(born_digital_pdf([lines], tmp_path / f"{case_number}_{k:02d}_{doc.doc_type}.pdf"))
    return files


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    return tmp_path_factory.mktemp("applications") / "home"


@pytest.fixture(scope="module")
def dms(home):
    return Dms(home)


@pytest.fixture(scope="module")
def filled(home):
    """Two cases ingested once for the module (the tests below build on each other in order)."""
    tmp_path = home.parent
    runtime = Runtime(load_settings(REPO / "config.yaml", home=home))
    registry = tmp_path / "registry.csv"
    write_registry_csv([CaseRecord("ABH-2020-03141", "Kaya", "Emre", KAYA.date_of_birth, "TUR"),
                        CaseRecord("ABH-2021-00077", "Nowak", "Anna", NOWAK.date_of_birth, "POL")], registry)
    cases.import_cases(SYSTEM, runtime, registry)
    files = write_case(tmp_path, KAYA, "ABH-2020-03141", passport_expiry=dt.date(2029, 3, 31))
    files += write_case(tmp_path, NOWAK, "ABH-2021-00077", passport_expiry=dt.date(2025, 10, 31))
    results = documents.ingest(SYSTEM, runtime, files, workers=1)
    assert all(r.status == "archived" for r in results), [(r.source, r.error) for r in results]
    return runtime, {r.source.rsplit("/", 1)[-1]: r for r in results}


def test_form_opens_the_application_and_a_complete_case_is_ready(filled, dms):
    runtime, results = filled
    kaya = applications.case_status(SYSTEM, runtime, "ABH-2020-03141", today=TODAY)
    [app] = kaya["applications"]
    assert app["application_type"] == "verlaengerung" and app["source"] == "form"
    assert app["complete"], [(r["key"], r["state"], r["reason"]) for r in app["status"]["requirements"]]
    passport = next(r for r in app["status"]["requirements"] if r["key"] == "pass")
    assert passport["satisfied_by"] == [results["ABH-2020-03141_01_pass.pdf"].id]
    assert passport["documents"][0]["fields"] == {"expiry_date": "2029-03-31"}
    payslips = next(r for r in app["status"]["requirements"] if r["key"] == "gehaltsnachweise")
    assert len(payslips["satisfied_by"]) == 3
    ready = applications.ready_cases(SYSTEM, runtime, today=TODAY)
    assert [(r["case_number"], r["application_type"]) for r in ready] == [("ABH-2020-03141", "verlaengerung")]
    # The fields are in the index too, with their source; `dms show` lists them.
    shown = json.loads(dms("show", results["ABH-2020-03141_01_pass.pdf"].id, "--json").stdout)
    expiry = next(f for f in shown["fields"] if f["name"] == "expiry_date")
    assert expiry["value"] == "2029-03-31" and expiry["page"] == 1 and "<<" in expiry["text"]
    shown = dms("cases", "status", "ABH-2020-03141", "--json", "--today", TODAY.isoformat())
    assert shown.exit_code == 0 and json.loads(shown.stdout)["applications"][0]["complete"] is True
    listed = dms.json_lines("cases", "ready", "--today", TODAY.isoformat())
    assert [r["case_number"] for r in listed] == ["ABH-2020-03141"]
    # The nightly report lists them too.
    nightly = applications_ready(runtime.settings, runtime.catalog, today=TODAY)
    assert [r["case_number"] for r in nightly["ready"]] == ["ABH-2020-03141"]
    assert "ABH-2020-03141 Emre Kaya: Verlängerung der Aufenthaltserlaubnis" in text(
        {"started_at": "-", "seconds": 0, "passed": True, "applications": nightly, "classifier": {"status": "skipped"},
         "retry": {"items": [], "done": 0, "still_failed": 0, "recovered": [], "needs_a_person": []},
         "fixity": {"errors": []}})
    table = dms("cases", "status", "ABH-2021-00077", "--today", TODAY.isoformat())
    assert "abgelaufen" in table.stdout and "unvollständig" in table.stdout


def test_apply_and_rights(filled, dms):
    runtime, _ = filled
    opened = applications.open_application(SYSTEM, runtime, "ABH-2020-03141", "niederlassungserlaubnis")
    assert opened["created"] and opened["title"] == "Erteilung einer Niederlassungserlaubnis"
    assert not applications.open_application(SYSTEM, runtime, "abh-2020-03141", "niederlassungserlaubnis")["created"]
    status = applications.case_status(SYSTEM, runtime, "ABH-2020-03141", today=TODAY)
    settlement = next(a for a in status["applications"] if a["application_type"] == "niederlassungserlaubnis")
    assert {r["key"]: r["state"] for r in settlement["status"]["requirements"]}["sprachzertifikat"] == "missing"
    with pytest.raises(Invalid, match="unknown application type 'visum'"):
        applications.open_application(SYSTEM, runtime, "ABH-2020-03141", "visum")
    outsider = Actor("m.muster", "sachbearbeitung", frozenset({"team-9"}), "web")
    with pytest.raises(Forbidden):
        applications.case_status(outsider, runtime, "ABH-2020-03141", today=TODAY)
    assert applications.ready_cases(outsider, runtime, today=TODAY) == []
    result = dms("cases", "apply", "ABH-2020-03141", "--type", "visum")
    assert result.exit_code == 2 and "unknown application type" in result.output
    closed = dms.json_lines("cases", "close", "ABH-2020-03141", "--type", "niederlassungserlaubnis")
    assert closed[0]["state"] == "closed"


def test_request_letter_lists_what_is_missing_and_is_filed_into_the_case(filled, tmp_path):
    runtime, _ = filled
    status = applications.case_status(SYSTEM, runtime, "ABH-2021-00077", today=TODAY)
    states = {r["key"]: r["state"] for r in status["applications"][0]["status"]["requirements"]}
    assert states["pass"] == "expired" and not status["applications"][0]["complete"]
    [letter] = applications.request_letter(SYSTEM, runtime, "ABH-2021-00077", today=TODAY)
    assert letter["items"] == ["gültiger Reisepass (noch mindestens 6 Monate gültig) – die vorliegende Unterlage "
                               "ist nicht mehr aktuell bzw. abgelaufen"]
    assert letter["address_known"]
    doc = runtime.catalog.get(letter["id"])
    assert doc.case_number == "ABH-2021-00077" and doc.source.startswith("outgoing:")
    text = "\n".join(p.text for p in runtime.catalog.pages(doc.id))
    assert "Aktenzeichen: ABH-2021-00077" in text and "Reisepass" in text and "Guten Tag Anna Nowak" in text
    assert "Gartenstraße 14" in text and "14.07.2025" in text                 # address from the file; deadline
    pdf = tmp_path / "letter.pdf"
    documents.get(SYSTEM, runtime, letter["id"], pdf)
    assert validate(pdf, 2) == []                                              # PDF/A-2b
    # Our own letter never satisfies a requirement; the case stays incomplete.
    again = applications.case_status(SYSTEM, runtime, "ABH-2021-00077", today=TODAY)
    assert not again["applications"][0]["complete"]
    assert any(d["outgoing"] for d in again["documents"])
    with pytest.raises(Invalid, match="nothing to request"):
        applications.request_letter(SYSTEM, runtime, "ABH-2020-03141", today=TODAY)


def test_rest_api_shows_the_checklist_to_those_who_may_see_the_case(filled):
    from fastapi.testclient import TestClient

    from dms_ingest.services import people
    from dms_ingest.web.app import create_app

    runtime, _ = filled
    people.add_team(SYSTEM, runtime, "team-a-f", "A-F")
    people.add_team(SYSTEM, runtime, "team-g-z", "G-Z")          # Kaya and Nowak
    people.add_user(SYSTEM, runtime, "yusuf", "sachbearbeitung", ["team-g-z"], "Yusuf-2024-sicher")
    people.add_user(SYSTEM, runtime, "anna", "sachbearbeitung", ["team-a-f"], "Anna-2024-sicher")
    own = {"Authorization": f"Bearer {people.issue_token(SYSTEM, runtime, 'yusuf')}"}
    other = {"Authorization": f"Bearer {people.issue_token(SYSTEM, runtime, 'anna')}"}
    with TestClient(create_app(runtime=runtime)) as client:
        case = client.get("/api/cases/ABH-2020-03141", headers=own)
        assert case.status_code == 200, case.text
        assert [a["application_type"] for a in case.json()["applications"]] == ["verlaengerung"]
        checklist = client.get("/api/cases/ABH-2020-03141/applications", params={"today": TODAY.isoformat()},
                               headers=own).json()
        assert checklist["applications"][0]["complete"] is True
        ready = client.get("/api/applications/ready", params={"today": TODAY.isoformat()}, headers=own).json()
        assert [r["case_number"] for r in ready["items"]] == ["ABH-2020-03141"]
        assert client.get("/api/cases/ABH-2020-03141/applications", headers=other).status_code == 403
        assert client.get("/api/applications/ready", params={"today": TODAY.isoformat()},
                          headers=other).json()["total"] == 0
        opened = client.post("/api/cases/ABH-2021-00077/applications", json={"application_type": "blaue_karte"},
                             headers=own)
        assert opened.status_code == 201 and opened.json()["created"] is True
        page = client.get("/akten/ABH-2021-00077", headers=own)
        assert page.status_code == 200, page.text[:300]
        assert "Anträge und Unterlagen" in page.text and "Erteilung einer Blauen Karte EU" in page.text
        assert "abgelaufen" in page.text or "fehlt" in page.text


# A DIN 5008 form B envelope's window (20-105 mm from the left, 45-90 mm from the top), in points.
WINDOW_PT = tuple(mm * 72 / 25.4 for mm in (20, 45, 105, 90))


def _window_lines(pdf_path) -> list[str]:
    import pdfplumber

    with pdfplumber.open(pdf_path) as pdf:
        return (pdf.pages[0].within_bbox(WINDOW_PT).extract_text() or "").splitlines()


def _outgoing(runtime, case_number: str) -> int:
    return sum(1 for d in runtime.catalog.documents_of_case(case_number) if d.source.startswith("outgoing:"))


def test_a_typed_address_goes_into_the_window_of_the_filed_letter_and_is_logged(filled, dms, tmp_path):
    """`--address` (repeated, or lines split at commas) instead of the case file's address: printed
    under the name in the envelope window of the PDF/A filed into the case, logged as typed by --by."""
    runtime, _ = filled
    target = tmp_path / "brief.pdf"
    [letter] = dms.json_lines("cases", "request", "ABH-2021-00077", "--type", "verlaengerung", "--by", "m.schulz",
                              "--address", "c/o Öztürk", "--address", "Hauptstraße 5 (Hinterhaus), 21903 Elbhausen",
                              "-o", target, "--today", TODAY.isoformat())
    typed = ["c/o Öztürk", "Hauptstraße 5 (Hinterhaus)", "21903 Elbhausen"]
    assert letter["address"] == typed and letter["address_source"] == "typed" and letter["address_known"] is True
    assert letter["items"] and letter["unread_to_check"] == []                 # the fields kept as they were
    window = _window_lines(target)
    assert window[window.index("Anna Nowak") + 1:] == typed                    # the name, then the address as typed
    assert not any("Gartenstraße" in line for line in window)                 # not the case file's
    assert validate(target, 2) == []
    [event] = [e for e in runtime.catalog.audit(letter["id"]) if e.action == "request_letter_filed"]
    assert event.actor == "m.schulz" and json.loads(event.detail)["address_typed"] is True
    logged = applications_log(runtime, "ABH-2021-00077")[-1]
    assert (logged["login"], logged["outcome"], logged["detail"]["address_typed"]) == ("m.schulz", "ok", True)
    # Without --address the case file's address is used, and said so.
    [plain] = dms.json_lines("cases", "request", "ABH-2021-00077", "--type", "verlaengerung",
                             "--today", TODAY.isoformat())
    assert plain["address"] == ["Gartenstraße 14", "21904 Elbhausen"] and plain["address_source"] == "case_file"


def applications_log(runtime, case_number: str) -> list[dict]:
    from dms_ingest.services import audit_log

    return [e for e in audit_log.entries(SYSTEM, runtime, case_number=case_number, limit=100_000)
            if e["action"] == "request_letter"]


@pytest.mark.parametrize("address, says", [
    ("Hauptstraße 5\x1b[31m, 21903 Elbhausen", "cannot be printed (U+001B)"),      # a terminal escape
    ("Haupt\u202estraße 5", "cannot be printed (U+202E)"),                        # a bidi override
    ("Hauptstraße 5 \U0001F3E0", "cannot be printed (U+1F3E0)"),                  # outside the font and the BMP
    ("a, b, c, d, e, f", "has 6 lines; at most 5"),
    ("W" * 60, "too wide for the envelope window"),
    (" , \n ", "the address is empty"),
])
def test_an_address_that_cannot_go_into_the_letter_is_refused_in_one_line_and_nothing_is_filed(
        filled, dms, address, says):
    runtime, _ = filled
    before = _outgoing(runtime, "ABH-2021-00077")
    result = dms("cases", "request", "ABH-2021-00077", "--type", "verlaengerung", "--address", address,
                 "--by", "m.schulz", "--today", TODAY.isoformat())
    assert result.exit_code == 2 and says in result.output and len(result.output.strip().splitlines()) == 1
    assert "\x1b[31m" not in result.output
    assert _outgoing(runtime, "ABH-2021-00077") == before
    logged = applications_log(runtime, "ABH-2021-00077")[-1]
    assert (logged["login"], logged["outcome"], logged["detail"]["address_typed"]) == ("m.schulz", "refused", True)
    assert says in logged["detail"]["error"]


def test_the_rest_api_takes_a_typed_address_as_text_or_lines(filled, tmp_path):
    from fastapi.testclient import TestClient

    from dms_ingest.services import people
    from dms_ingest.web.app import create_app

    runtime, _ = filled
    own = {"Authorization": f"Bearer {people.issue_token(SYSTEM, runtime, 'yusuf')}"}
    url = "/api/cases/ABH-2021-00077/requests"
    with TestClient(create_app(runtime=runtime)) as client:
        for given, lines in (("Am Deich 3\n21905 Elbhausen", ["Am Deich 3", "21905 Elbhausen"]),
                             (["Am Deich 3, Whg. 2", "21905 Elbhausen"], ["Am Deich 3", "Whg. 2", "21905 Elbhausen"])):
            answer = client.post(url, json={"application_type": "verlaengerung", "address": given}, headers=own)
            assert answer.status_code == 201, answer.text
            [letter] = answer.json()["letters"]
            assert (letter["address"], letter["address_source"]) == (lines, "typed")
            pdf = tmp_path / f"{letter['id']}.pdf"
            documents.get(SYSTEM, runtime, letter["id"], pdf)
            window = _window_lines(pdf)
            assert window[window.index("Anna Nowak") + 1:] == lines
        before = _outgoing(runtime, "ABH-2021-00077")
        bad = client.post(url, json={"application_type": "verlaengerung", "address": "Am Deich 3\x00"}, headers=own)
        assert bad.status_code == 422 and "cannot be printed (U+0000)" in bad.json()["error"]
        assert client.post(url, json={"address": "x" * 501}, headers=own).status_code == 422
        assert _outgoing(runtime, "ABH-2021-00077") == before
    logged = applications_log(runtime, "ABH-2021-00077")
    assert [(e["login"], e["outcome"], e["detail"].get("address_typed")) for e in logged[-3:]] == [
        ("yusuf", "ok", True), ("yusuf", "ok", True), ("yusuf", "refused", True)]
