"""Phrases and ranking without word positions: PostgreSQL's index keeps each word of a page once,
without positions (fulltext.PostgresFullText), so a phrase is checked against the page text
(phrases.py) and the term frequency comes from the strong-word tokens.

Each test runs on SQLite (FTS5 decides phrases in its index: the reference) and PostgreSQL
(`make_catalog` from test_search)."""

from __future__ import annotations

from sqlalchemy import text

from dms_ingest.index import fulltext, search
from dms_ingest.index.analysis import ANALYSER_VERSION
from dms_ingest.index.folding import keys
from dms_ingest.index.phrases import holds_phrase
from dms_ingest.index.query import SearchQuery

from .test_search import add, make_catalog  # noqa: F401  (the fixture, per backend)

FILLER = " ".join(f"Wort{i}" for i in range(150))     # a long page: one word weighs little there


def ids(hits) -> set[str]:
    return {h.id for h in hits}


def test_a_phrase_needs_its_words_in_order_and_an_excluded_phrase_only_the_phrase(make_catalog):
    catalog = make_catalog()
    add(catalog, "phrase", "Antrag auf Änderung der Auflage")
    add(catalog, "reversed", "Änderung auf Antrag der Behörde")
    add(catalog, "apart", "Antrag vom Montag, Termin auf Mittwoch")
    add(catalog, "second-page", "Antrag vom Montag", "Der Antrag auf Verlängerung")
    add(catalog, "lease", "Mietvertrag der Wohnung")
    assert ids(catalog.search('"Antrag auf"')) == {"phrase", "second-page"}
    assert ids(catalog.search('"auf Antrag"')) == {"reversed"}
    assert ids(catalog.search('Antrag NOT "Antrag auf"')) == {"reversed", "apart"}   # any page: whole document
    assert ids(catalog.search('"Antrag auf" OR Mietvertrag')) == {"phrase", "second-page", "lease"}
    assert ids(catalog.search('"auf Antrag" OR Miet*')) == {"reversed", "lease"}
    assert ids(catalog.search('"auf Antrag" OR vertrag')) == {"reversed", "lease"}        # a compound's part
    assert ids(catalog.search('"auf Antrag" OR "vertrag"')) == {"reversed"}               # quoted: the word only
    assert ids(catalog.search('"Antrag auf" Verlängerung')) == {"second-page"}
    result = catalog.find(SearchQuery('"Antrag auf"'))
    assert result.total == 2 and result.total_exact and result.facets == {"": 2}


def test_phrase_candidates_beyond_the_ranked_ones_leave_the_total_an_estimate(make_catalog):
    """Most pages hold the words but not the phrase."""
    catalog = make_catalog()
    for n in range(24):
        add(catalog, f"words-{n:02}", f"Auflage {n}: der Antrag kam per Post, auf Papier")
        if n % 8 == 3:
            add(catalog, f"phrase-{n:02}", f"Der Antrag auf Verlängerung, Nummer {n}")
    catalog.rank_limit = 30             # all 27 pages holding the words ranked and checked: a count
    result = catalog.find(SearchQuery('"Antrag auf"', limit=5))
    assert result.total == 3 and result.total_exact
    assert ids(result.hits) == {"phrase-03", "phrase-11", "phrase-19"}
    # 10 ranked pages and the 10 newest (PostgreSQL): only phrase pages shown, the total no count.
    catalog.rank_limit = 10
    result = catalog.find(SearchQuery('"Antrag auf"', limit=5))
    assert result.hits and ids(result.hits) <= {"phrase-03", "phrase-11", "phrase-19"}
    assert result.total_exact == catalog.is_sqlite
    if not result.total_exact:          # an estimate, scaled by the share of checked pages holding it
        answer = result.to_json()
        assert answer["total_is_estimate"] and answer["total_estimate"] < 24


