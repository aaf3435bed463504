"""What every object store offers the pipeline: verified writes, verified reads, listing."""

from __future__ import annotations

import errno
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Protocol

CHUNK = 1 << 20


class StoreError(Exception):
    """An object store operation failed; the message is one line for the operator."""


class IntegrityError(StoreError):
    """Stored bytes do not match their recorded SHA-256."""


class RetentionError(StoreError):
    """The object is under retention or legal hold and cannot be deleted."""


# Errors of the machine, not of the file: the same file will work once the disk has room again.
_ENVIRONMENT_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO, errno.ENOMEM, errno.EMFILE, errno.ENFILE}


def environment_error(exc: BaseException) -> bool:
    """Is *exc* a full disk, quota, read-only or I/O failure (retry later, do not refuse the file)?"""
    return isinstance(exc, OSError) and exc.errno in _ENVIRONMENT_ERRNOS


@dataclass(frozen=True)
class ObjectRef:
    key: str
    sha256: str
    size: int


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class ObjectStore(Protocol):
    """Roles are 'original', 'archive' and 'metadata-N'; *ext* is the file extension of the object."""

    def object_key(self, doc_id: str, role: str, ext: str, sha256: str) -> str:
        """The key an object will be stored under, known before it is written (for the journal)."""

    def put_file(self, doc_id: str, role: str, path: Path, sha256: str, ext: str) -> ObjectRef:
        """Store a file and return only after its size and checksum were read back and match."""

    def put_bytes(self, doc_id: str, role: str, data: bytes, ext: str) -> ObjectRef:
        """Store small bytes (metadata JSON) with the same guarantee as put_file."""

    def download(self, key: str, dest: Path, sha256: str) -> None:
        """Write the object to *dest*, verifying the checksum before *dest* appears."""

    def hash_object(self, key: str) -> str | None:
        """SHA-256 of the stored bytes as they are now (None if the object is missing)."""

    def exists(self, key: str) -> bool: ...

    def keys(self) -> Iterator[str]:
        """Every object key in the store (for orphan detection)."""

    def seal(self, key: str) -> None:
        """Put the object under the configured retention (WORM); done once all objects of a document are stored."""

    def set_legal_hold(self, key: str, on: bool) -> None:
        """Set or clear a legal hold on the object."""

    def delete(self, key: str) -> None:
        """Remove an object; refused (RetentionError) where retention or a legal hold forbids it."""
