"""Where a team lead may file a review item: into the team's cases only, else back to the mailroom.

Team lead `lead` (team A-F) has review items in Becker's case (A-F). Filing one into Fischer's
case (A-F) works; into Zander's (G-Z) is refused, and so is a number not in the registry, in the
very same words and status (the answer must not tell which numbers exist). The item can instead
go back to the mailroom with a note; it then waits in the mailroom's queue, which still files into
every case and is told when a number is not in the registry. Services and HTTP in-process.
"""

from __future__ import annotations

import json

import pytest

from .paths import REPO
from .web_office import logged_in

OWN, OWN_OTHER, THEIRS, UNKNOWN = "ABH-2021-00011", "ABH-2021-00012", "ABH-2021-00022", "ABH-2021-00099"
REGISTRY = f"""case_number,surname,given_names,date_of_birth,nationality
{OWN},Becker,Lukas,1985-03-14,DEU
{OWN_OTHER},Fischer,Mara,1992-07-08,AUT
{THEIRS},Zander,Olga,1970-09-10,UKR
"""
PASSWORDS = {"lead": "Lead-Test-2026", "post": "Post-Test-2026"}
ITEMS = ("filed", "refused", "web_back", "service_back")


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    """Four letters in Becker's case, each put back into review (type in doubt) as the system."""
    from dms_datagen.pdf import born_digital_pdf
    from dms_ingest.config import load_settings
    from dms_ingest.ingest.persist import update_metadata
    from dms_ingest.services import cases, documents, people
    from dms_ingest.services.actor import Actor
    from dms_ingest.web.app import create_app

    root = tmp_path_factory.mktemp("assignscope")
    home = root / "home"
    app = create_app(load_settings(REPO / "config.yaml", home=home))
    runtime, system = app.state.runtime, Actor.system(client="test")
    (root / "cases.csv").write_text(REGISTRY, encoding="utf-8")
    people.add_team(system, runtime, "A-F", "A-F")
    people.add_team(system, runtime, "G-Z", "G-Z")
    cases.import_cases(system, runtime, root / "cases.csv")
    people.add_user(system, runtime, "lead", "teamleitung", ["A-F"], PASSWORDS["lead"])
    people.add_user(system, runtime, "post", "poststelle", [], PASSWORDS["post"])
    letters = [born_digital_pdf([[f"Aktenzeichen: {OWN}", "Herr Lukas Becker, geb. 14.03.1985",
                                  f"Schreiben {name}", "Anbei die Unterlagen."]], root / f"{name}.pdf")
               for name in ITEMS]
    results = documents.ingest(system, runtime, letters, workers=1)
    ids = {}
    for name, result in zip(ITEMS, results):
        assert result.case_number == OWN, (name, result.case_number, result.review_reasons)
        update_metadata(result.id, {"review": True, "review_reasons": ["Dokumenttyp unsicher."]}, actor="test",
                        action="test_reopened", store=runtime.store, catalog=runtime.catalog)
        ids[name] = result.id
    return {"app": app, "runtime": runtime, "ids": ids, "home": home,
            "lead": Actor("lead", "teamleitung", frozenset({"A-F"}), client="test"),
            "post": Actor("post", "poststelle", frozenset(), client="test")}


def client(office, login: str, accept: str = "application/json"):
    """A session of *login*; its CSRF token on every request (as the pages' forms send it too)."""
    http = logged_in(office["app"], login, PASSWORDS[login], accept)
    http.headers["X-CSRF-Token"] = http.get("/api/me").json()["csrf_token"]
    return http


def entries(office, action: str) -> list:
    from dms_ingest.access import audit

    return [e for e in audit.query(office["runtime"].catalog.engine, limit=100_000) if e.action == action]


def test_a_team_lead_files_into_a_case_of_the_team(office):
    from dms_ingest.services import review

    doc = office["ids"]["filed"]
    done = review.review_assign(office["lead"], office["runtime"], doc, case=f" {OWN_OTHER.lower()} ",
                                doc_type="sonstiges")
    assert (done["case_number"], done["review"]) == (OWN_OTHER, False)
    assert office["runtime"].catalog.get(doc).case_number == OWN_OTHER


def test_another_teams_case_is_refused_logged_and_the_item_unchanged(office):
    from dms_ingest.access.policy import OUTSIDE_TEAMS
    from dms_ingest.errors import Forbidden
    from dms_ingest.services import review

    catalog, doc = office["runtime"].catalog, office["ids"]["refused"]
    before = catalog.get(doc)
    for target in (THEIRS, UNKNOWN):
        with pytest.raises(Forbidden) as refused:
            review.review_assign(office["lead"], office["runtime"], doc, case=target, doc_type="sonstiges")
        assert str(refused.value) == OUTSIDE_TEAMS and "mailroom" in str(refused.value)
    after = catalog.get(doc)
    assert (after.case_number, after.review, after.metadata_version, after.doc_type) == \
        (OWN, True, before.metadata_version, before.doc_type)
    denied = [(e.login, e.object_id, e.case_number, json.loads(e.detail)["error"])
              for e in entries(office, "review_assign") if e.outcome == "denied"]
    assert ("lead", doc, THEIRS, OUTSIDE_TEAMS) in denied and ("lead", doc, UNKNOWN, OUTSIDE_TEAMS) in denied


