"""The pipeline over one source file: the sequence of stages, in one readable function.

    sniff → inspect → pages (render, orient, deskew, OCR; in worker processes) → split
    → classify + match case → PDF/A → store (verified) → index

Runners (CLI, inbox watcher, migration, Celery workers) only decide where `ingest_file` runs.
"""

from __future__ import annotations

import logging
import secrets
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from ..errors import Rejected
from ..storage import StoreError, environment_error, sha256_file
from . import sources
from ..applications.detect import open_from_form
from .budget import MemoryBudget
from .classify import classify_document
from .context import Context
from .document import Document, Page
from .pdfa import ArchiveMetadata, write_archive
from .persist import RECORD_VERSION, commit_document
from .names import openable, readable
from .quarantine import quarantine
from .split import split_batch

log = logging.getLogger(__name__)


@dataclass
class IngestResult:
    """One line of `dms ingest --json`: the field names are a public contract."""

    source: str
    status: str                       # archived | duplicate | rejected | failed (store down: retry later) | skipped (not taken: link, hidden)
    id: str | None = None
    sha256: str | None = None
    pages: int = 0
    doc_type: str | None = None
    case_number: str | None = None
    review: bool = False
    error: str | None = None
    seconds: float = 0.0
    reason_code: str | None = None
    duplicate_of: list[str] = field(default_factory=list)
    part: str | None = None
    message_id: str | None = None
    archive_sha256: str | None = None
    blank_pages: int = 0
    sheets: list[int] = field(default_factory=list)
    review_reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    quarantined: str | None = None
    cover_case_number: str | None = None   # named by an AZ: cover sheet before the document

    def to_json(self) -> dict:
        return asdict(self)


def new_document_id() -> str:
    """Time-ordered, unguessable: YYYYMMDD-hhmmss-random."""
    return datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(4)


def ingest_file(path: Path, ctx: Context, *, source: str | None = None, part: str | None = None,
                message_id: str | None = None, hint_case_number: str | None = None,
                display_name: str | None = None, media_type: str | None = None) -> list[IngestResult]:
    """Archive one file; every outcome, including refusal, is a result (never an exception).

    *media_type* skips sniffing when the runner already knows (an IMAP message is a mail).
    """
    started = time.monotonic()
    source = readable(source or str(path))      # a name that is not UTF-8 must not break the JSON output
    display_name = readable(display_name or path.name)
    sha = None
    try:
        if path.stat().st_size == 0:
            raise Rejected("empty")
        sha = sha256_file(path)
        with ctx.claim(sha):
            existing = ctx.catalog.find_by_original(sha)
            if existing:
                return [duplicate_result(existing, source=source, sha=sha, part=part, message_id=message_id,
                                         started=started)]
            if media_type == sources.EML:
                extension = "eml"
            else:
                media_type, extension = sources.sniff(path)
            if media_type == sources.EML:
                from .mail import ingest_mail

                MemoryBudget.of(ctx.settings).mail(path.stat().st_size)

                return ingest_mail(path, ctx, source=source, sha256=sha)
            with openable(path, ctx.work_dir()) as usable:
                results = _archive_container(usable, sha, media_type, extension, ctx, source=source, part=part,
                                             message_id=message_id, hint=hint_case_number)
    except Rejected as rejection:
        return [reject_file(path, rejection, ctx, source=source, sha=sha, part=part, message_id=message_id,
                            display_name=display_name, started=started)]
    except StoreError as exc:
        # The archive is unreachable: nothing is lost, the original stays where it is to be retried.
        return [failed_result(source, sha, part, message_id, started, f"object store unavailable: {exc}")]
    except Exception as exc:  # a bug or an unforeseen file: refuse it visibly, never stop the batch
        if environment_error(exc):   # disk full, quota, I/O: the machine's fault, retry the file later
            return [failed_result(source, sha, part, message_id, started, f"cannot write: {exc.strerror}")]
        log.exception("processing %s failed", source)
        return [reject_file(path, Rejected("processing_error", f"{type(exc).__name__}: {exc}"[:160]), ctx,
                            source=source, sha=sha, part=part, message_id=message_id,
                            display_name=display_name, started=started)]
    elapsed = round(time.monotonic() - started, 3)
    for result in results:
        result.seconds = elapsed
    return results


def reject_file(path: Path, rejection: Rejected, ctx: Context, *, source: str, sha: str | None, part: str | None,
                message_id: str | None, display_name: str | None, started: float) -> IngestResult:
    """Quarantine the original with its reason and report the refusal."""
    try:
        kept = quarantine(path, display_name or path.name, rejection, ctx.settings.quarantine_dir, source)
    except StoreError as exc:   # quarantine not writable (disk full): the original stays, retried later
        return failed_result(source, sha, part, message_id, started, f"{rejection.message}; {exc}")
    ctx.catalog.record_event("pipeline", "rejected", None, source=source, reason=rejection.reason_code,
                             message=rejection.message, quarantined=str(kept))
    return IngestResult(source, "rejected", sha256=sha, error=rejection.message,
                        reason_code=rejection.reason_code, part=part, message_id=message_id,
                        quarantined=str(kept), seconds=round(time.monotonic() - started, 3))


def failed_result(source: str, sha: str | None, part: str | None, message_id: str | None, started: float,
                  error: str) -> IngestResult:
    """Not archived for want of a working store or disk: the original stays where it is for a retry."""
    return IngestResult(source, "failed", sha256=sha, error=error, reason_code="store_unavailable", part=part,
                        message_id=message_id, seconds=round(time.monotonic() - started, 3))


