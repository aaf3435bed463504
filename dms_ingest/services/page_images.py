"""Page images of archived documents: the right to see them, the log entry, the verified archive bytes.

Rendering and caching live with the browser (web/page_images.py); this is the door to it, so that
a cached picture is never shown without the same check and log entry as the document itself.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Callable

from ..access import policy
from ..errors import NotFound, Unavailable
from ..index.models import DocumentRow
from ..storage import StoreError
from .actor import Actor
from .documents import document
from .runtime import Runtime, operation


def page_image(actor: Actor, runtime: Runtime, doc_id: str, number: int) -> tuple[DocumentRow, Callable[[], bytes]]:
    """Check and log one page-image read; returns the document and a loader of its verified PDF/A."""
    with operation(runtime, actor, "page_image", doc_id, page=number):
        doc = document(runtime, doc_id)
        policy.require(actor, "page_image", document=doc, catalog=runtime.catalog)
        if not 1 <= number <= max(doc.pages, 1):
            raise NotFound(f"document {doc_id} has no page {number}")
        return doc, lambda: archive_bytes(runtime, doc)


def archive_bytes(runtime: Runtime, doc: DocumentRow) -> bytes:
    """The archival PDF/A of *doc*, verified against its SHA-256 (callers have checked the right)."""
    with tempfile.TemporaryDirectory(prefix="dms-page-") as folder:
        target = Path(folder) / "archive.pdf"
        try:
            runtime.store.download(doc.archive_key, target, doc.archive_sha256)
        except StoreError as exc:
            raise Unavailable(str(exc)) from None
        return target.read_bytes()
