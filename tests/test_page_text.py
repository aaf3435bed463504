"""Page text stored compressed (index/page_text.py) on both backends: what is read back is what was
written, search and snippets see the text, and texts stored before compression stay readable and are
compressed by `dms reindex`."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from dms_ingest.index import page_text
from dms_ingest.index.models import DocumentRow
from dms_ingest.index.page_text import CURRENT_VERSION, is_current, pack, unpack
from dms_ingest.index.query import SearchQuery

from .test_search import add, make_catalog  # noqa: F401  (the fixture, per backend)

LETTER = ("Landeshauptstadt Musterstadt – Ausländerbehörde\nAktenzeichen: ABH-2021-00417\n\n"
          "Sehr geehrte Frau Yılmaz,\nIhr Antrag auf Verlängerung der Aufenthaltserlaubnis gemäß § 8 AufenthG "
          "ist eingegangen. Bitte reichen Sie folgende Unterlagen bis zum 30.06.2025 ein: Nachweis über eine "
          "gültige Krankenversicherung, Gehaltsabrechnungen der letzten 3 Monate, Mietvertrag.\n\f"
          "Mit freundlichen Grüßen\nIm Auftrag\nMüller ✓")


def stored(catalog) -> list:
    with catalog.engine.connect() as conn:
        return [bytes(r[0]) if not isinstance(r[0], str) else r[0]
                for r in conn.execute(text("SELECT text FROM pages ORDER BY id"))]


@pytest.mark.parametrize("value", ["", "a", LETTER, "Straße\x00mit NUL", "ü" * 5000])
def test_texts_come_back_as_written(value):
    assert unpack(pack(value)) == value
    assert is_current(pack(value))


def test_an_office_letter_is_stored_in_about_half_its_bytes():
    assert len(pack(LETTER)) < 0.7 * len(LETTER.encode())


def test_values_stored_before_compression_read_as_they_are():
    assert unpack("Mietvertrag") == "Mietvertrag"                       # SQLite: a text value
    assert unpack("Änderung".encode()) == "Änderung"                    # PostgreSQL: the column converted
    assert unpack(memoryview(pack(LETTER))) == LETTER
    assert not is_current("Mietvertrag") and not is_current("Änderung".encode())


def test_an_unknown_dictionary_version_is_a_clear_error():
    with pytest.raises(ValueError, match="dictionary version 9"):
        unpack(b"\x00\x09abc")


@pytest.mark.parametrize("damage", [lambda v: v[:len(v) // 2], lambda v: v[:-1], lambda v: v[:1], lambda v: v[:2],
                                    lambda v: v + b"xyz", lambda v: v[:2] + b"garbage"])
def test_a_damaged_stored_value_is_a_clear_error_not_a_shorter_text(damage):
    with pytest.raises(ValueError, match="^stored page text is damaged"):
        unpack(damage(pack(LETTER)))


def test_a_dictionary_changed_after_shipping_is_refused_not_read_as_other_words(tmp_path, monkeypatch):
    packed = pack(LETTER)
    # What a checkout converting line ends makes of it: deflate would read "viektenz" for "Ihr Antrag".
    (tmp_path / f"v{CURRENT_VERSION}.txt").write_bytes(page_text.dictionary(CURRENT_VERSION).replace(b"\n", b"\r\n"))
    monkeypatch.setattr(page_text, "_DICTIONARIES", tmp_path)
    page_text.dictionary.cache_clear()
    try:
        with pytest.raises(ValueError, match=f"not the dictionary shipped as version {CURRENT_VERSION}"):
            unpack(packed)
    finally:
        page_text.dictionary.cache_clear()


def test_the_dictionary_of_each_shipped_version_is_there():
    for version in range(1, CURRENT_VERSION + 1):
        assert len(page_text.dictionary(version)) > 1000


def test_pages_are_stored_compressed_and_read_back_searched_and_shown(make_catalog):
    catalog = make_catalog()
    add(catalog, "d1", LETTER, "Zweite Seite: Mietvertrag über Wohnraum.")
    values = stored(catalog)
    assert all(v[:2] == bytes((0, CURRENT_VERSION)) for v in values)
    assert len(values[0]) < 0.7 * len(LETTER.encode())
    assert [p.text for p in catalog.pages("d1")] == [LETTER, "Zweite Seite: Mietvertrag über Wohnraum."]
    assert catalog.page("d1", 1).text == LETTER
    hit = catalog.find(SearchQuery("Krankenversicherung")).hits[0]
    assert hit.id == "d1" and "[Krankenversicherung]" in hit.snippet and hit.page == 1
    assert catalog.index_stats()["text_chars"] == len(LETTER) + len("Zweite Seite: Mietvertrag über Wohnraum.")
    catalog.reindex()
    assert [p.text for p in catalog.pages("d1")] == [LETTER, "Zweite Seite: Mietvertrag über Wohnraum."]
    assert catalog.find(SearchQuery('"Mietvertrag über Wohnraum"')).hits[0].page == 2


def test_texts_stored_before_compression_stay_readable_and_reindex_compresses_them(make_catalog):
    catalog = make_catalog()
    if not catalog.is_sqlite:                   # the column as an older version made it
        with catalog.engine.begin() as conn:
            conn.execute(text("ALTER TABLE pages ALTER COLUMN text TYPE varchar USING ''"))
    with catalog.session() as s:
        s.add(DocumentRow(id="old", source="old.pdf", original_sha256="old"))
        s.commit()
    with catalog.engine.begin() as conn:
        conn.execute(text("INSERT INTO pages (document_id, number, text, blank, rotation, skew, colour) "
                          "VALUES ('old', 1, :t, false, 0, 0, '')"), {"t": LETTER})
    catalog.engine.dispose()
    catalog = make_catalog()                    # opening converts the column, keeps the text
    assert catalog.pages("old")[0].text == LETTER
    assert not is_current(stored(catalog)[0])
    catalog.reindex()
    assert is_current(stored(catalog)[0]) and stored(catalog)[0][:1] == b"\x00"
    assert catalog.pages("old")[0].text == LETTER
    assert "[Aufenthaltserlaubnis]" in catalog.find(SearchQuery("Aufenthaltserlaubnis")).hits[0].snippet


def test_texts_written_with_an_earlier_dictionary_read_back_and_reindex_moves_them_to_the_current(make_catalog):
    assert CURRENT_VERSION > 1
    catalog = make_catalog()
    add(catalog, "d1", "vorläufig")
    with catalog.engine.begin() as conn:       # a page as the version before wrote it (dictionary v1)
        conn.execute(text("UPDATE pages SET text = :t"), {"t": pack(LETTER, version=1)})
    assert stored(catalog)[0][:2] == b"\x00\x01" and not is_current(stored(catalog)[0])
    assert catalog.pages("d1")[0].text == LETTER
    catalog.reindex()
    assert stored(catalog)[0][:2] == bytes((0, CURRENT_VERSION))
    assert catalog.pages("d1")[0].text == LETTER
    assert catalog.find(SearchQuery("Krankenversicherung")).hits[0].id == "d1"


def test_the_current_dictionary_stores_an_office_letter_in_fewer_bytes_than_the_first():
    assert len(pack(LETTER)) < len(pack(LETTER, version=1))
