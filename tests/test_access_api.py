"""Who may see which file, over real HTTP against `dms serve` on SQLite: caseworkers, substitutes,
the mailroom, data protection, tokens, sessions, and the hash-chained access log behind them."""

from __future__ import annotations

import hashlib
import json
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone

import httpx
import pytest
from sqlmodel import Session, select

from dms_datagen.pdf import born_digital_pdf
from .plugins.cli import Dms
from dms_ingest.access import audit
from dms_ingest.index.access_models import AccessLogRow, SessionRow, SubstitutionRow, UserRow
from dms_ingest.config import load_settings
from dms_ingest.services import documents, people
from dms_ingest.services.actor import Actor
from dms_ingest.services.runtime import Runtime
from .plugins.web import dms_server, write_config

SYSTEM = Actor.system("testsetup")
REGISTRY = """case_number,surname,given_names,date_of_birth,nationality,team
ABH-2020-00001,Ahmadi,Reza,1990-01-02,IRN,
ABH-2020-00002,Yılmaz,Ayşe,1985-03-04,TUR,
ABH-2020-00003,Becker,Jonas,1979-05-06,DEU,
ABH-2020-00004,Fischer,Mara,1992-07-08,AUT,
ABH-2020-00005,Zander,Olga,1970-09-10,UKR,team-a-f
ABH-2020-00006,Engel,Maria,1988-11-12,BRA,
"""
PASSWORDS = {"lead": "Lead-2024-sicher", "anna": "Anna-2024-sicher", "yusuf": "Yusuf-2024-sicher", "post": "Post-2024-sicher",
             "dsb": "Dsb-2024-sicher", "lock": "Lock-2024-sicher", "idle": "Idle-2024-sicher"}


class Office:
    """The test office: registry, teams, people, documents, and `dms serve` on loopback."""

    def __init__(self, home, config, base):
        self.home, self.config, self.base = home, config, base
        self.runtime = Runtime(load_settings(config, home=home))
        self.docs: dict[str, str] = {}
        self.dms = Dms(home)

    @property
    def engine(self):
        return self.runtime.catalog.engine

    @contextmanager
    def client(self, login: str | None = None):
        """An HTTP client, logged in as *login* (session cookie + its CSRF token on every request)."""
        with httpx.Client(base_url=self.base, timeout=120) as client:
            if login:
                answer = client.post("/api/login", json={"login": login, "password": PASSWORDS[login]})
                assert answer.status_code == 200, answer.text
                client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
            yield client

    def log(self, **filters) -> list[AccessLogRow]:
        return audit.query(self.engine, limit=100_000, **filters)


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    root = tmp_path_factory.mktemp("office")
    home = root / "home"
    config = write_config(root / "config.yaml", access={"lockout_failures": 3})
    runtime = Runtime(load_settings(config, home=home))
    (root / "registry.csv").write_text(REGISTRY, encoding="utf-8")
    from dms_ingest.services import cases

    people.add_team(SYSTEM, runtime, "team-a-f", "A-F")
    people.add_team(SYSTEM, runtime, "team-g-z", "G-Z")
    cases.import_cases(SYSTEM, runtime, root / "registry.csv")
    people.add_user(SYSTEM, runtime, "anna", "sachbearbeitung", ["team-a-f"], PASSWORDS["anna"])
    people.add_user(SYSTEM, runtime, "yusuf", "sachbearbeitung", ["team-g-z"], PASSWORDS["yusuf"])
    people.add_user(SYSTEM, runtime, "post", "poststelle", [], PASSWORDS["post"])
    people.add_user(SYSTEM, runtime, "lead", "teamleitung", ["team-g-z"], PASSWORDS["lead"])
    people.add_user(SYSTEM, runtime, "dsb", "datenschutz", [], PASSWORDS["dsb"])
    people.add_user(SYSTEM, runtime, "lock", "sachbearbeitung", ["team-a-f"], PASSWORDS["lock"])
    people.add_user(SYSTEM, runtime, "idle", "sachbearbeitung", ["team-a-f"], PASSWORDS["idle"])
    people.add_user(SYSTEM, runtime, "fachverfahren", "sachbearbeitung", ["team-a-f"])
    letters = {
        "ahmadi": ["Mietvertrag", "Aktenzeichen: ABH-2020-00001", "Mieter: Reza Ahmadi, geboren 02.01.1990",
                   "Die Wohnung in der Lindenstrasse 4 wird ab dem 1. Mai vermietet."],
        "yilmaz": ["Gehaltsnachweis", "Aktenzeichen: ABH-2020-00002", "Frau Ayse Yilmaz, geboren 04.03.1985",
                   "Bruttogehalt Lindenstrasse Monat April"],
        "fischer": ["Meldebescheinigung", "Aktenzeichen: ABH-2020-00004", "Frau Mara Fischer, geboren 08.07.1992",
                    "wohnhaft Birkenallee 9"],
        "engel": ["Arbeitsvertrag", "Aktenzeichen: ABH-2020-00006", "Frau Maria Engel, geboren 12.11.1988",
                  "Beginn des Arbeitsverhaeltnisses Quittenweg"],
        "intake": ["Schreiben ohne Zeichen", "Sehr geehrte Damen und Herren,",
                   "anbei die gewuenschten Unterlagen Lindenstrasse."],
    }
    ids = {}
    for name, lines in letters.items():
        pdf = born_digital_pdf([lines], root / f"{name}.pdf")
        [result] = documents.ingest(SYSTEM, runtime, [pdf], workers=1)
        assert result.status == "archived", result
        expected = {"ahmadi": "ABH-2020-00001", "yilmaz": "ABH-2020-00002", "fischer": "ABH-2020-00004",
                    "engel": "ABH-2020-00006", "intake": None}[name]
        assert result.case_number == expected, (name, result.case_number, result.review_reasons)
        ids[name] = result.id
    with dms_server(home, config) as base:
        office = Office(home, config, base)
        office.docs = ids
        yield office


