"""Full-text search: the same findings on SQLite and PostgreSQL, German spelling, filters, paging.

Every test that takes `make_catalog` runs once per backend; PostgreSQL gets a throwaway database
for the session and a fresh schema for each test.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, text

from dms_ingest.index.catalog import Catalog
from dms_ingest.index.folding import fold_plain, fold_translit, word_key
from dms_ingest.index.models import CaseRow, DocumentRow, PageRow
from dms_ingest.index.query import SearchQuery, parse
from dms_ingest.index.snippets import make_snippet

TEXTS = {
    "d-strasse": "Wohnhaft in der Goethe Straße 12 (Hauptstraße), 12345 Musterstadt.",
    "d-aenderung": "Antrag auf Änderung der Nebenbestimmung gemäß § 12 AufenthG.",
    "d-mietvertrag": "Mietvertrag über Wohnraum zwischen Frau Özdemir und Herrn Groß.",
    "d-case": "Ihr Zeichen: ABH-2019-04711, Bescheid vom 03.04.2024",
}


@pytest.fixture(params=["sqlite", "postgresql"])
def make_catalog(request, tmp_path):
    """Returns a function making an empty Catalog on this test's backend."""
    made: list[Catalog] = []
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'index.sqlite'}"
    else:
        url = request.getfixturevalue("pg_session_url")
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()

    def make() -> Catalog:
        made.append(Catalog(url))
        return made[-1]

    yield make
    for catalog in made:
        catalog.engine.dispose()


def add(catalog: Catalog, doc_id: str, *pages: str, **fields) -> None:
    fields.setdefault("original_sha256", doc_id * 2)
    catalog.add_document(DocumentRow(id=doc_id, source=f"{doc_id}.pdf", **fields),
                         [PageRow(document_id=doc_id, number=n, text=t) for n, t in enumerate(pages, 1)])


@pytest.fixture
def catalog(make_catalog) -> Catalog:
    catalog = make_catalog()
    for doc_id, page_text in TEXTS.items():
        add(catalog, doc_id, page_text)
    return catalog


def ids(hits) -> set[str]:
    return {h.id for h in hits}


@pytest.mark.parametrize("query, expected", [
    ("Strasse", {"d-strasse"}),
    ("Straße", {"d-strasse"}),
    ("hauptstrasse", {"d-strasse"}),
    ("Aenderung", {"d-aenderung"}),
    ("Änderung", {"d-aenderung"}),
    ("Anderung", {"d-aenderung"}),
    ("Oezdemir", {"d-mietvertrag"}),
    ("Gross", {"d-mietvertrag"}),
    ("ABH-2019-04711", {"d-case"}),
    ("Miet*", {"d-mietvertrag"}),
    ('"Antrag auf Änderung"', {"d-aenderung"}),
    ("Bescheid OR Mietvertrag", {"d-case", "d-mietvertrag"}),
    ("Antrag -Mietvertrag", {"d-aenderung"}),
    ("Antrag NOT Mietvertrag", {"d-aenderung"}),
    ("Bescheid NOT Antrag", {"d-case"}),
    ("vertrag", {"d-mietvertrag"}),                     # a compound's part finds the compound
    ('"vertrag"', set()),                               # quoted: the exact word only
    ('"auf Antrag"', set()),                            # a phrase is not two words anywhere
    ("2019", {"d-case"}),
    ("Musterstat~", {"d-strasse"}),                     # fuzzy: one letter wrong
])
def test_german_spellings_find_each_other(catalog, query, expected):
    assert ids(catalog.search(query)) == expected


@pytest.mark.parametrize("query", ['"', '""', "(", ")", "*", "AND", "OR", "NOT", "-", "a AND", "NEAR(a b)",
                                   "^x", "col:val", "'; DROP TABLE documents; --", "\\", "§", "∑∂", "a\x00b",
                                   '"unbalanced', "*Strasse", "Strasse)", "words : x", "meta:zz", "a:*", "'a' & !b",
                                   "x <-> y", "~", "Strasse~9", "-Strasse", "NOT Strasse", "OR Strasse", "x OR"])
