"""Store a document's objects and commit its index row, in an order a crash cannot corrupt.

1. journal the intent (pending_writes), 2. put original, archive and metadata (each verified),
3. seal them (retention), 4. commit the index row and drop the journal entry.
`reconcile` finishes or rolls back whatever a crash left between those steps.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from ..index.catalog import Catalog
from ..index.models import DocumentRow, PageRow
from ..storage import ObjectStore, StoreError

RECORD_VERSION = 1


def rows_from_record(record: dict) -> tuple[DocumentRow, list[PageRow]]:
    """Rebuild the index rows from the metadata record stored beside the objects."""
    doc = DocumentRow(
        id=record["id"], source=record["source"], part=record.get("part"),
        message_id=record.get("message_id"), media_type=record["original"]["media_type"],
        original_sha256=record["original"]["sha256"], original_key=record["original"]["key"],
        original_ext=record["original"]["ext"], archive_sha256=record["archive"]["sha256"],
        archive_key=record["archive"]["key"], metadata_key=record.get("metadata_key", ""),
        metadata_version=record.get("metadata_version", 1),
        pages=len(record["pages"]), blank_pages=sum(1 for p in record["pages"] if p["blank"]),
        doc_type=record.get("doc_type"), doc_type_confidence=record.get("doc_type_confidence"),
        case_number=record.get("case_number"), case_method=record.get("case_method"),
        review=bool(record.get("review")), review_reasons=json.dumps(record.get("review_reasons", [])),
        candidates=json.dumps(record.get("candidates", [])), title=record.get("title", ""),
        ocr_confidence=record.get("ocr_confidence"),
        created_at=datetime.fromisoformat(record["ingested_at"]),
        updated_at=datetime.fromisoformat(record["ingested_at"]),
    )
    pages = [PageRow(document_id=record["id"], number=p["number"], text=p["text"],
                     ocr_confidence=p.get("ocr_confidence"), blank=p["blank"], rotation=p.get("rotation", 0),
                     skew=p.get("skew", 0.0), colour=p.get("colour", "")) for p in record["pages"]]
    return doc, pages


def commit_document(record: dict, original_path, archive_path, store: ObjectStore, catalog: Catalog) -> DocumentRow:
    """Store the three objects of a document, verified and sealed, then index it."""
    doc_id = record["id"]
    catalog.begin_write(doc_id, record)
    original = store.put_file(doc_id, "original", original_path, record["original"]["sha256"],
                              record["original"]["ext"])
    catalog.note_written(doc_id, original.key)
    archive = store.put_file(doc_id, "archive", archive_path, record["archive"]["sha256"], "pdf")
    catalog.note_written(doc_id, archive.key)
    record["original"]["key"], record["archive"]["key"] = original.key, archive.key
    meta = store.put_bytes(doc_id, "metadata-1", json.dumps(record, ensure_ascii=False, indent=1).encode(), "json")
    catalog.note_written(doc_id, meta.key)
    for key in (original.key, archive.key, meta.key):
        store.seal(key)
    record["metadata_key"] = meta.key
    doc, pages = rows_from_record(record)
    catalog.add_document(doc, pages, detail={"source": record["source"], "archive_sha256": doc.archive_sha256})
    catalog.end_write(doc_id)
    return doc


@dataclass
class ReconcileReport:
    completed: list[str] = field(default_factory=list)
    rolled_back: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def reconcile(store: ObjectStore, catalog: Catalog) -> ReconcileReport:
    """Complete journalled writes whose objects all verify; roll back the others."""
    report = ReconcileReport()
    for pending in catalog.pending_writes():
        record = json.loads(pending.record)
        doc_id = pending.document_id
        if catalog.get(doc_id) is not None:  # crashed after the commit, before the journal cleanup
            catalog.end_write(doc_id)
            report.completed.append(doc_id)
            continue
        keys = json.loads(pending.keys)
        if len(keys) == 3 and _all_verify(store, record, keys):
            record["original"]["key"], record["archive"]["key"], record["metadata_key"] = keys
            for key in keys:
                store.seal(key)
            doc, pages = rows_from_record(record)
            catalog.add_document(doc, pages, actor="reconcile", detail={"completed_after_crash": True})
            catalog.end_write(doc_id)
            report.completed.append(doc_id)
            continue
        referenced = _referenced_keys(catalog)
        for key in keys:
            if key in referenced:
                continue  # content-addressed objects may be shared with archived documents
            try:
                store.delete(key)
            except StoreError as exc:
                report.problems.append(f"{doc_id}: {exc}")
        catalog.end_write(doc_id)
        catalog.record_event("reconcile", "rolled_back", doc_id, keys=keys)
        report.rolled_back.append(doc_id)
    return report


def _all_verify(store: ObjectStore, record: dict, keys: list[str]) -> bool:
    expected = [record["original"]["sha256"], record["archive"]["sha256"]]
    for key, sha in zip(keys, expected):
        if store.hash_object(key) != sha:
            return False
    return store.exists(keys[2])


def _referenced_keys(catalog: Catalog) -> set[str]:
    keys: set[str] = set()
    for doc in catalog.documents():
        keys.update((doc.original_key, doc.archive_key, doc.metadata_key))
    return keys