def denied_count(office, login: str) -> int:
    return sum(1 for e in office.log(login=login) if e.outcome == "denied")


def test_caseworker_finds_and_opens_ahmadi_but_gets_403_for_yilmaz(office):
    ahmadi, yilmaz = office.docs["ahmadi"], office.docs["yilmaz"]
    with office.client("anna") as anna:
        found = anna.get("/api/search", params={"q": "Lindenstrasse"}).json()
        assert [h["id"] for h in found["hits"]] == [ahmadi] and found["total"] == 1
        assert {"id", "score", "snippet", "page", "case_number", "doc_type"} <= set(found["hits"][0])
        meta = anna.get(f"/api/documents/{ahmadi}")
        assert meta.status_code == 200 and meta.json()["case_number"] == "ABH-2020-00001"
        pdf = anna.get(f"/api/documents/{ahmadi}/archive")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        assert hashlib.sha256(pdf.content).hexdigest() == meta.json()["archive_sha256"]
        assert "attachment" in pdf.headers["content-disposition"]
        original = anna.get(f"/api/documents/{ahmadi}/original")
        assert hashlib.sha256(original.content).hexdigest() == meta.json()["original_sha256"]
        case = anna.get("/api/cases/ABH-2020-00001").json()
        assert case["person"]["surname"] == "Ahmadi" and case["team"] == "team-a-f"
        assert [d["id"] for d in case["documents"]] == [ahmadi]
        assert {"id", "doc_type", "received", "pages", "review"} <= set(case["documents"][0])

        before = denied_count(office, "anna")
        for path in (f"/api/documents/{yilmaz}", f"/api/documents/{yilmaz}/archive",
                     f"/api/documents/{yilmaz}/original", "/api/cases/ABH-2020-00002"):
            answer = anna.get(path)
            assert answer.status_code == 403, path
            assert set(answer.json()) == {"error"} and "Yilmaz" not in answer.text and "Lindenstrasse" not in answer.text
        assert anna.get("/api/documents/no-such-document").status_code == 404
        assert anna.get("/api/cases/ABH-2099-99999").status_code == 404
    assert denied_count(office, "anna") == before + 4
    attempt = [e for e in office.log(login="anna") if e.outcome == "denied"][-1]
    assert (attempt.action, attempt.case_number, attempt.client) == ("case_view", "ABH-2020-00002", "127.0.0.1")