def test_query_syntax_never_crashes(catalog, query):
    hits = catalog.search(query)
    assert isinstance(hits, list)
    assert len(catalog.documents()) == 4  # and nothing was dropped


def test_only_negated_words_find_nothing(catalog):
    assert catalog.search("-Strasse") == [] and catalog.search("NOT Strasse") == []


@pytest.mark.parametrize("typed", ["„Antrag auf“", "“Antrag auf”", "«Antrag auf»", '"Antrag auf"'])
def test_typographic_quotation_marks_make_a_phrase_for_every_front_end(make_catalog, typed):
    """The CLI, the API and the pages share this parser: „…“ from a German keyboard is a phrase."""
    assert parse(typed) == parse('"Antrag auf"') and len(parse(typed).required) == 1
    catalog = make_catalog()
    add(catalog, "ordered", "Antrag auf Verlängerung")
    add(catalog, "turned", "auf den Antrag")
    assert ids(catalog.search(typed)) == {"ordered"}


def test_snippet_marks_the_hit_in_original_spelling():
    text = "Die Änderung betrifft die Hauptstraße."
    query = parse("Aenderung strasse").words()
    snippet = make_snippet(text, query)
    assert "[Änderung]" in snippet.text and "Haupt[straße]" in snippet.text
    assert "<mark>Änderung</mark>" in snippet.html


def test_snippet_escapes_page_text_in_html():
    snippet = make_snippet("<script>alert(1)</script> Antrag", parse("Antrag").words())
    assert "<script>" not in snippet.html and "<mark>Antrag</mark>" in snippet.html


def test_folding_forms():
    assert fold_translit("Änderung Straße Yılmaz") == "aenderung strasse yilmaz"
    assert fold_plain("Änderung Straße Yılmaz") == "anderung strasse yilmaz"
    assert word_key("Änderung") == word_key("Aenderung") == word_key("Anderung") == "anderung"
    assert word_key("Straße") == word_key("STRASSE")


def test_search_reports_id_score_and_snippet(catalog):
    [hit] = catalog.search("Musterstadt")
    assert hit.id == "d-strasse" and hit.score > 0 and "[Musterstadt]" in hit.snippet and hit.page == 1


def test_compound_part_ranks_below_the_exact_word(make_catalog):
    catalog = make_catalog()
    add(catalog, "compound", "Die Aufenthaltserlaubnis wurde am Montag verlängert.")
    add(catalog, "exact", "Die Erlaubnis wurde am Montag erteilt.")
    add(catalog, "other", "Der Mietvertrag liegt bei.")
    assert [h.id for h in catalog.search("erlaubnis")] == ["exact", "compound"]
    assert [h.id for h in catalog.search("Aufenthaltserlaubnis")] == ["compound"]
    assert [h.id for h in catalog.search("Aufenthalt*")] == ["compound"]      # the first part: a prefix
    assert [h.id for h in catalog.search("Aufenthalt")] == []


def test_ocr_lost_umlaut_and_fuzzy_names(make_catalog):
    catalog = make_catalog()
    add(catalog, "ocr", "Antrag auf Verlangerung der Aufenthaltserlaubnis")      # OCR lost the umlaut
    add(catalog, "muhammad", "Herr Muhammad Yılmaz, geboren 01.02.1990")
    add(catalog, "mohammad", "Herr Mohammad Yilmaz wohnt in Köln")
    add(catalog, "ocr-error", "Aufenthaltserlaubnls für Herrn Meier")           # OCR: i read as l
    assert ids(catalog.search("Verlängerung")) == {"ocr"}
    assert ids(catalog.search("Yilmaz")) == {"muhammad", "mohammad"}
    assert ids(catalog.search("Mohammed")) == set()
    assert ids(catalog.search("Mohammed~")) == {"muhammad", "mohammad"}
    assert ids(catalog.search("Aufenthaltserlaubnis~")) == {"ocr", "ocr-error"}


