"""Store a document's objects and commit its index row, in an order a crash cannot corrupt.

1. journal the intent (pending_writes), 2. put original, archive and metadata (each verified),
3. seal them (retention), 4. commit the index row and drop the journal entry.
`reconcile` finishes or rolls back whatever a crash left between those steps.
"""

from __future__ import annotations

import json
import os
import socket
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from ..index.applications import fields_of, save_fields
from ..index.catalog import Catalog
from ..index.models import DocumentRow, PageRow
from ..storage import IntegrityError, ObjectStore, StoreError
from ..storage.fixity import ExpectedObject
from .record import ArchiveRecord, record_sha256

def archived_detail(doc: DocumentRow) -> dict:
    """The "archived" audit event's detail: where the document came from and its archive's hash."""
    return {"source": doc.source, "archive_sha256": doc.archive_sha256}


def rows_from_record(record: ArchiveRecord, *, metadata_key: str = "", metadata_sha256: str | None = None,
                     previous_keys: list[str] = ()) -> tuple[DocumentRow, list[PageRow]]:
    """The index rows of a document, from its archive record (the index holds nothing else)."""
    ingested = datetime.fromisoformat(record.ingested_at)
    changed = datetime.fromisoformat(record.changed_at) if record.changed_at else ingested
    doc = DocumentRow(
        id=record.id, source=record.source, part=record.part, message_id=record.message_id,
        media_type=record.original.media_type, original_sha256=record.original.sha256,
        original_key=record.original.key or "", original_ext=record.original.ext,
        archive_sha256=record.archive.sha256, archive_key=record.archive.key or "", metadata_key=metadata_key,
        metadata_sha256=metadata_sha256, metadata_version=record.metadata_version,
        previous_metadata_keys=json.dumps(list(previous_keys)),
        pages=len(record.pages), blank_pages=sum(1 for p in record.pages if p.blank),
        doc_type=record.doc_type, doc_type_confidence=record.doc_type_confidence,
        case_number=record.case_number, case_method=record.case_method, review=record.review,
        review_reasons=json.dumps(record.review_reasons), candidates=json.dumps(record.candidates),
        title=record.title, ocr_confidence=record.ocr_confidence, legal_hold=record.legal_hold,
        created_at=ingested, updated_at=changed,
    )
    pages = [PageRow(document_id=record.id, number=p.number, text=p.text, ocr_confidence=p.ocr_confidence,
                     blank=p.blank, rotation=p.rotation, skew=p.skew, colour=p.colour) for p in record.pages]
    return doc, pages


def commit_document(record: ArchiveRecord, original_path, archive_path, store: ObjectStore, catalog: Catalog, *,
                    actor: str = "pipeline") -> DocumentRow:
    """Store the three objects of a document, verified and sealed, then index it."""
    doc_id = record.id
    catalog.begin_write(doc_id, record.model_dump(mode="json"))
    try:
        return _store_and_index(record, original_path, archive_path, store, catalog, actor)
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


def _store_and_index(record: ArchiveRecord, original_path, archive_path, store: ObjectStore, catalog: Catalog,
                     actor: str) -> DocumentRow:
    doc_id = record.id
    # Each key is journalled before its object is written, so a crash in between leaves no orphan.
    original_sha, archive_sha = record.original.sha256, record.archive.sha256
    original_key = _stored_original(original_sha, store, catalog)
    if original_key is not None:
        catalog.note_written(doc_id, original_key)
    else:
        original_key = store.object_key(doc_id, "original", record.original.ext, original_sha)
        catalog.note_written(doc_id, original_key)
        store.put_file(doc_id, "original", original_path, original_sha, record.original.ext)
    archive_key = store.object_key(doc_id, "archive", "pdf", archive_sha)
    catalog.note_written(doc_id, archive_key)
    store.put_file(doc_id, "archive", archive_path, archive_sha, "pdf")
    record.original.key, record.archive.key = original_key, archive_key
    metadata = record.to_bytes()
    meta_sha = record_sha256(metadata)
    meta_key = store.object_key(doc_id, "metadata-1", "json", meta_sha)
    catalog.note_written(doc_id, meta_key)
    store.put_bytes(doc_id, "metadata-1", metadata, "json")
    for key in (original_key, archive_key, meta_key):
        store.seal(key)
    doc, pages = rows_from_record(record, metadata_key=meta_key, metadata_sha256=meta_sha)
    catalog.add_document(doc, pages, actor=actor, detail=archived_detail(doc))
    save_fields(catalog, doc_id, record.doc_type, record.fields)
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
        outcome = _settle(pending.document_id, ArchiveRecord.model_validate(record), json.loads(pending.keys), store,
                          catalog, actor, report)
        getattr(report, outcome).append(pending.document_id)
    return report


