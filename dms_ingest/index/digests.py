"""SHA-256 columns stored as their 32 bytes, read back as the 64 lowercase hex characters.

A document row holds three SHA-256 (original, archive, current metadata); as hex text each cost 65
bytes in PostgreSQL, as bytea 33. Every caller still sees the hex string (`Sha256`'s conversion
runs on every bind and result), so `dms show --json` and the REST API show what they always did,
and an equality lookup by hash (the original's, for deduplication) binds the 32 bytes too.

Any other string round-trips as it was (tests and benchmarks write ids as hashes, older rows may
hold what an older version wrote):

    32 bytes                    the digest
    b"\\xff" + 32 bytes          a 32-byte string that is not a hex digest (0xff never starts UTF-8)
    any other bytes             UTF-8 text
    str                         SQLite rows written before this (read as they are)

Databases whose columns are still text are converted when opened (`upgrade`).
"""

from __future__ import annotations

import logging
import re

from sqlalchemy import LargeBinary, inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.types import TypeDecorator

log = logging.getLogger(__name__)

_HEX = re.compile(r"[0-9a-f]{64}")
_ESCAPE = b"\xff"
DIGEST_COLUMNS = ("original_sha256", "archive_sha256", "metadata_sha256")     # of `documents`


def pack(value: str) -> bytes:
    """The stored form of a hash column's value."""
    if _HEX.fullmatch(value):
        return bytes.fromhex(value)
    raw = value.encode()
    return _ESCAPE + raw if len(raw) == 32 else raw


def unpack(value: bytes | memoryview | str) -> str:
    if isinstance(value, str):
        return value
    value = bytes(value)
    if len(value) == 32:
        return value.hex()
    return value[1:].decode() if value[:1] == _ESCAPE else value.decode()


class Sha256(TypeDecorator):
    """A SHA-256 as 64 hex characters in Python, its 32 bytes in the database (bytea, BLOB)."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return pack(value) if isinstance(value, str) else value

    def process_result_value(self, value, dialect):
        return None if value is None else unpack(value)


# PostgreSQL's conversion of a text column, `pack` in SQL (tests/test_digests.py holds them equal).
_PACK_SQL = ("CASE WHEN {c} ~ '^[0-9a-f]{{64}}$' THEN decode({c}, 'hex') "
             "WHEN octet_length({c}) = 32 THEN '\\xff'::bytea || convert_to({c}, 'UTF8') "
             "ELSE convert_to({c}, 'UTF8') END")


def upgrade(conn: Connection) -> None:
    """Convert the hash columns of a database made before they were binary (under the schema lock)."""
    columns = {c["name"]: c["type"] for c in inspect(conn).get_columns("documents")}
    legacy = [name for name in DIGEST_COLUMNS if not isinstance(columns[name], LargeBinary)]
    if not legacy:
        return
    if conn.dialect.name == "postgresql":
        # One rewrite of the table; the hash index on original_sha256 is rebuilt with it.
        conn.execute(text("ALTER TABLE documents " + ", ".join(
            f"ALTER COLUMN {c} TYPE bytea USING {_PACK_SQL.format(c=c)}" for c in legacy)))
        log.warning("documents: SHA-256 columns converted to bytea (%s)", ", ".join(legacy))
        return
    _upgrade_sqlite(conn, legacy)


def _upgrade_sqlite(conn: Connection, legacy: list[str]) -> None:
    """SQLite keeps the declared type (VARCHAR) and takes the bytes in it; a text value left (found
    through the index on original_sha256: text sorts before blobs) means rows to convert."""
    if conn.execute(text("SELECT 1 FROM documents WHERE original_sha256 < x'' LIMIT 1")).first() is None:
        return
    select = text(f"SELECT id, {', '.join(legacy)} FROM documents WHERE id > :last ORDER BY id LIMIT 5000")
    update = text(f"UPDATE documents SET {', '.join(f'{c} = :{c}' for c in legacy)} WHERE id = :id")
    converted, last = 0, ""
    while rows := conn.execute(select, {"last": last}).all():       # by primary key: one pass
        last = rows[-1][0]
        changes = [{"id": row[0], **{c: pack(v) if isinstance(v, str) else v for c, v in zip(legacy, row[1:])}}
                   for row in rows if any(isinstance(v, str) for v in row[1:])]
        if changes:
            conn.execute(update, changes)
            converted += len(changes)
    log.warning("documents: SHA-256 of %d rows stored as bytes", converted)