def _filtered_archive(catalog: Catalog) -> None:
    catalog.replace_cases([CaseRow(case_number="ABH-2024-00001", surname="Meier", team="A-K"),
                           CaseRow(case_number="ABH-2024-00002", surname="Schulz", team="L-Z"),
                           CaseRow(case_number="ABH-2024-00003", surname="Yilmaz", team="L-Z")])
    day = datetime(2024, 3, 1, 10, tzinfo=timezone.utc)
    for n, (case, doc_type, review) in enumerate([
            ("ABH-2024-00001", "antrag", False), ("ABH-2024-00001", "bescheid", False),
            ("ABH-2024-00002", "antrag", True), ("ABH-2024-00003", "mietvertrag", False),
            (None, "antrag", True)]):
        add(catalog, f"doc-{n}", f"Antrag Nummer {n} zur Aufenthaltserlaubnis", f"Seite zwei {n}",
            case_number=case, doc_type=doc_type, review=review, created_at=day.replace(day=1 + n))


@pytest.mark.parametrize("filters, expected", [
    ({}, {0, 1, 2, 3, 4}),
    ({"case_numbers": ("ABH-2024-00001",)}, {0, 1}),
    ({"doc_types": ("antrag",)}, {0, 2, 4}),
    ({"doc_types": ("antrag", "bescheid")}, {0, 1, 2, 4}),
    ({"review": True}, {2, 4}),
    ({"received_from": date(2024, 3, 2), "received_to": date(2024, 3, 4)}, {1, 2, 3}),
    ({"received_from": date(2024, 3, 4)}, {3, 4}),
    ({"received_to": date(2024, 2, 29)}, set()),
    ({"allowed_cases": frozenset({"ABH-2024-00002"}), "include_unassigned": False}, {2}),
    ({"allowed_cases": frozenset({"ABH-2024-00002"})}, {2, 4}),
    ({"allowed_cases": frozenset(), "include_unassigned": False}, set()),
    ({"allowed_teams": frozenset({"L-Z"}), "include_unassigned": False}, {2, 3}),
    ({"allowed_teams": frozenset({"A-K"}), "allowed_cases": frozenset({"ABH-2024-00003"}),
      "include_unassigned": False}, {0, 1, 3}),
    ({"allowed_teams": frozenset({"A-K"}), "include_unassigned": False, "doc_types": ("bescheid",)}, {1}),
])
def test_filters_apply_inside_the_query(make_catalog, filters, expected):
    catalog = make_catalog()
    _filtered_archive(catalog)
    result = catalog.find(SearchQuery("Aufenthaltserlaubnis", **filters))
    assert {h.id for h in result.hits} == {f"doc-{n}" for n in expected}
    assert result.total == len(expected) and result.total_exact


def test_facets_count_documents_per_type(make_catalog):
    catalog = make_catalog()
    _filtered_archive(catalog)
    result = catalog.find(SearchQuery("Antrag", allowed_teams=frozenset({"A-K", "L-Z"})))
    assert result.facets == {"antrag": 3, "bescheid": 1, "mietvertrag": 1}
    assert {h.page for h in result.hits} == {1}


def test_paging_is_stable_and_complete(make_catalog):
    catalog = make_catalog()
    for n in range(7):
        add(catalog, f"doc-{n}", "Bescheid " + "Bescheid " * (n % 3) + f"Nummer {n}")
    seen = []
    for offset in range(0, 8, 3):
        result = catalog.find(SearchQuery("Bescheid", limit=3, offset=offset))
        assert result.total == 7
        seen += [h.id for h in result.hits]
    assert sorted(seen) == [f"doc-{n}" for n in range(7)]
    assert seen == [h.id for h in catalog.find(SearchQuery("Bescheid", limit=10)).hits]


def test_metadata_changes_move_the_document_between_filters(make_catalog):
    catalog = make_catalog()
    _filtered_archive(catalog)
    catalog.update_document("doc-4", "tester", "review_assigned", case_number="ABH-2024-00003", review=False)
    assert ids(catalog.find(SearchQuery("Antrag", case_numbers=("ABH-2024-00003",))).hits) == {"doc-3", "doc-4"}
    assert ids(catalog.find(SearchQuery("Antrag", review=True)).hits) == {"doc-2"}
    catalog.delete_document("doc-3", "tester", "test")
    assert ids(catalog.find(SearchQuery("Antrag", case_numbers=("ABH-2024-00003",))).hits) == {"doc-4"}
    assert ids(catalog.search("Antrag")) == {"doc-0", "doc-1", "doc-2", "doc-4"}