def duplicate_result(existing: list, *, source: str, sha: str, part: str | None, message_id: str | None,
                     started: float) -> IngestResult:
    """The same bytes are archived already: name the documents they became."""
    first = existing[0]
    return IngestResult(source, "duplicate", id=first.id, sha256=sha, pages=sum(d.pages for d in existing),
                        doc_type=first.doc_type, case_number=first.case_number, review=first.review,
                        duplicate_of=[d.id for d in existing], part=part, message_id=message_id or first.message_id,
                        seconds=round(time.monotonic() - started, 3))


def read_container(path: Path, media_type: str, ctx: Context, work_dir: Path):
    """Inspect the file, process every page, split at sheets: (container, groups, sheets, encoded pages)."""
    settings = ctx.settings
    container = sources.inspect(
        path, media_type, max_megapixels=settings.imaging.max_image_megapixels,
        default_dpi=settings.ocr.default_dpi, max_dpi=settings.imaging.max_archive_dpi,
        min_text_chars=settings.ocr.min_text_chars_per_page, work_dir=work_dir, budget=MemoryBudget.of(settings))
    processed = ctx.run_pages(container)
    groups, sheets = split_batch([r.page for r in processed])
    if not groups:
        raise Rejected("no_pages", "only separator or cover sheets")
    return container, groups, sheets, {r.page.number: r.encoded for r in processed}


def _archive_container(path: Path, sha: str, media_type: str, extension: str, ctx: Context, *, source: str,
                       part: str | None, message_id: str | None, hint: str | None) -> list[IngestResult]:
    with tempfile.TemporaryDirectory(dir=ctx.work_dir()) as tmp:
        container, groups, sheets, encoded = read_container(path, media_type, ctx, Path(tmp))
        results = []
        for group in groups:
            doc = Document(source=source, original_path=path, sha256=sha, media_type=media_type,
                           extension=extension, pages=group.pages, part=part, message_id=message_id,
                           cover_case_number=group.cover_case_number, hint_case_number=hint,
                           warnings=list(container.warnings))
            classify_document(doc, ctx)
            results.append(archive_document(doc, encoded, sheets, ctx, Path(tmp)))
        return results


def archive_document(doc: Document, encoded: dict, sheets: list[int], ctx: Context, tmp: Path) -> IngestResult:
    """The last steps for one processed document: PDF/A, verified storage, index."""
    settings = ctx.settings
    doc_id = new_document_id()
    kept = [p for p in doc.pages if not (p.blank and settings.imaging.drop_blank_pages)] or doc.pages
    ingested_at = datetime.now(timezone.utc).replace(microsecond=0)
    archive_path = tmp / f"{doc_id}.pdf"
    title = doc.title or f"{doc.doc_type or 'Dokument'} {Path(doc.source).name}"
    write_archive([(p, encoded[p.number]) for p in kept],
                  ArchiveMetadata(title, doc.doc_type, doc.case_number, doc.source, doc_id, ingested_at,
                                  settings.archive.producer),
                  archive_path, settings.archive.pdfa_part)
    record = _record(doc, doc_id, archive_path, kept, ingested_at, title)
    row = commit_document(record, doc.original_path, archive_path, ctx.store, ctx.catalog)
    open_from_form(ctx, doc, row.id)
    return IngestResult(doc.source, "archived", id=row.id, sha256=doc.sha256, pages=len(doc.pages),
                        doc_type=doc.doc_type, case_number=doc.case_number, review=doc.review,
                        part=doc.part, message_id=doc.message_id, archive_sha256=row.archive_sha256,
                        blank_pages=sum(p.blank for p in doc.pages), sheets=sheets,
                        review_reasons=doc.review_reasons, warnings=doc.warnings,
                        cover_case_number=doc.cover_case_number)


def _page_record(page: Page, archived: bool) -> dict:
    return {"number": page.number, "text": page.text, "ocr_confidence": page.ocr_confidence,
            "blank": page.blank, "rotation": page.rotation, "skew": round(page.skew, 3),
            "colour": page.colour, "born_digital": page.born_digital, "archived": archived}


def _record(doc: Document, doc_id: str, archive_path: Path, kept: list[Page], ingested_at: datetime,
            title: str) -> dict:
    confidences = [p.ocr_confidence for p in doc.pages if p.ocr_confidence is not None and not p.blank]
    kept_numbers = {p.number for p in kept}
    return {
        "version": RECORD_VERSION, "id": doc_id, "source": doc.source, "part": doc.part,
        "message_id": doc.message_id, "title": title, "ingested_at": ingested_at.isoformat(),
        "original": {"sha256": doc.sha256, "ext": doc.extension, "media_type": doc.media_type, "key": None},
        "archive": {"sha256": sha256_file(archive_path), "key": None, "pdfa_part": None},
        "pages": [_page_record(p, p.number in kept_numbers) for p in doc.pages],
        "doc_type": doc.doc_type, "doc_type_confidence": doc.doc_type_confidence,
        "case_number": doc.case_number, "case_method": doc.case_method, "review": doc.review,
        "review_reasons": doc.review_reasons, "candidates": doc.candidates, "case_evidence": doc.case_evidence,
        "ocr_confidence": round(sum(confidences) / len(confidences), 2) if confidences else None,
        "warnings": doc.warnings,
        "fields": [f.to_json() for f in doc.fields], "direction": doc.direction,
    }
