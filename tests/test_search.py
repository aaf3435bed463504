"""Full-text search suits German spelling and never breaks on odd user input."""

from __future__ import annotations

import pytest

from dms_ingest.index.catalog import Catalog
from dms_ingest.index.folding import fold_plain, fold_translit, fts_query, snippet
from dms_ingest.index.models import DocumentRow, PageRow

TEXTS = {
    "d-strasse": "Wohnhaft in der Goethe Straße 12 (Hauptstraße), 12345 Musterstadt.",
    "d-aenderung": "Antrag auf Änderung der Nebenbestimmung gemäß § 12 AufenthG.",
    "d-mietvertrag": "Mietvertrag über Wohnraum zwischen Frau Özdemir und Herrn Groß.",
    "d-case": "Ihr Zeichen: ABH-2019-04711, Bescheid vom 03.04.2024",
}


@pytest.fixture
def catalog(tmp_path) -> Catalog:
    catalog = Catalog(f"sqlite:///{tmp_path / 'index.sqlite'}")
    for doc_id, text in TEXTS.items():
        catalog.add_document(DocumentRow(id=doc_id, source=f"{doc_id}.pdf", original_sha256=doc_id * 2),
                             [PageRow(document_id=doc_id, number=1, text=text)])
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
])
def test_german_spellings_find_each_other(catalog, query, expected):
    assert ids(catalog.search(query)) == expected


@pytest.mark.parametrize("query", ['"', '""', "(", ")", "*", "AND", "OR", "NOT", "-", "a AND", "NEAR(a b)",
                                   "^x", "col:val", "'; DROP TABLE documents; --", "\\", "§", "∑∂", "a\x00b",
                                   '"unbalanced', "*Strasse", "Strasse)"])
def test_fts_syntax_never_crashes(catalog, query):
    hits = catalog.search(query)
    assert isinstance(hits, list)
    assert len(catalog.documents()) == 4  # and nothing was dropped


def test_snippet_marks_the_hit_in_original_spelling():
    text = "Die Änderung betrifft die Hauptstraße."
    assert "[Änderung]" in snippet(text, "Aenderung")
    assert "[straße]" in snippet(text, "strasse")


def test_folding_forms():
    assert fold_translit("Änderung Straße Yılmaz") == "aenderung strasse yilmaz"
    assert fold_plain("Änderung Straße Yılmaz") == "anderung strasse yilmaz"


def test_search_reports_id_score_and_snippet(catalog):
    [hit] = catalog.search("Musterstadt")
    assert hit.id == "d-strasse" and hit.score > 0 and "[Musterstadt]" in hit.snippet
