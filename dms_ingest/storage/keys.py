"""The S3 store's object keys, laid out by document id (never by case, which can change)::

    documents/{doc_id}/original.{ext}
    documents/{doc_id}/archive.pdf
    documents/{doc_id}/metadata-{n}.json     # a metadata change writes n+1

Apart from the store (which needs no S3 client for it) because the index derives these keys
from a document's row instead of storing them (index/object_keys.py).
"""

from __future__ import annotations

import re

from .base import StoreError

PREFIX = "documents"
_DOC_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_METADATA_ROLE = re.compile(r"metadata-([1-9][0-9]{0,8})")
_EXT = re.compile(r"[a-z0-9]{1,16}")


def key_for(doc_id: str, role: str, ext: str = "") -> str:
    """The object key of a document's original, archive or metadata version."""
    if not isinstance(doc_id, str) or not _DOC_ID.fullmatch(doc_id) or ".." in doc_id:
        raise StoreError(f"invalid document id {doc_id!r}")
    ext = (ext or "").strip().lstrip(".").lower()
    if role == "original":
        ext = ext or "bin"
        if not _EXT.fullmatch(ext):
            raise StoreError(f"invalid file extension {ext!r} for the original of {doc_id}")
        name = f"original.{ext}"
    elif role == "archive":
        if ext not in ("", "pdf"):
            raise StoreError(f"the archive copy of {doc_id} must be a PDF, not {ext!r}")
        name = "archive.pdf"
    elif match := _METADATA_ROLE.fullmatch(role or ""):
        if ext not in ("", "json"):
            raise StoreError(f"metadata of {doc_id} must be JSON, not {ext!r}")
        name = f"metadata-{int(match.group(1))}.json"
    else:
        raise StoreError(f"invalid object role {role!r} (original, archive or metadata-N)")
    return f"{PREFIX}/{doc_id}/{name}"
