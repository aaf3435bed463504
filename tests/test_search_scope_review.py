"""Second review of the team-token search scope (index/team_scope.py): a case's first document
written while a registry import changes that case's team, and an index rebuild begun by an older
analyser. The new team must find the document; the old team never does.

Each test runs on SQLite and PostgreSQL (`make_catalog` from test_search)."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import text

from dms_ingest.index import team_scope
from dms_ingest.index.analysis import analyse, document_tokens, team_token
from dms_ingest.index.catalog import Catalog, SearchIndexOutdated, parse_datetime
from dms_ingest.index.fulltext import IndexEntry
from dms_ingest.index.models import CaseRow
from dms_ingest.index.page_text import unpack
from dms_ingest.index.query import SearchQuery

from .test_search import add, make_catalog  # noqa: F401  (the fixture, per backend)
from .test_search_team_scope import archive, found, pages_with_token


def _waiting_on_a_lock(catalog) -> bool:
    if catalog.is_sqlite:
        return False
    with catalog.engine.connect() as conn:
        return bool(conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                      "AND datname = current_database()")).scalar())


def test_a_cases_first_document_during_a_registry_import_carries_the_new_team(make_catalog, monkeypatch):
    """The import has moved the case (no page of it indexed yet) and re-tagged, not yet committed,
    when the case's first document is written: the document must end up with the new team."""
    catalog = make_catalog()
    archive(catalog)
    catalog.replace_cases([CaseRow(case_number="ABH-2024-00001", surname="Ahmadi", team="A-K", team_source="registry"),
                           CaseRow(case_number="ABH-2024-00002", surname="Yilmaz", team="L-Z", team_source="registry"),
                           CaseRow(case_number="ABH-2024-00009", surname="Neu", team="A-K", team_source="registry")])
    retagged, go = threading.Event(), threading.Event()
    real_retag = team_scope.retag

    def retag_then_wait(conn):
        moved = real_retag(conn)
        retagged.set()
        go.wait(60)                     # the import's transaction stays open here
        return moved

    monkeypatch.setattr(team_scope, "retag", retag_then_wait)
    importer = threading.Thread(target=catalog.replace_cases, args=([
        CaseRow(case_number="ABH-2024-00001", surname="Ahmadi", team="A-K", team_source="registry"),
        CaseRow(case_number="ABH-2024-00002", surname="Yilmaz", team="L-Z", team_source="registry"),
        CaseRow(case_number="ABH-2024-00009", surname="Neu", team="M-P", team_source="registry")],))
    importer.start()
    assert retagged.wait(60)
    intake_catalog = make_catalog()             # another process's connection (the intake)
    writer = threading.Thread(target=add, args=(intake_catalog, "neu-1", "Aufenthaltserlaubnis Neu"),
                              kwargs={"case_number": "ABH-2024-00009"})
    writer.start()
    # Until the document is written or waits for the import (SQLite: its writers wait for each
    # other anyway, a second is enough to see the document not being written).
    for _ in range(10 if catalog.is_sqlite else 300):
        if not writer.is_alive() or _waiting_on_a_lock(catalog):
            break
        time.sleep(0.1)
    go.set()
    importer.join(60)
    writer.join(60)
    monkeypatch.setattr(team_scope, "retag", real_retag)
    assert found(catalog, teams_=["M-P"]) == {"neu-1"}
    assert found(catalog, teams_=["A-K"]) == {"ahmadi-1", "ahmadi-2"}
    assert pages_with_token(catalog, team_token("M-P")) == 1


def test_an_index_rebuild_begun_by_the_older_analyser_starts_over(make_catalog):
    """An interrupted `dms reindex` of ANALYSER_VERSION 1 (pages without team tokens): the new
    version must not resume it, or those pages stay unfindable for their team after the rebuild."""
    catalog = make_catalog()
    archive(catalog)
    with catalog.engine.begin() as conn:            # what version 1's interrupted reindex left behind
        upto = catalog._start_reindex(conn)
        rows = conn.execute(text("SELECT p.id, p.text, d.doc_type, d.case_number, d.review, d.created_at FROM pages p "
                                 "JOIN documents d ON d.id = p.document_id ORDER BY p.id LIMIT 2")).all()
        catalog.fulltext.insert(conn, [IndexEntry(r[0], analyse(unpack(r[1])), document_tokens(r[2], r[3], bool(r[4]),
                                                                                      parse_datetime(r[5])))
                                       for r in rows])
        conn.execute(text("UPDATE search_state SET value = :c WHERE name = 'reindex_cursor'"), {"c": str(rows[-1][0])})
        conn.execute(text("UPDATE search_state SET value = '1' WHERE name = 'analyser'"))
        conn.execute(text("DELETE FROM search_state WHERE name NOT IN ('analyser', 'reindex_upto', 'reindex_cursor')"))
        conn.execute(text("DELETE FROM search_case_teams"))
    assert upto > rows[-1][0]
    reopened = make_catalog()
    reopened.reindex()
    assert found(reopened, teams_=["A-K"]) == {"ahmadi-1", "ahmadi-2"}
    assert found(reopened, teams_=["L-Z"]) == {"yilmaz-1"}
    assert pages_with_token(reopened, team_token("A-K")) == 3


