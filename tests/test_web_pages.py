"""The pages over HTTP without a browser (FastAPI's TestClient): CSRF on every form, expiry message,
escaping, CSP-safe templates, page images once with a log entry each, safe downloads, exports."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from .web_office import PASSWORDS, REPO, SCRIPT, office_app, web_client

from dms_ingest.web import exports

TEMPLATES = REPO / "dms_ingest" / "web" / "templates"


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    return office_app(tmp_path_factory.mktemp("office"))


_client = web_client


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"method": (attrs.get("method") or "get").lower(), "action": attrs.get("action"),
                               "csrf": None})
        elif tag == "input" and attrs.get("name") == "csrf_token" and self.forms:
            self.forms[-1]["csrf"] = attrs.get("value")


class _GetForms(HTMLParser):
    """The GET forms of a page with the values a browser sends when they are submitted untouched."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(((attrs.get("method") or "get").lower() + " " + (attrs.get("action") or ""), {}))
        elif not self.forms or not attrs.get("name") and tag != "option":
            return
        elif tag == "input" and attrs.get("type") not in ("submit", "button", "file", "hidden"):
            self.forms[-1][1][attrs["name"]] = attrs.get("value") or ""
        elif tag == "select":
            self._select = attrs["name"]
        elif tag == "option" and self._select is not None:
            fields = self.forms[-1][1]
            if self._select not in fields or "selected" in attrs:
                fields[self._select] = attrs.get("value") or ""


def test_every_search_form_works_when_sent_as_the_browser_sends_it(office):
    """Empty fields (a date left blank) arrive as `from=`: they mean "no filter", not an error."""
    app, _ = office
    sent = 0
    for login, paths in (("anna", ["/suche", "/posteingang", "/akten"]), ("post", ["/poststelle"]),
                         ("dsb", ["/datenschutz", "/datenschutz/auskunft"])):
        client = _client(app, login)
        for path in paths:
            parser = _GetForms()
            parser.feed(client.get(path).text)
            for method_action, fields in parser.forms:
                method, action = method_action.split(" ", 1)
                if method != "get":
                    continue
                answer = client.get(action or path, params=fields)
                assert answer.status_code == 200, (path, fields, answer.text[:300])
                sent += 1
    assert sent >= 6


def test_every_changing_form_carries_the_session_csrf_token(office):
    app, ids = office
    seen = 0
    for login, paths in (("anna", ["/posteingang", "/akten/ABH-2022-06060", f"/dokumente/{ids['antrag_ahmadi.pdf']}",
                                   "/akten/ABH-2022-06060/hochladen", "/suche?q=Antrag"]),
                         ("post", ["/poststelle", f"/pruefliste/{ids['nachreichung_ohne_az.pdf']}"]),
                         ("dsb", ["/datenschutz", "/datenschutz/auskunft?case=ABH-2022-06060"])):
        client = _client(app, login)
        token = client.get("/api/me").json()["csrf_token"]
        for path in paths:
            page = client.get(path)
            assert page.status_code == 200, (path, page.text[:300])
            parser = _Forms()
            parser.feed(page.text)
            for form in parser.forms:
                if form["method"] == "post":
                    assert form["csrf"] == token, (path, form)
                    seen += 1
    assert seen >= 8


def test_a_change_without_the_token_is_refused(office):
    app, ids = office
    client = _client(app, "anna")
    answer = client.post("/posteingang/markieren", data={"document_id": ids["antrag_ahmadi.pdf"], "state": "done"})
    assert answer.status_code == 403 and "Formular abgelaufen" in answer.text
    page = client.get("/posteingang")
    assert ids["antrag_ahmadi.pdf"] in page.text                  # still open: nothing was changed
    bad_login = TestClient(app, follow_redirects=False).post("/anmelden", data={"login": "anna",
                                                                               "password": PASSWORDS["anna"]})
    assert bad_login.status_code == 403 and "dms_session" not in bad_login.cookies


