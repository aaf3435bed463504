"""PostgreSQL's GIN index kept near the size of a fresh build (the nightly batch runs this).

A GIN index grown page by page (every `add_document`, the migration's 3M pages) is larger than one
built at once: its pending list is merged into entry and posting pages that split half-empty.
Measured on the benchmark's 100k pages (README, "Index size per relation"): 561 bytes per page
grown, 441 rebuilt; 10,000 pages added to the rebuilt index cost 757 bytes each (the packed pages
split again), so a rebuild pays off only after the index has grown by a share of itself.

`compact_search_index` rebuilds it with `REINDEX INDEX CONCURRENTLY` (searches and writes go on;
the old index answers until the new one is valid) once the pages indexed since the last build are
at least GROWTH of those it was built with. Each build (this one, `dms reindex`'s) is noted in
search_state as {"pages", "bytes"}; an index without a note counts as built empty.
SQLite's FTS5 merges its segments as it goes: nothing to do there.
"""

from __future__ import annotations

import json
import time

from sqlalchemy import text
from sqlalchemy.engine import Connection

GROWTH = 0.10           # rebuild once the index has this share more pages than at its last build
MIN_NEW_PAGES = 10_000  # and at least this many: a small index is not worth a rebuild
_STATE = "gin_built"


def note_built(conn: Connection, fulltext) -> dict:
    """Remember the index's pages and bytes as just built (in the caller's transaction)."""
    pages, size = conn.execute(text(f"SELECT (SELECT count(*) FROM {fulltext.table}), pg_relation_size(:index)"),
                               {"index": fulltext.index}).one()
    built = {"pages": int(pages), "bytes": int(size)}
    conn.execute(text("INSERT INTO search_state (name, value) VALUES (:n, :v) "
                      "ON CONFLICT (name) DO UPDATE SET value = excluded.value"), {"n": _STATE, "v": json.dumps(built)})
    return built


def _last_build(conn: Connection) -> dict:
    value = conn.execute(text("SELECT value FROM search_state WHERE name = :n"), {"n": _STATE}).scalar()
    return json.loads(value) if value else {"pages": 0, "bytes": 0}


def compact_search_index(catalog, *, growth: float = GROWTH, min_new_pages: int = MIN_NEW_PAGES,
                         force: bool = False) -> dict:
    """Rebuild the GIN index if it has grown enough since its last build (or *force*); what was done."""
    if catalog.is_sqlite:
        return {"status": "skipped", "reason": "SQLite: FTS5 merges its segments as it goes"}
    table, index = catalog.fulltext.table, catalog.fulltext.index
    with catalog.engine.connect() as conn:
        if conn.execute(text("SELECT count(*) FROM search_state WHERE name = 'reindex_upto'")).scalar():
            return {"status": "skipped", "reason": "a search index rebuild (`dms reindex`) is running"}
        if conn.execute(text("SELECT to_regclass(:i)"), {"i": index}).scalar() is None:
            return {"status": "skipped", "reason": "the search index is missing: run `dms reindex`"}
        pages, size = conn.execute(text(f"SELECT (SELECT count(*) FROM {table}), pg_relation_size(:i)"), {"i": index}).one()
        last = _last_build(conn)
    new = pages - last["pages"]
    figures = {"pages": int(pages), "bytes_before": int(size), "pages_at_last_build": last["pages"]}
    if not force and (new < min_new_pages or new < growth * last["pages"]):
        return {"status": "skipped", "reason": f"{new} pages indexed since the last build", **figures}
    started = time.monotonic()
    with catalog.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        # A rebuild interrupted before (server restart, cancelled) leaves its new index invalid: drop it.
        for (leftover,) in conn.execute(text(
                "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "WHERE i.indrelid = to_regclass(:t) AND NOT i.indisvalid AND c.relname LIKE :p"),
                {"t": table, "p": f"{index}_ccnew%"}).all():
            conn.execute(text(f'DROP INDEX CONCURRENTLY IF EXISTS "{leftover}"'))
        conn.execute(text(f"REINDEX INDEX CONCURRENTLY {index}"))
    with catalog.engine.begin() as conn:
        built = note_built(conn, catalog.fulltext)
    return {"status": "done", **figures, "bytes_after": built["bytes"], "seconds": round(time.monotonic() - started, 1)}
