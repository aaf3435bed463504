"""A caseworker's day on the pages, over HTTP without a browser: the search's filters as the office
means them, what a hit says, and the case file's application checklist in German with its actions."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from urllib.parse import parse_qs, urlsplit

import pytest

from .web_office import office_app, web_client


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    return office_app(tmp_path_factory.mktemp("office"))


def _hit_ids(page: str, ids: dict[str, str]) -> set[str]:
    return {name for name, doc in ids.items() if f"/dokumente/{doc}?" in page}


def test_a_received_day_is_the_offices_day_in_the_search_page_and_the_api(office):
    """Received at 00:30 on 4 March in Berlin (23:30 UTC on 3 March): a clerk finds it from 4 March
    and not up to 3 March, and the hit says 04.03.2026 - as `dms search --from/--to` does."""
    app, ids = office
    letter = ids["schreiben_ahmadi.pdf"]
    app.state.runtime.catalog.update_document(letter, "test", "test_received_at", created_at=datetime(2026, 3, 3, 23, 30, tzinfo=timezone.utc))
    anna = web_client(app, "anna")
    from_fourth = anna.get("/suche", params={"q": "Berichtigung", "from": "2026-03-04", "to": "2026-03-04"}).text
    assert _hit_ids(from_fourth, ids) == {"schreiben_ahmadi.pdf"} and "Eingang 04.03.2026" in from_fourth
    up_to_third = anna.get("/suche", params={"q": "Berichtigung", "to": "2026-03-03"}).text
    assert _hit_ids(up_to_third, ids) == set() and "Keine Treffer" in up_to_third
    api = web_client(app, "anna")
    api.headers["Accept"] = "application/json"
    found = api.get("/api/search", params={"q": "Berichtigung", "from": "2026-03-04"}).json()
    assert [h["id"] for h in found["hits"]] == [letter]
    assert api.get("/api/search", params={"q": "Berichtigung", "to": "2026-03-03"}).json()["hits"] == []


def test_the_checklist_speaks_german_and_names_documents_by_their_title():
    """Outcome codes, field names, ISO dates and document ids are for programs, not for the case file."""
    from dms_ingest.web.pages_applications import checklist_view

    contract, old = "20261129-081845-e535b7e8", "20261129-081732-6288558a"
    entry = {"id": 7, "application_type": "blaue_karte", "complete": False, "status": {
        "title": "Erteilung einer Blauen Karte EU", "legal_basis": "§ 18g AufenthG", "requirements": [
            {"label": "Arbeitsvertrag", "state": "missing",
             "reason": f"kein Dokument vorhanden; nur Dokument(e) einer anderen Person: {contract}",
             "documents": [{"id": contract, "outcome": "other_person", "reason": "Dokument nennt eine andere Person",
                            "fields": {"salary": "4850.00"}}]},
            {"label": "Meldebescheinigung", "state": "expired", "reason": f"{old}: vom 05.03.2025, älter als 3 Monate",
             "documents": [{"id": old, "outcome": "expired", "reason": "", "fields": {"issue_date": "2025-03-05"}}]},
            {"label": "Krankenversicherung", "state": "unread", "reason": "bitte prüfen",
             "documents": [{"id": "x", "outcome": "in_review", "reason": "", "fields": {"valid_to": "open",
                                                                                      "valid_from": None}}]},
            {"label": "Gehaltsabrechnungen", "state": "satisfied", "reason": f"erfüllt durch {old}",
             "documents": [{"id": old, "outcome": "ok", "reason": "", "fields": {"period": "2025-02"}}]}]}}
    titles = {contract: "Arbeitsvertrag – scan_0320.jpg", old: "Meldebescheinigung – <b>Kaya</b>.pdf"}
    [app] = checklist_view([entry], titles)
    shown = repr([(r["state_label"], r["hint"], [(d["title"], d["outcome"], d["fields"]) for d in r["documents"]])
                  for r in app["requirements"]])                      # what the page prints (ids only in links)
    for code in ("other_person", "in_review", "salary", "issue_date", "valid_to", "2025-03-05", contract, old):
        assert code not in shown, code
    work, registration, insurance, payslips = app["requirements"]
    assert (work["state_label"], work["documents"][0]["outcome"]) == ("fehlt", "nennt eine andere Person")
    assert work["documents"][0]["fields"] == [("Gehalt", "4.850,00 €")]
    assert work["hint"].endswith("einer anderen Person: Arbeitsvertrag – scan_0320.jpg")
    assert registration["hint"] == "Meldebescheinigung – <b>Kaya</b>.pdf: vom 05.03.2025, älter als 3 Monate"
    assert registration["documents"][0]["fields"] == [("Ausstellungsdatum", "05.03.2025")]
    assert insurance["state_label"].endswith("bitte prüfen") and insurance["documents"][0]["outcome"] == "noch in Prüfung"
    assert dict(insurance["documents"][0]["fields"]) == {"Ende des Versicherungsschutzes": "unbefristet",
                                                         "Beginn des Versicherungsschutzes": "nicht lesbar"}
    assert payslips["hint"] == "" and payslips["documents"][0]["fields"] == [("Abrechnungsmonat", "Februar 2025")]
    assert app["to_request"] == ["Arbeitsvertrag", "Meldebescheinigung"] and app["to_check"] == ["Krankenversicherung"]


def _csrf(client) -> str:
    return client.get("/api/me").json()["csrf_token"]


def test_a_caseworker_opens_an_application_and_writes_the_letter_for_what_is_missing_in_the_browser(office):
    """No command line needed: the case file opens an application of a configured type, and a button
    writes the letter (PDF/A, filed into the case) that the page then links to."""
    app, _ = office
    anna = web_client(app, "anna")
    case = "/akten/ABH-2024-00077"
    page = anna.get(case).text
    assert "Kein offener Antrag" in page and "dms cases apply" not in page
    assert 'action="/akten/ABH-2024-00077/antraege"' in page and 'value="blaue_karte"' in page
    opened = anna.post(f"{case}/antraege", data={"application_type": "blaue_karte", "csrf_token": _csrf(anna)})
    assert opened.status_code == 303 and opened.headers["location"].startswith(case)
    page = anna.get(opened.headers["location"]).text
    assert "Antrag „Erteilung einer Blauen Karte EU“ eröffnet." in page                  # the notice
    assert page.count('value="blaue_karte"') == 1                                     # the letter form's, no longer offered
    assert "Nachforderung erstellen" in page
    assert "0900" not in anna.get(case, params={"antrag": "Bitte 0900 anrufen"}).text      # no words by a link
    unknown = anna.post(f"{case}/antraege", data={"application_type": "weltreise", "csrf_token": _csrf(anna)})
    assert unknown.status_code == 422 and "Antragsarten" in unknown.text

    written = anna.post(f"{case}/nachforderung", data={"application_type": "blaue_karte", "csrf_token": _csrf(anna)})
    assert written.status_code == 303
    letter_id = parse_qs(urlsplit(written.headers["location"]).query)["nachforderung"][0]
    page = anna.get(written.headers["location"]).text
    assert "Die Nachforderung wurde erstellt und in die Akte gelegt" in page
    assert "keine Anschrift" in page                                                  # no registration on file
    assert f'href="/dokumente/{letter_id}"' in page
    letter = anna.get(f"/dokumente/{letter_id}").text
    assert "ABH-2024-00077" in letter and "Schreiben der Behörde" in letter
    again = anna.get(case).text                            # a second click would write a second letter: it says so
    assert "Letzte Nachforderung" in again and "Erneut nachfordern (" in again and "Nachforderung erstellen" not in again

    yusuf = web_client(app, "yusuf")                                                    # another team's case
    refused = yusuf.post(f"{case}/nachforderung", data={"application_type": "", "csrf_token": _csrf(yusuf)})
    assert refused.status_code == 403


def test_the_letter_form_takes_an_address_when_the_case_file_has_none(office):
    """The case has no registration on file: the clerk types the address into the letter's form; it
    is printed in the letter, and a bad one is refused in German without a letter being filed."""
    app, _ = office
    anna = web_client(app, "anna")
    case = "/akten/ABH-2024-00077"
    anna.post(f"{case}/antraege", data={"application_type": "blaue_karte", "csrf_token": _csrf(anna)})
    page = anna.get(case).text
    assert '<label for="anschrift-' in page and 'name="address"' in page
    refused = anna.post(f"{case}/nachforderung", data={"application_type": "blaue_karte", "csrf_token": _csrf(anna),
                                                       "address": "Am Deich 3\x07, 21905 Elbhausen"})
    assert refused.status_code == 422 and "kann (U+0007)" in refused.text and "nichts nachzufordern" not in refused.text
    written = anna.post(f"{case}/nachforderung", data={"application_type": "blaue_karte", "csrf_token": _csrf(anna),
                                                       "address": "Am Deich 3 <b>\r\n21905 Elbhausen"})
    assert written.status_code == 303
    notice = anna.get(written.headers["location"]).text
    assert "Bitte die Anschrift prüfen und versenden." in notice and "keine Anschrift" not in notice
    query = parse_qs(urlsplit(written.headers["location"]).query)
    letter = anna.get(f"/dokumente/{query['nachforderung'][0]}").text
    assert "Am Deich 3 &lt;b&gt;" in letter and "21905 Elbhausen" in letter and "<b>" not in letter.split("<main")[1]


def test_the_search_page_filters_by_review_state_and_keeps_every_filter_across_pages(office, monkeypatch):
    from dms_ingest.web import pages_search

    app, ids = office
    monkeypatch.setattr(pages_search, "PAGE_SIZE", 1)
    anna = web_client(app, "anna")
    first = anna.get("/suche", params={"q": "Ahmadi", "case": "abh-2022-06060", "pruefung": "ohne", "type": ""}).text
    assert "2 Treffer" in first and '<option value="ohne" selected>' in first
    assert len(_hit_ids(first, ids)) == 1
    next_href = re.search(r'<a href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    assert "pruefung=ohne" in next_href and "case=ABH-2022-06060" in next_href and "offset=1" in next_href
    second = anna.get(next_href).text
    assert len(_hit_ids(second, ids)) == 1 and _hit_ids(second, ids) != _hit_ids(first, ids)
    prev_href = re.search(r'<a href="([^"]+)" rel="prev"', second).group(1).replace("&amp;", "&")
    assert "pruefung=ohne" in prev_href and _hit_ids(anna.get(prev_href).text, ids) == _hit_ids(first, ids)
    facet = re.search(r'<aside class="facets".*?<a href="([^"]+)"', first, re.S).group(1)
    assert "pruefung=ohne" in facet
    # The review queue's document (no case yet) for the mailroom: found only with "in Prüfung".
    post = web_client(app, "post")
    waiting = post.get("/suche", params={"q": "Gehaltsnachweise", "pruefung": "offen"}).text
    assert "nachreichung_ohne_az.pdf" in _hit_ids(waiting, ids) and "in Prüfung</span>" in waiting
    assert _hit_ids(post.get("/suche", params={"q": "Gehaltsnachweise", "pruefung": "ohne"}).text, ids) == set()
    api = web_client(app, "post")
    api.headers["Accept"] = "application/json"
    assert [h["id"] for h in api.get("/api/search", params={"q": "Gehaltsnachweise", "review": "true"}).json()["hits"]] \
        == [ids["nachreichung_ohne_az.pdf"]]
    assert api.get("/api/search", params={"q": "Gehaltsnachweise", "review": "false"}).json()["hits"] == []


def test_a_hit_names_its_file_and_the_hint_names_every_kind_of_query(office):
    app, ids = office
    page = web_client(app, "anna").get("/suche", params={"q": "Berichtigung"}).text
    assert "Anwaltsschreiben · ABH-2022-06060 – schreiben_ahmadi.pdf</a>" in page   # 20 hits are told apart
    for taught in ("OR", "Mohammed~", "Miet*", "-Entwurf", "„Antrag auf“", "erlaubnis findet Aufenthaltserlaubnis"):
        assert taught in page, taught


def test_a_keyboard_reaches_the_hits_without_tabbing_through_every_filter(office):
    """The form has five fields (a date field is three tab stops) and the facets come first: a link
    before them leads to the hits' heading, which takes the focus."""
    app, _ = office
    page = web_client(app, "anna").get("/suche", params={"q": "Antrag"}).text
    skip = page.index('<a href="#treffer">Zu den Treffern springen</a>')
    assert skip < page.index('<form method="get" action="/suche"') and '<h2 id="treffer" tabindex="-1">' in page


