"""The pipeline over one input: one guarded entry, one per-document loop.

    guard:  empty? → SHA-256 → claim → duplicate? → route → (refusal: quarantine + audit event;
            store down: failed, the input stays for a retry; a bug: refused visibly)
    route:  a mail → its plan (attachments through the guard, then the body)
            text / Office attachment → rendered to PDF, the attachment kept as the original
            anything else → sniffed and read as it is
    loop:   inspect → pages (render, orient, deskew, OCR; in worker processes) → split
            → per document: classify + match case → PDF/A → store (verified) → index

Every input kind (file, mail part, mail body, migration item, web upload) comes through
`ingest_file`; runners (CLI, watcher, IMAP, migration, Celery worker, web upload) differ only in
the `IngestOptions` they pass.
"""

from __future__ import annotations

import dataclasses
import logging
import secrets
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from ..applications.detect import file_if_application_opened, open_from_form
from ..errors import Rejected
from ..storage import StoreError, environment_error, sha256_file
from . import sources
from .budget import MemoryBudget
from .classify import classify_document, resolve_mail_case
from .context import Context
from .document import Document, Page
from .mailplan import PartForm, plan_mail
from .pdfa import ArchiveMetadata, write_archive
from .names import openable, readable
from .persist import commit_document
from .quarantine import quarantine
from .record import ArchiveObject, ArchiveRecord, OriginalObject, PageRecord
from .results import IngestResult, Status
from .split import split_batch
from .textpdf import render_text_file, render_text_pdf

log = logging.getLogger(__name__)

__all__ = ["IngestOptions", "IngestResult", "Resume", "Status", "ingest_file", "read_container"]


@dataclass(frozen=True)
class Resume:
    """Documents an interrupted attempt already archived from this input, keyed by their page numbers.

    The input is read and split again (same bytes, same split); a group whose pages match one of
    these is reported, not stored again.
    """

    earlier: dict[tuple[int, ...], object] = field(default_factory=dict)   # page numbers → DocumentRow

    @classmethod
    def of(cls, documents: list, catalog) -> "Resume":
        return cls({tuple(sorted(p.number for p in catalog.pages(d.id))): d for d in documents})

    def done(self, pages: list[Page]):
        return self.earlier.get(tuple(sorted(p.number for p in pages)))


@dataclass(frozen=True)
class IngestOptions:
    """What a runner knows about an input and wants done with it."""

    source: str | None = None            # how results and records name the input (default: its path)
    display_name: str | None = None      # the name a clerk knows (quarantine file name; may hold subfolders)
    case_hint: str | None = None         # from outside the text: mail subject, manifest, upload form
    quarantine_dir: Path | None = None   # where refused originals go (default DMS_HOME/quarantine)
    take_original: bool = False          # the runner gives the input up: a refusal moves it, not copies
    actor: str = "pipeline"              # who the audit events name (a caseworker for an upload)
    resume: Resume | None = None         # an interrupted attempt's documents (migration redo)
    media_type: str | None = None        # known already (IMAP: a mail; attachments: declared type)
    extension: str | None = None
    form: PartForm = PartForm.FILE       # text and Office attachments are rendered first
    part: str | None = None              # mail: attachment | body
    message_id: str | None = None        # links the documents of one mail

    def but(self, **changes) -> "IngestOptions":
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class _Original:
    """The bytes the archive keeps as they are, and what they are."""

    path: Path
    sha256: str
    media_type: str
    extension: str


def new_document_id() -> str:
    """Time-ordered, unguessable: YYYYMMDD-hhmmss-random."""
    return datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(4)


