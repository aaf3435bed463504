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

import hashlib
import zlib
from functools import lru_cache
from pathlib import Path

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection
from sqlalchemy.types import LargeBinary, TypeDecorator

CURRENT_VERSION = 2
_MARK = 0
_WINDOW = -15                   # raw deflate: no zlib header or checksum (the database keeps its own)
_DICTIONARIES = Path(__file__).with_name("text_dictionary")


# The SHA-256 of each shipped dictionary. Raw deflate carries no checksum: a dictionary changed by
# one byte (an edit, a checkout converting line ends) reads every stored text back as other words
# without any error, so a dictionary that is not byte for byte the shipped one is refused.
_SHIPPED = {1: "665e504a13cd398b824cb9f0e63adff414776fadbce8907d92429c1528e55755",
            # v2 (29 Nov 2026): v1 after more hand-written office German (letter, notice and form
            # sentences, labels with their colons, abbreviations, years): 6 % fewer bytes than v1
            # on Tesseract's reading of samples/inbox, 7 % on generated pages (README, "Page text compressed")
            2: "5874fbbadece0283e02637d16d1358395b6cad9725d151815ec6c09e0a928536"}


@lru_cache(maxsize=None)
def dictionary(version: int) -> bytes:
    path = _DICTIONARIES / f"v{version}.txt"
    if version not in _SHIPPED or not path.is_file():
        raise ValueError(f"page text compressed with dictionary version {version}, which this version does not know")
    content = path.read_bytes()
    if hashlib.sha256(content).hexdigest() != _SHIPPED[version]:
        raise ValueError(f"{path} is not the dictionary shipped as version {version}: page texts would read wrong")
    return content


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
    if len(value) < 2:
        raise ValueError("stored page text is damaged: a compressed value without its dictionary version")
    decompressor = zlib.decompressobj(_WINDOW, zdict=dictionary(value[1]))
    try:
        raw = decompressor.decompress(value[2:]) + decompressor.flush()
    except zlib.error as exc:
        raise ValueError(f"stored page text is damaged: {exc}") from None
    if not decompressor.eof or decompressor.unused_data:
        # Raw deflate has no checksum: a cut value would otherwise read as the start of the text.
        raise ValueError("stored page text is damaged: its compressed data is cut short or runs on")
    return raw.decode()


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
