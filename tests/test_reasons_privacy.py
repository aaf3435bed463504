"""Review reasons name every candidate case; each reader sees only the cases they may see.

One letter names Lukas Becker (team A-F) and, spelt "Zandner", Olga Zander (team G-Z): it goes to
review with the reason "Das Dokument nennt mehrere Personen aus dem Register: ABH-2021-00022 (Olga
Zander, geb. 10.09.1970), ABH-2021-00011 (Lukas Becker, …)". The mailroom settles it into Becker's
case. From then on Becker's caseworker and team lead read it, and nothing they get (JSON, page, CLI)
may carry Zander's case number or her name as the registry spells it (the letter's own text says
"Zandner", so a hit on "Zander" is the registry's, never the page's). Over HTTP in-process, no browser.
"""

from __future__ import annotations

import json

import pytest

from .paths import REPO
from .web_office import logged_in

HIDDEN_CASE, OWN_CASE = "ABH-2021-00022", "ABH-2021-00011"
HIDDEN_NAMES = ("Zander",)        # the registry spelling; the letter says "Olga Zandner"
REGISTRY = f"""case_number,surname,given_names,date_of_birth,nationality
{OWN_CASE},Becker,Lukas,1985-03-14,DEU
{HIDDEN_CASE},Zander,Olga,1970-09-10,UKR
"""
LETTER = ["Wohnungsgeberbestätigung", "Hiermit bestätige ich den Einzug in die Wohnung Lindenweg 5.",
          "Mieter: Lukas Becker, geb. 14.03.1985", "Untermieterin: Olga Zandner, geb. 10.09.1970",
          "Elbhausen, den 02.03.2026"]
PASSWORDS = {"anna": "Anna-Test-2026", "lead": "Lead-Test-2026", "boss": "Boss-Test-2026",
             "post": "Post-Test-2026", "dsb": "Dsb-Test-2026"}
OUTSIDE = "[Akte außerhalb Ihrer Teams]"


def leaks(text: str) -> list[str]:
    """Zander's case number or registry name anywhere in *text*, also JSON-escaped inside JSON text."""
    needles = (HIDDEN_CASE, *HIDDEN_NAMES)
    return [n for n in needles if n in text or json.dumps(n)[1:-1] in text]


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    from dms_datagen.pdf import born_digital_pdf
    from dms_ingest.config import load_settings
    from dms_ingest.services import cases, documents, people, review
    from dms_ingest.services.actor import Actor
    from dms_ingest.web.app import create_app

    root = tmp_path_factory.mktemp("reasons")
    home, config = root / "home", REPO / "config.yaml"
    app = create_app(load_settings(config, home=home))
    runtime, system = app.state.runtime, Actor.system(client="test")
    (root / "cases.csv").write_text(REGISTRY, encoding="utf-8")
    people.add_team(system, runtime, "A-F", "A-F")
    people.add_team(system, runtime, "G-Z", "G-Z")
    cases.import_cases(system, runtime, root / "cases.csv")
    for login, role, teams in (("anna", "sachbearbeitung", ["A-F"]), ("lead", "teamleitung", ["A-F"]),
                               ("boss", "teamleitung", ["A-F", "G-Z"]), ("post", "poststelle", []),
                               ("dsb", "datenschutz", [])):
        people.add_user(system, runtime, login, role, teams, PASSWORDS[login])
    [result] = documents.ingest(system, runtime, [born_digital_pdf([LETTER], root / "bestaetigung.pdf")], workers=1)
    assert result.review and result.case_number is None, result
    assert any(HIDDEN_CASE in r and "Olga Zander" in r for r in result.review_reasons), result.review_reasons
    return {"app": app, "runtime": runtime, "doc": result.id, "home": home, "config": config,
            "settle": lambda: review.review_assign(Actor(login="post", role="poststelle", teams=frozenset(),
                                                         client="test"), runtime, result.id, case=OWN_CASE,
                                                   doc_type=result.doc_type or "sonstiges")}


def client(office, login: str, accept: str = "application/json"):
    return logged_in(office["app"], login, PASSWORDS[login], accept)


def test_the_mailroom_sees_every_candidate_then_settles_the_letter(office):
    """The mailroom distributes the intake to any case: its queue, API and page name both candidates."""
    doc = office["doc"]
    post = client(office, "post")
    [item] = post.get("/api/review").json()["items"]
    assert item["candidates"] == [HIDDEN_CASE, OWN_CASE] and item["candidates_hidden"] == 0
    assert any("Olga Zander" in r and HIDDEN_CASE in r for r in item["reasons"])
    page = client(office, "post", "text/html").get(f"/pruefliste/{doc}").text
    assert HIDDEN_CASE in page and "Zander, Olga" in page and f"{HIDDEN_CASE} zuordnen" in page
    assert "außerhalb Ihrer Teams" not in page
    office["settle"]()
    assert office["runtime"].catalog.get(doc).case_number == OWN_CASE


