"""Tables of the migration (in the same index as the documents): work items and runs.

The queries on them are in `work_items`, the locks in `work_locks`."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"
STATES = (PENDING, RUNNING, DONE, FAILED)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def aware(value: datetime | None) -> datetime | None:
    """SQLite hands datetimes back without a zone; every timestamp here is UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


class WorkItem(SQLModel, table=True):
    """One paper file of the legacy archive and everything known about its migration."""

    __tablename__ = "migration_items"
    __table_args__ = (UniqueConstraint("source", "path", name="uq_migration_items_source_path"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(index=True)          # the SOURCE given to `dms migrate` (absolute path)
    run_id: str | None = Field(default=None, index=True)  # the run that owns (or last owned) the item
    path: str                                # the paper file: a folder of page images, a PDF or a TIFF
    kind: str = "file"                       # file | folder
    case_number: str | None = None           # hint from the CSV manifest
    state: str = Field(default=PENDING, index=True)
    attempts: int = 0
    reason_code: str | None = None           # why it failed (pipeline reason codes, or migration ones)
    last_error: str | None = None
    note: str | None = None                  # e.g. "duplicate of …", "finished a crashed attempt"
    pages_in: int | None = None              # counted from the source itself, not from the pipeline
    pages_archived: int = 0                  # counted in the stored archive PDFs
    blank_pages: int = 0                     # blank pages found in the documents (archived or dropped)
    blank_dropped: int = 0                   # blank pages left out of the archive (imaging.drop_blank_pages)
    sheets: int = 0                          # cover and separator sheets (not archived)
    sheet_pages: str = "[]"                  # JSON: their page numbers
    documents: str = "[]"                    # JSON: ids of the archived documents
    review: int = 0                          # documents sent to review
    case_numbers: str = "[]"                 # JSON: case numbers the documents were filed under
    cover_case_numbers: str = "[]"           # JSON: case numbers named by the cover sheet(s)
    original_sha256: str | None = None       # SHA-256 of the container that was ingested
    inputs: str = "[]"                       # JSON: page images of a folder (name, sha256, bytes, kept as)
    worker: str | None = None                # host:pid:start of the process working on it
    started_at: datetime | None = None
    finished_at: datetime | None = None
    heartbeat_at: datetime | None = None
    not_before: datetime | None = None       # a retry waits until then
    seconds: float = 0.0                     # wall time of the last attempt
    cpu_seconds: float = 0.0                 # CPU time of the last attempt (user + system)
    max_rss_kb: int = 0                      # peak resident memory of the worker process so far
    created_at: datetime = Field(default_factory=utcnow)


class MigrationRun(SQLModel, table=True):
    """One invocation of `dms migrate` or `dms nightly` (for throughput and the report)."""

    __tablename__ = "migration_runs"

    id: str = Field(primary_key=True)
    source: str = Field(index=True)
    mode: str = "local"                      # local | distributed | nightly
    host: str = ""
    pid: int = 0
    workers: int = 0
    state: str = "running"                   # running | finished | interrupted
    items: int = 0                           # items this run took on
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    report: str | None = None


def ensure_tables(db) -> None:
    """Create the migration tables if they are missing (the catalog creates its own); *db* is a
    Catalog or an engine."""
    from .schema import create_tables, engine_of

    create_tables(engine_of(db), tables=[WorkItem.__table__, MigrationRun.__table__])
