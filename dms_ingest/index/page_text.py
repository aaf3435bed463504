"""Page text stored compressed (`pages.text`): deflate with a preset dictionary of office German.

A page of OCR text is ~800 bytes; deflate alone finds little to repeat in so short a text, a
dictionary of the words every office letter and form uses ("Aufenthaltserlaubnis", "Sehr geehrte
Damen und Herren", "gemäß § 81 AufenthG") gives it something to point back to. The dictionaries
are versioned files (`text_dictionary/vN.txt`, never changed once shipped) made from the product's
own vocabulary (form labels, letter phrases, document types, laws) and common German words, not
from any benchmark's or test's pages. Each stored value says which one it was written with:

    b"\\x00" + version byte + raw deflate     compressed (NUL never starts a PostgreSQL text)
    any other bytes                          UTF-8 text as it was (a column converted from text)
    str                                      SQLite rows written before compression

so a new dictionary can come later without rewriting old rows (`dms reindex` recompresses them).
"""

from __future__ import annotations

import zlib
from functools import lru_cache
from pathlib import Path

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection
from sqlalchemy.types import LargeBinary, TypeDecorator

CURRENT_VERSION = 1
_MARK = 0
_WINDOW = -15                   # raw deflate: no zlib header or checksum (the database keeps its own)
_DICTIONARIES = Path(__file__).with_name("text_dictionary")


@lru_cache(maxsize=None)
def dictionary(version: int) -> bytes:
    path = _DICTIONARIES / f"v{version}.txt"
    if not path.is_file():
        raise ValueError(f"page text compressed with dictionary version {version}, which this version does not know")
    return path.read_bytes()


@lru_cache(maxsize=None)
def _compressor(version: int):
    """A compressor primed with the dictionary, copied per text (priming it costs as much as a page)."""
    return zlib.compressobj(9, zlib.DEFLATED, _WINDOW, 9, zlib.Z_DEFAULT_STRATEGY, zdict=dictionary(version))


def pack(page_text: str, version: int = CURRENT_VERSION) -> bytes:
    """The stored form of a page text."""
    if not page_text:
        return b""
    compressor = _compressor(version).copy()
    return bytes((_MARK, version)) + compressor.compress(page_text.encode()) + compressor.flush()


def unpack(value: bytes | memoryview | str | None) -> str:
    """The page text of a stored value (any format this module ever wrote, or plain text)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    value = bytes(value)
    if not value or value[0] != _MARK:
        return value.decode()
    decompressor = zlib.decompressobj(_WINDOW, zdict=dictionary(value[1]))
    return (decompressor.decompress(value[2:]) + decompressor.flush()).decode()


def is_current(value: bytes | memoryview | str | None) -> bool:
    """Whether a stored value is in the form `pack` writes now (else `dms reindex` rewrites it)."""
    if isinstance(value, str):
        return not value
    value = bytes(value or b"")
    return not value or (value[0] == _MARK and value[1] == CURRENT_VERSION)


class CompressedText(TypeDecorator):
    """The column type of `pages.text`: a str in Python, compressed bytes in the database."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return pack(value) if isinstance(value, str) else value

    def process_result_value(self, value, dialect):
        return unpack(value)


def store_texts(conn: Connection, texts: list[tuple[int, str]]) -> None:
    """Write (page id, text) pairs to `pages.text` in the current form (reindex, rewritten copies)."""
    if texts:
        update = text("UPDATE pages SET text = :t WHERE id = :i").bindparams(bindparam("t", type_=CompressedText()))
        conn.execute(update, [{"i": page_id, "t": page_text} for page_id, page_text in texts])