def test_an_ended_session_says_so_and_comes_back_after_login(office):
    app, _ = office
    client = TestClient(app, follow_redirects=False, headers={"Accept": "text/html"})
    client.cookies.set("dms_session", "this-session-has-ended")
    answer = client.get("/akten/ABH-2022-06060")
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/anmelden?") and "abgelaufen=1" in answer.headers["location"]
    page = client.get(answer.headers["location"])
    assert "Ihre Sitzung ist abgelaufen" in page.text
    assert 'name="next" value="/akten/ABH-2022-06060"' in page.text
    wrong = TestClient(app, follow_redirects=False, headers={"Accept": "text/html"})
    token = re.search(r'name="csrf_token" value="([^"]+)"', wrong.get("/anmelden").text).group(1)
    answer = wrong.post("/anmelden", data={"login": "anna", "password": "falsch", "csrf_token": token})
    assert answer.status_code == 401 and "Benutzername oder Passwort ist falsch" in answer.text


def test_untrusted_text_is_escaped_on_every_page_that_shows_it(office):
    app, ids = office
    anna = _client(app, "anna")
    post = _client(app, "post")
    for client, path in ((anna, f"/dokumente/{ids['schreiben_ahmadi.pdf']}"), (anna, "/suche?q=Formular"),
                         (post, f"/pruefliste/{ids['nachreichung_ohne_az.pdf']}")):
        html = client.get(path).text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, path
        assert SCRIPT not in html, path


def test_templates_have_no_inline_script_or_style_for_the_csp():
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), template.name
        assert not re.search(r"\sstyle=|<style|\son[a-z]+=", text), template.name


def test_page_image_rendered_once_each_read_logged_foreign_refused(office):
    from dms_ingest.services import audit_log
    from dms_ingest.services.actor import Actor

    app, ids = office
    anna = _client(app, "anna")
    doc = ids["antrag_ahmadi.pdf"]
    first = anna.get(f"/dokumente/{doc}/seiten/2/view.png")
    renders = app.state.page_images.renders
    second = anna.get(f"/dokumente/{doc}/seiten/2/view.png")
    assert first.status_code == second.status_code == 200 and first.content == second.content
    assert first.content.startswith(b"\x89PNG") and first.headers["etag"] == second.headers["etag"]
    assert app.state.page_images.renders == renders                 # the second came from the cache
    assert anna.get(f"/dokumente/{doc}/seiten/3/view.png").status_code == 404
    assert anna.get(f"/dokumente/{ids['bescheid_yilmaz.pdf']}/seiten/1/thumb.png").status_code == 403
    entries = audit_log.entries(Actor.system(client="test"), app.state.runtime, login="anna")
    reads = [e for e in entries if e["action"] == "page_image" and e["object_id"] == doc and e["outcome"] == "ok"]
    assert len(reads) >= 2


def test_downloads_have_safe_names(office):
    app, ids = office
    anna = _client(app, "anna")
    names = set()
    for role in ("pdfa", "original"):
        answer = anna.get(f"/dokumente/{ids['schreiben_ahmadi.pdf']}/herunterladen/{role}")
        assert answer.status_code == 200
        disposition = answer.headers["content-disposition"]
        assert re.fullmatch(r'attachment; filename="[A-Za-z0-9_.-]+"', disposition), disposition
        names.add(disposition)
    assert len(names) == 2               # a PDF original and its PDF/A do not overwrite each other in Downloads
    assert anna.get(f"/dokumente/{ids['bescheid_yilmaz.pdf']}/herunterladen/pdfa").status_code == 403


def test_csv_export_defuses_formulas_and_pdf_prints_every_name(tmp_path):
    import pdfplumber

    columns = [("login", "Benutzer"), ("object", "Objekt")]
    rows = [{"login": "anna", "object": '=HYPERLINK("http://x";"klick")'}, {"login": "Yılmaz", "object": "-1+2"}]
    text = exports.to_csv(columns, rows).decode("utf-8-sig")
    assert text.splitlines() == ["Benutzer;Objekt", "anna;\"'=HYPERLINK(\"\"http://x\"\";\"\"klick\"\")\"",
                                 "Yılmaz;'-1+2"]
    pdf = tmp_path / "log.pdf"
    pdf.write_bytes(exports.to_pdf("Zugriffe", ["Akte ABH-2023-04567"], [("login", "Benutzer", 60),
                                                                          ("object", "Objekt", 120)], rows))
    with pdfplumber.open(pdf) as document:
        content = document.pages[0].extract_text()
    assert "Yılmaz" in content and "Zugriffe" in content and "HYPERLINK" in content