def _as_left_by_version_1(catalog) -> None:
    """Every page indexed as ANALYSER_VERSION 1 did: no team tokens, no search_case_teams."""
    with catalog.engine.begin() as conn:
        rows = conn.execute(text("SELECT p.id, p.text, d.doc_type, d.case_number, d.review, d.created_at FROM pages p "
                                 "JOIN documents d ON d.id = p.document_id")).all()
        catalog.fulltext.clear(conn)
        catalog.fulltext.insert(conn, [IndexEntry(r[0], analyse(unpack(r[1])), document_tokens(r[2], r[3], bool(r[4]),
                                                                                      parse_datetime(r[5])))
                                       for r in rows])
        conn.execute(text("DELETE FROM search_case_teams"))
        conn.execute(text("UPDATE search_state SET value = '1' WHERE name = 'analyser'"))


def test_a_version_1_index_is_rebuilt_on_open_or_refuses_search_until_reindexed(make_catalog, monkeypatch):
    """Opened by version 2, an index without team tokens never answers a team's search as if its
    documents were not there: small, it is rebuilt on open; large, search refuses until `dms reindex`."""
    catalog = make_catalog()
    archive(catalog)
    _as_left_by_version_1(catalog)
    assert found(catalog, teams_=["A-K"]) == set()          # what answering from it would do
    assert found(make_catalog(), teams_=["A-K"]) == {"ahmadi-1", "ahmadi-2"}    # small: rebuilt on open
    _as_left_by_version_1(catalog)
    monkeypatch.setattr(Catalog, "rebuild_on_open_limit", 3)
    large = make_catalog()
    with pytest.raises(SearchIndexOutdated):
        found(large, teams_=["A-K"])
    large.reindex()
    assert found(large, teams_=["A-K"]) == {"ahmadi-1", "ahmadi-2"}
    assert found(large, intake=True) == {"intake-1"}


def test_a_document_moved_between_cases_and_teams_follows_its_current_case(make_catalog):
    """Review moves a document to another team's case and back, the cases swap teams in between,
    and it goes back to the intake: each time exactly its current case's team finds it, and
    deleting it leaves no team token behind (FTS5 removes entries only given the same tokens)."""
    catalog = make_catalog()
    archive(catalog)
    catalog.update_document("ahmadi-2", "test", "review_assigned", case_number="ABH-2024-00002", review=True)
    assert found(catalog, teams_=["A-K"]) == {"ahmadi-1"}
    assert found(catalog, teams_=["L-Z"]) == {"ahmadi-2", "yilmaz-1"}
    catalog.replace_cases([CaseRow(case_number="ABH-2024-00001", surname="Ahmadi", team="L-Z", team_source="registry"),
                           CaseRow(case_number="ABH-2024-00002", surname="Yilmaz", team="A-K", team_source="registry")])
    assert found(catalog, teams_=["A-K"]) == {"ahmadi-2", "yilmaz-1"}
    assert found(catalog, teams_=["L-Z"]) == {"ahmadi-1"}
    catalog.update_document("ahmadi-2", "test", "review_assigned", case_number="ABH-2024-00001", review=False)
    assert found(catalog, teams_=["L-Z"]) == {"ahmadi-1", "ahmadi-2"}
    assert found(catalog, teams_=["A-K"]) == {"yilmaz-1"}
    catalog.update_document("ahmadi-2", "test", "review_reopened", case_number=None)
    assert found(catalog, teams_=["A-K", "L-Z"]) == {"ahmadi-1", "yilmaz-1"}
    assert found(catalog, intake=True) == {"ahmadi-2", "intake-1"}
    for doc_id in ("ahmadi-1", "ahmadi-2"):
        catalog.delete_document(doc_id, "test", "test")
    assert pages_with_token(catalog, team_token("L-Z")) == 0
    assert pages_with_token(catalog, team_token("A-K")) == 1
    listed = catalog.find(SearchQuery("", allowed_teams=frozenset({"A-K"}), allowed_cases=frozenset(),
                                      include_unassigned=False))       # no words: the team's documents
    assert [h.id for h in listed.hits] == ["yilmaz-1"] and listed.total == 1 and listed.facets == {"": 1}


def test_a_team_without_a_name_sees_no_teamless_cases_in_the_inbox(make_catalog):
    """A caseworker whose teams hold "" (an empty team in the directory's group mapping) must not
    get the documents of cases no team is responsible for in the team inbox (Posteingang)."""
    from dms_ingest.index import inbox
    catalog = make_catalog()
    archive(catalog)
    catalog.replace_cases([CaseRow(case_number="ABH-2024-00001", surname="Ahmadi", team="A-K", team_source="registry"),
                           CaseRow(case_number="ABH-2024-00002", surname="Yilmaz")])      # no team
    inbox.ensure_tables(catalog.engine)
    assert {i.document.id for i in inbox.items(catalog.engine, ["A-K"], "kim")} == {"ahmadi-1", "ahmadi-2"}
    assert inbox.items(catalog.engine, [""], "kim") == []
    assert inbox.unseen_count(catalog.engine, [""], "kim") == 0