@pytest.fixture(scope="module")
def settled(office):
    if office["runtime"].catalog.get(office["doc"]).case_number is None:
        office["settle"]()
    return office


def test_the_caseworker_gets_the_document_without_the_other_case(settled):
    doc = settled["doc"]
    anna = client(settled, "anna")
    answer = anna.get(f"/api/documents/{doc}")
    assert answer.status_code == 200 and leaks(answer.text) == []
    data = answer.json()
    assert data["candidates"] == [OWN_CASE] and data["candidates_hidden"] == 1
    # The history still says what the reasons were before the mailroom settled it, without her.
    [before] = [json.loads(e["detail"]["before"]["review_reasons"]) for e in data["audit"]
                if e["action"] == "review_assigned"]
    assert any(OUTSIDE in r and OWN_CASE in r for r in before), before
    page = client(settled, "anna", "text/html").get(f"/dokumente/{doc}")
    assert page.status_code == 200 and "Zandner" in page.text and leaks(page.text) == []
    case_page = client(settled, "anna", "text/html").get(f"/akten/{OWN_CASE}")
    assert case_page.status_code == 200 and leaks(case_page.text) == []
    found = anna.get("/api/search", params={"q": "Untermieterin"})
    assert [h["id"] for h in found.json()["hits"]] == [doc] and leaks(found.text) == []


def test_the_team_lead_sees_the_item_without_the_other_case(settled):
    """The review page of a document in the lead's team: the other candidate counted, never named,
    and offered to nobody (no "zuordnen" button for her case)."""
    lead = client(settled, "lead", "text/html").get(f"/pruefliste/{settled['doc']}")
    assert lead.status_code == 200 and leaks(lead.text) == []
    assert f"{OWN_CASE} zuordnen" in lead.text and "1 weitere Akte außerhalb Ihrer Teams" in lead.text


def test_a_team_lead_of_both_teams_and_the_system_see_both(settled):
    doc = settled["doc"]
    boss = client(settled, "boss", "text/html").get(f"/pruefliste/{doc}").text
    assert f"{HIDDEN_CASE} zuordnen" in boss and "Zander, Olga" in boss and "außerhalb Ihrer Teams" not in boss
    history = client(settled, "boss").get(f"/api/documents/{doc}").text
    assert leaks(history) != [] and "außerhalb Ihrer Teams" not in history
    from .plugins.cli import Dms

    shown = Dms(settled["home"], settled["config"])("show", doc, "--json")
    assert shown.exit_code == 0, shown.output
    assert HIDDEN_CASE in json.loads(shown.stdout)["candidates"]       # the CLI runs as the system


def test_the_team_leads_queue_hides_other_cases_in_stored_reasons(settled):
    """Defence in depth: a record in the lead's team still waiting in review whose stored reasons name
    another team's case (as records of earlier versions may) shows it only as "outside your teams"."""
    from dms_ingest.services.actor import Actor
    from dms_ingest.services import review

    runtime, doc = settled["runtime"], settled["doc"]
    stored = [f"Das Dokument nennt mehrere Personen aus dem Register: {HIDDEN_CASE} (Olga Zander, geb. 10.09.1970), "
              f"{OWN_CASE} (Lukas Becker, geb. 14.03.1985).", "Dokumenttyp unsicher (sonstiges 40 %)."]
    runtime.catalog.update_document(doc, "test", "test_reopened", review=True, review_reasons=json.dumps(stored),
                                    candidates=json.dumps([HIDDEN_CASE, OWN_CASE]))
    try:
        queue = client(settled, "lead").get("/api/review")
        assert queue.status_code == 200 and leaks(queue.text) == []
        [item] = queue.json()["items"]
        assert item["candidates"] == [OWN_CASE] and item["candidates_hidden"] == 1
        assert item["reasons"][0] == ("Das Dokument nennt mehrere Personen aus dem Register: "
                                      f"{OUTSIDE}, {OWN_CASE} (Lukas Becker, geb. 14.03.1985).")
        page = client(settled, "lead", "text/html").get("/pruefliste", follow_redirects=True)
        assert page.status_code == 200 and leaks(page.text) == [] and OUTSIDE in page.text
        system = review.review_list(Actor.system(client="test"), runtime)
        assert system[0]["reasons"] == stored and system[0]["candidates"] == [HIDDEN_CASE, OWN_CASE]
    finally:
        runtime.catalog.update_document(doc, "test", "test_settled_again", review=False, review_reasons="[]")