def test_common_words_rank_a_bounded_candidate_set(make_catalog):
    catalog = make_catalog()
    filler = " ".join(f"Wort{i}" for i in range(150))  # long pages: one "Antrag" weighs little there
    for n in range(30):
        add(catalog, f"doc-{n:02}", f"Bescheid über den Antrag vom Montag. {filler}")
    add(catalog, "strong", "Antrag Antrag Antrag: drei Anträge zum Antrag.")
    catalog.rank_limit = 10                     # 31 matches: more than may be ranked
    result = catalog.find(SearchQuery("Antrag", limit=5))
    assert not result.total_exact and result.total >= 10
    assert result.hits[0].id == "strong"
    answer = result.to_json()
    assert answer["total_is_estimate"] and answer["total_estimate"] >= answer["total"] == result.total
    assert catalog.find(SearchQuery("Antrag", limit=5, case_numbers=("none",))).total == 0


def test_reindex_resumes_and_finds_the_same(make_catalog):
    catalog = make_catalog()
    for n in range(9):
        add(catalog, f"doc-{n}", f"Mietvertrag Nummer {n}", "Zweite Seite mit der Aufenthaltserlaubnis")
    before = [(h.id, h.page) for h in catalog.find(SearchQuery("erlaubnis OR Mietvertrag", limit=50)).hits]

    class Interrupted(Exception):
        pass

    def stop_after_first_batch(done, total):
        if done:
            raise Interrupted
    with pytest.raises(Interrupted):
        catalog.reindex(progress=stop_after_first_batch, batch=4)
    assert 0 < len(catalog.search("Aufenthaltserlaubnis", limit=50)) < 9   # half rebuilt
    reopened = make_catalog()                   # a new process picks the run up
    progress = []
    assert reopened.reindex(progress=lambda done, total: progress.append((done, total)), batch=4) == 14
    assert progress[0] == (4, 18) and progress[-1] == (18, 18)
    assert [(h.id, h.page) for h in reopened.find(SearchQuery("erlaubnis OR Mietvertrag", limit=50)).hits] == before


