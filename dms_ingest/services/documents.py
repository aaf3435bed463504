"""Operations on archived documents: ingest, upload, search, show, get, hold, delete."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Callable

from ..access import policy
from ..errors import Invalid, NotFound, Refused, Unavailable
from ..index.catalog import SearchIndexOutdated
from ..index.models import DocumentRow
from ..index.query import SearchQuery
from ..index.search import SearchPage
from ..storage import RetentionError, StoreError
from .actor import Actor
from .runtime import Runtime, operation


def input_files(paths: list[Path]) -> list[Path]:
    """The files named, folders taken recursively (hidden files left out), in a stable order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")))
        elif path.is_file():
            files.append(path)
        else:
            raise Invalid(f"no such file or folder: {path}")
    return files


def ingest(actor: Actor, runtime: Runtime, files: list[Path], *, workers: int | None = None,
           on_file: Callable[[Path, list], None] | None = None) -> list:
    """Archive files (one result per produced document); *on_file* hears each file as it is done."""
    from ..ingest.pipeline import ingest_file

    with operation(runtime, actor, "ingest", None, files=len(files)) as note:
        policy.require(actor, "ingest")
        results = []
        try:
            ctx = runtime.pipeline(workers)
        except StoreError as exc:
            raise Unavailable(f"object store unavailable: {exc}") from None
        with ctx, ThreadPoolExecutor(max(1, ctx.workers)) as threads:
            futures = {threads.submit(ingest_file, f, ctx, source=str(f)): f for f in files}
            for future in as_completed(futures):
                produced = future.result()
                results.extend(produced)
                if on_file is not None:
                    on_file(futures[future], produced)
        note.update(documents=[r.id for r in results if r.status == "archived"])
        return results


def upload(actor: Actor, runtime: Runtime, path: Path, *, display_name: str,
           case_number: str | None = None) -> list:
    """A document a caseworker hands in (web upload): the same pipeline, with the case as a hint."""
    from ..ingest.pipeline import ingest_file

    with operation(runtime, actor, "upload", None, name=display_name, case_number=case_number) as note:
        policy.require(actor, "upload", case_number=case_number)
        with runtime.pipeline(1) as ctx:
            results = ingest_file(path, ctx, source=f"upload:{actor.login}/{display_name}",
                                  hint_case_number=case_number, display_name=display_name)
        note.update(documents=[r.id for r in results if r.id])
        return results


def search(actor: Actor, runtime: Runtime, query: str, *, limit: int = 20) -> list:
    """Full-text search, best first: the catalog's hits."""
    return find(actor, runtime, SearchQuery(query, limit=limit)).hits


def find(actor: Actor, runtime: Runtime, query: SearchQuery) -> SearchPage:
    """Full-text search with filters and paging: total, facets per document type, one page of hits.

    The actor's limits (allowed cases/teams, unassigned documents) go into *query* as
    allowed_cases / allowed_teams / include_unassigned; the catalog applies them inside the index query."""
    with operation(runtime, actor, "search", None, query=query.text[:200]) as note:
        policy.require(actor, "search")
        try:
            result = runtime.catalog.find(query)
        except SearchIndexOutdated as exc:
            raise Unavailable(str(exc)) from None
        note.update(hits=len(result.hits), total=result.total)
        return result


def document(runtime: Runtime, doc_id: str) -> DocumentRow:
    doc = runtime.catalog.get(doc_id)
    if doc is None:
        raise NotFound(f"no document with id {doc_id}")
    return doc


def show(actor: Actor, runtime: Runtime, doc_id: str, *, text: bool = False) -> dict:
    """A document's metadata, pages (with their text if asked) and history: the `dms show --json` object."""
    with operation(runtime, actor, "show", doc_id):
        doc = document(runtime, doc_id)
        policy.require(actor, "show", document=doc)
        catalog = runtime.catalog
        data = doc.model_dump(mode="json")
        data["review_reasons"] = json.loads(doc.review_reasons)
        data["candidates"] = json.loads(doc.candidates)
        data["page_details"] = [{"number": p.number, "ocr_confidence": p.ocr_confidence, "blank": p.blank,
                                 "rotation": p.rotation, "skew": p.skew, "colour": p.colour,
                                 **({"text": p.text} if text else {})} for p in catalog.pages(doc_id)]
        data["audit"] = [{"at": e.at.isoformat(), "actor": e.actor, "action": e.action,
                          "detail": json.loads(e.detail)} for e in catalog.audit(doc_id)]
        return data


def get(actor: Actor, runtime: Runtime, doc_id: str, output: Path, *, original: bool = False) -> str:
    """Write the archival PDF/A (or the original) to *output* after verifying it; returns its SHA-256."""
    role = "original" if original else "archive"
    with operation(runtime, actor, "get", doc_id, role=role):
        doc = document(runtime, doc_id)
        policy.require(actor, "get", document=doc)
        key, sha = (doc.original_key, doc.original_sha256) if original else (doc.archive_key, doc.archive_sha256)
        try:
            runtime.store.download(key, output, sha)
        except StoreError as exc:
            raise Unavailable(str(exc)) from None
        return sha


def hold(actor: Actor, runtime: Runtime, doc_id: str, on: bool) -> DocumentRow:
    """Set or clear a legal hold on all objects of a document."""
    with operation(runtime, actor, "hold", doc_id, on=on):
        doc = document(runtime, doc_id)
        policy.require(actor, "hold", document=doc)
        store = runtime.store
        try:
            for key in (doc.original_key, doc.archive_key, doc.metadata_key):
                store.set_legal_hold(key, on)
        except StoreError as exc:
            raise Unavailable(str(exc)) from None
        return runtime.catalog.update_document(doc_id, actor.login, f"legal_hold_{'on' if on else 'off'}",
                                               legal_hold=on)


def delete(actor: Actor, runtime: Runtime, doc_id: str, *, reason: str) -> None:
    """Delete a document whose retention has ended; refused under retention or legal hold."""
    with operation(runtime, actor, "delete", doc_id, reason=reason):
        doc = document(runtime, doc_id)
        policy.require(actor, "delete", document=doc)
        if doc.legal_hold:
            raise Refused(f"refused: document {doc_id} is under legal hold")
        catalog, store = runtime.catalog, runtime.store
        shared = {k for d in catalog.documents() if d.id != doc_id for k in (d.original_key, d.archive_key)}
        try:
            for key in [doc.archive_key, doc.metadata_key, *json.loads(doc.previous_metadata_keys), doc.original_key]:
                if key not in shared:
                    store.delete(key)
        except RetentionError as exc:
            raise Refused(f"refused: {exc}") from None
        except StoreError as exc:
            raise Unavailable(str(exc)) from None
        catalog.delete_document(doc_id, actor.login, reason)
