"""Compound parts found at query time on PostgreSQL: page vectors hold no part lexemes; the part
vocabulary search_parts (part → compound words, compound_lookup.py) turns a part of the query into
the compounds holding it. SQLite indexes parts in FTS5 and is the reference: each behaviour test
runs on both backends (`make_catalog` from test_search)."""

from __future__ import annotations

from sqlalchemy import text

from dms_ingest.index import compound_lookup, search

from .test_search import add, make_catalog  # noqa: F401  (the fixture, per backend)


def ids(hits) -> set[str]:
    return {h.id for h in hits}


def _archive(catalog) -> None:
    add(catalog, "lease", "Der Mietvertrag liegt bei.")
    add(catalog, "work", "Arbeitsvertrag und Lohnabrechnung")
    add(catalog, "contract", "Der Vertrag wurde geschlossen.")
    add(catalog, "permit", "Die Aufenthaltserlaubnis wurde verlängert.")


def test_a_part_finds_its_compounds_and_excluding_it_leaves_them_out(make_catalog):
    catalog = make_catalog()
    _archive(catalog)
    assert [h.id for h in catalog.search("vertrag")][0] == "contract"            # the word first
    assert ids(catalog.search("vertrag")) == {"contract", "lease", "work"}
    assert ids(catalog.search('"vertrag"')) == {"contract"}                      # quoted: the word only
    assert ids(catalog.search("vertrag~")) == {"contract"}                       # fuzzy: words only
    assert ids(catalog.search("Der -vertrag")) == set()                          # NOT a part: its compounds too
    assert ids(catalog.search("vertrag -Mietvertrag")) == {"contract", "work"}
    assert ids(catalog.search("vertrag OR erlaubnis")) == {"contract", "lease", "work", "permit"}
    assert ids(catalog.search("Lohnabrechnung vertrag")) == {"work"}


def test_a_prefix_of_many_words_still_finds_compounds_by_their_parts(make_catalog, monkeypatch):
    """A prefix standing for more words than PREFIX_EXPANSIONS is asked as a prefix: on PostgreSQL
    the compounds whose parts begin with it come from the part vocabulary."""
    monkeypatch.setattr(search, "PREFIX_EXPANSIONS", 0)
    catalog = make_catalog()
    _archive(catalog)
    assert ids(catalog.search("vertr*")) == {"contract", "lease", "work"}
    assert ids(catalog.search("erlaub*")) == {"permit"}


def test_postgresql_vectors_hold_no_parts_and_the_vocabulary_is_rebuilt(make_catalog):
    catalog = make_catalog()
    if catalog.is_sqlite:
        return                                  # FTS5's layout keeps its parts column
    _archive(catalog)
    with catalog.engine.connect() as conn:
        vector = conn.execute(text("SELECT tsv::text FROM pages ORDER BY id LIMIT 1")).scalar()
        pairs = set(conn.execute(text("SELECT part, word FROM search_parts")).all())
    assert "'mietvertrag'" in vector.split() and "'vertrag'" not in vector.split()
    assert {("vertrag", "mietvertrag"), ("vertrag", "arbeitsvertrag"), ("erlaubnis", "aufenthaltserlaubnis")} <= pairs
    catalog.reindex()
    with catalog.engine.connect() as conn:
        assert set(conn.execute(text("SELECT part, word FROM search_parts")).all()) == pairs
    assert ids(catalog.search("vertrag")) == {"contract", "lease", "work"}


def test_a_query_asks_for_at_most_the_bound_of_compounds_the_shortest_first(make_catalog, monkeypatch):
    """PostgreSQL: a part with more compounds than COMPOUND_EXPANSIONS finds only the shortest;
    the others are found by their own word (SQLite's FTS5 finds them all)."""
    monkeypatch.setattr(compound_lookup, "COMPOUND_EXPANSIONS", 1)
    catalog = make_catalog()
    _archive(catalog)
    expected = {"contract", "lease", "work"} if catalog.is_sqlite else {"contract", "lease"}
    assert ids(catalog.search("vertrag")) == expected
    assert ids(catalog.search("Arbeitsvertrag")) == {"work"}
