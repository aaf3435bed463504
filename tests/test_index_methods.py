"""Equality-only lookups on PostgreSQL use hash indexes (documents by original, events by document),
and a database whose older version made them b-trees gets them remade when opened."""

from __future__ import annotations

from sqlalchemy import text

from .test_search import add, make_catalog  # noqa: F401  (the fixture, per backend)

HASHED = {"ix_documents_original_sha256": "original_sha256", "ix_audit_events_document_id": "document_id"}


def methods(catalog) -> dict[str, str]:
    with catalog.engine.connect() as conn:
        return dict(conn.execute(text("SELECT c.relname, a.amname FROM pg_class c JOIN pg_am a ON a.oid = c.relam "
                                      "WHERE c.relname = ANY(:n)"), {"n": list(HASHED)}).all())


def test_originals_and_events_are_found_through_their_indexes(make_catalog):
    catalog = make_catalog()
    add(catalog, "d1", "Mietvertrag", original_sha256="a" * 64)
    add(catalog, "d2", "Meldebescheinigung", original_sha256="b" * 64)
    catalog.update_document("d2", "sachbearbeitung", "reviewed", review=False)
    assert [d.id for d in catalog.find_by_original("b" * 64)] == ["d2"]
    assert [e.action for e in catalog.audit("d2")] == ["archived", "reviewed"]
    if not catalog.is_sqlite:
        assert methods(catalog) == dict.fromkeys(HASHED, "hash")


def test_b_tree_indexes_of_an_older_version_are_made_hash_indexes_when_opened(make_catalog):
    catalog = make_catalog()
    if catalog.is_sqlite:
        return
    add(catalog, "d1", "Mietvertrag", original_sha256="c" * 64)
    with catalog.engine.begin() as conn:          # the indexes as the version before made them
        for name, column in HASHED.items():
            table = "documents" if "documents" in name else "audit_events"
            conn.execute(text(f"DROP INDEX {name}"))
            conn.execute(text(f"CREATE INDEX {name} ON {table} ({column})"))
    assert methods(catalog) == dict.fromkeys(HASHED, "btree")
    catalog.engine.dispose()
    catalog = make_catalog()
    assert methods(catalog) == dict.fromkeys(HASHED, "hash")
    assert [d.id for d in catalog.find_by_original("c" * 64)] == ["d1"]
    assert [e.action for e in catalog.audit("d1")] == ["archived"]
