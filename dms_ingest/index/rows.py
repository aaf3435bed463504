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
