"""Tables of the index (sqlmodel): documents, their page texts, audit events, cases, write journal."""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import Column, Index
from sqlmodel import Field, SQLModel

from . import object_keys
from .digests import Sha256
from .page_text import CompressedText


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class DocumentRow(SQLModel, table=True):
    __tablename__ = "documents"
    # Looked up only by equality (is this original archived?): on PostgreSQL a hash index, 4 bytes of
    # hash per document instead of the 64 hex characters a b-tree keeps, 69 % full as random keys
    # leave it (10.6 against 47.4 bytes per page at 100k pages; README "Index size per relation").
    __table_args__ = (Index("ix_documents_original_sha256", "original_sha256", postgresql_using="hash"),)

    id: str = Field(primary_key=True)
    source: str
    part: str | None = None                 # mail: attachment | body
    message_id: str | None = Field(default=None, index=True)
    media_type: str = ""
    # The SHA-256 columns hold 32 bytes, read and written as hex (digests.py); indexed: __table_args__.
    original_sha256: str = Field(sa_column=Column("original_sha256", Sha256(), nullable=False))
    original_key: str = ""
    original_ext: str = ""
    archive_sha256: str = Field(default="", sa_column=Column("archive_sha256", Sha256(), nullable=False))
    archive_key: str = ""
    metadata_key: str = ""
    # Of the current version: read back and verified before n+1.
    metadata_sha256: str | None = Field(default=None, sa_column=Column("metadata_sha256", Sha256()))
    metadata_version: int = 1
    previous_metadata_keys: str = "[]"     # JSON: older metadata versions, kept (never overwritten)
    pages: int = 0
    blank_pages: int = 0
    doc_type: str | None = Field(default=None, index=True)
    doc_type_confidence: float | None = None
    case_number: str | None = Field(default=None, index=True)
    case_method: str | None = None
    review: bool = Field(default=False, index=True)
    review_reasons: str = "[]"              # JSON list of sentences
    candidates: str = "[]"                  # JSON list of case numbers
    status: str = "archived"
    title: str = ""
    ocr_confidence: float | None = None
    legal_hold: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


object_keys.track(DocumentRow)      # keys the row's own fields give are not stored (object_keys.py)


class PageRow(SQLModel, table=True):
    __tablename__ = "pages"

    id: int | None = Field(default=None, primary_key=True)
    document_id: str = Field(index=True, foreign_key="documents.id")
    number: int
    text: str = Field(default="", sa_column=Column("text", CompressedText(), nullable=False))   # see page_text.py
    ocr_confidence: float | None = None
    blank: bool = False
    rotation: int = 0
    skew: float = 0.0
    colour: str = ""


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_events"
    # A document's events are looked up by equality only: a hash index on PostgreSQL (see DocumentRow).
    __table_args__ = (Index("ix_audit_events_document_id", "document_id", postgresql_using="hash"),)

    id: int | None = Field(default=None, primary_key=True)
    document_id: str | None = None          # indexed (see __table_args__)
    at: datetime = Field(default_factory=utcnow)
    actor: str
    action: str
    detail: str = "{}"                      # JSON


class CaseRow(SQLModel, table=True):
    __tablename__ = "cases"

    case_number: str = Field(primary_key=True)
    surname: str
    given_names: str = ""
    date_of_birth: date | None = None
    nationality: str = ""
    team: str | None = Field(default=None, index=True)   # responsible team (access/teams.py)
    team_source: str | None = None          # "registry" (the CSV's team column) or "rule" (surname letters)
    # The sponsor (Referenzperson) of a family reunification, from the registry's optional columns.
    sponsor_case_number: str | None = None
    sponsor_surname: str | None = None
    sponsor_given_names: str | None = None
    sponsor_date_of_birth: date | None = None
    updated_at: datetime = Field(default_factory=utcnow)


class PendingWrite(SQLModel, table=True):
    """Journal of a document whose objects are being stored: reconcile completes or rolls it back."""

    __tablename__ = "pending_writes"

    document_id: str = Field(primary_key=True)
    keys: str = "[]"                        # JSON list of object keys written so far
    record: str = "{}"                      # JSON of the document and page rows to commit
    owner: str = ""                         # host:pid of the writer, so reconcile spares live writes
    started_at: datetime = Field(default_factory=utcnow)


class OriginalClaim(SQLModel, table=True):
    """An original being archived right now: the row's primary key makes the claim exclusive.

    Any number of processes on any number of machines that share one index archive an
    original once: only the process that inserted the row may work on those bytes; the others
    wait and then find the archived document.
    """

    __tablename__ = "original_claims"

    sha256: str = Field(primary_key=True)
    holder: str                             # host:pid:start of the claiming process
    claimed_at: datetime = Field(default_factory=utcnow)
    heartbeat_at: datetime = Field(default_factory=utcnow)
