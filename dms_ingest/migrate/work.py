"""One work item (one paper file), start to finish, safe to run again after any crash.

    lock the item (PostgreSQL advisory lock: the server frees it when the worker dies)
    → claim it (pending, or running for a dead worker → running for me)
    → the input: the PDF/TIFF itself, or the folder assembled into one reproducible PDF
    → under a lock on the original's SHA-256:
        finish or roll back store writes a killed attempt left in the journal
        no documents of this paper file yet  → ingest_file (the pipeline)
        some documents already archived       → ingest_file with Resume: split again, archive
                                                only the documents that are missing
    → prove completeness (pages counted in the stored archives) → done | failed | pending (retry)

Exactly once: a document is identified by its original (SHA-256) and the source page numbers it
holds. An attempt killed after archiving 2 of 5 documents leaves those 2 in the index (and maybe a
half-written 3rd in the journal); the redo completes or rolls back the 3rd and archives 3-5 only.
"""

from __future__ import annotations

import json
import logging
import resource
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Rejected
from ..ingest.results import Outcome, Status, outcome_of
from ..storage import StoreError, sha256_file
from . import manifest
from .assemble import assemble_folder
from .completeness import prove
from .locks import Heartbeat, item_lock, original_lock, uses_advisory_locks, worker_id
from .models import DONE, FAILED, PENDING, WorkItem, utcnow

log = logging.getLogger(__name__)

BUSY, SKIPPED = "busy", "skipped"


@dataclass
class Prepared:
    path: Path
    pages_in: int | None
    display_name: str
    inputs: list[dict] = field(default_factory=list)


def prepare(item: WorkItem, tmp: Path, settings) -> Prepared:
    """The one file the pipeline ingests for this paper file."""
    path = Path(item.path)
    if not path.exists():
        raise FileNotFoundError(str(path))
    if path.is_dir():
        assembled = assemble_folder(path, tmp / f"{path.name[:80] or 'akte'}.pdf",
                                    default_dpi=settings.ocr.default_dpi)
        return Prepared(assembled.path, assembled.pages, f"{path.name}.pdf", [i.to_json() for i in assembled.images])
    return Prepared(path, manifest.count_pages(path, "file"), path.name)


def _usage() -> tuple[float, int]:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime, own.ru_maxrss


def process_item(item_id: int, ctx, *, run_id: str | None = None) -> str:
    """Work on one item; the item's new state, or BUSY (a live worker has it) / SKIPPED (nothing to do)."""
    catalog = ctx.catalog
    me = worker_id()
    with item_lock(catalog, item_id) as got:
        if not got:
            return BUSY
        item = manifest.claim(catalog, item_id, me, run_id, locked=uses_advisory_locks(catalog))
        if item is None:
            return SKIPPED
        cpu_before, _ = _usage()
        started = time.monotonic()
        try:
            with Heartbeat(catalog, item_id, me):
                values = _work(item, ctx, me)
        except (KeyboardInterrupt, SystemExit):
            manifest.release(catalog, item_id, me)
            raise
        except Exception as exc:  # a bug or the index going away: visible, retried, never silent
            log.exception("work item %s (%s) failed", item_id, item.path)
            values = _transient("worker_error", f"{type(exc).__name__}: {exc}"[:300])
        cpu_after, max_rss = _usage()
        values.update(seconds=round(time.monotonic() - started, 3), cpu_seconds=round(cpu_after - cpu_before, 3),
                      max_rss_kb=int(max_rss), heartbeat_at=None)
        values = _settle(item, values, ctx.settings.migration.max_attempts)
        manifest.record(catalog, item_id, me, **values)
        log.info("work item %s %s: %s", item_id, item.path, values["state"])
        return values["state"]


def _transient(reason: str, message: str, *, retry_now: bool | None = None) -> dict:
    return {"transient": True if retry_now is None else retry_now, "reason_code": reason, "last_error": message}


def _failed(reason: str, message: str, note: str | None = None) -> dict:
    return {"state": FAILED, "reason_code": reason, "last_error": message, "note": note, "finished_at": utcnow()}


def _settle(item: WorkItem, values: dict, max_attempts: int) -> dict:
    """Transient failures: pending again after a delay, or failed once attempts are used up."""
    retry = values.pop("transient", None)
    if retry is None:
        return values
    if retry and item.attempts < max_attempts:
        values.update(state=PENDING, worker=None,
                      not_before=utcnow() + manifest.retry_delay(item.attempts))
    else:
        values.update(state=FAILED, finished_at=utcnow())
    return values