def test_registry_team_column_overrides_the_letter_rule(office):
    with office.client("anna") as anna:
        assert anna.get("/api/cases/ABH-2020-00005").json()["team"] == "team-a-f"   # Zander, by the registry
    with office.client("yusuf") as yusuf:
        assert yusuf.get("/api/cases/ABH-2020-00005").status_code == 403


def test_id_guessing_over_other_teams_documents_yields_only_403s_all_logged(office):
    others = [office.docs["ahmadi"], office.docs["fischer"], office.docs["intake"]]
    with office.client("yusuf") as yusuf:
        before = denied_count(office, "yusuf")
        statuses = [yusuf.get(f"/api/documents/{doc_id}{suffix}").status_code
                    for doc_id in others for suffix in ("", "/archive", "/original")]
    assert statuses == [403] * 9
    denied = [e for e in office.log(login="yusuf") if e.outcome == "denied"][before:]
    assert sorted(e.object_id for e in denied) == sorted(others * 3)


def test_substitute_gains_access_and_loses_it_after_the_end_date(office):
    ahmadi = office.docs["ahmadi"]
    with office.client("yusuf") as yusuf:
        assert yusuf.get(f"/api/documents/{ahmadi}").status_code == 403
        result = office.dms("teams", "substitute", "yusuf", "--for", "anna", "--until", date.today().isoformat())
        assert result.exit_code == 0, result.output
        assert yusuf.get(f"/api/documents/{ahmadi}").status_code == 200
        assert yusuf.get("/api/cases/ABH-2020-00001").status_code == 200
        assert yusuf.get(f"/api/documents/{office.docs['yilmaz']}").status_code == 200  # still his own team
        # The last day passes (the clock is the database's date: move the end date back a day).
        with Session(office.engine) as s:
            sub = s.exec(select(SubstitutionRow).where(SubstitutionRow.login == "yusuf")).one()
            sub.until = date.today() - timedelta(days=1)
            s.add(sub)
            s.commit()
        assert yusuf.get(f"/api/documents/{ahmadi}").status_code == 403
    actions = [(e.action, e.object_id, e.outcome) for e in office.log() if e.action.startswith("substitut")]
    assert actions == [("substitute", "yusuf", "ok"), ("substitution_ended", "yusuf", "ok")]


def test_mailroom_settles_a_review_item_but_cannot_open_case_contents(office):
    intake = office.docs["intake"]
    with office.client("post") as post:
        queue = post.get("/api/review").json()
        ids = [item["id"] for item in queue["items"]]
        assert intake in ids and office.docs["ahmadi"] not in ids and office.docs["yilmaz"] not in ids
        assert post.get(f"/api/documents/{intake}").status_code == 200          # intake: the mailroom's
        assert post.get(f"/api/documents/{office.docs['ahmadi']}").status_code == 403
        assert post.get("/api/search", params={"q": "Lindenstrasse"}).json()["hits"][0]["id"] == intake
        no_csrf = post.post(f"/api/review/{intake}", json={"case_number": "ABH-2020-00003", "doc_type": "sonstiges"},
                            headers={"X-CSRF-Token": ""})
        assert no_csrf.status_code == 403 and "CSRF" in no_csrf.json()["error"]
        settled = post.post(f"/api/review/{intake}", json={"case_number": "ABH-2020-00003", "doc_type": "sonstiges"})
        assert settled.status_code == 200, settled.text
        assert settled.json()["case_number"] == "ABH-2020-00003"
        assert post.get(f"/api/documents/{intake}").status_code == 403          # now Becker's file
        assert post.get("/api/cases/ABH-2020-00003").status_code == 403
        assert post.post(f"/api/review/{intake}", json={"doc_type": "antrag"}).status_code == 403
        assert post.get("/api/audit").status_code == 403
    with office.client("anna") as anna:
        case = anna.get("/api/cases/ABH-2020-00003").json()
        assert [d["id"] for d in case["documents"]] == [intake]
    # Art. 15 for Becker: the mailroom read his document while it had no case yet; that is in his report
    report = json.loads(office.dms("audit", "report", "--case", "ABH-2020-00003", "--json").stdout)
    made = [(a["login"], a["action"], a["outcome"]) for a in report["accesses"] if a["object_id"] == intake]
    assert ("post", "show", "ok") in made and ("post", "review_assign", "ok") in made
    assert {a["object_type"] for a in report["accesses"] if a["object_id"] == intake} == {"document"}