def _settle(doc_id: str, record: ArchiveRecord, keys: list[str], store: ObjectStore, catalog: Catalog, actor: str,
            report: ReconcileReport) -> str:
    """Finish one abandoned write, or undo it; returns 'completed' or 'rolled_back'."""
    if catalog.get(doc_id) is not None:  # crashed after the commit, before the journal cleanup
        catalog.end_write(doc_id)
        return "completed"
    if len(keys) == 3 and _all_verify(store, record, keys):
        record.original.key, record.archive.key = keys[0], keys[1]
        for key in keys:
            store.seal(key)
        doc, pages = rows_from_record(record, metadata_key=keys[2], metadata_sha256=store.hash_object(keys[2]))
        catalog.add_document(doc, pages, actor=actor, detail={"completed_after_crash": True})
        save_fields(catalog, doc_id, record.doc_type, record.fields)
        catalog.end_write(doc_id)
        return "completed"
    # Only the original can be shared (by documents split from the same scan); keep it if so.
    shared = {d.original_key for d in catalog.find_by_original(record.original.sha256)}
    for key in keys:
        if key in shared:
            continue
        try:
            store.delete(key)
        except StoreError as exc:
            report.problems.append(f"{doc_id}: {exc}")
    catalog.end_write(doc_id)
    catalog.record_event(actor, "rolled_back", doc_id, keys=keys, source=record.source)
    return "rolled_back"


def _all_verify(store: ObjectStore, record: ArchiveRecord, keys: list[str]) -> bool:
    expected = [record.original.sha256, record.archive.sha256]
    for key, sha in zip(keys, expected):
        if store.hash_object(key) != sha:
            return False
    return store.exists(keys[2])


def read_record(doc: DocumentRow, store: ObjectStore, key: str | None = None,
                sha256: str | None = None) -> ArchiveRecord:
    """Read a stored record back (the current one unless *key* is given), verified.

    Its checksum must be the one the index (or the successor naming it) holds, and it must be the
    version of this document the index says it is.
    """
    key = key or doc.metadata_key
    expected = sha256 if key != doc.metadata_key else (sha256 or doc.metadata_sha256)
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "record.json"
        # Records written before the index kept their checksum can only be read as they are.
        store.download(key, target, expected or store.hash_object(key) or "")
        record = ArchiveRecord.from_bytes(target.read_bytes())
    if record.id != doc.id:
        raise IntegrityError(f"metadata object {key} belongs to {record.id}, not {doc.id}")
    if key == doc.metadata_key and record.metadata_version != doc.metadata_version:
        raise IntegrityError(f"metadata of {doc.id} is version {record.metadata_version}, "
                             f"the index says {doc.metadata_version}")
    return record


def _index_fields(changes: dict) -> dict:
    """The changed record fields as index columns (lists are JSON text there)."""
    columns = set(DocumentRow.model_fields)
    return {k: (json.dumps(v) if k in ("review_reasons", "candidates") else v)
            for k, v in changes.items() if k in columns}


def _field_values(fields: list[dict]) -> list[tuple]:
    return [(f.get("name"), f.get("value"), f.get("status")) for f in fields]


def update_metadata(doc_id: str, changes: dict, *, actor: str, action: str, store: ObjectStore,
                    catalog: Catalog) -> DocumentRow:
    """Change a document's metadata: version n is read back and verified, n+1 stored; nothing overwritten."""
    doc = catalog.get(doc_id)
    if doc is None:
        raise KeyError(doc_id)
    current = read_record(doc, store)
    # Fields re-read since (after a change of type) are in the index: the new version carries them.
    indexed = fields_of(catalog, [doc_id]).get(doc_id)
    if indexed is not None and "fields" not in changes and _field_values(indexed[1]) != _field_values(current.fields):
        changes = {**changes, "fields": indexed[1]}
    record = current.next_version(changes, actor=actor, action=action, previous_key=doc.metadata_key,
                                  previous_sha256=doc.metadata_sha256 or None)
    data = record.to_bytes()
    meta = store.put_bytes(doc_id, f"metadata-{record.metadata_version}", data, "json")
    store.seal(meta.key)
    previous = json.loads(doc.previous_metadata_keys) + [doc.metadata_key]
    return catalog.update_document(doc_id, actor, action, **_index_fields(changes), metadata_key=meta.key,
                                   metadata_sha256=record_sha256(data), metadata_version=record.metadata_version,
                                   previous_metadata_keys=json.dumps(previous))


def rebuild_from_records(doc_id: str, store: ObjectStore, catalog: Catalog, *, actor: str = "rebuild") -> DocumentRow:
    """Rebuild a document's index rows from its stored records alone (current one and the chain before it)."""
    doc = catalog.get(doc_id)
    if doc is None:
        raise KeyError(doc_id)
    record = read_record(doc, store)
    previous_keys: list[str] = []
    link = record.previous
    while link is not None:   # walk back to version 1, verifying each link
        previous_keys.insert(0, link.key)
        link = read_record(doc, store, link.key, link.sha256).previous
    row, pages = rows_from_record(record, metadata_key=doc.metadata_key, metadata_sha256=doc.metadata_sha256,
                                  previous_keys=previous_keys or json.loads(doc.previous_metadata_keys))
    catalog.replace_document(row, pages, actor=actor)
    save_fields(catalog, doc_id, record.doc_type, record.fields)
    return row


def expected_objects(catalog: Catalog) -> list[ExpectedObject]:
    """Every object the index says must exist, with the checksum it must have."""
    expected = []
    for doc in catalog.documents():
        expected.append(ExpectedObject(doc.id, "original", doc.original_key, doc.original_sha256))
        expected.append(ExpectedObject(doc.id, "archive", doc.archive_key, doc.archive_sha256))
        expected.append(ExpectedObject(doc.id, "metadata", doc.metadata_key, doc.metadata_sha256 or None))
        for key in json.loads(doc.previous_metadata_keys):
            expected.append(ExpectedObject(doc.id, "metadata", key, None))
    return expected