def _work(item: WorkItem, ctx, me: str) -> dict:
    from ..ingest.pipeline import Resume, ingest_file

    catalog = ctx.catalog
    source = item.path
    with tempfile.TemporaryDirectory(dir=ctx.work_dir(), prefix="migrate-") as tmp:
        try:
            prepared = prepare(item, Path(tmp), ctx.settings)
            sha = sha256_file(prepared.path)
        except Rejected as rejection:
            return _failed(rejection.reason_code, rejection.message)
        except FileNotFoundError:
            # Perhaps a share that is not mounted right now: the nightly batch tries again.
            return _transient("missing", f"not found: {source}", retry_now=False)
        except OSError as exc:
            return _transient("missing", f"cannot read {source}: {exc.strerror or exc}", retry_now=False)
        manifest.record(catalog, item.id, me, original_sha256=sha, pages_in=prepared.pages_in,
                        inputs=json.dumps(prepared.inputs, ensure_ascii=False))
        note = None
        with original_lock(catalog, sha):
            try:
                journal = recover_journal(ctx, sha, source)
            except StoreError as exc:
                return _transient("store_unavailable", f"object store unavailable: {exc}")
            shas = {sha} | ({item.original_sha256} if item.original_sha256 else set())
            own = [d for s in shas for d in catalog.find_by_original(s) if d.source == source]
            results = ingest_file(prepared.path, ctx, source=source, case_hint=item.case_number,
                                  display_name=prepared.display_name,
                                  resume=Resume.of(own, catalog) if own else None)
            if own:
                note = (f"finished an interrupted attempt: {len(own)} document(s) were archived before"
                        + (f"; journal: {', '.join(journal)}" if journal else ""))
            elif journal:
                note = f"journal of an interrupted attempt: {', '.join(journal)}"
        return _evaluate(results, sha, prepared, ctx, note)


def _evaluate(results, sha: str, prepared: Prepared, ctx, note: str | None) -> dict:
    decision = outcome_of(results, original_archived=bool(ctx.catalog.find_by_original(sha)))
    if decision is Outcome.RETRY:
        failed = next(r for r in results if r.status == Status.FAILED)
        return _transient(failed.reason_code or "store_unavailable", failed.error or "failed")
    if decision is Outcome.REFUSED:
        first = next((r for r in results if r.status == Status.REJECTED), None)
        if first is None:
            return _failed("rejected", "not archived")
        kept = f"original kept in quarantine: {first.quarantined}" if first.quarantined else None
        return _failed(first.reason_code or "rejected", first.error or "rejected", kept)
    duplicate = [r for r in results if r.status == Status.DUPLICATE]
    if duplicate:
        ids = duplicate[0].duplicate_of
        pages = {p.number for doc_id in ids for p in ctx.catalog.pages(doc_id)}
        sheets = sorted(set(range(1, (prepared.pages_in or 0) + 1)) - pages)
        other = ctx.catalog.get(ids[0])
        note = f"the same bytes were archived before from {other.source if other else '?'}; not stored again"
    else:
        ids = [r.id for r in results if r.status == Status.ARCHIVED]
        sheets = results[0].sheets if results else []
    covers = list(dict.fromkeys(c for r in results if (c := getattr(r, "cover_case_number", None))))
    proof = prove(ids, sheets, prepared.pages_in, ctx)
    values = dict(documents=json.dumps(ids), pages_archived=proof.pages_archived, blank_pages=proof.blank_pages,
                  blank_dropped=proof.blank_dropped, sheets=len(proof.sheets), sheet_pages=json.dumps(proof.sheets),
                  review=proof.review, case_numbers=json.dumps(proof.case_numbers, ensure_ascii=False),
                  cover_case_numbers=json.dumps(covers, ensure_ascii=False), note=note)
    if not proof.complete:
        # Retrying re-checks (the documents are not archived twice); a person must look if it persists.
        values.update(_transient("incomplete", "; ".join(proof.problems)[:1000], retry_now=False))
        return values
    values.update(state=DONE, reason_code=None, last_error=None, finished_at=utcnow())
    return values


def recover_journal(ctx, sha: str, source: str) -> list[str]:
    """Store writes of this paper file that a killed attempt left half done: complete or roll back.

    Only entries of this original *and* this source are touched: the caller holds the item (and
    the original's lock), so no live process is writing them. `dms verify --reconcile` does the
    same for everything, but only for writers known to be gone.
    """
    from ..ingest.persist import reconcile

    report = reconcile(ctx.store, ctx.catalog, actor="migrate", owner_known_dead=True,
                       only=lambda r: r.get("original", {}).get("sha256") == sha and r.get("source") == source)
    return [f"{d} completed" for d in report.completed] + [f"{d} rolled back" for d in report.rolled_back]
