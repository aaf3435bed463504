"""The one way to refuse input: raise Rejected(reason_code, message) from any stage."""

from __future__ import annotations

# A small closed set of reasons, each with a sentence a clerk understands.
REASONS: dict[str, str] = {
    "empty": "the file is empty (0 bytes)",
    "corrupt": "the file is damaged and could not be repaired",
    "content_lost": "damaged: content lost in repair",
    "encrypted": "encrypted, no password",
    "too_large": "the image is too large to process safely (possible decompression bomb)",
    "memory_limit": "the file would need more memory to process than this server allows",
    "too_many_pages": "the file has more pages than one document may have",
    "unsupported_type": "this file type is not supported",
    "unreadable_image": "the image data cannot be read",
    "no_pages": "the document has no pages",
    "dynamic_form": "dynamic XFA form without printable pages",
    "archive_invalid": "the archival PDF/A copy failed validation",
    "processing_error": "processing failed unexpectedly (reported to IT)",
    "not_email": "not a valid e-mail",
    "office_document": "Office document",
}


class Rejected(Exception):
    """Raised by a stage when a file cannot be archived; the runner quarantines the original."""

    def __init__(self, reason_code: str, detail: str | None = None):
        if reason_code not in REASONS:
            raise ValueError(f"unknown reason code {reason_code!r}")
        self.reason_code = reason_code
        self.detail = detail
        super().__init__(self.message)

    @property
    def message(self) -> str:
        text = REASONS[self.reason_code]
        return f"{text}: {self.detail}" if self.detail else text


class ServiceError(Exception):
    """An operation of the service layer could not be done; the message is one line for a person.

    Front ends map the kind to their own answer (CLI exit code, HTTP status) without parsing text.
    """

    exit_code = 1


class NotFound(ServiceError):
    """The document (or case) asked for does not exist."""


class Invalid(ServiceError):
    """The request itself is wrong (unknown type, case not in the registry, missing argument)."""

    exit_code = 2


class Forbidden(ServiceError):
    """The acting user may not do this; decided by dms_ingest/access/policy.py alone."""


class Refused(ServiceError):
    """The operation is not allowed on this document now (legal hold, retention)."""


class Unavailable(ServiceError):
    """A server the operation needs (object store) is unreachable; nothing was changed."""
