"""Operations on archived documents: ingest, upload, search, show, get, hold, delete."""

from __future__ import annotations

import json
from dataclasses import replace
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
from .reasons_view import OUTSIDE, ReasonsView
from .runtime import Runtime, operation


def input_files(paths: list[Path], skipped: list | None = None) -> list[Path]:
    """The files named, folders taken recursively without following links, in a stable order.

    Entries that are not taken (links out of a folder, hidden or dangling files) are appended to
    *skipped* as `IngestResult`s with status "skipped" and the reason, so callers can say so.
    """
    from ..ingest.inputs import scan_inputs
    from ..ingest.names import readable
    from ..ingest.results import IngestResult, Status

    try:
        scan = scan_inputs(paths)
    except FileNotFoundError as exc:
        raise Invalid(f"no such file or folder: {exc}") from None
    if skipped is not None:
        skipped.extend(IngestResult(readable(str(s.path)), Status.SKIPPED, error=s.message,
                                    reason_code=s.reason_code)
                       for s in scan.skipped)
    return scan.files


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
        if case_number and runtime.catalog.case(case_number) is None:
            raise NotFound(f"There is no case {case_number} in the registry.")
        policy.require(actor, "upload", case_number=case_number, catalog=runtime.catalog)
        with runtime.pipeline(1) as ctx:
            results = ingest_file(path, ctx, source=f"upload:{actor.login}/{display_name}",
                                  case_hint=case_number, display_name=display_name, actor=actor.login)
        note.update(documents=[r.id for r in results if r.id])
        return [_as_seen_by(actor, runtime, r) for r in results]


def _as_seen_by(actor: Actor, runtime: Runtime, result):
    """An upload's result as the uploader may see it: a document a caseworker may not open (the same
    file already in another team's case, or filed elsewhere) is reported without its id, type, case
    and reasons, which would tell them whose file it is. The mailroom sees every outcome anyway."""
    doc_id = result.id or next(iter(result.duplicate_of), None)
    doc = runtime.catalog.get(doc_id) if doc_id else None
    if doc is None or policy.allowed(actor, "intake") or policy.allowed(actor, "show", document=doc,
                                                                         catalog=runtime.catalog):
        # Their own case's document may still name other cases in its reasons (or its cover sheet).
        view = ReasonsView(actor, runtime)
        cover = result.cover_case_number
        return replace(result, review_reasons=view.reasons(result.review_reasons, mentioned=(cover,)),
                       cover_case_number=OUTSIDE if view.hides(cover) else cover)
    return replace(result, id=None, doc_type=None, case_number=None, duplicate_of=[], review_reasons=[],
                   warnings=[], archive_sha256=None, cover_case_number=None)


def search(actor: Actor, runtime: Runtime, query: str, *, limit: int = 20) -> list:
    """Full-text search, best first: the catalog's hits."""
    return find(actor, runtime, SearchQuery(query, limit=limit)).hits


def find(actor: Actor, runtime: Runtime, query: SearchQuery) -> SearchPage:
    """Full-text search with filters and paging within what *actor* may see: total, facets per
    document type, one page of hits. The policy's scope goes into the query itself (allowed teams'
    cases, unassigned documents), so totals, facets and paging never count what the actor may not open."""
    with operation(runtime, actor, "search", None, object_type="search", query=query.text[:200],
                   case=",".join(query.case_numbers or ()) or None,
                   doc_type=",".join(query.doc_types or ()) or None) as note:
        policy.require(actor, "search")
        scope = policy.scope(actor)
        if not scope.unrestricted:
            query = replace(query, allowed_cases=frozenset(), allowed_teams=frozenset(scope.teams),
                            include_unassigned=scope.unassigned)
        try:
            result = runtime.catalog.find(query)
        except SearchIndexOutdated as exc:
            raise Unavailable(str(exc)) from None
        # An Art. 15 report must find searches that showed a person's file.
        note.update(total=result.total, cases=sorted({h.case_number for h in result.hits if h.case_number}))
        return result


def search_page(actor: Actor, runtime: Runtime, text: str, *, case_number: str | None = None,
                doc_type: str | None = None, received_from=None, received_to=None, review: bool | None = None,
                limit: int = 20, offset: int = 0) -> dict:
    """One page of search results within what *actor* may see, as the REST API returns it:
    `{"total", "total_exact", "hits": [{"id", "score", "snippet", "page", "case_number", "doc_type", ...}], "facets"}`."""
    return find(actor, runtime, SearchQuery(
        text=text, case_numbers=(case_number,) if case_number else None, doc_types=(doc_type,) if doc_type else None,
        received_from=received_from, received_to=received_to, review=review,
        limit=limit, offset=offset)).to_json()


def document(runtime: Runtime, doc_id: str) -> DocumentRow:
    doc = runtime.catalog.get(doc_id)
    if doc is None:
        raise NotFound(f"no document with id {doc_id}")
    return doc