def test_art15_report_lists_exactly_the_accesses_made(office):
    engel = office.docs["engel"]
    with office.client("anna") as anna:
        assert anna.get("/api/cases/ABH-2020-00006").status_code == 200
        assert anna.get(f"/api/documents/{engel}").status_code == 200
        assert anna.get(f"/api/documents/{engel}/archive").status_code == 200
        assert anna.get("/api/search", params={"q": "Quittenweg"}).json()["total"] == 1
        assert anna.get("/api/search", params={"q": "Lindenstrasse"}).json()["total"] >= 1   # not Fischer's
    with office.client("yusuf") as yusuf:
        assert yusuf.get(f"/api/documents/{engel}").status_code == 403
    result = office.dms("audit", "report", "--case", "ABH-2020-00006", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    made = [(a["login"], a["action"], a["object_id"], a["outcome"]) for a in report["accesses"]]
    assert made == [("anna", "case_view", "ABH-2020-00006", "ok"),   # one entry, checklist included
                    ("anna", "show", engel, "ok"),
                    ("anna", "get", engel, "ok"), ("anna", "search", "", "ok"), ("yusuf", "show", engel, "denied")]
    assert report["person"]["surname"] == "Engel"
    with office.client("dsb") as dsb:
        api = dsb.get("/api/audit", params={"case": "ABH-2020-00006"}).json()
        assert [(e["login"], e["action"], e["outcome"]) for e in api["entries"]] == [m[:2] + m[3:] for m in made]
        assert dsb.get(f"/api/documents/{engel}").status_code == 403      # the log, not the contents
        assert dsb.get("/api/search", params={"q": "Quittenweg"}).status_code == 403
    with office.client("anna") as anna:
        assert anna.get("/api/audit", params={"case": "ABH-2020-00006"}).status_code == 403


def test_altering_one_log_row_makes_audit_verify_fail(office):
    assert office.dms("audit", "verify").exit_code == 0
    with Session(office.engine) as s:
        row = s.exec(select(AccessLogRow).where(AccessLogRow.outcome == "denied")).first()
        original, seq = row.login, row.seq
        row.login = "someone-else"
        s.add(row)
        s.commit()
    broken = office.dms("audit", "verify")
    assert broken.exit_code == 1 and f"entry {seq} was altered" in broken.output
    with Session(office.engine) as s:
        row = s.get(AccessLogRow, seq)
        row.login = original
        s.add(row)
        s.commit()
    assert office.dms("audit", "verify").exit_code == 0


def test_a_disabled_users_token_stops_working(office):
    result = office.dms("users", "token", "fachverfahren")
    token = result.stdout.strip()
    assert result.exit_code == 0 and token.startswith("dms_")
    with Session(office.engine) as s:   # stored only as a hash
        from dms_ingest.index.access_models import ApiTokenRow

        assert all(token not in (r.token_hash, r.label) for r in s.exec(select(ApiTokenRow)))
    headers = {"Authorization": f"Bearer {token}"}
    second = office.dms("users", "token", "fachverfahren").stdout.strip()
    with httpx.Client(base_url=office.base, headers={"Authorization": f"Bearer {second}"}) as leaked:
        assert leaked.get("/api/me").status_code == 200
        assert office.dms("users", "revoke", "fachverfahren").exit_code == 0
        assert leaked.get("/api/me").status_code == 401
    token = office.dms("users", "token", "fachverfahren").stdout.strip()
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=office.base, headers=headers) as program:
        assert program.get(f"/api/documents/{office.docs['ahmadi']}").status_code == 200
        assert office.dms("users", "disable", "fachverfahren").exit_code == 0
        answer = program.get(f"/api/documents/{office.docs['ahmadi']}")
        assert answer.status_code == 401 and "token" in answer.json()["error"]
        assert program.get("/api/me", headers={"Authorization": "Bearer dms_guessed"}).status_code == 401