def test_mailroom_page_names_the_refusal_in_german_and_keeps_caseworkers_out(office):
    from datetime import datetime, timezone

    app, _ = office
    watched = app.state.runtime.settings.inbox_dir / "quarantine" / "scanner2"   # the watcher's own quarantine
    watched.mkdir(parents=True, exist_ok=True)
    (watched / "fax <b>.tif").write_bytes(b"II*\x00")
    stamp = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    (watched / "fax <b>.tif.reason.txt").write_text(
        f"the file is still being written\n\ninbox file: scanner2/fax <b>.tif\nat: {stamp}\n", encoding="utf-8")
    page = _client(app, "post").get("/poststelle")
    assert "scan_kaputt.pdf" in page.text and "beschädigt" in page.text
    assert "scanner2/fax &lt;b&gt;.tif" in page.text and "still being written" in page.text
    assert _client(app, "anna").get("/poststelle").status_code == 403
    assert _client(app, "dsb").get("/akten/ABH-2022-06060").status_code == 403


def test_inbox_marks_seen_and_done_for_the_team(office):
    app, ids = office
    anna = _client(app, "anna")
    token = anna.get("/api/me").json()["csrf_token"]
    doc = ids["schreiben_ahmadi.pdf"]
    assert doc in anna.get("/posteingang").text
    answer = anna.post("/posteingang/markieren", data={"document_id": doc, "state": "done", "csrf_token": token})
    assert answer.status_code == 303
    assert doc not in anna.get("/posteingang").text
    assert doc in anna.get("/posteingang?show=done").text


def test_case_list_holds_only_the_teams_cases(office):
    app, _ = office
    page = _client(app, "anna").get("/akten")
    assert "ABH-2022-06060" in page.text and "ABH-2024-00077" in page.text and "ABH-2023-04567" not in page.text
    assert _client(app, "anna").get("/akten?q=ABH-2023-04567").headers["location"] == "/akten/ABH-2023-04567"
    assert _client(app, "anna").get("/akten/ABH-2023-04567").status_code == 403
    assert _client(app, "post").get("/akten").status_code == 403


def test_search_filters_facets_and_paging_within_what_one_may_see(office):
    from datetime import date, timedelta

    app, ids = office
    anna = _client(app, "anna")
    today = date.today()
    page = anna.get("/suche", params={"q": "Aufenthaltserlaubnis"}).text
    assert ids["antrag_ahmadi.pdf"] in page and ids["bescheid_yilmaz.pdf"] not in page   # Yılmaz: another team
    assert "Antrag (1)" in page and "<mark>Aufenthaltserlaubnis</mark>" in page
    same_day = anna.get("/suche", params={"q": "Aufenthaltserlaubnis", "from": today.isoformat(),
                                          "to": today.isoformat()}).text
    assert ids["antrag_ahmadi.pdf"] in same_day
    before = anna.get("/suche", params={"q": "Aufenthaltserlaubnis", "to": (today - timedelta(days=1)).isoformat()})
    assert ids["antrag_ahmadi.pdf"] not in before.text and "Keine Treffer" in before.text
    typed = anna.get("/suche", params={"q": "Aufenthaltserlaubnis", "type": "anwaltsschreiben"}).text
    assert ids["antrag_ahmadi.pdf"] not in typed
    assert anna.get("/suche", params={"q": "x", "from": "2026-02-01", "to": "2026-01-01"}).status_code == 422


def test_long_documents_render_later_pages_only_when_they_hold_hits(office, monkeypatch):
    from dms_ingest.web import pages_work

    app, ids = office
    anna = _client(app, "anna")
    monkeypatch.setattr(pages_work, "PAGES_RENDERED_AHEAD", 0)
    doc = ids["antrag_ahmadi.pdf"]
    page = anna.get(f"/dokumente/{doc}", params={"q": "Meldebescheinigung"}).text   # a word of page 2 only
    assert f'<img src="/dokumente/{doc}/seiten/1/view.png"' in page and 'loading="lazy"' in page
    assert '<rect class="hit"' in page and "auf Seite 2" in page