def show(actor: Actor, runtime: Runtime, doc_id: str, *, text: bool = False) -> dict:
    """A document's metadata, pages (with their text if asked) and history: the `dms show --json` object."""
    with operation(runtime, actor, "show", doc_id) as note:
        doc = document(runtime, doc_id)
        note.update(object_type="document", case_number=doc.case_number)   # the log needs not read it again
        policy.require(actor, "show", document=doc, catalog=runtime.catalog)
        catalog = runtime.catalog
        data = doc.model_dump(mode="json")
        view = ReasonsView(actor, runtime)      # other cases the reasons and history name, as the reader may see them
        seen = view.of_document(doc)
        data.update(review_reasons=seen["reasons"], candidates=seen["candidates"],
                    candidates_hidden=seen["candidates_hidden"])
        pages, events = catalog.pages_and_events(doc_id)
        data["page_details"] = [{"number": p.number, "ocr_confidence": p.ocr_confidence, "blank": p.blank,
                                 "rotation": p.rotation, "skew": p.skew, "colour": p.colour,
                                 **({"text": p.text} if text else {})} for p in pages]
        data["audit"] = [{"at": e.at.isoformat(), "actor": e.actor, "action": e.action,
                          "detail": view.history_detail(json.loads(e.detail))} for e in events]
        data["fields"] = _fields(catalog, doc)
        return data


def _fields(catalog, doc) -> list[dict]:
    """The fields read from the document (value, status, confidence, page, source text), if read for
    its current type."""
    from ..index.applications import fields_of

    doc_type, fields = fields_of(catalog, [doc.id]).get(doc.id, (None, []))
    return fields if doc_type == (doc.doc_type or "") else []


def get(actor: Actor, runtime: Runtime, doc_id: str, output: Path, *, original: bool = False,
        overwrite: bool = False) -> str:
    """Write the archival PDF/A (or the original) to *output* after verifying it; returns its SHA-256.

    An existing folder receives ID.pdf (or ID.original-extension); an existing file is replaced
    only with *overwrite*; nothing is left behind when writing fails.
    """
    role = "original" if original else "archive"
    with operation(runtime, actor, "get", doc_id, role=role) as note:
        doc = document(runtime, doc_id)
        note.update(object_type="document", case_number=doc.case_number)
        policy.require(actor, "get", document=doc, catalog=runtime.catalog)
        key, sha = (doc.original_key, doc.original_sha256) if original else (doc.archive_key, doc.archive_sha256)
        target = _get_target(Path(output), doc, original, overwrite)
        try:
            _write_no_clobber(runtime.store, key, sha, target, overwrite)
        except FileExistsError:
            raise Invalid(f"{target} exists; use --force to replace it") from None
        except StoreError as exc:
            raise Unavailable(str(exc)) from None
        return sha


def _get_target(output: Path, doc: DocumentRow, original: bool, overwrite: bool) -> Path:
    if output.is_dir():
        output = output / f"{doc.id}.{(doc.original_ext or 'bin') if original else 'pdf'}"
    if not output.parent.is_dir():
        raise Invalid(f"folder {output.parent} does not exist")
    if output.exists() and (not overwrite or output.is_dir()):
        raise Invalid(f"{output} exists; use --force to replace it")
    return output


def _write_no_clobber(store, key: str, sha: str, target: Path, overwrite: bool) -> None:
    """Download beside *target*, then link it into place (fails if *target* appeared meanwhile)."""
    import os
    import secrets

    partial = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
    try:
        store.download(key, partial, sha)
        if overwrite:
            os.replace(partial, target)
        else:
            os.link(partial, target)
    except OSError as exc:
        if isinstance(exc, FileExistsError):
            raise
        raise StoreError(f"cannot write {target}: {exc.strerror or exc}") from None
    finally:
        partial.unlink(missing_ok=True)


def hold(actor: Actor, runtime: Runtime, doc_id: str, on: bool) -> DocumentRow:
    """Set or clear a legal hold on all objects of a document; recorded as a new metadata version."""
    from ..ingest.persist import update_metadata

    with operation(runtime, actor, "hold", doc_id, on=on):
        doc = document(runtime, doc_id)
        policy.require(actor, "hold", document=doc)
        store = runtime.store
        try:
            for key in (doc.original_key, doc.archive_key, doc.metadata_key, *json.loads(doc.previous_metadata_keys)):
                store.set_legal_hold(key, on)
            row = update_metadata(doc_id, {"legal_hold": on}, actor=actor.login,
                                  action=f"legal_hold_{'on' if on else 'off'}", store=store, catalog=runtime.catalog)
            store.set_legal_hold(row.metadata_key, on)
        except StoreError as exc:
            raise Unavailable(str(exc)) from None
        return row


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


def rebuild(actor: Actor, runtime: Runtime, doc_ids: list[str] | None = None) -> list[str]:
    """Rebuild index rows from the stored records (all documents, or those named); returns their ids."""
    from ..ingest.persist import rebuild_from_records

    with operation(runtime, actor, "rebuild", None, documents=len(doc_ids) if doc_ids else "all") as note:
        policy.require(actor, "rebuild")
        catalog, store = runtime.catalog, runtime.store
        ids = doc_ids or [d.id for d in catalog.documents()]
        for doc_id in ids:
            document(runtime, doc_id)
            try:
                rebuild_from_records(doc_id, store, catalog, actor=actor.login)
            except StoreError as exc:
                raise Unavailable(f"{doc_id}: {exc}") from None
        note.update(rebuilt=len(ids))
        return ids
