"""Is a dropped file complete, or is a writer still busy with it?

A scanner or a copy over SMB may pause longer than any "stable for N seconds" rule. Most formats
say at their end that they are complete: a PDF ends with startxref and %%EOF (and a linearized
PDF states its full length up front), JPEG with its EOI marker, PNG with IEND, GIF with its
trailer byte, ZIP with its central directory. A file without its end is not taken yet; the watcher
waits for it (up to inbox.incomplete_wait_seconds after its last change, then the pipeline's
repair and content checks decide, and a cut-off file is refused with its reason).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

_TAIL = 4096
_LINEARIZED_LENGTH = re.compile(rb"/Linearized\b.*?/L\s+(\d+)", re.S)


_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF")
_XREF_AT = re.compile(rb"\s*(xref|\d+\s+\d+\s+obj)")
_PDF_TAIL = 1 << 20     # junk after %%EOF is common (scanners pad files); look this far back


def _pdf_incomplete(path: Path, head: bytes, size: int) -> str | None:
    linearized = _LINEARIZED_LENGTH.search(head)
    if linearized and size < int(linearized.group(1)):
        return f"PDF states {int(linearized.group(1))} bytes, {size} are there"
    with open(path, "rb") as handle:
        handle.seek(max(0, size - _PDF_TAIL))
        tail = handle.read(_PDF_TAIL)
        ends = list(_STARTXREF.finditer(tail))
        if not ends:
            return "PDF without its end (startxref, %%EOF)"
        offset = int(ends[-1].group(1))
        if offset >= size:
            return "PDF whose cross-reference table lies beyond its end"
        handle.seek(offset)
        if not _XREF_AT.match(handle.read(64)):
            return "PDF whose cross-reference pointer points nowhere"
    return None


def _ends(path: Path, size: int) -> tuple[bytes, bytes]:
    with open(path, "rb") as handle:
        head = handle.read(1024)
        handle.seek(max(0, size - _TAIL))
        return head, handle.read(_TAIL)


def incomplete_reason(path: Path) -> str | None:
    """Why *path* looks cut off (still being written), or None when it looks complete or we cannot tell."""
    try:
        size = os.stat(path).st_size
        head, tail = _ends(path, size)
    except OSError:
        return None
    if not head:
        return "empty so far"
    if b"%PDF-" in head:
        return _pdf_incomplete(path, head, size)
    if head[:3] == b"\xff\xd8\xff":
        return None if b"\xff\xd9" in tail[-2048:] else "JPEG without its end marker"
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return None if b"IEND" in tail[-64:] else "PNG without its end chunk"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return None if tail.rstrip(b"\x00").endswith(b";") else "GIF without its trailer"
    if head[:4] == b"PK\x03\x04":
        return None if b"PK\x05\x06" in tail else "ZIP without its central directory"
    return None