def test_unknown_and_other_teams_case_answer_alike_over_http(office):
    """Page and API: the same status and the same body once the typed number is taken out."""
    doc = office["ids"]["refused"]
    page = client(office, "lead", "text/html")
    token = page.headers["X-CSRF-Token"]
    answers = {target: page.post(f"/pruefliste/{doc}", data={"case_number": target, "doc_type": "sonstiges",
                                                              "csrf_token": token})
               for target in (THEIRS, UNKNOWN)}
    assert {a.status_code for a in answers.values()} == {403}
    bodies = {a.text.replace(target, "AZ") for target, a in answers.items()}
    assert len(bodies) == 1
    [body] = bodies
    assert "gehört zu keiner Akte Ihrer Teams" in body and "an die Poststelle zurück" in body
    assert "nicht im Register" not in body and 'value="AZ"' in body and "An Poststelle zurückgeben" in body
    api = client(office, "lead")
    refused = [api.post(f"/api/review/{doc}", json={"case_number": target, "doc_type": "sonstiges"})
               for target in (THEIRS, UNKNOWN)]
    assert [r.status_code for r in refused] == [403, 403] and refused[0].json() == refused[1].json()
    assert office["runtime"].catalog.get(doc).case_number == OWN


def test_a_team_lead_gives_an_item_back_and_the_mailroom_forwards_it(office):
    doc = office["ids"]["web_back"]
    lead = client(office, "lead", "text/html")
    token = lead.headers["X-CSRF-Token"]
    empty = lead.post(f"/pruefliste/{doc}/zurueckgeben", data={"note": " ", "csrf_token": token})
    assert empty.status_code == 422 and "warum das Dokument zurückgeht" in empty.text
    back = lead.post(f"/pruefliste/{doc}/zurueckgeben", data={"note": f"gehört zu {THEIRS} (Team G-Z)",
                                                               "csrf_token": token})
    assert back.status_code == 303
    assert "An die Poststelle zurückgegeben" in lead.get(back.headers["location"], follow_redirects=True).text
    assert doc not in [i["id"] for i in client(office, "lead").get("/api/review").json()["items"]]
    assert lead.get(f"/pruefliste/{doc}").status_code == 403             # no longer the team's
    row = office["runtime"].catalog.get(doc)
    assert (row.case_number, row.review) == (None, True)
    logged = [(e.login, e.outcome, e.case_number) for e in entries(office, "review_return") if e.object_id == doc]
    assert logged == [("lead", "refused", OWN), ("lead", "ok", OWN)]            # the empty note, then the note

    post = client(office, "post")
    [item] = [i for i in post.get("/api/review").json()["items"] if i["id"] == doc]
    assert item["reasons"][0] == f"Von lead aus Akte {OWN} an die Poststelle zurückgegeben: gehört zu {THEIRS} (Team G-Z)"
    page = client(office, "post", "text/html")
    assert "an die Poststelle zurückgegeben" in page.get(f"/pruefliste/{doc}").text
    assert "An Poststelle zurückgeben" not in page.get(f"/pruefliste/{doc}").text   # the mailroom forwards
    # The mailroom keeps its helpful answer for an unknown number, and files into every team's case.
    unknown = post.post(f"/api/review/{doc}", json={"case_number": UNKNOWN, "doc_type": "sonstiges"})
    assert unknown.status_code == 422 and "not in the registry" in unknown.json()["error"]
    filed = post.post(f"/api/review/{doc}", json={"case_number": THEIRS, "doc_type": "sonstiges"})
    assert filed.status_code == 200 and filed.json()["case_number"] == THEIRS


def test_giving_back_through_the_service_and_the_cli(office):
    from dms_ingest.errors import Forbidden, Invalid
    from dms_ingest.services import review
    from dms_ingest.services.actor import Actor

    from .plugins.cli import Dms

    runtime, doc = office["runtime"], office["ids"]["service_back"]
    with pytest.raises(Forbidden):
        review.review_return(office["post"], runtime, doc, note="nicht unsere")       # the mailroom forwards itself
    with pytest.raises(Invalid):
        review.review_return(office["lead"], runtime, doc, note="  \n ")
    settled = office["ids"]["filed"]                     # filed by the lead: in the team's case, not in review
    assert runtime.catalog.get(settled).review is False
    with pytest.raises(Invalid, match="not waiting for review"):
        review.review_return(office["lead"], runtime, settled, note="doch nicht")
    result = Dms(office["home"], REPO / "config.yaml")("review", "return", doc, "--note", "Akte\nunklar",
                                                       "--by", "tl-cli", "--json")
    assert result.exit_code == 0, result.output
    done = json.loads(result.stdout)
    assert (done["case_number"], done["returned_from"], done["review"], done["note"]) == (None, OWN, True,
                                                                                          "Akte unklar")
    assert doc in [i["id"] for i in review.review_list(office["post"], runtime)]
    with pytest.raises(Invalid, match="already in the mailroom"):
        review.review_return(Actor.system("tl-cli", client="test"), runtime, doc, note="noch einmal")
    with pytest.raises(Forbidden, match="not in your review queue"):
        review.review_return(office["lead"], runtime, doc, note="noch einmal")
