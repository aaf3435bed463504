"""Plain rows from the database driver: how the index modules read candidates in bulk."""

from __future__ import annotations

import re

from sqlalchemy.engine import Connection

_NAMED = re.compile(r"(?<![:\w]):(\w+)")


def fetch_rows(conn: Connection, sql: str, params: dict) -> list[tuple]:
    """Rows as the driver's plain tuples, in the connection's transaction: a search reads thousands
    of candidate rows, and SQLAlchemy's row objects cost more than the query for them."""
    if conn.dialect.name != "sqlite":
        sql = _NAMED.sub(r"%(\1)s", sql)           # psycopg's parameter style
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql, params)
        return cursor.fetchall()
    finally:
        cursor.close()


def id_array(ids) -> str:
    """Integer ids as one PostgreSQL array literal, "{1,2,3}", for `= ANY(CAST(:ids AS integer[]))`.
    psycopg2 sends a Python list as ARRAY[1, 2, 3], one constant per element for the server to
    parse and evaluate: 2.7 ms for 1,000 ids against 0.3 ms as a literal (a phrase's candidate
    texts, 1,000 of them, read in 7 ms instead of 11)."""
    return "{" + ",".join(map(str, ids)) + "}"