def test_german_quotation_marks_make_a_phrase_as_the_hint_shows_them(office):
    """„…“ from a German keyboard or copied from the hint: the words in this order, not each anywhere."""
    app, ids = office
    anna = web_client(app, "anna")
    in_order = anna.get("/suche", params={"q": "„Verlängerung der Aufenthaltserlaubnis“"}).text
    assert _hit_ids(in_order, ids) == {"antrag_ahmadi.pdf"}
    turned = anna.get("/suche", params={"q": "„Aufenthaltserlaubnis Verlängerung“"}).text
    assert _hit_ids(turned, ids) == set() and "Keine Treffer" in turned


def test_the_document_opened_from_a_fuzzy_hit_marks_what_the_search_found(office):
    """`word~` finds OCR errors and other spellings; the page shows where they are, as for other hits."""
    app, ids = office
    doc = ids["antrag_ahmadi.pdf"]
    page = web_client(app, "anna").get(f"/dokumente/{doc}", params={"q": "Aufenthaltserlaubnls~"}).text
    assert "<mark>Aufenthaltserlaubnis</mark>" in page and '<rect class="hit"' in page
    assert "<mark>Verlängerung</mark>" not in page


def test_the_document_page_shows_what_was_read_from_it_and_what_a_person_must_check(office):
    """The checklist's "bitte prüfen" leads here: each field in German, read or not, how sure, where."""
    app, ids = office
    page = web_client(app, "yusuf").get(f"/dokumente/{ids['bescheid_yilmaz.pdf']}").text
    section = page[page.index('<h2 id="angaben"'):page.index("</section>", page.index('<h2 id="angaben"'))]
    assert "<th scope=\"row\">Betreff</th>" in section and "Bescheid über die Verlängerung der Aufenthaltserlaubnis" in section
    assert '<a href="#seite-1">Seite 1</a>' in section
    assert "<th scope=\"row\">Datum</th>" in section and "nicht sicher gelesen – bitte prüfen" in section
    assert "subject" not in section and "unread" not in section
    assert "Gelesene Angaben" not in web_client(app, "anna").get(f"/dokumente/{ids['schreiben_ahmadi.pdf']}").text