def test_a_page_of_phrase_hits_checks_only_what_it_needs_and_is_the_first_of_the_ranking(make_catalog, monkeypatch):
    """Checked in rank order until the page of results is full (PostgreSQL): the hits and their
    order are those of checking every candidate, on the first page and the next."""
    catalog = make_catalog()
    for n in range(30):
        add(catalog, f"words-{n:02}", f"Der Antrag vom {n}. Mai kam auf Papier")
        add(catalog, f"phrase-{n:02}", f"Der Antrag auf Verlängerung {n}" + " Antrag" * (n % 4))
    every = [h.id for h in catalog.find(SearchQuery('"Antrag auf"', limit=30)).hits]
    assert len(every) == 30 and set(every) == {f"phrase-{n:02}" for n in range(30)}
    checked: list[int] = []

    def counted(conn, check, page_ids):
        checked.extend(page_ids)
        return fulltext.check_pages(conn, check, page_ids)
    monkeypatch.setattr(search, "check_pages", counted)
    monkeypatch.setattr(search, "PHRASE_COUNT_CHECKS", 0)      # too many to count: checked as needed
    first = catalog.find(SearchQuery('"Antrag auf"', limit=3))
    checked_first = len(checked)
    second = catalog.find(SearchQuery('"Antrag auf"', limit=3, offset=3))
    assert [h.id for h in first.hits] == every[:3] and [h.id for h in second.hits] == every[3:6]
    if not catalog.is_sqlite:
        assert not first.total_exact and 3 <= first.total < 30 <= first.to_json()["total_estimate"] + 5
        assert 0 < checked_first < 30       # of the 60 pages holding the words


def test_the_word_weighs_by_how_often_it_stands_and_above_a_compound_part(make_catalog):
    catalog = make_catalog()
    add(catalog, "once", f"Bescheid über die Erlaubnis. {FILLER}")
    add(catalog, "part", f"Bescheid über die Aufenthaltserlaubnis, Aufenthaltserlaubnis. {FILLER}")
    # The longer page (more words beside the filler) but the word three times: first.
    add(catalog, "three", f"Erlaubnis, Erlaubnis und Erlaubnis zum Antrag vom Montag mit Post. {FILLER}")
    assert [h.id for h in catalog.search("Erlaubnis")] == ["three", "once", "part"]
    assert [h.id for h in catalog.search('"Erlaubnis"')] == ["three", "once"]          # quoted: the word only
    assert [h.id for h in catalog.search("Erlaubnis Bescheid")] == ["once", "part"]


def test_an_index_of_the_earlier_layout_is_rebuilt(make_catalog):
    """PostgreSQL's index before words lost their positions (the analyser's version without the
    suffix "v") is rebuilt when opened (small) or refuses search until `dms reindex` (catalog.py);
    SQLite's layout did not change."""
    catalog = make_catalog()
    add(catalog, "phrase", "Antrag auf Änderung")
    with catalog.engine.begin() as conn:
        conn.execute(text("UPDATE search_state SET value = :v WHERE name = 'analyser'"), {"v": str(ANALYSER_VERSION)})
    reopened = make_catalog()
    with reopened.engine.begin() as conn:
        version = conn.execute(text("SELECT value FROM search_state WHERE name = 'analyser'")).scalar()
        vector = None if reopened.is_sqlite else conn.execute(text("SELECT tsv::text FROM pages")).scalar()
    assert version == str(ANALYSER_VERSION) + ("" if reopened.is_sqlite else "vcp")
    assert vector is None or ("'antrag'" in vector.split() and ":1" not in vector)
    assert ids(reopened.search('"Antrag auf"')) == {"phrase"}


def test_holds_phrase_finds_a_phrase_anywhere_and_only_in_order():
    words = keys("Der Antrag, der Antrag auf Änderung.")
    assert holds_phrase(words, ("antrag", "auf", "anderung"))
    assert holds_phrase(words, ("der", "antrag"))
    assert not holds_phrase(words, ("auf", "antrag"))
    assert not holds_phrase(words, ("anderung", "der"))


def test_a_phrase_spelled_otherwise_than_asked_is_found_by_its_keys():
    from dms_ingest.index.phrases import PhraseCheck
    from dms_ingest.index.query import parse

    check = PhraseCheck(parse('"mit freundlichen Grüßen"'))
    assert check("Mit freundlichen Grüßen, Ihre Behörde")             # as asked, in another case
    assert check("MIT FREUNDLICHEN GRUESSEN")                          # folded to the same keys
    assert not check("mit freundlichen, aber ohne Grüße")
    assert not check("mit unfreundlichen Grüßen")                      # a word's end is no word
    assert PhraseCheck(parse('"brahim Yilmaz"'))("İbrahim Yılmaz") is False     # "İ" lowers to two characters
    assert PhraseCheck(parse('"ibrahim yilmaz"'))("İbrahim Yılmaz")
