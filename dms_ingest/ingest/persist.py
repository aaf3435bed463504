"""Store a document's objects and commit its index row, in an order a crash cannot corrupt.

1. journal the intent (pending_writes), 2. put original, archive and metadata (each verified),
3. seal them (retention), 4. commit the index row and drop the journal entry.
`reconcile` finishes or rolls back whatever a crash left between those steps.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from ..index.applications import fields_of, save_fields
from ..index.catalog import Catalog
from ..index.models import DocumentRow, PageRow
from ..storage import ObjectStore, StoreError
from ..storage.fixity import ExpectedObject

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
    try:
        return _store_and_index(record, original_path, archive_path, store, catalog)
    except BaseException:
        # Hand the half-done write to reconcile (the objects may be unreachable right now).
        catalog.abandon_write(doc_id)
        raise


def _stored_original(sha256: str, store: ObjectStore, catalog: Catalog) -> str | None:
    """An earlier document of the same scan (a split batch) already stored it: share, do not copy.

    A paper file split into ten documents must not cost ten copies of its scan.
    """
    for doc in catalog.find_by_original(sha256):
        # Verified when it was written and sealed since: existence is enough here (fixity checks the rest).
        if doc.original_key and store.exists(doc.original_key):
            return doc.original_key
    return None


def _store_and_index(record: dict, original_path, archive_path, store: ObjectStore, catalog: Catalog) -> DocumentRow:
    doc_id = record["id"]
    # Each key is journalled before its object is written, so a crash in between leaves no orphan.
    original_sha, archive_sha = record["original"]["sha256"], record["archive"]["sha256"]
    original_key = _stored_original(original_sha, store, catalog)
    if original_key is not None:
        catalog.note_written(doc_id, original_key)
    else:
        original_key = store.object_key(doc_id, "original", record["original"]["ext"], original_sha)
        catalog.note_written(doc_id, original_key)
        store.put_file(doc_id, "original", original_path, original_sha, record["original"]["ext"])
    archive_key = store.object_key(doc_id, "archive", "pdf", archive_sha)
    catalog.note_written(doc_id, archive_key)
    store.put_file(doc_id, "archive", archive_path, archive_sha, "pdf")
    record["original"]["key"], record["archive"]["key"] = original_key, archive_key
    metadata = json.dumps(record, ensure_ascii=False, indent=1).encode()
    meta_key = store.object_key(doc_id, "metadata-1", "json", hashlib.sha256(metadata).hexdigest())
    catalog.note_written(doc_id, meta_key)
    store.put_bytes(doc_id, "metadata-1", metadata, "json")
    for key in (original_key, archive_key, meta_key):
        store.seal(key)
    record["metadata_key"] = meta_key
    doc, pages = rows_from_record(record)
    catalog.add_document(doc, pages, detail={"source": record["source"], "archive_sha256": doc.archive_sha256})
    save_fields(catalog, doc_id, record.get("doc_type"), record.get("fields", []))
    catalog.end_write(doc_id)
    return doc


@dataclass
class ReconcileReport:
    completed: list[str] = field(default_factory=list)
    rolled_back: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    busy: list[str] = field(default_factory=list)   # journalled by a live process: left alone


# A journal entry of another machine is only taken as abandoned after this long.
FOREIGN_WRITE_TIMEOUT = timedelta(hours=6)


def _still_running(owner: str, started_at: datetime) -> bool:
    """Is the process that journalled this write alive (then it is not ours to repair)?"""
    host, _, pid = owner.rpartition(":")
    if not owner:
        return False
    if host != socket.gethostname():
        started = started_at if started_at.tzinfo else started_at.replace(tzinfo=timezone.utc)
        return datetime.now(timezone.utc) - started < FOREIGN_WRITE_TIMEOUT
    try:
        os.kill(int(pid), 0)
    except (ProcessLookupError, ValueError):
        return False
    except PermissionError:
        return True
    return True


def reconcile(store: ObjectStore, catalog: Catalog, *, only=None, actor: str = "reconcile",
              owner_known_dead: bool = False) -> ReconcileReport:
    """Complete journalled writes whose objects all verify; roll back the others.

    Writes of processes that are still running are left alone: they are not half-done, only busy.
    *only* (a predicate on the journalled record) narrows the entries; *owner_known_dead* is for a
    caller that knows the writer is gone (the migration holds the dead worker's item).
    """
    report = ReconcileReport()
    for pending in catalog.pending_writes():
        record = json.loads(pending.record)
        if only is not None and not only(record):
            continue
        if not owner_known_dead and _still_running(pending.owner, pending.started_at):
            report.busy.append(pending.document_id)
            continue
        outcome = _settle(pending.document_id, record, json.loads(pending.keys), store, catalog, actor, report)
        getattr(report, outcome).append(pending.document_id)
    return report


def _settle(doc_id: str, record: dict, keys: list[str], store: ObjectStore, catalog: Catalog, actor: str,
            report: ReconcileReport) -> str:
    """Finish one abandoned write, or undo it; returns 'completed' or 'rolled_back'."""
    if catalog.get(doc_id) is not None:  # crashed after the commit, before the journal cleanup
        catalog.end_write(doc_id)
        return "completed"
    if len(keys) == 3 and _all_verify(store, record, keys):
        record["original"]["key"], record["archive"]["key"], record["metadata_key"] = keys
        for key in keys:
            store.seal(key)
        doc, pages = rows_from_record(record)
        catalog.add_document(doc, pages, actor=actor, detail={"completed_after_crash": True})
        save_fields(catalog, doc_id, record.get("doc_type"), record.get("fields", []))
        catalog.end_write(doc_id)
        return "completed"
    # Only the original can be shared (by documents split from the same scan); keep it if so.
    shared = {d.original_key for d in catalog.find_by_original(record["original"]["sha256"])}
    for key in keys:
        if key in shared:
            continue
        try:
            store.delete(key)
        except StoreError as exc:
            report.problems.append(f"{doc_id}: {exc}")
    catalog.end_write(doc_id)
    catalog.record_event(actor, "rolled_back", doc_id, keys=keys, source=record.get("source"))
    return "rolled_back"


def _all_verify(store: ObjectStore, record: dict, keys: list[str]) -> bool:
    expected = [record["original"]["sha256"], record["archive"]["sha256"]]
    for key, sha in zip(keys, expected):
        if store.hash_object(key) != sha:
            return False
    return store.exists(keys[2])


def record_from_rows(doc: DocumentRow, pages: list[PageRow]) -> dict:
    """The metadata record of an indexed document (inverse of rows_from_record)."""
    return {
        "version": RECORD_VERSION, "id": doc.id, "source": doc.source, "part": doc.part,
        "message_id": doc.message_id, "title": doc.title, "ingested_at": doc.created_at.isoformat(),
        "original": {"sha256": doc.original_sha256, "ext": doc.original_ext, "media_type": doc.media_type,
                     "key": doc.original_key},
        "archive": {"sha256": doc.archive_sha256, "key": doc.archive_key},
        "pages": [{"number": p.number, "text": p.text, "ocr_confidence": p.ocr_confidence, "blank": p.blank,
                   "rotation": p.rotation, "skew": p.skew, "colour": p.colour} for p in pages],
        "doc_type": doc.doc_type, "doc_type_confidence": doc.doc_type_confidence,
        "case_number": doc.case_number, "case_method": doc.case_method, "review": doc.review,
        "review_reasons": json.loads(doc.review_reasons), "candidates": json.loads(doc.candidates),
        "ocr_confidence": doc.ocr_confidence, "legal_hold": doc.legal_hold,
    }


def update_metadata(doc_id: str, changes: dict, *, actor: str, action: str, store: ObjectStore,
                    catalog: Catalog) -> DocumentRow:
    """Change a document's metadata: a new version metadata-(n+1) is stored; nothing is overwritten."""
    doc = catalog.get(doc_id)
    if doc is None:
        raise KeyError(doc_id)
    version = doc.metadata_version + 1
    record = record_from_rows(doc, catalog.pages(doc_id))
    # The fields read so far go into the new version too (re-read from the pages if the type changed).
    record["fields"] = fields_of(catalog, [doc_id]).get(doc_id, (None, []))[1]
    record.update({k: (json.loads(v) if k in ("review_reasons", "candidates") else v) for k, v in changes.items()})
    record.update({"metadata_version": version, "changed_by": actor, "change": action,
                   "changed_at": datetime.now(timezone.utc).replace(microsecond=0).isoformat()})
    meta = store.put_bytes(doc_id, f"metadata-{version}",
                           json.dumps(record, ensure_ascii=False, indent=1, default=str).encode(), "json")
    store.seal(meta.key)
    previous = json.loads(doc.previous_metadata_keys) + [doc.metadata_key]
    return catalog.update_document(doc_id, actor, action, **changes, metadata_key=meta.key,
                                   metadata_version=version, previous_metadata_keys=json.dumps(previous))


def expected_objects(catalog: Catalog) -> list[ExpectedObject]:
    """Every object the index says must exist, with the checksum it must have."""
    expected = []
    for doc in catalog.documents():
        expected.append(ExpectedObject(doc.id, "original", doc.original_key, doc.original_sha256))
        expected.append(ExpectedObject(doc.id, "archive", doc.archive_key, doc.archive_sha256))
        for key in [doc.metadata_key] + json.loads(doc.previous_metadata_keys):
            expected.append(ExpectedObject(doc.id, "metadata", key, None))
    return expected
