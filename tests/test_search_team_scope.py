"""A caseworker's search scope as team tokens (index/team_scope.py): never a document of another
team's case, also right after a case changes team; intake documents only for the intake.

Each test runs on SQLite and PostgreSQL (`make_catalog` from test_search)."""

from __future__ import annotations

from sqlalchemy import text

from dms_ingest.access import teams
from dms_ingest.index.analysis import team_token
from dms_ingest.index.models import CaseRow
from dms_ingest.index.query import ParsedQuery, SearchQuery

from .test_search import add, make_catalog  # noqa: F401  (the fixture, per backend)


def found(catalog, *, teams_=(), cases=(), intake=False, words="Aufenthaltserlaubnis") -> set[str]:
    result = catalog.find(SearchQuery(words, allowed_teams=frozenset(teams_), allowed_cases=frozenset(cases),
                                      include_unassigned=intake))
    assert result.total == len(result.hits)
    return {h.id for h in result.hits}


def pages_with_token(catalog, token: str) -> int:
    """Pages the full-text index itself holds with *token* (no row re-check)."""
    with catalog.engine.begin() as conn:
        return len(catalog.fulltext.match(conn, ParsedQuery(()), [[token]], 100, scored=False))


def archive(catalog) -> None:
    catalog.replace_cases([CaseRow(case_number="ABH-2024-00001", surname="Ahmadi", team="A-K", team_source="registry"),
                           CaseRow(case_number="ABH-2024-00002", surname="Yilmaz", team="L-Z", team_source="registry")])
    add(catalog, "ahmadi-1", "Antrag auf Aufenthaltserlaubnis Ahmadi", "Seite zwei", case_number="ABH-2024-00001")
    add(catalog, "ahmadi-2", "Verlängerung der Aufenthaltserlaubnis", case_number="ABH-2024-00001")
    add(catalog, "yilmaz-1", "Aufenthaltserlaubnis Yilmaz", case_number="ABH-2024-00002")
    add(catalog, "intake-1", "Aufenthaltserlaubnis ohne Aktenzeichen")


def test_each_team_finds_its_cases_only(make_catalog):
    catalog = make_catalog()
    archive(catalog)
    assert found(catalog, teams_=["A-K"]) == {"ahmadi-1", "ahmadi-2"}
    assert found(catalog, teams_=["L-Z"]) == {"yilmaz-1"}
    assert found(catalog, teams_=["A-K"], cases=["ABH-2024-00002"]) == {"ahmadi-1", "ahmadi-2", "yilmaz-1"}
    assert found(catalog, teams_=["M-P"]) == set()
    assert found(catalog, intake=True) == {"intake-1"}                # the mailroom: the intake only
    assert found(catalog, teams_=["A-K"], intake=False) == {"ahmadi-1", "ahmadi-2"}
    assert pages_with_token(catalog, team_token("A-K")) == 3              # both pages of ahmadi-1


def test_a_registry_import_moves_a_cases_pages_to_the_new_team(make_catalog):
    catalog = make_catalog()
    archive(catalog)
    catalog.replace_cases([CaseRow(case_number="ABH-2024-00001", surname="Ahmadi", team="L-Z", team_source="registry"),
                           CaseRow(case_number="ABH-2024-00002", surname="Yilmaz", team="L-Z", team_source="registry")])
    assert found(catalog, teams_=["A-K"]) == set()
    assert found(catalog, teams_=["L-Z"]) == {"ahmadi-1", "ahmadi-2", "yilmaz-1"}
    assert pages_with_token(catalog, team_token("A-K")) == 0              # not merely hidden: re-tagged
    assert pages_with_token(catalog, team_token("L-Z")) == 4
    add(catalog, "ahmadi-3", "Aufenthaltserlaubnis nach dem Wechsel", case_number="ABH-2024-00001")
    assert found(catalog, teams_=["L-Z"]) == {"ahmadi-1", "ahmadi-2", "ahmadi-3", "yilmaz-1"}
    catalog.delete_document("ahmadi-3", "test", "test")                 # removed with the tokens it carries
    assert pages_with_token(catalog, team_token("L-Z")) == 4