def ingest_file(path: Path, ctx: Context, options: IngestOptions | None = None, *,
                hint_case_number: str | None = None, **overrides) -> list[IngestResult]:
    """Archive one input; every outcome, including refusal, is a result (never an exception).

    Options come as an `IngestOptions` and/or as its fields by keyword.
    """
    options = (options or IngestOptions()).but(**overrides)
    if hint_case_number is not None:
        options = options.but(case_hint=hint_case_number)
    # a name that is not UTF-8 (a Latin-1 share) must not break the JSON output or the quarantine
    options = options.but(source=readable(options.source or str(path)),
                          display_name=readable(options.display_name) if options.display_name else None)
    started = time.monotonic()
    sha = None
    try:
        if path.stat().st_size == 0:
            raise Rejected("empty")
        sha = sha256_file(path)
        options = _known_kind(path, options)
        with ctx.claim(sha):
            existing = ctx.catalog.find_by_original(sha)
            if existing and options.resume is None:
                return [_duplicate(existing, sha, options, started)]
            with openable(path, ctx.work_dir()) as usable:   # pikepdf/pdfium cannot open names that are not UTF-8
                results = _route(usable, sha, ctx, options)
    except Rejected as rejection:
        return [_refuse(path, rejection, ctx, sha, options, started)]
    except StoreError as exc:
        # The archive is unreachable: nothing is lost, the original stays where it is to be retried.
        return [_failed(sha, options, started, f"object store unavailable: {exc}")]
    except Exception as exc:  # a bug or an unforeseen file: refuse it visibly, never stop the batch
        if environment_error(exc):   # disk full, quota, I/O: the machine's fault, retry the file later
            return [_failed(sha, options, started, f"cannot write: {exc.strerror}")]
        log.exception("processing %s failed", options.source)
        return [_refuse(path, Rejected("processing_error", f"{type(exc).__name__}: {exc}"[:160]), ctx, sha,
                        options, started)]
    for result in results:
        result.seconds = _since(started)
    return results


def _since(started: float) -> float:
    return round(time.monotonic() - started, 3)


def _refuse(path: Path, rejection: Rejected, ctx: Context, sha: str | None, options: IngestOptions,
            started: float) -> IngestResult:
    """Quarantine the original with its reason (once), record the refusal, report it."""
    kept = None
    if path.exists():
        try:
            kept = quarantine(path, options.display_name or path.name, rejection,
                              options.quarantine_dir or ctx.settings.quarantine_dir, options.source,
                              move=options.take_original)
        except StoreError as exc:   # quarantine not writable (disk full): the original stays, retried later
            return _failed(sha, options, started, f"{rejection.message}; {exc}")
    ctx.catalog.record_event(options.actor, "rejected", None, source=options.source, reason=rejection.reason_code,
                             message=rejection.message, quarantined=str(kept) if kept else None)
    return IngestResult(options.source, Status.REJECTED, sha256=sha, error=rejection.message,
                        reason_code=rejection.reason_code, part=options.part, message_id=options.message_id,
                        quarantined=str(kept) if kept else None, seconds=_since(started))


def _failed(sha: str | None, options: IngestOptions, started: float, error: str) -> IngestResult:
    """Not archived for want of a working store or disk: the original stays where it is for a retry."""
    return IngestResult(options.source, Status.FAILED, sha256=sha, error=error, reason_code="store_unavailable",
                        part=options.part, message_id=options.message_id, seconds=_since(started))


def _duplicate(existing: list, sha: str, options: IngestOptions, started: float) -> IngestResult:
    """The same bytes are archived already: name the documents they became."""
    first = existing[0]
    return IngestResult(options.source, Status.DUPLICATE, id=first.id, sha256=sha,
                        pages=sum(d.pages for d in existing), doc_type=first.doc_type,
                        case_number=first.case_number, review=first.review, duplicate_of=[d.id for d in existing],
                        part=options.part, message_id=options.message_id or first.message_id,
                        seconds=_since(started))


def _known_kind(path: Path, options: IngestOptions) -> IngestOptions:
    """The input's media type by its content (unless the runner knows it); a mail's own result is its body."""
    if options.form is PartForm.FILE and options.media_type is None:
        try:
            media_type, extension = sources.sniff(path)
        except Rejected:
            if not (options.display_name or path.name).lower().endswith(".eml"):
                raise
            media_type, extension = sources.EML, "eml"  # named a mail: refused, if at all, for the mail's reason
        options = options.but(media_type=media_type, extension=extension)
    if options.media_type == sources.EML:
        options = options.but(extension="eml", part=options.part or "body")
    return options


