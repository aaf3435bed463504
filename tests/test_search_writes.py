"""The write path of search (`Catalog.add_document` through the driver): rows as the ORM reads them,
search entries equal to what `dms reindex` writes, on both backends (fixtures of test_search)."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from sqlalchemy import text

from dms_ingest.index.models import DocumentRow, PageRow
from dms_ingest.index.page_writes import PREPARED_MAX_PAGES
from dms_ingest.index.query import SearchQuery

from .test_search import make_catalog  # noqa: F401 - fixture (both backends)

QUERIES = [SearchQuery(q, limit=50) for q in ("Aufenthaltserlaubnis", "erlaubnis", '"Antrag auf Verlängerung"', "Miet*",
                                              "Strasse", "Ozdemir~", "Antrag -Mietvertrag", "vertrag OR Bescheid")]
QUERIES += [SearchQuery("Antrag", case_numbers=("ABH-2024-00002",), limit=50),
            SearchQuery("", doc_types=("bescheid",), review=True, limit=50)]


def _archive(catalog) -> None:
    received = datetime(2024, 3, 1, 9, 30, tzinfo=timezone.utc)
    texts = [["Antrag auf Verlängerung der Aufenthaltserlaubnis", "Anlage: Mietvertrag, Goethestraße 4"],
             ["Bescheid über die Niederlassungserlaubnis für Frau Özdemir"],
             ["Antrag auf Erteilung", "Seite zwei", "Arbeitsvertrag und Gehaltsnachweis"]]
    for n, pages in enumerate(texts * 3):
        doc_id = f"doc-{n}"
        catalog.add_document(
            DocumentRow(id=doc_id, source=f"{doc_id}.pdf", original_sha256=doc_id * 2, pages=len(pages),
                        doc_type=["antrag", "bescheid"][n % 2], case_number=f"ABH-2024-0000{n % 4}",
                        review=n % 3 == 0, created_at=received, updated_at=received, title=f"Titel {n}"),
            [PageRow(document_id=doc_id, number=i, text=t, ocr_confidence=91.5, blank=False, rotation=90,
                     skew=0.25, colour="grey") for i, t in enumerate(pages, 1)],
            actor="pipeline", detail={"source": f"{doc_id}.pdf"})


def _results(catalog) -> list:
    return [[(h.id, h.page, h.snippet) for h in catalog.find(query).hits] for query in QUERIES]


def test_added_rows_read_back_as_written(make_catalog):
    catalog = make_catalog()
    _archive(catalog)
    doc = catalog.get("doc-3")
    assert (doc.doc_type, doc.case_number, doc.review, doc.title, doc.pages) == ("bescheid", "ABH-2024-00003", True,
                                                                                 "Titel 3", 2)
    assert doc.created_at.replace(tzinfo=timezone.utc) == datetime(2024, 3, 1, 9, 30, tzinfo=timezone.utc)
    pages = catalog.pages("doc-2")
    assert [(p.number, p.text[:6], p.ocr_confidence, p.rotation, p.skew, p.colour, p.blank) for p in pages] == [
        (1, "Antrag", 91.5, 90, 0.25, "grey", False), (2, "Seite ", 91.5, 90, 0.25, "grey", False),
        (3, "Arbeit", 91.5, 90, 0.25, "grey", False)]
    assert len({p.id for d in range(9) for p in catalog.pages(f"doc-{d}")}) == 18
    [event] = [e for e in catalog.audit("doc-2") if e.action == "archived"]
    assert event.actor == "pipeline" and json.loads(event.detail) == {"source": "doc-2.pdf"}


def test_page_ids_given_back_match_the_stored_pages(make_catalog):
    catalog = make_catalog()
    pages = [PageRow(document_id="d", number=n, text=f"Seite {n} Wort{n}") for n in (3, 1, 2)]
    catalog.add_document(DocumentRow(id="d", source="d.pdf", original_sha256="dd"), pages)
    assert {p.id: p.text for p in pages} == {p.id: p.text for p in catalog.pages("d")}
    assert [h.page for h in catalog.search("Wort1")] == [1]


def test_repeated_page_numbers_and_empty_documents_are_still_indexed(make_catalog):
    catalog = make_catalog()
    catalog.add_document(DocumentRow(id="twice", source="t.pdf", original_sha256="tt"),
                         [PageRow(document_id="twice", number=1, text="Erste Kopie Reisepass"),
                          PageRow(document_id="twice", number=1, text="Zweite Kopie Geburtsurkunde")])
    catalog.add_document(DocumentRow(id="empty", source="e.pdf", original_sha256="ee"), [])
    assert [h.id for h in catalog.search("urkunde")] == ["twice"]
    assert [h.id for h in catalog.search("Reisepass")] == ["twice"]
    assert catalog.get("empty") is not None and catalog.pages("empty") == []


def test_reindex_writes_the_same_index_as_add_document(make_catalog):
    catalog = make_catalog()
    _archive(catalog)
    before = _results(catalog)
    assert all(before)
    vectors = _stored_vectors(catalog)
    assert catalog.reindex(batch=5) == 18
    assert _results(catalog) == before
    assert _stored_vectors(catalog) == vectors


def _stored_vectors(catalog) -> dict | None:
    """PostgreSQL: each page's stored tsvector (as text); SQLite's contentless FTS5 keeps none."""
    if catalog.is_sqlite:
        return None
    with catalog.engine.connect() as conn:
        return dict(conn.execute(text("SELECT id, tsv::text FROM pages WHERE tsv IS NOT NULL")).all())


def test_long_documents_and_repeated_page_counts_are_written_alike(make_catalog):
    """PostgreSQL prepares the insert once per page count (up to PREPARED_MAX_PAGES pages) and
    sends longer documents with their values inline: both ways store the same rows and vectors."""
    catalog = make_catalog()
    long_count = PREPARED_MAX_PAGES + 2
    for doc_id, count in (("short-a", 2), ("long", long_count), ("short-b", 2)):
        pages = [PageRow(document_id=doc_id, number=n, text=f"Seite {n} Nachweis{doc_id.replace('-', '')}{n}")
                 for n in range(1, count + 1)]
        catalog.add_document(DocumentRow(id=doc_id, source=f"{doc_id}.pdf", original_sha256=doc_id * 2,
                                         pages=count, doc_type="nachweis", case_number="ABH-2024-00007"), pages)
        assert {p.id: p.text for p in pages} == {p.id: p.text for p in catalog.pages(doc_id)}
    assert [h.page for h in catalog.search(f"Nachweislong{long_count}")] == [long_count]
    assert [h.page for h in catalog.search("Nachweisshortb2")] == [2]
    found = catalog.find(SearchQuery("", case_numbers=("ABH-2024-00007",), limit=50))
    assert sorted(h.id for h in found.hits) == ["long", "short-a", "short-b"]
    vectors = _stored_vectors(catalog)
    assert catalog.reindex() == long_count + 4
    assert _stored_vectors(catalog) == vectors