def test_sessions_cookies_csp_and_errors(office):
    with httpx.Client(base_url=office.base) as anonymous:
        for path in ("/api/me", "/api/search?q=x", f"/api/documents/{office.docs['ahmadi']}"):
            answer = anonymous.get(path)
            assert answer.status_code == 401 and list(answer.json()) == ["error"]
            assert "default-src 'none'" in answer.headers["content-security-policy"]
        login = anonymous.post("/api/login", json={"login": "anna", "password": PASSWORDS["anna"]})
        cookie = login.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
        assert "Secure" not in cookie   # plain HTTP on loopback; over TLS the cookie is Secure
        assert anonymous.get("/api/search", params={"limit": 0}).status_code == 422
        bad = anonymous.get("/api/search", params={"from": "yesterday"})
        assert bad.status_code == 422 and "from" in bad.json()["error"]
        assert "content-security-policy" in anonymous.get(f"/api/documents/{office.docs['ahmadi']}/archive").headers
        garbled = anonymous.post(f"/api/review/{office.docs['intake']}", content=b"{case_number:",
                                 headers={"X-CSRF-Token": login.json()["csrf_token"], "Content-Type": "application/json"})
        assert garbled.status_code == 422 and garbled.json() == {"error": "The request body is not valid JSON."}
        assert anonymous.get("/api/openapi.json").json()["paths"].keys() >= {
            "/api/search", "/api/cases/{case_number}", "/api/documents/{doc_id}", "/api/documents/{doc_id}/archive",
            "/api/documents/{doc_id}/original", "/api/review", "/api/review/{doc_id}",
            "/api/cases/{case_number}/documents", "/api/audit"}
        assert anonymous.post("/api/logout", headers={"X-CSRF-Token": login.json()["csrf_token"]}).status_code == 200
        assert anonymous.get("/api/me").status_code == 401
    with Session(office.engine) as s:
        stored = s.get(UserRow, "anna").password_hash
    assert stored.startswith("$argon2id$")


def test_idle_session_ends(office):
    with office.client("idle") as idle:
        assert idle.get("/api/me").status_code == 200
        with Session(office.engine) as s:
            for row in s.exec(select(SessionRow).where(SessionRow.login == "idle")):
                row.last_seen_at = datetime.now(timezone.utc) - timedelta(minutes=31)
                s.add(row)
            s.commit()
        answer = idle.get("/api/me")
        assert answer.status_code == 401 and "session has ended" in answer.json()["error"]


def test_lockout_after_repeated_failures(office):
    with httpx.Client(base_url=office.base) as client:
        for _ in range(3):
            assert client.post("/api/login", json={"login": "lock", "password": "Geraten-123"}).status_code == 401
        locked = client.post("/api/login", json={"login": "lock", "password": PASSWORDS["lock"]})
        assert locked.status_code == 401 and "locked" in locked.json()["error"]
    logins = [e for e in office.log(login="lock") if e.action == "login"]
    assert [e.outcome for e in logins] == ["denied"] * 4
    assert all(PASSWORDS["lock"] not in e.detail and "Geraten-123" not in e.detail for e in logins)
    server_log = "".join(p.read_text(errors="replace") for p in office.home.parent.glob("serve-*.log"))
    assert PASSWORDS["anna"] not in server_log and "dms_" not in server_log


