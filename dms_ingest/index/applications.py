"""Tables for applications on a case and for the fields read from documents (SQL lives in index/).

The tables are created on first use, so that an existing index gains them without a migration.
"""

from __future__ import annotations

import threading
from datetime import datetime

from sqlmodel import Field, SQLModel, select

from .models import DocumentRow, PageRow, utcnow
from .schema import update_row

OPEN, CLOSED = "open", "closed"


class ApplicationRow(SQLModel, table=True):
    """One application (Vorgang) on a case: opened by a clerk or detected from an application form."""

    __tablename__ = "applications"

    id: int | None = Field(default=None, primary_key=True)
    case_number: str = Field(index=True)
    application_type: str
    state: str = Field(default=OPEN, index=True)      # open | closed
    opened_at: datetime = Field(default_factory=utcnow)
    opened_by: str = ""
    source: str = "manual"                           # manual | form | api
    source_document: str | None = None               # the application form it was detected from
    completed_at: datetime | None = None             # first time every requirement was satisfied
    closed_at: datetime | None = None
    last_letter: str | None = None                   # document id of the latest request letter


class DocumentFieldRow(SQLModel, table=True):
    """A field read from a document, with its source and confidence (searchable, e.g. a passport number)."""

    __tablename__ = "document_fields"

    id: int | None = Field(default=None, primary_key=True)
    document_id: str = Field(index=True)
    doc_type: str = ""
    name: str = Field(index=True)
    value: str | None = Field(default=None, index=True)
    status: str = "unread"
    confidence: float = 0.0
    page: int | None = None
    source_text: str = ""


_created: set[int] = set()
_create_lock = threading.Lock()


def ensure_tables(catalog) -> None:
    key = id(catalog.engine)
    if key in _created:
        return
    with _create_lock:
        SQLModel.metadata.create_all(catalog.engine, tables=[ApplicationRow.__table__, DocumentFieldRow.__table__])
        _created.add(key)


# --------------------------------------------------------------------------- fields

def save_fields(catalog, document_id: str, doc_type: str | None, fields: list[dict]) -> None:
    """Replace the stored fields of a document (they are re-read when its type changes)."""
    ensure_tables(catalog)
    with catalog.session() as s:
        for row in s.exec(select(DocumentFieldRow).where(DocumentFieldRow.document_id == document_id)):
            s.delete(row)
        for f in fields:
            s.add(DocumentFieldRow(document_id=document_id, doc_type=doc_type or "", name=f["name"],
                                   value=f.get("value"), status=f.get("status") or "unread",
                                   confidence=float(f.get("confidence") or 0.0), page=f.get("page"),
                                   source_text=(f.get("text") or "")[:500]))
        s.commit()


def fields_of(catalog, document_ids: list[str]) -> dict[str, tuple[str, list[dict]]]:
    """document id → (doc_type the fields were read for, fields as dicts)."""
    ensure_tables(catalog)
    out: dict[str, tuple[str, list[dict]]] = {}
    if not document_ids:
        return out
    table = DocumentFieldRow.__table__
    with catalog.engine.connect() as conn:      # read with every document view: plain rows, no ORM session
        rows = conn.execute(select(table).where(table.c.document_id.in_(document_ids)).order_by(table.c.id))
        for row in rows:
            _, fields = out.setdefault(row.document_id, (row.doc_type, []))
            fields.append({"name": row.name, "value": row.value, "status": row.status, "confidence": row.confidence,
                           "page": row.page, "text": row.source_text})
    return out


def find_by_field(catalog, name: str, value: str) -> list[str]:
    """Documents whose field *name* was read as *value* (e.g. a passport number)."""
    ensure_tables(catalog)
    with catalog.session() as s:
        return list(s.exec(select(DocumentFieldRow.document_id).where(
            DocumentFieldRow.name == name, DocumentFieldRow.value == value, DocumentFieldRow.status == "read")))


# --------------------------------------------------------------------------- case documents

def case_documents(catalog, case_number: str) -> list[tuple[DocumentRow, list[PageRow]]]:
    with catalog.session() as s:
        docs = list(s.exec(select(DocumentRow).where(DocumentRow.case_number == case_number)
                           .order_by(DocumentRow.created_at)))
        pages = {}
        if docs:
            for page in s.exec(select(PageRow).where(PageRow.document_id.in_([d.id for d in docs]))
                               .order_by(PageRow.number)):
                pages.setdefault(page.document_id, []).append(page)
        return [(d, pages.get(d.id, [])) for d in docs]


# --------------------------------------------------------------------------- applications

def open_application(catalog, case_number: str, application_type: str, *, by: str, source: str = "manual",
                     source_document: str | None = None) -> tuple[ApplicationRow, bool]:
    """Open an application, or return the open one of the same type (then created is False)."""
    ensure_tables(catalog)
    with catalog._lock, catalog.session() as s:
        existing = s.exec(select(ApplicationRow).where(ApplicationRow.case_number == case_number,
                                                       ApplicationRow.application_type == application_type,
                                                       ApplicationRow.state == OPEN)).first()
        if existing is not None:
            return existing, False
        row = ApplicationRow(case_number=case_number, application_type=application_type, opened_by=by,
                             source=source, source_document=source_document)
        s.add(row)
        s.commit()
        s.refresh(row)
    catalog.record_event(by, "application_opened", source_document, case_number=case_number,
                         application_type=application_type, source=source, application_id=row.id)
    return row, True


def applications(catalog, case_number: str | None = None, *, state: str | None = OPEN) -> list[ApplicationRow]:
    ensure_tables(catalog)
    with catalog.session() as s:
        query = select(ApplicationRow).order_by(ApplicationRow.id)
        if case_number is not None:
            query = query.where(ApplicationRow.case_number == case_number)
        if state is not None:
            query = query.where(ApplicationRow.state == state)
        return list(s.exec(query))


def update_application(catalog, application_id: int, **changes) -> ApplicationRow:
    ensure_tables(catalog)
    with catalog._lock, catalog.session() as s:
        row = update_row(s, ApplicationRow, application_id, **changes)
    if row is None:
        raise KeyError(application_id)
    return row


def close_application(catalog, application_id: int, *, by: str, reason: str = "") -> ApplicationRow:
    row = update_application(catalog, application_id, state=CLOSED, closed_at=utcnow())
    catalog.record_event(by, "application_closed", None, case_number=row.case_number,
                         application_type=row.application_type, application_id=row.id, reason=reason)
    return row


__all__ = ["ApplicationRow", "DocumentFieldRow", "applications", "case_documents", "close_application",
           "ensure_tables", "fields_of", "find_by_field", "open_application", "save_fields", "update_application"]