def test_the_ready_list_names_the_complete_applications_of_the_users_cases(office, monkeypatch):
    """`dms cases ready` in the browser: an application whose one requirement is on file is listed for
    its team, not for another team; the mailroom has no such list."""
    from dms_ingest.applications.config import ApplicationType, Requirement
    from dms_ingest.services import applications
    from dms_ingest.services.actor import Actor

    app, _ = office
    runtime = app.state.runtime
    monkeypatch.setitem(runtime.settings.applications.types, "nur_formular", ApplicationType(
        title="Antrag <ohne> Anlagen", legal_basis="Test", requirements=[
            Requirement(key="formular", label="Antragsformular", doc_type="antrag")]))
    anna = web_client(app, "anna")
    assert "Zurzeit ist kein offener Antrag vollständig" in anna.get("/antraege/terminreif").text
    system = Actor.system(client="test")
    applications.open_application(system, runtime, "ABH-2022-06060", "nur_formular")
    try:
        page = anna.get("/antraege/terminreif").text
        assert '<a href="/akten/ABH-2022-06060#antraege">ABH-2022-06060</a>' in page
        assert "Antrag &lt;ohne&gt; Anlagen (Test)" in page and 'href="/antraege/terminreif" aria-current="page"' in page
        assert "ABH-2022-06060" not in web_client(app, "yusuf").get("/antraege/terminreif").text
        post = web_client(app, "post")
        assert post.get("/antraege/terminreif").status_code == 403 and "/antraege/terminreif" not in post.get("/suche").text
    finally:
        applications.close_application(system, runtime, "ABH-2022-06060", "nur_formular")