def test_both_backends_find_the_same(tmp_path, pg_session_url):  # noqa: F811 - fixture
    engine = create_engine(pg_session_url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    catalogs = [Catalog(f"sqlite:///{tmp_path / 'index.sqlite'}"), Catalog(pg_session_url)]
    texts = ["Bescheid über die Verlängerung der Aufenthaltserlaubnis", "Mietvertrag für die Wohnung in der Hauptstraße",
             "Antrag auf Niederlassungserlaubnis, Aktenzeichen ABH-2021-00017", "Gehaltsnachweis März 2024",
             "Meldebescheinigung der Stadt Musterstadt", "Krankenversicherung: Bescheinigung der AOK"]
    for catalog in catalogs:
        for n, page_text in enumerate(texts):
            add(catalog, f"doc-{n}", page_text)
    for query in ["erlaubnis", "Bescheid", "bescheinigung", "Miet*", '"der Aufenthaltserlaubnis"', "ABH-2021-00017",
                  "Hauptstrasse OR Gehaltsnachweis", "der -Wohnung", "Versicherung", "Meldebescheinigng~"]:
        found = [[h.id for h in c.find(SearchQuery(query)).hits] for c in catalogs]
        assert found[0] == found[1], query
    for catalog in catalogs:
        catalog.engine.dispose()


def test_cli_search_json_filters_and_reindex(dms, settings):
    catalog = Catalog(settings.index_url)
    _filtered_archive(catalog)
    hits = dms.json_lines("search", "Aufenthaltserlaubnis", "--case", "ABH-2024-00001", "--type", "bescheid")
    assert [h["id"] for h in hits] == ["doc-1"]
    assert {"id", "score", "snippet", "page", "doc_type", "case_number", "source"} <= set(hits[0])
    assert "[Aufenthaltserlaubnis]" in hits[0]["snippet"]
    assert [h["id"] for h in dms.json_lines("search", "Antrag", "--from", "2024-03-04", "--review")] == ["doc-4"]
    [summary] = dms.json_lines("reindex")
    assert summary["pages"] == 10 and summary["bytes_per_page"] > 0
    assert len(dms.json_lines("search", "Antrag", "--limit", "2", "--offset", "4")) == 1
    result = dms("search", "Antrag")
    assert result.exit_code == 0 and "5 documents (antrag 3, bescheid 1, mietvertrag 1)" in result.stdout


def test_filters_alone_list_a_case_newest_first(make_catalog):
    catalog = make_catalog()
    _filtered_archive(catalog)
    result = catalog.find(SearchQuery("", case_numbers=("ABH-2024-00001",)))
    assert [h.id for h in result.hits] == ["doc-1", "doc-0"] and result.total == 2
    assert ids(catalog.find(SearchQuery("-Nummer", doc_types=("antrag",))).hits) == set()   # any page: whole document
    assert ids(catalog.find(SearchQuery("-Mietvertrag", case_numbers=("ABH-2024-00003",))).hits) == {"doc-3"}
    assert catalog.find(SearchQuery("")).total == 0


def test_received_range_in_office_time_is_exact(make_catalog):
    catalog = make_catalog()
    _filtered_archive(catalog)                  # received 1-5 March 2024, 10:00 UTC
    berlin = timezone(timedelta(hours=1))
    start = datetime(2024, 3, 3, 0, 0, tzinfo=berlin)      # 2 March 23:00 UTC: the 2nd is not in it
    end = datetime(2024, 3, 4, 10, 30, tzinfo=berlin)      # 09:30 UTC: before the 4th's document
    assert ids(catalog.find(SearchQuery("Antrag", received_from=start, received_to=end)).hits) == {"doc-2"}


@pytest.mark.parametrize("received_utc, office_day", [
    (datetime(2024, 3, 3, 23, 30, tzinfo=timezone.utc), date(2024, 3, 4)),     # 00:30 CET
    (datetime(2024, 7, 1, 22, 30, tzinfo=timezone.utc), date(2024, 7, 2)),     # 00:30 CEST
    (datetime(2024, 7, 1, 21, 30, tzinfo=timezone.utc), date(2024, 7, 1)),     # 23:30 CEST
])
def test_a_received_day_is_the_office_day(make_catalog, received_utc, office_day):
    """A clerk's "received on" is a Berlin day: a letter scanned at 00:30 local time belongs to
    that day, not to the UTC day before it (the day tokens and the row check both)."""
    catalog = make_catalog()
    add(catalog, "late", "Antrag auf Verlängerung", created_at=received_utc)
    on_day = catalog.find(SearchQuery("Antrag", received_from=office_day, received_to=office_day))
    assert ids(on_day.hits) == {"late"} and on_day.hits[0].received == office_day.isoformat()
    day_before = office_day - timedelta(days=1)
    assert ids(catalog.find(SearchQuery("Antrag", received_from=day_before, received_to=day_before)).hits) == set()
    assert ids(catalog.find(SearchQuery("", received_from=office_day, received_to=office_day)).hits) == {"late"}


def test_a_prefix_finds_the_same_expanded_into_words_or_not(make_catalog, monkeypatch):
    from dms_ingest.index import search

    catalog = make_catalog()
    add(catalog, "a", "Mietvertrag und Mieterhöhung")
    add(catalog, "b", "Die Wohnungsmiete ist gestiegen")
    add(catalog, "c", "Miete")
    add(catalog, "d", "Vermieter")
    expanded = [h.id for h in catalog.search("Miet*")]
    monkeypatch.setattr(search, "PREFIX_EXPANSIONS", 0)      # more words than may be expanded: a prefix query
    assert sorted(expanded) == sorted(h.id for h in catalog.search("Miet*")) == ["a", "b", "c"]
