"""Second review of the team-token search scope (index/team_scope.py): a case's first document
written while a registry import changes that case's team, and an index rebuild begun by an older
analyser. The new team must find the document; the old team never does.

Each test runs on SQLite and PostgreSQL (`make_catalog` from test_search)."""

from __future__ import annotations

import threading
import time

from sqlalchemy import text

from dms_ingest.index import team_scope
from dms_ingest.index.analysis import team_token
from dms_ingest.index.models import CaseRow

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

