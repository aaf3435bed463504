"""Create tables safely when many processes (on many machines) start against one index at once.

SQLAlchemy's ``create_all`` checks then creates: two processes starting together both see a
table missing and the slower one fails with "table documents already exists". The check and
the creation are therefore done under one lock: a PostgreSQL transaction-scoped advisory lock,
or, for SQLite (one machine), an exclusive ``flock`` on a file beside the database.
"""

from __future__ import annotations

import fcntl
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

_SCHEMA_LOCK = 0x444D5343      # "DMSC": advisory lock key for schema changes


@contextmanager
def schema_lock(engine: Engine) -> Iterator[Connection]:
    """A transaction in which no other process changes the schema of this index."""
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        if not database or database == ":memory:":
            with engine.begin() as conn:
                yield conn
            return
        lock_path = Path(database).with_name(Path(database).name + ".schema-lock")
        with open(lock_path, "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                with engine.begin() as conn:
                    yield conn
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        return
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK})
        yield conn


def engine_of(db) -> Engine:
    """The engine behind *db*, a Catalog or an engine (functions outside the index pass either)."""
    return getattr(db, "engine", db)


def update_row(session, model, key, **changes):
    """Set *changes* on the *model* row with primary key *key* and commit; the refreshed row, or
    None when there is no such row."""
    row = session.get(model, key)
    if row is None:
        return None
    for name, value in changes.items():
        setattr(row, name, value)
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


def release_connections(db) -> None:
    """Close the pooled connections of *db* (before a fork: a child must not share them; the
    parent opens new ones when next needed)."""
    engine_of(db).dispose()


def create_tables(engine: Engine, tables=None) -> None:
    """Create the missing tables (all of SQLModel's, or *tables*), safe under concurrent start."""
    with schema_lock(engine) as conn:
        SQLModel.metadata.create_all(conn, tables=tables)
