"""Bounded candidates, the newest first (fulltext.match): on SQLite FTS5 reads its lists backwards;
on PostgreSQL a backward scan along the primary key replaces GIN where the newest pages are dense
with matches, and GIN supplies what that window does not hold.

Each test runs on SQLite and PostgreSQL (`make_catalog` from test_search); the PostgreSQL strategy's
thresholds are set so that a few pages take the path a million pages take."""

from __future__ import annotations

import pytest

from dms_ingest.index import fulltext
from dms_ingest.index.query import SearchQuery, parse

from .test_search import add, make_catalog  # noqa: F401  (the fixture, per backend)


def page_ids(catalog, query: str, limit: int, **kwargs) -> list[int]:
    with catalog.engine.begin() as conn:
        if not catalog.is_sqlite:               # the planner's statistics, as autovacuum keeps them
            conn.exec_driver_sql("ANALYZE pages")
        return [row[0] for row in catalog.fulltext.match(conn, parse(query), [], limit, **kwargs)]


def all_page_ids(catalog) -> list[int]:
    with catalog.engine.begin() as conn:
        return [row[0] for row in conn.exec_driver_sql("SELECT id FROM pages ORDER BY id")]


@pytest.fixture
def dense(monkeypatch):
    """PostgreSQL reads backwards wherever the probe finds matches (as for a common word at 1M pages)."""
    monkeypatch.setattr(fulltext, "SCAN_ROW_COST", 0)


def test_the_newest_matches_are_the_candidates(make_catalog, dense):
    catalog = make_catalog()
    for n in range(30):
        add(catalog, f"doc-{n:02}", f"Antrag Nummer {n}")
    ids = all_page_ids(catalog)
    assert page_ids(catalog, "Antrag", 10) == ids[::-1][:10]
    assert sorted(page_ids(catalog, "Antrag", 100)) == ids           # all of them, once each
    # The strong-word query leaves out the word its token implies and finds the same pages.
    add(catalog, "strong-old", "Bescheid Bescheid Bescheid zum Bescheid")
    add(catalog, "weak", "Bescheid vom Montag " + " ".join(f"Wort{i}" for i in range(150)))
    add(catalog, "strong-new", "Bescheid Bescheid Bescheid: drei Bescheide")
    newest = all_page_ids(catalog)[::-1]
    strong = list(parse("Bescheid").words())
    assert sorted(page_ids(catalog, "Bescheid", 10, strong=strong)) == sorted([newest[0], newest[2]])
    assert page_ids(catalog, "Bescheid", 1, strong=strong) == [newest[0]]      # strong-new
    either = list(parse("Bescheid OR Mietvertrag").words())                    # a choice of words, as a prefix's
    assert sorted(page_ids(catalog, "Bescheid OR Mietvertrag", 10, strong=either)) == sorted([newest[0], newest[2]])


def test_a_window_short_of_matches_is_completed_from_the_older_pages(make_catalog, dense, monkeypatch):
    catalog = make_catalog()
    texts = ["Antrag alt"] * 20 + ["Bescheid"] * 10 + ["Antrag neu"] * 10
    for n, page_text in enumerate(texts):
        add(catalog, f"doc-{n:02}", page_text)
    ids = all_page_ids(catalog)
    monkeypatch.setattr(fulltext, "SCAN_PROBE", 10)         # the newest 10: all match
    monkeypatch.setattr(fulltext, "SCAN_WINDOW", 15)        # but the window holds 10 of 30 matches
    found = page_ids(catalog, "Antrag", 15)
    assert len(found) == len(set(found)) == 15
    assert set(ids[-10:]) <= set(found) and set(found) <= set(ids[:20] + ids[-10:])
    assert sorted(page_ids(catalog, "Antrag", 100)) == sorted(ids[:20] + ids[-10:])
    result = catalog.find(SearchQuery("Antrag", limit=50))
    assert result.total_exact and result.total == 30


def test_sparse_matches_take_the_index_and_filters_stay_inside(make_catalog):
    catalog = make_catalog()
    for n in range(40):
        add(catalog, f"doc-{n:02}", "Antrag" if n % 13 == 0 else "Bescheid", case_number=f"ABH-2024-{n % 2:05}")
    assert len(page_ids(catalog, "Antrag", 10)) == 4
    result = catalog.find(SearchQuery("Antrag", case_numbers=("ABH-2024-00000",)))
    assert {h.id for h in result.hits} == {"doc-00", "doc-26"} and result.total_exact


def test_a_phrase_is_probed_however_rare_the_planner_thinks_it(make_catalog, dense):
    catalog = make_catalog()       # each word on a third of the pages: the planner expects 0.2 % of them
    for n in range(90):
        add(catalog, f"doc-{n:02}", "Sehr geehrte Damen und Herren" if n % 3 == 0 else f"Mietvertrag {n}")
    assert page_ids(catalog, '"Sehr geehrte Damen und Herren"', 5) == all_page_ids(catalog)[::-1][2::3][:5]
