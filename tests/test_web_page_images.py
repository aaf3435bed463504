"""Page images: rendered once per archive checksum, word boxes where the words are, hits marked."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from dms_datagen.pdf import born_digital_pdf
from dms_ingest.ingest.pipeline import ingest_file
from dms_ingest.web.highlight import bracket_segments, hit_boxes, marked_segments, query_terms
from dms_ingest.web.page_images import PageImageCache, PageNotFound


@pytest.fixture
def archive(tmp_path, ctx) -> tuple[bytes, str]:
    source = born_digital_pdf(
        [["Antrag auf Verlängerung der Aufenthaltserlaubnis", "Musterstraße 5, 21903 Elbhausen"],
         ["Zweite Seite: <script>alert(1)</script>"]], tmp_path / "antrag.pdf")
    result = ingest_file(Path(source), ctx, source="antrag.pdf")[0]
    assert result.status == "archived", result.error
    doc = ctx.catalog.get(result.id)
    target = tmp_path / "archive.pdf"
    ctx.store.download(doc.archive_key, target, doc.archive_sha256)
    return target.read_bytes(), doc.archive_sha256


def test_page_is_rendered_once_and_cached_by_checksum(tmp_path, archive):
    data, sha = archive
    cache = PageImageCache(tmp_path / "cache")
    loads = []

    def load():
        loads.append(1)
        return data

    first = cache.page(sha, 1, load)
    second = PageImageCache(tmp_path / "cache").page(sha, 1, load)   # another process, same folder
    assert loads == [1] and cache.renders == 1
    assert first.checksums == second.checksums
    for size in ("view", "thumb"):
        png = first.path(size).read_bytes()
        assert png.startswith(b"\x89PNG") and hashlib.sha256(png).hexdigest() == first.checksums[size]
    assert sha in str(first.path("view"))
    assert abs(first.width - 1000) <= 1 and first.height > first.width


def test_refuses_bytes_that_do_not_match_the_checksum_and_missing_pages(tmp_path, archive):
    data, sha = archive
    cache = PageImageCache(tmp_path / "cache")
    with pytest.raises(ValueError):
        cache.page("0" * 64, 1, lambda: data)
    with pytest.raises(PageNotFound):
        cache.page(sha, 3, lambda: data)
    with pytest.raises(ValueError):
        cache.page("../../etc/passwd", 1, lambda: data)


def test_word_boxes_locate_the_hits_on_the_page(tmp_path, archive):
    data, sha = archive
    page = PageImageCache(tmp_path / "cache").page(sha, 1, lambda: data)
    words = {w.text: w for w in page.words}
    assert "Verlängerung" in words and "Aufenthaltserlaubnis" in words
    first_line, second_line = words["Antrag"], words["Musterstraße"]
    assert first_line.y1 <= second_line.y0 + 0.01         # the second line lies below the first
    assert words["Antrag"].x1 <= words["Verlängerung"].x0  # reading order left to right
    # "Verlangerung" (an OCR-lost umlaut) and "Strasse" find the words as the search would.
    boxes = hit_boxes(page.words, query_terms("Verlangerung Musterstrasse -Elbhausen"))
    expected = [words["Verlängerung"], words["Musterstraße"]]
    assert len(boxes) == 2
    for box, word in zip(boxes, expected):
        assert box.x <= word.x0 and box.x + box.width >= word.x1
        assert box.y <= word.y0 and box.y + box.height >= word.y1


def test_terms_fold_like_the_search_and_skip_negations():
    terms = query_terms('"Antrag auf" Aufenth* OR erlaubnis -Entwurf AND')
    hits = lambda w: any(marked for _, marked in marked_segments(w, terms))  # noqa: E731
    assert hits("Antrag auf") and hits("Aufenthaltstitel") and hits("Aufenthaltserlaubnis")
    assert not hits("Entwurf") and not hits("AND") and not hits("Bescheid")
    assert hits("ABH-2019-04711,") is False
    assert any(m for _, m in marked_segments("Az. ABH-2019-04711.", query_terms("ABH-2019-04711")))


def _marked(text: str, query: str) -> list[str]:
    return [piece for piece, marked in marked_segments(text, query_terms(query)) if marked]


@pytest.mark.parametrize("query, text, marked", [
    # A phrase marks its words (in the search's folding) where they stand in its order, not the others.
    ('"Antrag auf Änderung"', "Der Antrag auf Aenderung liegt vor.", ["Antrag", "auf", "Aenderung"]),
    ('"Antrag auf Änderung"', "Antrag vom Mai, auf Seite 2: Änderung", []),
    ('"Antrag auf" Bescheid', "Ein Antrag. Antrag auf Bescheid", ["Antrag", "auf", "Bescheid"]),
    # A case number is a phrase of its parts: a date's year or another number's part stays unmarked.
    ("ABH-2019-04711", "Az. ABH-2019-04711 vom 3.4.2019, Antrag 2019, ABH-2019-04712",
     ["ABH-2019-04711"]),
    ("ABH-2019-04711", "Az.: ABH- 2019-\n04711", ["ABH-", "2019-", "04711"]),
    # A prefix marks the words it begins; without `*` the same (short) letters mark nothing.
    ("Aufenth*", "Aufenthaltstitel und Aufenthaltserlaubnis, kein Titel", ["Aufenthaltstitel", "Aufenthaltserlaubnis"]),
    ("Auf*", "Aufenthaltstitel", ["Aufenthaltstitel"]),
    ("Auf", "Aufenthaltstitel", []),
    # German and English typographic quotes make the phrase too.
    ("„Antrag auf“", "Antrag auf Verlängerung", ["Antrag", "auf"]),
    ("“Antrag auf”", "Antrag auf Verlängerung", ["Antrag", "auf"]),
    # Fuzzy: the name as OCR or another transliteration wrote it; the exact word alone marks it not.
    ("Mohammed~", "Herr Mohamad Ahmadi, Mohammad", ["Mohamad", "Mohammad"]),
    ("Mohammed", "Herr Mohamad Ahmadi", []),
    # Negated words (minus or NOT) and the operators are never marked.
    ("Antrag -Entwurf", "Antrag Entwurf", ["Antrag"]),
    ("Antrag NOT Entwurf", "Antrag Entwurf NOT", ["Antrag"]),
    ("Bescheid OR Mietvertrag", "Bescheid OR Mietvertrag AND", ["Bescheid", "Mietvertrag"]),
    # A compound part marks the compound, unless quoted alone (the index finds it only as a word).
    ("erlaubnis", "Aufenthaltserlaubnis", ["Aufenthaltserlaubnis"]),
    ('"erlaubnis"', "Aufenthaltserlaubnis", []),
])
def test_each_kind_of_query_marks_what_the_search_finds(query, text, marked):
    assert _marked(text, query) == marked


def test_highlighting_reads_the_query_with_the_search_parser():
    """One reading of a query: the terms are the parser's words, so a change to the query language
    reaches the marks too."""
    from dms_ingest.index.query import parse

    query = '„Antrag auf“ Miet* -Entwurf Mohammed~ OR Bescheid'
    terms = query_terms(query)
    assert {w.key for w in terms.words} | {k for p in terms.phrases for k in p} == {w.key for w in parse(query).words()}
    assert terms.phrases == (("antrag", "auf"),)


def test_marked_segments_keep_the_text_intact():
    text = "Die <script>alert(1)</script> Aufenthaltserlaubnis endet."
    segments = marked_segments(text, query_terms("Aufenthaltserlaubnis"))
    assert "".join(piece for piece, _ in segments) == text
    assert [piece for piece, marked in segments if marked] == ["Aufenthaltserlaubnis"]


def test_bracket_snippets_become_segments():
    assert bracket_segments("…der [Antrag] vom [3.] Mai") == [
        ("…der ", False), ("Antrag", True), (" vom ", False), ("3.", True), (" Mai", False)]
    assert bracket_segments("a [] b") == [("a ", False), ("[]", False), (" b", False)]
