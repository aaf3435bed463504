"""The archive record: the metadata JSON stored beside each document's original and PDF/A copy.

It is the document's own account of itself, readable without the index (which can be rebuilt
from it, `reindex`). Versions are never overwritten: a change (a clerk's decision, a legal hold)
reads the stored version n back, verifies it against the checksum the index holds, applies the
change and stores version n+1, which names its predecessor. So every field of version 1 - the
evidence for the case, the warnings, which pages are in the archive - is still in the current one.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

# The layout of the JSON. Fields are only added, never renamed, so an older record still reads.
RECORD_VERSION = 1


class _Part(BaseModel):
    # Fields a later release adds are kept when an older one rewrites the record.
    model_config = ConfigDict(extra="allow")


class OriginalObject(_Part):
    sha256: str
    ext: str = ""
    media_type: str = ""
    key: str | None = None


class ArchiveObject(_Part):
    sha256: str
    key: str | None = None
    pdfa_part: int | None = None


class PageRecord(_Part):
    number: int
    text: str = ""
    ocr_confidence: float | None = None
    blank: bool = False
    rotation: int = 0
    skew: float = 0.0
    colour: str = ""
    born_digital: bool | None = None     # text layer kept from the original, not OCR'd
    archived: bool | None = None         # in the PDF/A copy (blank pages may be dropped)


class PreviousVersion(_Part):
    key: str
    sha256: str | None = None


class ArchiveRecord(_Part):
    version: int = RECORD_VERSION
    id: str
    source: str
    part: str | None = None
    message_id: str | None = None
    title: str = ""
    ingested_at: str                     # ISO 8601, UTC
    original: OriginalObject
    archive: ArchiveObject
    pages: list[PageRecord] = Field(default_factory=list)
    doc_type: str | None = None
    doc_type_confidence: float | None = None
    case_number: str | None = None
    case_method: str | None = None
    review: bool = False
    review_reasons: list[str] = Field(default_factory=list)
    candidates: list[str] = Field(default_factory=list)
    case_evidence: list[str] = Field(default_factory=list)
    ocr_confidence: float | None = None
    warnings: list[str] = Field(default_factory=list)
    fields: list[dict[str, Any]] = Field(default_factory=list)   # read from the document (applications/fields)
    direction: str | None = None         # incoming | outgoing (a letter the office wrote)
    legal_hold: bool = False
    # Versioning: 1 at ingest; each change stores n+1 naming who, what, when and its predecessor.
    metadata_version: int = 1
    changed_by: str | None = None
    change: str | None = None
    changed_at: str | None = None
    changed_fields: dict[str, Any] | None = None
    previous: PreviousVersion | None = None

    def to_bytes(self) -> bytes:
        return json.dumps(self.model_dump(mode="json", exclude_none=False), ensure_ascii=False, indent=1).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> "ArchiveRecord":
        return cls.model_validate_json(data)

    def next_version(self, changes: dict[str, Any], *, actor: str, action: str, previous_key: str,
                     previous_sha256: str | None) -> "ArchiveRecord":
        """Version n+1: this record with *changes* applied, saying who changed what and when."""
        unknown = set(changes) - set(type(self).model_fields)
        if unknown:
            raise ValueError(f"not fields of the archive record: {', '.join(sorted(unknown))}")
        data = self.model_dump()
        data.update(changes)
        data.update(metadata_version=self.metadata_version + 1, changed_by=actor, change=action,
                    changed_at=datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
                    changed_fields=changes, previous={"key": previous_key, "sha256": previous_sha256})
        return type(self).model_validate(data)


def record_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
