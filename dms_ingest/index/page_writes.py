"""Page rows and their search entries written straight through the database driver.

`Catalog.add_document` is the write path of the pipeline and of the migration (3M pages): per page,
the ORM's and SQLAlchemy's statement building cost more than the analysis. These statements are
fixed strings (one per backend), their values plain tuples converted by the columns' own SQLAlchemy
type processors, so what lands in the table is what the ORM would have written.
"""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Table
from sqlalchemy.engine import Connection

from .models import AuditEvent, DocumentRow, PageRow


@lru_cache(maxsize=32)
def _columns(table: Table, dialect, names: tuple[str, ...]) -> list:
    """The SQLAlchemy bind processors of the named columns (None: the driver takes the value as it is)."""
    return [table.columns[n].type.bind_processor(dialect) for n in names]


def _rows(table: Table, dialect, names: tuple[str, ...], records) -> list[tuple]:
    processors = _columns(table, dialect, names)
    return [tuple(process(value) if process else value for process, value in zip(processors, values))
            for values in records]


def insert_records(conn: Connection, table: Table, records: list[dict]) -> None:
    """Insert rows given as dicts (all with the same columns, e.g. a model's `model_dump()`)."""
    if records:
        names = tuple(records[0])
        insert_rows(conn, table.name, tuple(f'"{n}"' for n in names),
                    _rows(table, conn.dialect, names, ([r[n] for n in names] for r in records)))


_PAGE_COLUMNS = tuple(c.name for c in PageRow.__table__.columns if c.name != "id")


def insert_pages(conn: Connection, pages: list[PageRow]) -> list[int]:
    """Insert page rows (in the connection's transaction); returns their new ids in the given order."""
    if not pages:
        return []
    names = _PAGE_COLUMNS
    rows = _rows(PageRow.__table__, conn.dialect, names, ([getattr(page, n) for n in names] for page in pages))
    columns = ", ".join(f'"{n}"' for n in names)
    cursor = conn.connection.cursor()
    try:
        if conn.dialect.name == "sqlite":
            statement = f"INSERT INTO pages ({columns}) VALUES ({', '.join('?' * len(names))})"
            ids = []
            for row in rows:
                cursor.execute(statement, row)
                ids.append(cursor.lastrowid)
            return ids
        from psycopg2.extras import execute_values

        # One multi-row statement; rows come back matched by page number, not by their order.
        returned = execute_values(cursor, f"INSERT INTO pages ({columns}) VALUES %s RETURNING id, number",
                                  rows, page_size=len(rows), fetch=True)
        by_number = {number: page_id for page_id, number in returned}
        if len(by_number) == len(pages):
            return [by_number[page.number] for page in pages]
        return [page_id for page_id, _ in returned]     # repeated page numbers: VALUES order
    finally:
        cursor.close()


def insert_rows(conn: Connection, table: str, columns: tuple[str, ...], rows: list[tuple], on_conflict: str = "") -> None:
    """Insert rows of plain values in one call: sqlite3's executemany, psycopg2's multi-row VALUES."""
    if not rows:
        return
    names = ", ".join(columns)
    cursor = conn.connection.cursor()
    try:
        if conn.dialect.name == "sqlite":
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))}) {on_conflict}",
                               rows)
        else:
            from psycopg2.extras import execute_values

            execute_values(cursor, f"INSERT INTO {table} ({names}) VALUES %s {on_conflict}", rows, page_size=1000)
    finally:
        cursor.close()


# Documents of up to this many pages are written by a statement prepared once per connection and
# page count: the server then neither parses nor plans the four-insert statement per document (a
# quarter of its CPU per page); longer documents (rare) send the statement with its values inline.
PREPARED_MAX_PAGES = 8


def _sql_types(table: Table, names: tuple[str, ...], dialect) -> list[str]:
    return [table.columns[n].type.compile(dialect=dialect) for n in names]


def _add_document_statement(dialect, document_names: tuple[str, ...], audit_names: tuple[str, ...],
                            pages: int) -> str:
    """The document, audit and pages insert for *pages* pages, with $n parameters (each cast to its
    column's type): document values, audit values, then per page its row's values and its tsvector."""
    count = 0

    def marks(types) -> str:
        nonlocal count
        out = []
        for kind in types:
            count += 1
            out.append(f"CAST(${count} AS {kind})")
        return "(" + ", ".join(out) + ")"

    def columns(names) -> str:
        return ", ".join(f'"{n}"' for n in names)

    document = marks(_sql_types(DocumentRow.__table__, document_names, dialect))
    audit = marks(_sql_types(AuditEvent.__table__, audit_names, dialect))
    page_types = [*_sql_types(PageRow.__table__, _PAGE_COLUMNS, dialect), "tsvector"]
    rows = ", ".join(marks(page_types) for _ in range(pages))
    return (f"WITH d AS (INSERT INTO documents ({columns(document_names)}) VALUES {document}), "
            f"a AS (INSERT INTO audit_events ({columns(audit_names)}) VALUES {audit}) "
            f"INSERT INTO pages ({columns(_PAGE_COLUMNS)}, tsv) VALUES {rows} RETURNING id, number")


