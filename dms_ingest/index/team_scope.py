"""Team tokens: a caseworker's search scope as one token per team, not one per case.

Access is by team (a case's team: the registry's `team` column, else the surname rule), so every
indexed page of a case carries the token of that case's team, and a caseworker's search asks for
their teams' tokens (plus the intake's token for the mailroom) instead of the hundreds of case
tokens of their teams' cases.

The team a case's pages carry is recorded per case in `search_case_teams`: FTS5 without stored
content removes a row's entries only when given the same tokens again, so the old token must be
known when it changes. When a case's team changes (registry import, `dms teams add`), `retag`
moves that case's pages, and only those, to the new team's token in the same transaction as the
change. Search re-checks every candidate against the current `cases.team` (search.py), so a page
whose token is stale is never shown to a team that is no longer responsible.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from .analysis import analyse, case_scope_tokens, document_tokens, team_token
from .fulltext import IndexEntry, SqliteFullText, pages_in_index
from .rows import fetch_rows
from .page_text import unpack
from .page_writes import execute_prepared

TABLE = "search_case_teams"


def create(conn: Connection) -> None:
    conn.execute(text(f"CREATE TABLE IF NOT EXISTS {TABLE} (case_number VARCHAR PRIMARY KEY, team VARCHAR)"))


def reset(conn: Connection) -> None:
    """Before a full reindex: every case's pages will carry its current team."""
    conn.execute(text(f"DELETE FROM {TABLE}"))


def indexed_team(conn: Connection, case_number: str | None) -> str | None:
    """The team whose token the pages of *case_number* carry in the index: the one recorded, else
    (the case's first page) its current team, recorded now. Inside the writing transaction; on
    PostgreSQL the upsert locks the case's row until commit, so a concurrent `retag` of the case
    waits for this document and then moves it too."""
    if not (case_number or "").strip():
        return None
    # Once per document written: prepared once per connection on PostgreSQL, and without
    # SQLAlchemy's statement handling, which cost more client CPU than the upsert itself.
    if conn.dialect.name == "postgresql":
        return execute_prepared(conn, "indexed_team", lambda: _INDEXED_TEAM.format(c="CAST($1 AS VARCHAR)"),
                                [case_number])[0][0]
    return fetch_rows(conn, _INDEXED_TEAM.format(c=":c"), {"c": case_number})[0][0]


_INDEXED_TEAM = (f"INSERT INTO {TABLE} (case_number, team) VALUES ({{c}}, (SELECT team FROM cases WHERE case_number = {{c}})) "
                 f"ON CONFLICT (case_number) DO UPDATE SET team = {TABLE}.team RETURNING team")


def page_tokens(conn: Connection, doc_type, case_number, review, received) -> list[str]:
    """All filter tokens of a document's pages, its case's indexed team included."""
    return (document_tokens(doc_type, case_number, review, received)
            + case_scope_tokens(case_number, indexed_team(conn, case_number)))


def lock_for_team_change(conn: Connection) -> None:
    """First statement of a transaction that changes cases' teams (PostgreSQL). A document written
    concurrently reads its case's team when it records the case here (`indexed_team`); for a case
    with no row yet nothing else orders the two, and the document would keep the old team's token
    after `retag` had already run. This lock conflicts with that insert: the document waits for
    the change and reads the new team, or the change waits for the document and re-tags it."""
    if conn.dialect.name != "sqlite" and inspect(conn).has_table(TABLE):
        conn.execute(text(f"LOCK TABLE {TABLE} IN SHARE ROW EXCLUSIVE MODE"))


def retag(conn: Connection) -> int:
    """Move the pages of every case whose team changed to the new team's token; returns the pages
    moved. Run in the transaction that changed the teams."""
    if not inspect(conn).has_table(TABLE):
        return 0            # no search index in this database yet
    sqlite = conn.dialect.name == "sqlite"
    changed = fetch_rows(conn, f"SELECT s.case_number, s.team, c.team FROM {TABLE} s "
                               "LEFT JOIN cases c ON c.case_number = s.case_number "
                               "WHERE s.team <> c.team OR (s.team IS NULL) <> (c.team IS NULL)"
                               + ("" if sqlite else " FOR UPDATE OF s"), {})
    moved = 0
    for case_number, old, new in changed:
        rows = fetch_rows(conn, "SELECT p.id, p.text, d.doc_type, d.review, d.created_at FROM pages p "
                                "JOIN documents d ON d.id = p.document_id WHERE d.case_number = :c", {"c": case_number})
        present = set(pages_in_index(conn, [r[0] for r in rows]))
        rows = [r for r in rows if r[0] in present]
        if sqlite:
            _retag_sqlite(conn, case_number, rows, old, new)
        elif rows:
            conn.execute(text("UPDATE pages SET tsv = ts_delete(tsv, CAST(:old AS text)) "
                              "|| CAST(:new AS tsvector) WHERE id = ANY(:ids)"),
                         {"old": team_token(old), "new": team_token(new), "ids": [r[0] for r in rows]})
        conn.execute(text(f"UPDATE {TABLE} SET team = :t WHERE case_number = :c"), {"t": new, "c": case_number})
        moved += len(rows)
    return moved


def _retag_sqlite(conn: Connection, case_number: str, rows: list[tuple], old, new) -> None:
    """FTS5 without content: remove each page's entries with its old tokens, add them with the new."""
    fulltext = SqliteFullText()
    base = [(r[0], analyse(unpack(r[1])), document_tokens(r[2], case_number, bool(r[3]), _datetime(r[4]))) for r in rows]
    fulltext.delete(conn, [IndexEntry(i, terms, tokens + case_scope_tokens(case_number, old)) for i, terms, tokens in base])
    fulltext.insert(conn, [IndexEntry(i, terms, tokens + case_scope_tokens(case_number, new)) for i, terms, tokens in base])


def _datetime(value) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
