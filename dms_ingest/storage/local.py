"""The embedded default: a folder of objects content-addressed by SHA-256.

Each write goes to a temporary file, is fsynced and renamed into place, so a crash never
leaves a half-written object under its final name.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

from .base import IntegrityError, ObjectRef, StoreError, sha256_file


class LocalStore:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        if "/" in key.strip("/") or ".." in key or not key:
            raise StoreError(f"invalid object key {key!r}")
        return self.root / key[:2] / key[2:4] / key

    def _write(self, key: str, fill) -> None:
        try:
            self._write_atomic(key, fill)
        except OSError as exc:   # disk full, quota, read-only, I/O error: the store is unavailable
            raise StoreError(f"local store {self.root}: {exc.strerror or exc}") from exc

    def _write_atomic(self, key: str, fill) -> None:
        final = self._path(key)
        if final.exists():
            return  # content-addressed: the same key holds the same bytes
        final.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                fill(handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, final)
            dir_fd = os.open(final.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def object_key(self, doc_id: str, role: str, ext: str, sha256: str) -> str:
        return sha256  # content-addressed

    def put_file(self, doc_id: str, role: str, path: Path, sha256: str, ext: str) -> ObjectRef:
        def fill(handle):
            with open(path, "rb") as source:
                shutil.copyfileobj(source, handle, 1 << 20)

        self._write(sha256, fill)
        return self._verified(sha256)

    def put_bytes(self, doc_id: str, role: str, data: bytes, ext: str) -> ObjectRef:
        import hashlib

        sha256 = hashlib.sha256(data).hexdigest()
        self._write(sha256, lambda handle: handle.write(data))
        return self._verified(sha256)

    def _verified(self, sha256: str) -> ObjectRef:
        actual = self.hash_object(sha256)
        if actual != sha256:
            raise IntegrityError(f"object {sha256[:12]}… reads back as {str(actual)[:12]}…")
        return ObjectRef(sha256, sha256, self._path(sha256).stat().st_size)

    def download(self, key: str, dest: Path, sha256: str) -> None:
        source = self._path(key)
        if not source.exists():
            raise StoreError(f"object {key[:12]}… is missing from the store")
        dest = Path(dest)
        tmp = dest.with_name(f".{dest.name}.part")
        try:
            shutil.copyfile(source, tmp)
            actual = sha256_file(tmp)
            if actual != sha256:
                raise IntegrityError(f"object {key[:12]}… is damaged: checksum {actual[:12]}… "
                                     f"expected {sha256[:12]}…")
            os.replace(tmp, dest)
        except OSError as exc:
            raise StoreError(f"cannot write {dest}: {exc.strerror or exc}") from exc
        finally:
            tmp.unlink(missing_ok=True)

    def hash_object(self, key: str) -> str | None:
        path = self._path(key)
        return sha256_file(path) if path.exists() else None

    def exists(self, key: str) -> bool:
        return self._path(key).exists()

    def keys(self) -> Iterator[str]:
        for path in self.root.glob("??/??/*"):
            if not path.name.startswith(".tmp-"):
                yield path.name

    def seal(self, key: str) -> None:
        # A folder has no object lock; read-only files at least stop accidental edits.
        path = self._path(key)
        if path.exists():
            path.chmod(0o444)

    def set_legal_hold(self, key: str, on: bool) -> None:
        raise StoreError("legal holds need the S3 store with Object Lock (storage.kind: s3)")

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)