def test_the_access_log_names_cases_but_no_persons(settled):
    """Data protection reads who opened which case (numbers are its work), never a person's name."""
    entries = client(settled, "dsb").get("/api/audit", params={"limit": 5000})
    assert entries.status_code == 200 and entries.json()["total"] > 0
    assert "Zander" not in entries.text and "Olga" not in entries.text and "Becker" not in entries.text


FORMS_REGISTRY = """case_number,surname,given_names,date_of_birth,nationality,team
ABH-2021-00101,Adler,Anna,1980-01-01,DEU,
ABH-2021-00202,Zander,Olga,1970-09-10,UKR,
ABH-2021-00303,Zander,Olga,1999-01-01,UKR,A-F
ABH-2021-00404,Yilmaz,Emre,1990-05-05,TUR,
"""


@pytest.fixture(scope="module")
def lead_view(tmp_path_factory):
    """A team lead of A-F reading reasons in the matcher's words about cases in both teams."""
    from dms_ingest.config import load_settings
    from dms_ingest.services import cases, people
    from dms_ingest.services.actor import Actor
    from dms_ingest.services.reasons_view import ReasonsView
    from dms_ingest.services.runtime import Runtime

    root = tmp_path_factory.mktemp("forms")
    runtime, system = Runtime(load_settings(REPO / "config.yaml", home=root / "home")), Actor.system(client="test")
    people.add_team(system, runtime, "A-F", "A-F")
    people.add_team(system, runtime, "G-Z", "G-Z")
    (root / "cases.csv").write_text(FORMS_REGISTRY, encoding="utf-8")
    cases.import_cases(system, runtime, root / "cases.csv")
    return lambda role="teamleitung": ReasonsView(Actor(login="x", role=role, teams=frozenset({"A-F"}), client="test"),
                                                  runtime)


@pytest.mark.parametrize("stored, shown", [
    # several hidden in a list are counted; a namesake in the reader's team keeps her name
    ("Name und Geburtsdatum passen zu mehreren Personen: ABH-2021-00202 (Olga Zander, geb. 10.09.1970), "
     "ABH-2021-00404 (Emre Yilmaz, geb. 05.05.1990), ABH-2021-00303 (Olga Zander, geb. 01.01.1999).",
     f"Name und Geburtsdatum passen zu mehreren Personen: [2 Akten außerhalb Ihrer Teams], "
     "ABH-2021-00303 (Olga Zander, geb. 01.01.1999)."),
    ("Deckblatt nennt ABH-2021-00101 (Anna Adler, geb. 01.01.1980), das Dokument trägt aber Aktenzeichen und "
     "Namen von ABH-2021-00404 (Emre Yilmaz, geb. 05.05.1990).",
     f"Deckblatt nennt ABH-2021-00101 (Anna Adler, geb. 01.01.1980), das Dokument trägt aber Aktenzeichen und "
     f"Namen von {OUTSIDE}."),
    # the sponsor of a family reunification, named with birth date and own case
    ("Wartet auf einen offenen Antrag der Akte ABH-2021-00101: das Dokument nennt die im Register eingetragene "
     "Referenzperson Emre Yilmaz (geb. 05.05.1990, ABH-2021-00404), aber dort ist noch kein Antrag offen.",
     "Wartet auf einen offenen Antrag der Akte ABH-2021-00101: das Dokument nennt die im Register eingetragene "
     f"Referenzperson {OUTSIDE}, aber dort ist noch kein Antrag offen."),
    ("Dokument nennt Emre Yilmaz, geb. 05.05.1990 – passt nicht zu ABH-2021-00101 (Anna Adler, geb. 01.01.1980).",
     f"Dokument nennt {OUTSIDE} – passt nicht zu ABH-2021-00101 (Anna Adler, geb. 01.01.1980)."),
    ("Text kaum lesbar (OCR-Sicherheit 41 %): die Akte der E-Mail (ABH 2021 00404) wird nicht ungeprüft übernommen.",
     f"Text kaum lesbar (OCR-Sicherheit 41 %): die Akte der E-Mail ({OUTSIDE}) wird nicht ungeprüft übernommen."),
    ("Aktenzeichen ABH-2020-99999 (Text) steht nicht im Register.",
     "Aktenzeichen [Aktenzeichen verborgen] steht nicht im Register."),
])
def test_reasons_in_the_matchers_words_lose_only_what_the_reader_may_not_see(lead_view, stored, shown):
    candidates = ("ABH-2021-00404",)       # the person the document names is a candidate, named or not
    assert lead_view().reasons([stored], mentioned=candidates) == [shown]
    assert lead_view("poststelle").reasons([stored]) == [stored]
    assert lead_view("datenschutz").reasons([stored]).count("ABH-2021-00101") == 0