def test_a_stale_team_token_never_shows_the_old_team_a_document(make_catalog):
    """Between a team change and its re-tagging (or if a re-tag were missed), the row re-check
    against cases.team keeps the old team out."""
    catalog = make_catalog()
    archive(catalog)
    with catalog.engine.begin() as conn:           # the change without the re-tag
        conn.execute(text("UPDATE cases SET team = 'L-Z' WHERE case_number = 'ABH-2024-00001'"))
    assert pages_with_token(catalog, team_token("A-K")) == 3
    assert found(catalog, teams_=["A-K"]) == set()


def test_a_surname_rule_change_moves_rule_cases_but_not_registry_overrides(make_catalog):
    catalog = make_catalog()
    catalog.replace_cases([CaseRow(case_number="ABH-2024-00011", surname="Ahmadi"),
                           CaseRow(case_number="ABH-2024-00012", surname="Bauer", team="Sonder", team_source="registry")])
    teams.add_team(catalog, "Team 1", "A-F")
    add(catalog, "rule-1", "Aufenthaltserlaubnis Ahmadi", case_number="ABH-2024-00011")
    add(catalog, "override-1", "Aufenthaltserlaubnis Bauer", case_number="ABH-2024-00012")
    assert found(catalog, teams_=["Team 1"]) == {"rule-1"}                # Bauer: the registry's team
    assert found(catalog, teams_=["Sonder"]) == {"override-1"}
    teams.add_team(catalog, "Team 1", "B-F")                            # Ahmadi leaves Team 1
    teams.add_team(catalog, "Team 2", "A")
    assert found(catalog, teams_=["Team 1"]) == set()
    assert found(catalog, teams_=["Team 2"]) == {"rule-1"}
    assert found(catalog, teams_=["Sonder"]) == {"override-1"}
    assert pages_with_token(catalog, team_token("Team 1")) == 0


def test_intake_documents_belong_to_the_intake_until_assigned(make_catalog):
    catalog = make_catalog()
    archive(catalog)
    assert "intake-1" not in found(catalog, teams_=["A-K", "L-Z"])
    catalog.update_document("intake-1", "test", "review_assigned", case_number="ABH-2024-00002")
    assert found(catalog, intake=True) == set()
    assert found(catalog, teams_=["A-K"]) == {"ahmadi-1", "ahmadi-2"}
    assert found(catalog, teams_=["L-Z"]) == {"yilmaz-1", "intake-1"}


def test_a_case_unknown_to_the_registry_is_no_teams_until_imported(make_catalog):
    catalog = make_catalog()
    archive(catalog)
    add(catalog, "new-1", "Aufenthaltserlaubnis Neufall", case_number="ABH-2024-00003")
    assert "new-1" not in found(catalog, teams_=["A-K", "L-Z"])
    catalog.replace_cases([CaseRow(case_number="ABH-2024-00001", surname="Ahmadi", team="A-K", team_source="registry"),
                           CaseRow(case_number="ABH-2024-00002", surname="Yilmaz", team="L-Z", team_source="registry"),
                           CaseRow(case_number="ABH-2024-00003", surname="Neufall", team="M-P", team_source="registry")])
    assert found(catalog, teams_=["M-P"]) == {"new-1"}
    assert found(catalog, teams_=["A-K"]) == {"ahmadi-1", "ahmadi-2"}


def test_reindex_tags_pages_with_the_current_teams(make_catalog):
    catalog = make_catalog()
    archive(catalog)
    with catalog.engine.begin() as conn:
        conn.execute(text("UPDATE cases SET team = 'L-Z' WHERE case_number = 'ABH-2024-00001'"))
    catalog.reindex()
    assert pages_with_token(catalog, team_token("A-K")) == 0
    assert found(catalog, teams_=["L-Z"]) == {"ahmadi-1", "ahmadi-2", "yilmaz-1"}
