"""The nightly GIN rebuild (index/compaction.py): when it runs, what it keeps answering, what it cleans up."""

from __future__ import annotations

import json

from sqlalchemy import text

from dms_ingest.index.query import SearchQuery

from .test_search import add, make_catalog  # noqa: F401  (the fixture, per backend)

LETTER = "Antrag auf Verlängerung der Aufenthaltserlaubnis, Aktenzeichen ABH-2024-12345, Mietvertrag anbei."


def index_file(catalog) -> int:
    """The GIN index's file: a rebuild gives it a new one."""
    with catalog.engine.connect() as conn:
        return conn.execute(text("SELECT pg_relation_filenode('pages_tsv')")).scalar()


def built_note(catalog) -> dict:
    with catalog.engine.connect() as conn:
        return json.loads(conn.execute(text("SELECT value FROM search_state WHERE name = 'gin_built'")).scalar())


def found(catalog, words: str) -> set[str]:
    return {hit.id for hit in catalog.find(SearchQuery(words)).hits}


def test_the_gin_index_is_rebuilt_once_grown_by_the_given_share_and_answers_as_before(make_catalog):
    catalog = make_catalog()
    for n in range(4):
        add(catalog, f"d{n}", f"{LETTER} Seite {n}", case_number="ABH-2024-12345")
    if catalog.is_sqlite:
        assert catalog.compact_search_index(min_new_pages=1)["status"] == "skipped"
        return
    before, file = found(catalog, "Aufenthaltserlaubnis Mietvertrag"), index_file(catalog)
    assert before == {"d0", "d1", "d2", "d3"}

    done = catalog.compact_search_index(min_new_pages=1)        # a new index counts as built empty
    assert done["status"] == "done" and done["pages"] == 4 and done["pages_at_last_build"] == 0
    assert index_file(catalog) != file and built_note(catalog)["pages"] == 4
    assert found(catalog, "Aufenthaltserlaubnis Mietvertrag") == before
    assert found(catalog, "ABH-2024-12345") == before

    file = index_file(catalog)
    assert catalog.compact_search_index(min_new_pages=1)["status"] == "skipped"    # nothing new
    add(catalog, "d4", LETTER + " Nachtrag")                                        # 5 pages: a quarter more
    assert catalog.compact_search_index(min_new_pages=1, growth=0.5)["status"] == "skipped"
    assert catalog.compact_search_index(min_new_pages=2)["status"] == "skipped"
    assert index_file(catalog) == file
    assert catalog.compact_search_index(min_new_pages=1, growth=0.2)["status"] == "done"
    assert index_file(catalog) != file
    assert found(catalog, "Nachtrag") == {"d4"}


def test_a_full_reindex_counts_as_a_build(make_catalog):
    catalog = make_catalog()
    for n in range(3):
        add(catalog, f"d{n}", LETTER)
    catalog.reindex()
    if catalog.is_sqlite:
        return
    assert built_note(catalog)["pages"] == 3
    assert catalog.compact_search_index(min_new_pages=1)["status"] == "skipped"


def test_an_interrupted_rebuild_leaves_nothing_behind(make_catalog):
    catalog = make_catalog()
    if catalog.is_sqlite:
        return
    add(catalog, "d1", LETTER)
    with catalog.engine.begin() as conn:       # what a cancelled REINDEX CONCURRENTLY leaves: an invalid copy
        conn.execute(text("CREATE INDEX pages_tsv_ccnew ON pages USING gin (tsv)"))
        conn.execute(text("UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'pages_tsv_ccnew'::regclass"))
    assert catalog.compact_search_index(force=True)["status"] == "done"
    with catalog.engine.connect() as conn:
        indexes = {r[0] for r in conn.execute(text("SELECT indexname FROM pg_indexes WHERE tablename = 'pages'"))}
    assert indexes == {"pages_pkey", "ix_pages_document_id", "pages_tsv"}
    assert found(catalog, "Aufenthaltserlaubnis") == {"d1"}


def test_no_rebuild_while_dms_reindex_runs(make_catalog):
    catalog = make_catalog()
    if catalog.is_sqlite:
        return
    add(catalog, "d1", LETTER)
    with catalog.engine.begin() as conn:
        conn.execute(text("INSERT INTO search_state (name, value) VALUES ('reindex_upto', '1')"))
    result = catalog.compact_search_index(force=True)
    assert result["status"] == "skipped" and "dms reindex" in result["reason"]