def test_every_action_of_the_access_log_has_a_german_name():
    """The data-protection pages show each entry's action by its German name, never its code."""
    from dms_ingest.access import policy
    from dms_ingest.web import labels

    logged = set(policy.ACTIONS) | {"login", "logout", "substitution_ended"}
    for source in (REPO / "dms_ingest").rglob("*.py"):
        logged |= set(re.findall(r'(?:operation|audit\.record)\(\s*\w+,\s*[\w.()="]+,\s*"([a-z_]+)"',
                                 source.read_text(encoding="utf-8")))
    assert {"case_status", "application_open", "review_show"} <= logged          # the scan finds the services' calls
    assert sorted(logged - set(labels.ACCESS_ACTIONS)) == []


def test_the_offices_own_letter_is_named_as_such_not_as_a_scan():
    from dms_ingest.web import labels

    assert labels.source("outgoing:nachforderung/ABH-2019-04711") == "Schreiben der Behörde"
    assert labels.source_name("outgoing:nachforderung/ABH-2019-04711") == "Nachforderung"
    assert labels.source("scan_0042.dat") == "Scan" and labels.source_name("inbox/a/scan.pdf") == "scan.pdf"


def test_a_mistyped_case_number_on_the_review_page_says_so_in_german_and_keeps_the_item(office):
    app, ids = office
    post = _client(app, "post")
    token = post.get("/api/me").json()["csrf_token"]
    item = f"/pruefliste/{ids['nachreichung_ohne_az.pdf']}"
    answer = post.post(item, data={"case_number": "ABH-2022-6060", "doc_type": "sonstiges", "csrf_token": token})
    assert answer.status_code == 422
    assert "Das Aktenzeichen „ABH-2022-6060“ steht nicht im Register" in answer.text
    assert 'value="ABH-2022-6060"' in answer.text and "Warum eine Prüfung nötig ist" in answer.text   # the item again
    empty = post.post(item, data={"case_number": "", "doc_type": "sonstiges", "csrf_token": token})
    assert empty.status_code == 422 and "Bitte ein Aktenzeichen eintragen" in empty.text
    assert ids["nachreichung_ohne_az.pdf"] in post.get("/pruefliste", follow_redirects=True).text   # still waiting


def test_a_bad_value_in_an_address_is_explained_in_german_on_a_page(office):
    app, _ = office
    page = _client(app, "anna").get("/suche", params={"q": "Antrag", "from": "gestern"})
    assert page.status_code == 422 and "Die Angabe „from“ ist ungültig" in page.text
    assert "Bad parameter" not in page.text and "Input should be" not in page.text


def test_the_upload_page_says_where_a_document_went_that_the_uploader_may_not_open(office):
    """The service keeps back id, type and case of such a document; the page explains the gap."""
    import time

    from dms_ingest.web.pages_work import UploadJobs

    app, _ = office
    jobs = UploadJobs(app.state.runtime)
    kept_back = {"id": None, "doc_type": None, "case_number": None, "duplicate_of": [], "review_reasons": [],
                 "pages": 1, "error": None, "reason_code": None}
    for job_id, result, says in (
            ("job-duplicate-elsewhere", {**kept_back, "status": "duplicate", "review": False},
             "Diese Datei wurde bereits archiviert. Das Dokument liegt in einer Akte, die Sie nicht öffnen dürfen."),
            ("job-sent-to-the-review", {**kept_back, "status": "archived", "review": True},
             "Die Zuordnung wird geprüft; danach erscheint es in der richtigen Akte.")):
        jobs._write(job_id, {"id": job_id, "login": "anna", "case_number": "ABH-2022-06060", "name": "brief.pdf",
                             "started": time.time(), "finished": time.time(), "results": [result], "error": ""})
        page = _client(app, "anna").get(f"/hochladen/{job_id}").text
        assert says in page and "Art unbestimmt" not in page