def _route(path: Path, sha: str, ctx: Context, options: IngestOptions) -> list[IngestResult]:
    """Read the input the way its kind needs, then run the per-document loop over it."""
    with tempfile.TemporaryDirectory(dir=ctx.work_dir()) as tmp:
        work = Path(tmp)
        if options.form is not PartForm.FILE:
            return _archive_rendered(path, sha, ctx, options, work)
        if options.media_type == sources.EML:
            MemoryBudget.of(ctx.settings).mail(path.stat().st_size)
            return _archive_mail(path, sha, ctx, options, work)
        original = _Original(path, sha, options.media_type, options.extension or "")
        return archive_pages(path, options.media_type, original, ctx, options, work)


def _archive_rendered(path: Path, sha: str, ctx: Context, options: IngestOptions, work: Path) -> list[IngestResult]:
    """An attachment the pipeline cannot read itself (text, Office): render it, keep it as the original."""
    from .office import convert_to_pdf

    rendered = work / "rendered.pdf"
    if options.form is PartForm.OFFICE:
        notes = convert_to_pdf(path, rendered)
    else:
        notes = render_text_file(path, rendered, is_html=options.form is PartForm.HTML)
    original = _Original(path, sha, options.media_type or "application/octet-stream", options.extension or "bin")
    return archive_pages(rendered, sources.PDF, original, ctx, options, work, warnings=notes)


def _archive_mail(path: Path, sha: str, ctx: Context, options: IngestOptions, work: Path) -> list[IngestResult]:
    """Carry out a mail's plan: every attachment through the guarded entry, then the body."""
    settings = ctx.settings
    plan = plan_mail(path, sha, work / "parts", mail=settings.mail, case_pattern=settings.classification.case_number)
    # The mail's own case (a registered number, or name and date of birth in its text) goes to its
    # attachments; the order of precedence in classify decides when an attachment shows more.
    mail_case = resolve_mail_case("\n".join(plan.body_lines), ctx)
    results: list[IngestResult] = []
    for part in plan.parts:
        declared = part.form is not PartForm.FILE
        results += ingest_file(part.path, ctx, options.but(
            source=f"{options.source}#{part.name}", display_name=Path(part.name).name, part="attachment",
            message_id=plan.message_id, case_hint=mail_case, take_original=False, resume=None,
            media_type=part.content_type if declared else None, extension=part.extension if declared else None,
            form=part.form))
    failed = [r for r in results if r.status == Status.FAILED]
    if failed:
        # An attachment could not be stored: archiving the body now would mark the mail done.
        raise StoreError(f"attachment {failed[0].source} not stored: {failed[0].error}")
    rendered = work / "body.pdf"
    render_text_pdf(plan.body_lines, rendered, title=plan.subject)
    body = archive_pages(rendered, sources.PDF, _Original(path, sha, sources.EML, "eml"), ctx,
                         options.but(source=f"{options.source}#body", part="body", message_id=plan.message_id,
                                     case_hint=mail_case or plan.body_case_hint), work, warnings=plan.warnings)
    return body + results


def read_container(path: Path, media_type: str, ctx: Context, work_dir: Path):
    """Inspect the file, process every page, split at sheets: (container, groups, sheets, encoded pages)."""
    container = sources.inspect(path, media_type, ctx.settings.imaging, ctx.settings.ocr, work_dir,
                                MemoryBudget.of(ctx.settings))
    processed = ctx.run_pages(container)
    groups, sheets = split_batch([r.page for r in processed])
    if not groups:
        raise Rejected("no_pages", "only separator or cover sheets")
    return container, groups, sheets, {r.page.number: r.encoded for r in processed}