def test_upload_into_a_case_runs_the_pipeline_with_the_case_as_hint(office, tmp_path):
    pdf = born_digital_pdf([["Krankenversicherung", "Versicherungsbestaetigung fuer Herrn Reza Ahmadi",
                             "Der Versicherungsschutz besteht seit dem 1. Januar."]], tmp_path / "kv.pdf")
    files = {"file": ("Versicherung <Ahmadi>.pdf", pdf.read_bytes(), "application/pdf")}
    with office.client("yusuf") as yusuf:
        refused = yusuf.post("/api/cases/ABH-2020-00001/documents", files=files)
        assert refused.status_code == 403
        assert yusuf.post("/api/cases/ABH-2099-00001/documents", files=files).status_code == 404
    with office.client("anna") as anna:
        no_csrf = anna.post("/api/cases/ABH-2020-00001/documents", files=files, headers={"X-CSRF-Token": "x"})
        assert no_csrf.status_code == 403
        answer = anna.post("/api/cases/ABH-2020-00001/documents", files=files)
        assert answer.status_code == 201, answer.text
        [doc] = answer.json()["documents"]
        assert doc["status"] == "archived" and doc["case_number"] == "ABH-2020-00001"
        case = anna.get("/api/cases/ABH-2020-00001").json()
        assert doc["id"] in [d["id"] for d in case["documents"]]
        assert anna.get(f"/api/documents/{doc['id']}").json()["original_sha256"] == hashlib.sha256(
            pdf.read_bytes()).hexdigest()
    with office.client("yusuf") as yusuf:      # the same file into his own case: not filed, and not told where it is
        again = yusuf.post("/api/cases/ABH-2020-00002/documents", files=files)
        assert again.status_code == 201, again.text
        [dup] = again.json()["documents"]
        assert dup["status"] == "duplicate" and dup["id"] is None and dup["duplicate_of"] == []
        assert dup["case_number"] is None and dup["doc_type"] is None and doc["id"] not in again.text
        assert "ABH-2020-00001" not in again.text and "krankenversicherung" not in again.text
    uploads = [(e.login, e.outcome, e.case_number) for e in office.log() if e.action == "upload"]
    assert uploads == [("yusuf", "denied", "ABH-2020-00001"), ("yusuf", "refused", "ABH-2099-00001"),
                       ("anna", "ok", "ABH-2020-00001"), ("yusuf", "ok", "ABH-2020-00002")]


def test_over_tls_the_session_cookie_is_secure(office, tmp_path):
    import subprocess

    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    with dms_server(office.home, office.config, tls=(cert, key)) as base, \
            httpx.Client(base_url=base, verify=False) as client:
        login = client.post("/api/login", json={"login": "anna", "password": PASSWORDS["anna"]})
        cookie = login.headers["set-cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
        assert "max-age" in login.headers["strict-transport-security"]


def test_a_team_lead_arranges_a_substitution_for_the_team_over_the_api(office):
    yilmaz = office.docs["yilmaz"]
    until = date.today().isoformat()
    with office.client("anna") as anna:
        assert anna.get(f"/api/documents/{yilmaz}").status_code == 403
        refused = anna.post("/api/substitutions", json={"login": "anna", "for": "yusuf", "until": until})
        assert refused.status_code == 403
        with office.client("lead") as lead:
            outside = lead.post("/api/substitutions", json={"login": "yusuf", "for": "anna", "until": until})
            assert outside.status_code == 403           # anna is not in the lead's team
            made = lead.post("/api/substitutions", json={"login": "anna", "for": "yusuf", "until": until})
            assert made.status_code == 201, made.text
            assert made.json() | {"id": 0} == {"id": 0, "login": "anna", "for": "yusuf", "until": until,
                                               "active": True, "created_by": "lead"}
            listed = lead.get("/api/substitutions", params={"active": True}).json()["substitutions"]
            assert [(s["login"], s["for"]) for s in listed] == [("anna", "yusuf")]
            queue = lead.get("/api/review").json()["items"]
            assert all(item["case_number"] == "ABH-2020-00002" for item in queue)   # only the team's cases
        assert anna.get(f"/api/documents/{yilmaz}").status_code == 200
    outcomes = [(e.login, e.outcome) for e in office.log() if e.action == "substitute"][-3:]
    assert outcomes == [("anna", "denied"), ("lead", "denied"), ("lead", "ok")]
