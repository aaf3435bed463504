"""A document row stored small: SHA-256 as 32 bytes (index/digests.py), object keys the row's own
fields give left out (index/object_keys.py); every reader sees hex and full keys as before, and
databases of the older layout are converted when opened."""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import text

from dms_ingest.index import digests
from dms_ingest.index.models import DocumentRow
from dms_ingest.storage.keys import key_for

from .test_search import add, make_catalog  # noqa: F401  (the fixture, per backend)

HEX = hashlib.sha256(b"original").hexdigest()
ARCHIVE, META, OTHER = (hashlib.sha256(n).hexdigest() for n in (b"archive", b"metadata", b"other"))
ODD_HASHES = ["", "d1", "x" * 32, "\u00e4" * 16, HEX.upper(), HEX[:63], HEX + "0", "\u00ff" + "a" * 30]


def stored(catalog, doc_id: str, *columns: str) -> tuple:
    with catalog.engine.connect() as conn:
        return tuple(conn.execute(text(f"SELECT {', '.join(columns)} FROM documents WHERE id = :i"), {"i": doc_id}).one())


@pytest.mark.parametrize("value", [HEX, *ODD_HASHES])
def test_every_hash_value_reads_back_as_it_was_written(value):
    packed = digests.pack(value)
    assert digests.unpack(packed) == value
    assert (len(packed) == 32) == (value == HEX)


def test_hashes_are_stored_as_32_bytes_and_found_by_equality(make_catalog):
    catalog = make_catalog()
    add(catalog, "d1", "Mietvertrag", original_sha256=HEX, archive_sha256=ARCHIVE, metadata_sha256=META)
    add(catalog, "d2", "Lohnabrechnung", original_sha256=HEX)
    add(catalog, "d3", "Meldebescheinigung", original_sha256="x" * 32)
    assert [len(bytes(v)) for v in stored(catalog, "d1", "original_sha256", "archive_sha256", "metadata_sha256")] == [32] * 3
    row = catalog.get("d1")
    assert (row.original_sha256, row.archive_sha256, row.metadata_sha256) == (HEX, ARCHIVE, META)
    assert row.model_dump(mode="json")["original_sha256"] == HEX
    assert [d.id for d in catalog.find_by_original(HEX)] == ["d1", "d2"]
    assert [d.id for d in catalog.find_by_original("x" * 32)] == ["d3"]
    assert catalog.get("d2").metadata_sha256 is None and catalog.get("d2").archive_sha256 == ""


def test_the_sql_conversion_of_an_older_postgresql_column_is_pack(make_catalog):
    catalog = make_catalog()
    if catalog.is_sqlite:
        return
    values = [HEX, *ODD_HASHES]
    with catalog.engine.connect() as conn:
        converted = [bytes(conn.execute(text(f"SELECT {digests._PACK_SQL.format(c='CAST(:v AS varchar)')}"),
                                        {"v": v}).scalar()) for v in values]
    assert converted == [digests.pack(v) for v in values]


def row(doc_id: str, keys: str, **fields) -> DocumentRow:
    """A document as the write path makes it, its keys as the local (content) or S3 (layout) store names them."""
    values = dict(id=doc_id, source=f"{doc_id}.pdf", original_sha256=HEX, original_ext="tif", archive_sha256=ARCHIVE,
                  metadata_sha256=META, metadata_version=1)
    values.update((k, v) for k, v in fields.items() if not k.endswith("_key"))
    if keys == "content":
        names = values["original_sha256"], values["archive_sha256"], values["metadata_sha256"]
    else:
        names = (key_for(doc_id, "original", values["original_ext"]), key_for(doc_id, "archive", "pdf"),
                 key_for(doc_id, f"metadata-{values['metadata_version']}", "json"))
    values.update(zip(("original_key", "archive_key", "metadata_key"), names))
    return DocumentRow(**{**values, **fields})


@pytest.mark.parametrize("keys", ["content", "layout"])
def test_keys_the_row_gives_are_not_stored_and_read_back_in_full(make_catalog, keys):
    catalog = make_catalog()
    written = row("20261129-110000-aaaaaaaa", keys)
    catalog.add_document(written, [])
    mark = "=" if keys == "content" else "@"
    assert stored(catalog, written.id, "original_key", "archive_key", "metadata_key") == (mark, mark, mark)
    read = catalog.get(written.id)
    assert read.model_dump() == written.model_dump()
    assert [d.model_dump() for d in catalog.documents()] == [written.model_dump()]


def test_a_shared_original_and_older_keys_are_stored_as_they_are(make_catalog):
    catalog = make_catalog()
    first = row("doc-1", "layout")
    catalog.add_document(first, [])
    # split from the same scan: its original is the first document's object
    second = row("doc-2", "layout", archive_sha256=OTHER)
    second.original_key = first.original_key
    catalog.add_document(second, [])
    assert stored(catalog, "doc-2", "original_key", "archive_key") == (first.original_key, "@")
    assert catalog.get("doc-2").original_key == first.original_key
    with catalog.engine.begin() as conn:   # a row written before marks: its keys in full
        conn.execute(text("UPDATE documents SET original_key = :o, archive_key = :a WHERE id = 'doc-1'"),
                     {"o": first.original_key, "a": first.archive_key})
    assert catalog.get("doc-1").model_dump() == first.model_dump()