def archive_pages(readable: Path, media_type: str, original: _Original, ctx: Context, options: IngestOptions,
                  work: Path, *, warnings: list[str] = ()) -> list[IngestResult]:
    """The per-document loop: read *readable*, split it, and archive each document with *original*."""
    container, groups, sheets, encoded = read_container(readable, media_type, ctx, work)
    results = []
    for group in groups:
        earlier = options.resume.done(group.pages) if options.resume else None
        if earlier is not None:
            results.append(_resumed(earlier, original, options, sheets, group.cover_case_number))
            continue
        doc = Document(source=options.source, original_path=original.path, sha256=original.sha256,
                       media_type=original.media_type, extension=original.extension, pages=group.pages,
                       part=options.part, message_id=options.message_id, cover_case_number=group.cover_case_number,
                       hint_case_number=options.case_hint, warnings=[*container.warnings, *warnings])
        classify_document(doc, ctx)
        results.append(archive_document(doc, encoded, sheets, ctx, work, actor=options.actor))
    return results


def _resumed(done, original: _Original, options: IngestOptions, sheets: list[int],
             cover: str | None) -> IngestResult:
    return IngestResult(options.source, Status.ARCHIVED, id=done.id, sha256=original.sha256, pages=done.pages,
                        doc_type=done.doc_type, case_number=done.case_number, review=done.review,
                        archive_sha256=done.archive_sha256, blank_pages=done.blank_pages, sheets=sheets,
                        warnings=["archived by an earlier attempt"], cover_case_number=cover,
                        part=options.part, message_id=options.message_id)


def archive_document(doc: Document, encoded: dict, sheets: list[int], ctx: Context, tmp: Path, *,
                     actor: str = "pipeline") -> IngestResult:
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
    record = _record(doc, doc_id, archive_path, kept, ingested_at, title, settings.archive.pdfa_part)
    row = commit_document(record, doc.original_path, archive_path, ctx.store, ctx.catalog, actor=actor)
    open_from_form(ctx, doc, row.id)
    file_if_application_opened(ctx, doc)
    return IngestResult(doc.source, Status.ARCHIVED, id=row.id, sha256=doc.sha256, pages=len(doc.pages),
                        doc_type=doc.doc_type, case_number=doc.case_number, review=doc.review,
                        part=doc.part, message_id=doc.message_id, archive_sha256=row.archive_sha256,
                        blank_pages=sum(p.blank for p in doc.pages), sheets=sheets,
                        review_reasons=doc.review_reasons, warnings=doc.warnings,
                        cover_case_number=doc.cover_case_number)


def _record(doc: Document, doc_id: str, archive_path: Path, kept: list[Page], ingested_at: datetime,
            title: str, pdfa_part: int) -> ArchiveRecord:
    confidences = [p.ocr_confidence for p in doc.pages if p.ocr_confidence is not None and not p.blank]
    kept_numbers = {p.number for p in kept}
    return ArchiveRecord(
        id=doc_id, source=doc.source, part=doc.part, message_id=doc.message_id, title=title,
        ingested_at=ingested_at.isoformat(),
        original=OriginalObject(sha256=doc.sha256, ext=doc.extension, media_type=doc.media_type),
        archive=ArchiveObject(sha256=sha256_file(archive_path), pdfa_part=pdfa_part),
        pages=[PageRecord(number=p.number, text=p.text, ocr_confidence=p.ocr_confidence, blank=p.blank,
                          rotation=p.rotation, skew=round(p.skew, 3), colour=p.colour, born_digital=p.born_digital,
                          archived=p.number in kept_numbers) for p in doc.pages],
        doc_type=doc.doc_type, doc_type_confidence=doc.doc_type_confidence, case_number=doc.case_number,
        case_method=doc.case_method, review=doc.review, review_reasons=doc.review_reasons,
        candidates=doc.candidates, case_evidence=doc.case_evidence,
        ocr_confidence=round(sum(confidences) / len(confidences), 2) if confidences else None,
        warnings=doc.warnings,
        fields=[f.to_json() for f in doc.fields], direction=doc.direction)