def prepared_statement(conn: Connection, cursor, key, build) -> str:
    """PostgreSQL: the name under which the statement *build()* (with $n parameters) is prepared on
    this connection, preparing it now if new. The names live in the pooled connection's `info`, which
    is cleared when the connection is replaced; a prepared statement outlives a rolled-back transaction."""
    prepared = conn.connection.info.setdefault("dms_prepared", {})
    name = prepared.get(key)
    if name is None:
        name = f"dms_statement_{len(prepared) + 1}"
        cursor.execute(f"PREPARE {name} AS {build()}")
        prepared[key] = name
    return name


def execute_prepared(conn: Connection, key, build, values: list) -> list[tuple]:
    """PostgreSQL: run the statement *build()* prepared once per connection (see prepared_statement)
    with *values* for $1, $2, …; its rows as plain tuples."""
    cursor = conn.connection.cursor()
    try:
        name = prepared_statement(conn, cursor, key, build)
        cursor.execute(f"EXECUTE {name} ({', '.join(['%s'] * len(values))})" if values else f"EXECUTE {name}", values)
        return cursor.fetchall() if cursor.description else []
    finally:
        cursor.close()


def insert_document_postgres(conn: Connection, document: dict, pages: list[PageRow], audit: dict,
                             vectors: list[str]) -> list[int] | None:
    """PostgreSQL: a document row, its audit event and its pages with their tsvectors (*vectors*,
    in page order) in one statement: one round trip and one plan instead of three. Returns the new
    page ids in page order; None (nothing written) when page numbers repeat, as the ids are matched
    to the pages by number."""
    if len({page.number for page in pages}) != len(pages):
        return None
    cursor = conn.connection.cursor()
    try:
        document_names, audit_names = tuple(document), tuple(audit)
        page_rows = [(*row, vector) for row, vector in zip(
            _rows(PageRow.__table__, conn.dialect, _PAGE_COLUMNS, ([getattr(page, n) for n in _PAGE_COLUMNS] for page in pages)),
            vectors)]
        if 0 < len(pages) <= PREPARED_MAX_PAGES:
            name = prepared_statement(conn, cursor, ("add_document", document_names, audit_names, len(pages)),
                                      lambda: _add_document_statement(conn.dialect, document_names, audit_names, len(pages)))
            values = [*_rows(DocumentRow.__table__, conn.dialect, document_names, [[document[n] for n in document_names]]),
                      *_rows(AuditEvent.__table__, conn.dialect, audit_names, [[audit[n] for n in audit_names]]),
                      *page_rows]
            flat = [value for row in values for value in row]
            cursor.execute(f"EXECUTE {name} ({', '.join(['%s'] * len(flat))})", flat)
            by_number = dict((number, page_id) for page_id, number in cursor.fetchall())
            return [by_number[page.number] for page in pages]
        mogrify = cursor.mogrify

        def values(table: Table, names: tuple[str, ...], records) -> bytes:
            marks = "(" + ", ".join(["%s"] * len(names)) + ")"
            return b", ".join(mogrify(marks, row) for row in _rows(table, conn.dialect, names, records))

        def columns(names) -> bytes:
            return ", ".join(f'"{n}"' for n in names).encode()

        statement = [
            b"WITH d AS (INSERT INTO documents (", columns(document_names), b") VALUES ",
            values(DocumentRow.__table__, document_names, [[document[n] for n in document_names]]), b"), ",
            b"a AS (INSERT INTO audit_events (", columns(audit_names), b") VALUES ",
            values(AuditEvent.__table__, audit_names, [[audit[n] for n in audit_names]]), b")"]
        if not pages:
            cursor.execute(b"".join(statement + [b" SELECT 1"]))
            return []
        page_marks = "(" + ", ".join(["%s"] * len(_PAGE_COLUMNS)) + ", CAST(%s AS tsvector))"
        statement += [
            b" INSERT INTO pages (", columns(_PAGE_COLUMNS), b", tsv) VALUES ",
            b", ".join(mogrify(page_marks, row) for row in page_rows), b" RETURNING id, number"]
        cursor.execute(b"".join(statement))
        by_number = dict((number, page_id) for page_id, number in cursor.fetchall())
        return [by_number[page.number] for page in pages]
    finally:
        cursor.close()