def test_a_change_of_what_a_key_is_derived_from_keeps_the_key(make_catalog):
    catalog = make_catalog()
    catalog.add_document(row("doc-1", "layout"), [])
    catalog.add_document(row("doc-2", "content"), [])
    before = catalog.get("doc-1").original_key
    catalog.update_document("doc-1", "test", "corrected", original_ext="pdf")
    catalog.update_document("doc-2", "test", "corrected", archive_sha256=OTHER)
    assert catalog.get("doc-1").original_key == before and stored(catalog, "doc-1", "original_key") == (before,)
    assert catalog.get("doc-2").archive_key == ARCHIVE
    # a new metadata version (persist.update_metadata): the new key and the older ones derived again
    doc = catalog.get("doc-1")
    previous = json.dumps([doc.metadata_key])
    catalog.update_document("doc-1", "test", "metadata", metadata_key=key_for("doc-1", "metadata-2", "json"),
                            metadata_sha256=OTHER, metadata_version=2, previous_metadata_keys=previous)
    assert stored(catalog, "doc-1", "metadata_key", "previous_metadata_keys") == ("@", "@")
    doc = catalog.get("doc-1")
    assert (doc.metadata_key, doc.previous_metadata_keys) == (key_for("doc-1", "metadata-2", "json"), previous)


def test_a_key_that_reads_as_a_mark_is_refused(make_catalog):
    catalog = make_catalog()
    with pytest.raises(ValueError):
        catalog.add_document(row("doc-1", "layout", original_key="="), [])
    assert catalog.get("doc-1") is None


def test_case_rows_leave_the_stored_keys_out(make_catalog):
    catalog = make_catalog()
    catalog.add_document(row("doc-1", "layout", case_number="ABH-2026-1"), [])
    [listed] = catalog.documents_of_case("ABH-2026-1")
    assert listed.id == "doc-1" and not hasattr(listed, "original_key") and listed.original_sha256 == HEX


OLD_HASH_COLUMNS = ("original_sha256", "archive_sha256", "metadata_sha256")


def test_a_database_of_the_older_layout_is_converted_when_opened(make_catalog):
    catalog = make_catalog()
    written = [row("doc-1", "layout"), row("doc-2", "content", original_sha256="d2", archive_sha256="x" * 32)]
    for doc in written:
        catalog.add_document(doc, [])
    old = [(d.id, d.original_sha256, d.archive_sha256, d.metadata_sha256, d.original_key, d.archive_key,
            d.metadata_key) for d in written]
    catalog.engine.dispose()
    with catalog.engine.begin() as conn:        # the columns and rows as the version before wrote them
        if catalog.is_sqlite:
            conn.execute(text("PRAGMA legacy_alter_table=ON"))     # pages keep referring to "documents"
            conn.execute(text("ALTER TABLE documents RENAME TO documents_new"))
            create = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'documents_new'")).scalar()
            conn.execute(text(create.replace("documents_new", "documents").replace("BLOB", "VARCHAR")))
            conn.execute(text("DROP TABLE documents_new"))
            conn.execute(text("CREATE INDEX ix_documents_original_sha256 ON documents (original_sha256)"))
        else:
            conn.execute(text("DELETE FROM documents"))
            for column in OLD_HASH_COLUMNS:
                conn.execute(text(f"ALTER TABLE documents ALTER COLUMN {column} TYPE varchar USING ''"))
        conn.execute(text("DELETE FROM documents"))
        for values in old:
            conn.execute(text("INSERT INTO documents (id, source, media_type, original_sha256, archive_sha256, "
                              "metadata_sha256, original_key, archive_key, metadata_key, original_ext, metadata_version, "
                              "previous_metadata_keys, pages, blank_pages, review, review_reasons, candidates, status, "
                              "title, legal_hold, created_at, updated_at) VALUES (:id, 's', '', :o, :a, :m, :ok, :ak, "
                              ":mk, 'tif', 1, '[]', 0, 0, false, '[]', '[]', 'archived', '', false, "
                              "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
                         dict(zip(("id", "o", "a", "m", "ok", "ak", "mk"), values)))
    reopened = make_catalog()
    assert [len(bytes(v)) for v in stored(reopened, "doc-1", *OLD_HASH_COLUMNS)] == [32] * 3
    for doc in written:
        read = reopened.get(doc.id)
        assert (read.original_sha256, read.archive_sha256, read.metadata_sha256, read.original_key, read.archive_key,
                read.metadata_key) == (doc.original_sha256, doc.archive_sha256, doc.metadata_sha256,
                                       doc.original_key, doc.archive_key, doc.metadata_key)
    assert [d.id for d in reopened.find_by_original(HEX)] == ["doc-1"]
    assert [d.id for d in reopened.find_by_original("d2")] == ["doc-2"]
    if not reopened.is_sqlite:
        with reopened.engine.connect() as conn:
            assert conn.execute(text("SELECT a.amname FROM pg_class c JOIN pg_am a ON a.oid = c.relam "
                                     "WHERE c.relname = 'ix_documents_original_sha256'")).scalar() == "hash"
