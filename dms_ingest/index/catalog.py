"""The only place that knows SQL: documents, page texts, full-text search, audit, journal.

Full-text search runs on SQLite FTS5 (the embedded default) and on PostgreSQL (tsvector + GIN),
with the same analyser and query language on both (see search.py, fulltext.py, analysis.py).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
from datetime import datetime
from pathlib import Path

from sqlalchemy import LargeBinary, event, inspect, text
from sqlalchemy.exc import IntegrityError as SqlIntegrityError
from sqlmodel import Session, SQLModel, create_engine, select

from . import compaction, digests, object_keys, team_scope
from .analysis import ANALYSER_VERSION, analyse, case_scope_tokens, document_tokens
from .fulltext import IndexEntry, PostgresFullText, SqliteFullText, compound_pairs, pages_in_index, remember_words
from .models import AuditEvent, CaseRow, DocumentRow, PageRow, PendingWrite, utcnow
from .page_text import is_current, store_texts, unpack
from .page_writes import insert_document_postgres, insert_pages, insert_records
from .query import SearchQuery
from .schema import schema_lock
from .search import SearchHit, SearchPage, run_search

# Document fields that become filter tokens: changing one re-indexes the document's pages.
_INDEXED_FIELDS = ("doc_type", "case_number", "review", "created_at")
log = logging.getLogger(__name__)
_REBUILD_STATE = "('reindex_upto', 'reindex_cursor', 'reindex_analyser')"    # search_state of a running rebuild


class SearchIndexOutdated(Exception):
    """The search index was built by another analyser version and is too large to rebuild on the fly."""


class Catalog:
    rebuild_on_open_limit = 20_000      # older indexes up to this many pages are rebuilt when opened

    def __init__(self, url: str):
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        args = {"check_same_thread": False, "timeout": 60} if self.is_sqlite else {}
        if self.is_sqlite and url.startswith("sqlite:///"):
            Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
        # A server answers many requests at once from its thread pool: keep that many connections
        # open rather than opening (PostgreSQL: forking a backend) and closing one past the 5th.
        pool = {} if url.rstrip("/") in ("sqlite:", "sqlite:///:memory:") else {"pool_size": 20, "max_overflow": 20}
        self.engine = create_engine(url, connect_args=args, pool_pre_ping=not self.is_sqlite, **pool)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._lock = threading.RLock()
        self.fulltext = SqliteFullText() if self.is_sqlite else PostgresFullText()
        self.rank_limit = self.fulltext.rank_limit      # pages ranked per search at most (see search.py)
        # What search_state records as the index's analyser: the analyser's version and the
        # backend's layout of what it stores ("3vc": PostgreSQL without word positions or compound parts).
        self.index_version = f"{ANALYSER_VERSION}{self.fulltext.version}"
        self._known_words: set[str] | None = None
        self._known_compounds: set[str] | None = None      # PostgreSQL: the words search_parts lists
        self._vocabulary: tuple[int, dict[int, list[str]]] | None = None
        with schema_lock(self.engine) as conn:
            SQLModel.metadata.create_all(conn)
            _add_missing_columns(conn)
            _match_index_methods(conn)
            digests.upgrade(conn)
            rebuild = self._upgrade_schema(conn)
        if rebuild:
            self.reindex()

    def _upgrade_schema(self, conn) -> bool:
        """Bring an older database up to date: drop the folded text copies, add the search tables.

        Returns whether the search index must be rebuilt now (an older analyser's, small enough)."""
        columns = {c["name"]: c["type"] for c in inspect(conn).get_columns("pages")}
        if "search_text" in columns:
            conn.execute(text("ALTER TABLE pages DROP COLUMN search_text"))
        if not self.is_sqlite and not isinstance(columns["text"], LargeBinary):
            # Page text is stored compressed (page_text.py): the old rows keep their text as UTF-8
            # bytes, readable as they are; `dms reindex` compresses them.
            conn.execute(text("ALTER TABLE pages ALTER COLUMN text TYPE bytea USING convert_to(text, 'UTF8')"))
            log.warning("page texts are now stored compressed; `dms reindex` compresses the pages stored before")
        conn.execute(text("CREATE TABLE IF NOT EXISTS search_state (name VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)"))
        conn.execute(text("CREATE TABLE IF NOT EXISTS search_words (word VARCHAR PRIMARY KEY)"))
        self.fulltext.create_vocabulary(conn)
        team_scope.create(conn)
        version = conn.execute(text("SELECT value FROM search_state WHERE name = 'analyser'")).scalar()
        rebuilding = conn.execute(text("SELECT value FROM search_state WHERE name = 'reindex_upto'")).scalar()
        rebuilt_by = conn.execute(text("SELECT value FROM search_state WHERE name = 'reindex_analyser'")).scalar()
        if rebuilding is not None and rebuilt_by != self.index_version:
            # A rebuild begun by another analyser (version 1: no team tokens): its pages would stay
            # unfindable for their team once this one finished it. Start over.
            conn.execute(text(f"DELETE FROM search_state WHERE name IN {_REBUILD_STATE} OR name = 'analyser'"))
            version = rebuilding = None
        if version == self.index_version or rebuilding is not None:
            self.fulltext.create(conn)
            return False
        pages = conn.execute(text("SELECT count(*) FROM pages")).scalar() or 0
        if not pages:                           # a new database
            if not self.fulltext.has_current_layout(conn):
                self.fulltext.drop(conn)
            self.fulltext.create(conn)
            _set_state(conn, "analyser", self.index_version)
            return False
        if pages > self.rebuild_on_open_limit:
            self.fulltext.create(conn, index=False)     # new pages can be written; `dms reindex` indexes all
            self.outdated = True
            log.warning("the search index was built by an older version: run `dms reindex`")
            return False
        self._start_reindex(conn)
        return True

    outdated = False

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

    def pages_and_events(self, doc_id: str) -> tuple[list, list]:
        """A document's pages (in order) and audit events (oldest first) as plain rows with the
        columns as attributes, read on one connection: for showing a document, once per view, where
        two ORM sessions cost more CPU than both queries."""
        pages, events = PageRow.__table__, AuditEvent.__table__
        with self.engine.connect() as conn:
            return (conn.execute(select(pages).where(pages.c.document_id == doc_id).order_by(pages.c.number)).all(),
                    conn.execute(select(events).where(events.c.document_id == doc_id).order_by(events.c.id)).all())

    def documents(self, *, limit: int | None = None) -> list[DocumentRow]:
        with self.session() as s:
            query = select(DocumentRow).order_by(DocumentRow.created_at)
            return list(s.exec(query.limit(limit) if limit else query))

    def add_document(self, doc: DocumentRow, pages: list[PageRow], actor: str = "pipeline",
                     detail: dict | None = None) -> None:
        """Insert a document, its pages, search entries and an audit event in one transaction."""
        terms = [analyse(page.text) for page in pages]      # outside the lock: the slow part
        tokens = document_tokens(doc.doc_type, doc.case_number, doc.review, parse_datetime(doc.created_at))
        record = object_keys.stored_row(doc)
        audit = {"document_id": doc.id, "at": utcnow(), "actor": actor, "action": "archived",
                 "detail": json.dumps(detail or {})}
        vectors = None if self.is_sqlite else [self.fulltext.tsvector(IndexEntry(0, t, tokens)) for t in terms]
        with self._lock, self.engine.begin() as conn:      # driver inserts: the ORM's unit of work costs more here
            # First statement: the case's row in search_case_teams stays locked until commit.
            scope = case_scope_tokens(doc.case_number, team_scope.indexed_team(conn, doc.case_number))
            tokens = tokens + scope
            if vectors is not None and scope:
                vectors = [f"{v} {' '.join(scope)}" for v in vectors]
            # PostgreSQL: all rows in one statement (one round trip), unless page numbers repeat.
            ids = None if vectors is None else insert_document_postgres(conn, record, pages, audit, vectors)
            written = ids is not None
            if not written:
                insert_records(conn, DocumentRow.__table__, [record])
                ids = insert_pages(conn, pages)
                insert_records(conn, AuditEvent.__table__, [audit])
            for page, page_id in zip(pages, ids):
                page.id = page_id
            entries = [IndexEntry(page.id, t, tokens) for page, t in zip(pages, terms)]
            if not written:
                self.fulltext.insert(conn, entries)
            self._remember_words(conn, entries)

    def replace_document(self, doc: DocumentRow, pages: list[PageRow], actor: str = "rebuild") -> None:
        """Put a document's rows back as its stored record says (`dms rebuild`); its audit trail stays."""
        with self._lock, self.session() as s:
            row = s.get(DocumentRow, doc.id)
            if row is not None:
                old = list(s.exec(select(PageRow).where(PageRow.document_id == doc.id)))
                present = set(pages_in_index(s.connection(), [p.id for p in old]))
                self.fulltext.delete(s.connection(), [self._entry(s.connection(), row, p.id, p.text) for p in old if p.id in present])
                for page in old:
                    s.delete(page)
                s.flush()
            s.merge(doc)
            s.add_all(pages)
            s.flush()
            entries = [self._entry(s.connection(), doc, page.id, page.text) for page in pages]
            self.fulltext.insert(s.connection(), entries)
            self._remember_words(s.connection(), entries)
            s.add(AuditEvent(document_id=doc.id, actor=actor, action="rebuilt_from_record", detail="{}"))
            s.commit()

    def _entry(self, conn, doc, page_id: int, page_text: str, terms=None, **metadata) -> IndexEntry:
        return IndexEntry(page_id, terms or analyse(page_text), self._tokens(conn, doc, **metadata))

    @staticmethod
    def _tokens(conn, doc, **metadata) -> list[str]:
        """The filter tokens of a document's pages (with *metadata* in place of the row's fields),
        its case's team as the index holds it included."""
        values = {f: metadata.get(f, getattr(doc, f)) for f in _INDEXED_FIELDS}
        return team_scope.page_tokens(conn, values["doc_type"], values["case_number"], values["review"],
                                      parse_datetime(values["created_at"]))

    def _remember_words(self, conn, entries: list[IndexEntry]) -> None:
        """Keep the vocabulary that fuzzy search (`word~`) and prefix expansion draw on: alphabetic
        words and compound parts, once each; and on PostgreSQL which compounds a part finds."""
        if self._known_words is None:
            self._known_words = {r[0] for r in conn.execute(text("SELECT word FROM search_words"))}
        indexed = set().union(*(e.terms.words for e in entries), *((p for p, _ in e.terms.parts) for e in entries))
        new = sorted(w for w in indexed.difference(self._known_words)
                     if 3 <= len(w) <= 40 and w.isalpha())
        # PostgreSQL: a compound's parts, the first time it is seen (they are the same on every page).
        # Compounds apart from words: a compound's tail ("erlaubnisverlangerung") is a word known
        # as a part before it is seen as a compound of its own.
        pairs = compound_pairs(entries) if self.fulltext.keeps_compounds else set()
        if pairs and self._known_compounds is None:
            self._known_compounds = {r[0] for r in conn.execute(text("SELECT DISTINCT word FROM search_parts"))}
        pairs = {(part, word) for part, word in pairs if word not in self._known_compounds}
        if pairs:
            self.fulltext.remember_compounds(conn, pairs)
            self._known_compounds.update(word for _, word in pairs)
        if new:
            remember_words(conn, new)
            self._known_words.update(new)

    def _reindex_pages(self, s: Session, doc: DocumentRow, old: dict, new: dict) -> None:
        conn = s.connection()
        pages = list(s.exec(select(PageRow).where(PageRow.document_id == doc.id)))
        present = set(pages_in_index(conn, [p.id for p in pages]))
        pages = [p for p in pages if p.id in present]
        self.fulltext.delete(conn, [self._entry(conn, doc, p.id, p.text, **old) for p in pages])
        self.fulltext.insert(conn, [self._entry(conn, doc, p.id, p.text, **new) for p in pages])

    def update_document(self, doc_id: str, actor: str, action: str, **changes) -> DocumentRow:
        """Change fields of a document and record who did it, when, and what changed."""
        with self._lock, self.session() as s:
            row = s.get(DocumentRow, doc_id)
            if row is None:
                raise KeyError(doc_id)
            before = {k: getattr(row, k) for k in changes}
            indexed_before = {f: getattr(row, f) for f in _INDEXED_FIELDS}
            for key, value in changes.items():
                setattr(row, key, value)
            row.updated_at = utcnow()
            s.add(row)
            if any(f in changes and changes[f] != indexed_before[f] for f in _INDEXED_FIELDS):
                self._reindex_pages(s, row, indexed_before, {f: getattr(row, f) for f in _INDEXED_FIELDS})
            s.add(AuditEvent(document_id=doc_id, actor=actor, action=action,
                             detail=json.dumps({"before": before, "after": changes}, default=str)))
            s.commit()
            return row

    def delete_document(self, doc_id: str, actor: str, reason: str) -> None:
        """Remove a document from the index (its objects are gone); the audit trail stays."""
        with self._lock, self.session() as s:
            pages = list(s.exec(select(PageRow).where(PageRow.document_id == doc_id)))
            row = s.get(DocumentRow, doc_id)
            if row is not None:
                present = set(pages_in_index(s.connection(), [p.id for p in pages]))
                self.fulltext.delete(s.connection(), [self._entry(s.connection(), row, p.id, p.text) for p in pages if p.id in present])
            for page in pages:
                s.delete(page)
            s.flush()
            if row is not None:
                s.delete(row)
            s.add(AuditEvent(document_id=doc_id, actor=actor, action="deleted", detail=json.dumps({"reason": reason})))
            s.commit()

    def audit(self, doc_id: str | None = None) -> list[AuditEvent]:
        with self.session() as s:
            query = select(AuditEvent).order_by(AuditEvent.id)
            if doc_id:
                query = query.where(AuditEvent.document_id == doc_id)
            return list(s.exec(query))

    def last_event(self, action: str) -> AuditEvent | None:
        """The latest audit event of *action* (e.g. the last retraining)."""
        with self.session() as s:
            return s.exec(select(AuditEvent).where(AuditEvent.action == action)
                          .order_by(AuditEvent.id.desc()).limit(1)).first()

    def record_event(self, actor: str, action: str, document_id: str | None = None, **detail) -> None:
        with self._lock, self.session() as s:
            s.add(AuditEvent(document_id=document_id, actor=actor, action=action,
                             detail=json.dumps(detail, default=str)))
            s.commit()

    # --- search --------------------------------------------------------------------------

    def search(self, user_query: str, limit: int = 20) -> list[SearchHit]:
        """Documents matching the query, best first; never raises on odd user input."""
        return self.find(SearchQuery(user_query, limit=limit)).hits

    def find(self, query: SearchQuery) -> SearchPage:
        """One page of ranked documents with total and facets, filters applied inside the index query."""
        if self.outdated:
            raise SearchIndexOutdated("the search index was built by an older version: run `dms reindex`")
        return run_search(self, query)

    def page(self, doc_id: str, number: int) -> PageRow | None:
        with self.session() as s:
            return s.exec(select(PageRow).where(PageRow.document_id == doc_id, PageRow.number == number)).first()

    def vocabulary(self) -> dict[int, list[str]]:
        """Indexed words by length, for fuzzy search; re-read when words were added."""
        with self.engine.connect() as conn:
            count = conn.execute(text("SELECT count(*) FROM search_words")).scalar() or 0
            if self._vocabulary is None or self._vocabulary[0] != count:
                by_length: dict[int, list[str]] = {}
                for (word,) in conn.execute(text("SELECT word FROM search_words")):
                    by_length.setdefault(len(word), []).append(word)
                self._vocabulary = (count, by_length)
        return self._vocabulary[1]

    # --- search index maintenance --------------------------------------------------------

    def reindex(self, progress=None, batch: int = 2000) -> int:
        """Rebuild the full-text index from the stored page texts; resumes where an interrupted run stopped.

        *progress(done, total)* is called after every batch. Returns the number of pages indexed."""
        with self._lock, self.engine.begin() as conn:
            upto = conn.execute(text("SELECT value FROM search_state WHERE name = 'reindex_upto'")).scalar()
            upto = int(upto) if upto is not None else self._start_reindex(conn)
            cursor = int(conn.execute(text("SELECT value FROM search_state WHERE name = 'reindex_cursor'")).scalar())
            total = conn.execute(text("SELECT count(*) FROM pages WHERE id <= :u"), {"u": upto}).scalar() or 0
            done = conn.execute(text("SELECT count(*) FROM pages WHERE id <= :c"), {"c": cursor}).scalar() or 0
        self._known_words = self._known_compounds = None
        indexed = 0
        if progress:
            progress(done, total)
        while True:
            with self._lock, self.engine.begin() as conn:
                rows = conn.execute(text(
                    "SELECT p.id, p.text, d.doc_type, d.case_number, d.review, d.created_at FROM pages p "
                    "JOIN documents d ON d.id = p.document_id WHERE p.id > :c AND p.id <= :u ORDER BY p.id LIMIT :n"),
                    {"c": cursor, "u": upto, "n": batch}).all()
                if not rows:
                    break
                teams = {c: team_scope.indexed_team(conn, c) for c in {r[3] for r in rows}}
                texts = [unpack(r[1]) for r in rows]
                entries = [IndexEntry(r[0], analyse(t), document_tokens(r[2], r[3], bool(r[4]), parse_datetime(r[5]))
                                      + case_scope_tokens(r[3], teams[r[3]])) for r, t in zip(rows, texts)]
                store_texts(conn, [(r[0], t) for r, t in zip(rows, texts) if not is_current(r[1])])
                self.fulltext.insert(conn, entries)
                self._remember_words(conn, entries)
                cursor = rows[-1][0]
                _set_state(conn, "reindex_cursor", str(cursor))
            indexed += len(rows)
            done += len(rows)
            self.fulltext.reclaim(self.engine)      # the next batch reuses this one's old rows (fulltext.reclaim)
            if progress:
                progress(done, total)
        with self._lock, self.engine.begin() as conn:
            if not self.is_sqlite:
                self.fulltext.create_index(conn)
                compaction.note_built(conn, self.fulltext)     # built at once: compact (compaction.py)
            conn.execute(text(f"DELETE FROM search_state WHERE name IN {_REBUILD_STATE}"))
            _set_state(conn, "analyser", self.index_version)
        self.fulltext.reclaim(self.engine, finished=True)
        self.outdated = False
        return indexed

    def _start_reindex(self, conn) -> int:
        # A team change locks search_case_teams, then rewrites page vectors; take the same lock first so
        # that the two wait for each other instead of deadlocking (PostgreSQL aborted one of them).
        team_scope.lock_for_team_change(conn)
        upto = conn.execute(text("SELECT max(id) FROM pages")).scalar() or 0
        self.fulltext.drop(conn)
        self.fulltext.create(conn)
        if not self.is_sqlite:
            self.fulltext.drop_index(conn)      # bulk load first, build the GIN index once at the end
        conn.execute(text("DELETE FROM search_words"))
        self.fulltext.clear_vocabulary(conn)
        team_scope.reset(conn)
        _set_state(conn, "reindex_upto", str(upto))
        _set_state(conn, "reindex_cursor", "0")
        _set_state(conn, "reindex_analyser", self.index_version)
        return upto

    def index_stats(self) -> dict:
        """Pages, characters of page text and bytes on disk (whole database; full-text index alone)."""
        with self.engine.connect() as conn:
            pages = conn.execute(text("SELECT count(*) FROM pages")).scalar() or 0
            chars = sum(len(unpack(value)) for (value,) in conn.execution_options(yield_per=5000).execute(
                text("SELECT text FROM pages")))      # stored compressed: counted as read back
            if self.is_sqlite:
                size = (conn.execute(text("PRAGMA page_count")).scalar() or 0) * (conn.execute(text("PRAGMA page_size")).scalar() or 0)
            else:
                size = conn.execute(text("SELECT pg_database_size(current_database())")).scalar() or 0
            fulltext = self.fulltext.size_bytes(conn)
        return {"pages": int(pages), "text_chars": int(chars), "database_bytes": int(size), "fulltext_bytes": fulltext,
                "bytes_per_page": round(size / pages) if pages else 0}

    def compact_search_index(self, **options) -> dict:
        """Rebuild PostgreSQL's GIN index once grown enough since its last build (compaction.py)."""
        return compaction.compact_search_index(self, **options)

    # --- cases ---------------------------------------------------------------------------

    def cases(self) -> list[CaseRow]:
        with self.session() as s:
            return list(s.exec(select(CaseRow).order_by(CaseRow.case_number)))

    def case(self, case_number: str) -> CaseRow | None:
        with self.session() as s:
            return s.get(CaseRow, case_number)

    def documents_of_case(self, case_number: str) -> list:
        """A case's documents in order of receipt, as plain rows with DocumentRow's columns as
        attributes, the object keys left out (stored in short, object_keys.py): read at every case
        view, where ORM objects cost twice the query."""
        documents = DocumentRow.__table__
        columns = [c for c in documents.columns if c.name not in object_keys.KEY_COLUMNS]
        with self.engine.connect() as conn:
            return conn.execute(select(*columns).where(documents.c.case_number == case_number)
                                .order_by(documents.c.created_at, documents.c.id)).all()

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
            team_scope.lock_for_team_change(s.connection())
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
                    for field in ("surname", "given_names", "date_of_birth", "nationality", "sponsor_case_number",
                                  "sponsor_surname", "sponsor_given_names", "sponsor_date_of_birth"):
                        setattr(current, field, getattr(row, field))
                    if row.team_source == "registry" or current.team_source == "registry":
                        current.team, current.team_source = row.team, row.team_source
                    current.updated_at = utcnow()
                    s.add(current)
            s.flush()
            team_scope.retag(s.connection())     # cases whose team changed: their pages move with them
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


def _match_index_methods(conn) -> None:
    """PostgreSQL: an index the models now declare with another method (a b-tree made by an older
    version where a hash index is declared) is made again as declared, under the schema lock."""
    if conn.dialect.name != "postgresql":
        return
    existing = dict(conn.execute(text("SELECT c.relname, a.amname FROM pg_class c JOIN pg_am a ON a.oid = c.relam "
                                      "JOIN pg_namespace n ON n.oid = c.relnamespace "
                                      "WHERE c.relkind = 'i' AND n.nspname = current_schema()")).all())
    for table in SQLModel.metadata.sorted_tables:
        for index in table.indexes:
            method = index.dialect_options["postgresql"]["using"]
            if method and index.name in existing and existing[index.name] != method:
                conn.execute(text(f'DROP INDEX "{index.name}"'))
                index.create(conn)
                log.warning("index %s is now a %s index (was %s)", index.name, method, existing[index.name])


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    # No mmap_size: reading through a memory map saved a search 7-14 % of CPU alone, but with the
    # access log appending at every request it cost the API 1.5-1.6x CPU per request (bench_api, SQLite).
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def parse_datetime(value: str | datetime) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _set_state(conn, name: str, value: str) -> None:
    conn.execute(text("INSERT INTO search_state (name, value) VALUES (:n, :v) "
                      "ON CONFLICT (name) DO UPDATE SET value = excluded.value"), {"n": name, "v": value})


__all__ = ["Catalog", "SearchHit", "SearchIndexOutdated", "SearchPage", "SearchQuery", "SqlIntegrityError",
           "parse_datetime"]