def test_a_query_without_a_word_says_so_instead_of_listing_every_document(office):
    app, ids = office
    anna = web_client(app, "anna")
    for query in ('"', "*", "~", "-", "OR", "„“"):
        page = anna.get("/suche", params={"q": query}).text
        assert "kein Wort, nach dem gesucht werden kann" in page and 'id="treffer"' not in page, query
    filtered = anna.get("/suche", params={"q": "*", "type": "antrag"}).text
    assert "was die Filter allein finden" in filtered and _hit_ids(filtered, ids) == {"antrag_ahmadi.pdf"}


def test_a_page_past_the_end_of_the_hits_leads_back_to_the_last_one(office):
    """A bookmarked or reloaded page 2 after the hits shrank: not "Keine Treffer" under "2 Treffer"."""
    app, ids = office
    anna = web_client(app, "anna")
    page = anna.get("/suche", params={"q": "Ahmadi", "case": "ABH-2022-06060", "offset": 40}).text
    assert "Keine Treffer" not in page and "angezeigt" not in page and "Zur letzten Seite mit Treffern" in page
    back = re.search(r'<a href="([^"]+)" rel="prev">Zur letzten', page).group(1).replace("&amp;", "&")
    assert "offset" not in back and len(_hit_ids(anna.get(back).text, ids)) == 2
