"""The only place that knows SQL: documents, page texts, full-text search, audit, journal.

SQLite (the embedded default) gets an FTS5 table with German folding; other databases
(PostgreSQL for distributed workers) search the folded text with LIKE.
"""

from __future__ import annotations

import json
import os
import socket
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.exc import IntegrityError as SqlIntegrityError
from sqlmodel import Session, SQLModel, create_engine, select

from . import folding
from .schema import schema_lock
from .models import AuditEvent, CaseRow, DocumentRow, PageRow, PendingWrite, utcnow


@dataclass
class SearchHit:
    id: str
    score: float
    snippet: str
    page: int
    doc_type: str | None
    case_number: str | None
    source: str


class Catalog:
    def __init__(self, url: str):
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        args = {"check_same_thread": False, "timeout": 60} if self.is_sqlite else {}
        if self.is_sqlite and url.startswith("sqlite:///"):
            Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
        self.engine = create_engine(url, connect_args=args, pool_pre_ping=not self.is_sqlite)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._lock = threading.RLock()
        with schema_lock(self.engine) as conn:
            SQLModel.metadata.create_all(conn)
            _add_missing_columns(conn)
            if self.is_sqlite:
                conn.execute(text(
                    "CREATE VIRTUAL TABLE IF NOT EXISTS page_fts USING fts5("
                    "translit, plain, document_id UNINDEXED, page UNINDEXED, "
                    "tokenize = 'unicode61 remove_diacritics 2')"))

    def claim_original(self, sha256: str):
        """Context manager: the index-wide, exclusive claim on an original (see index/claims.py)."""
        from .claims import claim_original

        return claim_original(self.engine, sha256)

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    # --- documents -----------------------------------------------------------------------

    def find_by_original(self, sha256: str) -> list[DocumentRow]:
        with self.session() as s:
            return list(s.exec(select(DocumentRow).where(DocumentRow.original_sha256 == sha256)
                               .order_by(DocumentRow.created_at)))

    def get(self, doc_id: str) -> DocumentRow | None:
        with self.session() as s:
            return s.get(DocumentRow, doc_id)

    def pages(self, doc_id: str) -> list[PageRow]:
        with self.session() as s:
            return list(s.exec(select(PageRow).where(PageRow.document_id == doc_id).order_by(PageRow.number)))

    def documents(self, *, limit: int | None = None) -> list[DocumentRow]:
        with self.session() as s:
            query = select(DocumentRow).order_by(DocumentRow.created_at)
            return list(s.exec(query.limit(limit) if limit else query))

    def add_document(self, doc: DocumentRow, pages: list[PageRow], actor: str = "pipeline",
                     detail: dict | None = None) -> None:
        """Insert a document, its pages, search entries and an audit event in one transaction."""
        with self._lock, self.session() as s:
            for page in pages:
                page.search_text = folding.fold_translit(page.text) + "\n" + folding.fold_plain(page.text)
            s.add(doc)
            s.flush()
            s.add_all(pages)
            s.add(AuditEvent(document_id=doc.id, actor=actor, action="archived", detail=json.dumps(detail or {})))
            if self.is_sqlite:
                for page in pages:
                    s.connection().execute(
                        text("INSERT INTO page_fts (translit, plain, document_id, page) VALUES (:t, :p, :d, :n)"),
                        {"t": folding.fold_translit(page.text), "p": folding.fold_plain(page.text),
                         "d": doc.id, "n": page.number})
            s.commit()

    def update_document(self, doc_id: str, actor: str, action: str, **changes) -> DocumentRow:
        """Change fields of a document and record who did it, when, and what changed."""
        with self._lock, self.session() as s:
            row = s.get(DocumentRow, doc_id)
            if row is None:
                raise KeyError(doc_id)
            before = {k: getattr(row, k) for k in changes}
            for key, value in changes.items():
                setattr(row, key, value)
            row.updated_at = utcnow()
            s.add(row)
            s.add(AuditEvent(document_id=doc_id, actor=actor, action=action,
                             detail=json.dumps({"before": before, "after": changes}, default=str)))
            s.commit()
            return row

    def delete_document(self, doc_id: str, actor: str, reason: str) -> None:
        """Remove a document from the index (its objects are gone); the audit trail stays."""
        with self._lock, self.session() as s:
            for page in s.exec(select(PageRow).where(PageRow.document_id == doc_id)):
                s.delete(page)
            row = s.get(DocumentRow, doc_id)
            if row is not None:
                s.delete(row)
            if self.is_sqlite:
                s.connection().execute(text("DELETE FROM page_fts WHERE document_id = :d"), {"d": doc_id})
            s.add(AuditEvent(document_id=doc_id, actor=actor, action="deleted", detail=json.dumps({"reason": reason})))
            s.commit()

    def audit(self, doc_id: str | None = None) -> list[AuditEvent]:
        with self.session() as s:
            query = select(AuditEvent).order_by(AuditEvent.id)
            if doc_id:
                query = query.where(AuditEvent.document_id == doc_id)
            return list(s.exec(query))

    def record_event(self, actor: str, action: str, document_id: str | None = None, **detail) -> None:
        with self._lock, self.session() as s:
            s.add(AuditEvent(document_id=document_id, actor=actor, action=action,
                             detail=json.dumps(detail, default=str)))
            s.commit()

    # --- search --------------------------------------------------------------------------

    def search(self, user_query: str, limit: int = 20) -> list[SearchHit]:
        """Documents matching the query, best first; never raises on odd user input."""
        expression = folding.fts_query(user_query)
        if expression is None:
            return []
        with self.session() as s:
            if self.is_sqlite:
                rows = s.connection().execute(text(
                    "SELECT document_id, page, bm25(page_fts) AS rank FROM page_fts "
                    "WHERE page_fts MATCH :q ORDER BY rank LIMIT :n"), {"q": expression, "n": limit * 5}).all()
                scored = [(r[0], int(r[1]), -float(r[2])) for r in rows]
            else:
                scored = self._search_like(s, user_query, limit * 5)
            hits: list[SearchHit] = []
            seen: set[str] = set()
            for doc_id, page_number, score in scored:
                if doc_id in seen:
                    continue
                seen.add(doc_id)
                doc = s.get(DocumentRow, doc_id)
                page = s.exec(select(PageRow).where(PageRow.document_id == doc_id,
                                                    PageRow.number == page_number)).first()
                if doc is None or page is None:
                    continue
                hits.append(SearchHit(doc_id, round(score, 4), folding.snippet(page.text, user_query),
                                      page_number, doc.doc_type, doc.case_number, doc.source))
                if len(hits) >= limit:
                    break
            return hits

    def _search_like(self, s: Session, user_query: str, limit: int) -> list[tuple[str, int, float]]:
        words = folding.query_words(user_query)
        if not words:
            return []
        query = select(PageRow.document_id, PageRow.number)
        for word in words:
            pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            query = query.where(PageRow.search_text.like(pattern, escape="\\"))
        return [(d, n, 1.0) for d, n in s.exec(query.limit(limit))]

    # --- cases ---------------------------------------------------------------------------

    def cases(self) -> list[CaseRow]:
        with self.session() as s:
            return list(s.exec(select(CaseRow).order_by(CaseRow.case_number)))

    def case(self, case_number: str) -> CaseRow | None:
        with self.session() as s:
            return s.get(CaseRow, case_number)

    def documents_of_case(self, case_number: str) -> list[DocumentRow]:
        """A case's documents in order of receipt."""
        with self.session() as s:
            return list(s.exec(select(DocumentRow).where(DocumentRow.case_number == case_number)
                               .order_by(DocumentRow.created_at, DocumentRow.id)))

    def review_queue(self) -> list[DocumentRow]:
        with self.session() as s:
            return list(s.exec(select(DocumentRow).where(DocumentRow.review == True)  # noqa: E712
                               .order_by(DocumentRow.created_at)))

    def reviewed_documents(self) -> list[DocumentRow]:
        """Documents whose type a person has set or confirmed: training material."""
        with self.session() as s:
            ids = {e.document_id for e in s.exec(select(AuditEvent).where(AuditEvent.action == "review_assigned"))}
            return [d for d in (s.get(DocumentRow, i) for i in sorted(ids) if i) if d is not None and d.doc_type]

    def cases_version(self) -> tuple:
        """Changes whenever the registry does: cheap enough to ask before every document."""
        with self.session() as s:
            return tuple(s.connection().execute(text("SELECT count(*), max(updated_at) FROM cases")).one())

    def replace_cases(self, rows: list[CaseRow]) -> None:
        with self._lock, self.session() as s:
            existing = {c.case_number: c for c in s.exec(select(CaseRow))}
            incoming = {r.case_number for r in rows}
            for number, row in existing.items():
                if number not in incoming:
                    s.delete(row)
            for row in rows:
                current = existing.get(row.case_number)
                if current is None:
                    s.add(row)
                else:
                    for field in ("surname", "given_names", "date_of_birth", "nationality"):
                        setattr(current, field, getattr(row, field))
                    if row.team_source == "registry" or current.team_source == "registry":
                        current.team, current.team_source = row.team, row.team_source
                    current.updated_at = utcnow()
                    s.add(current)
            s.commit()

    # --- write journal -------------------------------------------------------------------

    def begin_write(self, doc_id: str, record: dict) -> None:
        with self._lock, self.session() as s:
            s.merge(PendingWrite(document_id=doc_id, record=json.dumps(record, default=str),
                                 owner=f"{socket.gethostname()}:{os.getpid()}"))
            s.commit()

    def note_written(self, doc_id: str, key: str) -> None:
        with self._lock, self.session() as s:
            pending = s.get(PendingWrite, doc_id)
            if pending is not None:
                keys = json.loads(pending.keys)
                if key not in keys:
                    keys.append(key)
                pending.keys = json.dumps(keys)
                s.add(pending)
                s.commit()

    def abandon_write(self, doc_id: str) -> None:
        """The writer gave up (error): reconcile may now finish or roll back the entry."""
        with self._lock, self.session() as s:
            pending = s.get(PendingWrite, doc_id)
            if pending is not None:
                pending.owner = ""
                s.add(pending)
                s.commit()

    def end_write(self, doc_id: str) -> None:
        with self._lock, self.session() as s:
            pending = s.get(PendingWrite, doc_id)
            if pending is not None:
                s.delete(pending)
                s.commit()

    def pending_writes(self) -> list[PendingWrite]:
        with self.session() as s:
            return list(s.exec(select(PendingWrite)))


def _add_missing_columns(conn) -> None:
    """Databases made by an older version lack newer nullable columns: add them (never drop)."""
    from sqlalchemy import inspect

    inspector = inspect(conn)
    for table in SQLModel.metadata.sorted_tables:
        if not inspector.has_table(table.name):
            continue
        present = {c["name"] for c in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name not in present and column.nullable:
                kind = column.type.compile(dialect=conn.dialect)
                conn.execute(text(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {kind}'))


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def parse_datetime(value: str | datetime) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


__all__ = ["Catalog", "SearchHit", "SqlIntegrityError", "parse_datetime"]
