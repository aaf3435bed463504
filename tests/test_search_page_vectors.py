"""PostgreSQL keeps each page's tsvector in the page row (pages.tsv): an index of the earlier layout
(a page_search table) is rebuilt when opened or refuses search until `dms reindex`; long pages keep
their text and vector in the row."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import create_engine, text

from dms_ingest.index.analysis import ANALYSER_VERSION
from dms_ingest.index.catalog import Catalog, SearchIndexOutdated
from dms_ingest.index.query import SearchQuery

from .test_search import add

SYLLABLES = ("ver", "ant", "rag", "ung", "auf", "ent", "hal", "tes", "lau", "bnis", "ge", "mie", "ter", "wohn",
             "schaft", "bei", "hil", "fe", "amt", "stel")
LETTER = "Antrag auf Verlängerung der Aufenthaltserlaubnis, Aktenzeichen ABH-2024-12345, Mietvertrag anbei."


@pytest.fixture
def url(pg_session_url):
    engine = create_engine(pg_session_url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return pg_session_url


def found(catalog: Catalog, words: str, **filters) -> set[str]:
    return {hit.id for hit in catalog.find(SearchQuery(words, **filters)).hits}


def as_left_by_page_search(catalog: Catalog) -> None:
    """The layout before vectors moved into the page rows: a page_search table, version "…vc"."""
    with catalog.engine.begin() as conn:
        conn.execute(text("CREATE TABLE page_search (page_id bigint PRIMARY KEY, tsv tsvector NOT NULL)"))
        conn.execute(text("INSERT INTO page_search SELECT id, tsv FROM pages"))
        conn.execute(text("CREATE INDEX page_search_tsv ON page_search USING gin (tsv)"))
        conn.execute(text("ALTER TABLE pages DROP COLUMN tsv"))
        conn.execute(text("UPDATE search_state SET value = :v WHERE name = 'analyser'"), {"v": f"{ANALYSER_VERSION}vc"})
    catalog.engine.dispose()


def layout(catalog: Catalog) -> tuple:
    with catalog.engine.connect() as conn:
        return (conn.execute(text("SELECT to_regclass('page_search')")).scalar(),
                conn.execute(text("SELECT count(tsv) FROM pages")).scalar())


def archive(catalog: Catalog) -> None:
    add(catalog, "permit", LETTER, "Seite zwei: Bescheid über die Aufenthaltserlaubnis", case_number="ABH-2024-12345")
    add(catalog, "lease", "Mietvertrag über die Wohnung, Miete 500 Euro", case_number="ABH-2019-04711")


def test_a_small_index_of_the_page_search_layout_is_rebuilt_when_opened(url):
    catalog = Catalog(url)
    archive(catalog)
    as_left_by_page_search(catalog)
    reopened = Catalog(url)
    assert layout(reopened) == (None, 3)
    assert found(reopened, "Aufenthaltserlaubnis") == {"permit"}
    assert found(reopened, '"Verlängerung der Aufenthaltserlaubnis"') == {"permit"}
    assert found(reopened, "vertrag") == {"permit", "lease"}            # compound part
    assert found(reopened, "Miete", case_numbers=("ABH-2019-04711",)) == {"lease"}
    assert found(reopened, "Miete", case_numbers=("ABH-2024-12345",)) == set()


def test_a_large_one_refuses_search_until_reindexed_and_takes_new_documents_meanwhile(url, monkeypatch):
    catalog = Catalog(url)
    archive(catalog)
    as_left_by_page_search(catalog)
    monkeypatch.setattr(Catalog, "rebuild_on_open_limit", 2)
    large = Catalog(url)
    with pytest.raises(SearchIndexOutdated, match="dms reindex"):
        found(large, "Aufenthaltserlaubnis")
    add(large, "later", "Nachtrag zur Aufenthaltserlaubnis")
    progress: list[tuple[int, int]] = []
    assert large.reindex(progress=lambda done, total: progress.append((done, total)), batch=2) == 4
    assert progress[0] == (0, 4) and progress[-1] == (4, 4)
    assert layout(large) == (None, 4)
    assert found(large, "Aufenthaltserlaubnis") == {"permit", "later"}
    assert found(Catalog(url), "Mietvertrag") == {"permit", "lease"}


def test_a_long_page_keeps_its_text_and_vector_in_the_row(url):
    """A row over ~2 kB has its vector compressed in place: nothing goes to TOAST (storage MAIN)."""
    rng = random.Random(5)      # ~250 words of German-like syllables: a 4 kB row, its vector compressible
    words = ["".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 5))) for _ in range(250)]
    catalog = Catalog(url)
    long_id = "long-" + "0" * 19                # as long as the pipeline's ids: PostgreSQL would move it out
    add(catalog, long_id, " ".join(words))
    add(catalog, "short", LETTER)
    with catalog.engine.connect() as conn:
        storage = dict(conn.execute(text("SELECT attname, attstorage FROM pg_attribute WHERE attrelid = 'pages'::regclass "
                                         "AND attname IN ('text', 'tsv', 'document_id')")).all())
        compressed = dict(conn.execute(text("SELECT document_id, pg_column_compression(tsv) FROM pages")).all())
        toast = conn.execute(text("SELECT pg_relation_size(reltoastrelid) FROM pg_class WHERE relname = 'pages'")).scalar()
    assert storage == {"text": "m", "tsv": "m", "document_id": "m"}
    assert compressed[long_id] is not None and compressed["short"] is None
    assert toast == 0
    assert found(catalog, words[201]) == {long_id}
