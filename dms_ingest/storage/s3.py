"""The production store: an S3 bucket with Object Lock (WORM), spoken to with the minio client.

Layout by document id, never by case (a case number may change, a document id never does): keys.py.

Nothing is ever overwritten: every write is conditional (``If-None-Match: *``) and a key that
already holds different bytes is refused. Every upload carries its SHA-256 as user metadata
(``x-amz-meta-sha256``) plus transport checksums the server verifies before storing
(``Content-MD5`` always, ``x-amz-checksum-sha256`` where the server supports it), and is read
back (size, recorded checksum, streamed SHA-256 of the stored bytes) before the call returns.

Transient failures (endpoint unreachable, timeouts, 5xx, SlowDown) are retried with bounded
exponential backoff; client errors (4xx) are not. The urllib3 pool below does no retries of its
own, so the retry budget is exactly the one configured here.

Multipart uploads and conditional writes use minio's low-level request methods
(``_put_object``, ``_create_multipart_upload``, ``_execute``, ``_abort_multipart_upload``),
because the public ``put_object`` of minio 7.2 cannot send per-request integrity or
precondition headers. They are used here and in s3_multipart.py only; retention, legal hold and
delete are in s3_worm.py, the reading of S3 errors in s3_errors.py.
"""

from __future__ import annotations

import hashlib
import http.client
import logging
import mimetypes
import os
import random
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, TypeVar

import certifi
import urllib3
from minio import Minio
from minio.commonconfig import COMPLIANCE, GOVERNANCE
from minio.error import MinioException, S3Error

from .base import CHUNK, IntegrityError, ObjectRef, StoreError
from .keys import key_for
from .s3_errors import (DIGEST_CODES, MISSING_CODES, NO_RETENTION_CODES, UNSUPPORTED_CODES, Unsupported, b64,
                        describe, is_transient, md5_b64, one_line)
from .s3_multipart import MultipartUpload
from .s3_worm import ObjectLock

log = logging.getLogger(__name__)

T = TypeVar("T")


# Error codes a server sends for a request it may accept a moment later.
class S3Store(MultipartUpload, ObjectLock):
    """ObjectStore on S3 with Object Lock (see the module docstring).

    *config* is an ``S3StoreConfig``. The keyword arguments tune what the config file does not
    (yet) hold: the backoff base and cap in seconds, and the socket timeouts.
    """

    def __init__(self, config, *, backoff_base: float = 0.5, backoff_cap: float = 8.0,
                 connect_timeout: float = 5.0, read_timeout: float = 60.0,
                 max_pool_connections: int = 16):
        endpoint, secure = str(config.endpoint), bool(config.secure)
        if "://" in endpoint:
            scheme, endpoint = endpoint.split("://", 1)
            secure = scheme.lower() == "https"
        endpoint = endpoint.rstrip("/")
        if not config.access_key or not config.secret_key:
            raise StoreError("S3 credentials missing: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
        self.endpoint = endpoint
        self.bucket = config.bucket
        self.region = config.region
        self.retention_mode = {"GOVERNANCE": GOVERNANCE, "COMPLIANCE": COMPLIANCE}[config.retention_mode]
        self.retention_days = int(config.retention_days)
        self.part_size = int(config.part_size_mb) * 1024 * 1024
        if self.part_size < 5 * 1024 * 1024:
            raise StoreError("S3 part size must be at least 5 MB")
        self.max_retries = int(config.max_retries)
        self.backoff_base = float(backoff_base)
        self.backoff_cap = float(backoff_cap)
        self._http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=connect_timeout, read=read_timeout),
            maxsize=max_pool_connections,
            # No retries inside urllib3: every retry is ours, counted and logged.
            retries=urllib3.Retry(total=0, connect=0, read=0, redirect=False, status=0, other=0,
                                  raise_on_status=False),
            cert_reqs="CERT_REQUIRED",
            ca_certs=os.environ.get("SSL_CERT_FILE") or certifi.where(),
        )
        self._client = Minio(endpoint, access_key=config.access_key, secret_key=config.secret_key,
                             secure=secure, region=config.region, http_client=self._http)
        self._bucket_ready = False
        self._bucket_lock = threading.Lock()
        # Optional headers, switched off once if the server turns out not to support them.
        self._send_sha256 = True    # x-amz-checksum-sha256 (verified by the server before storing)
        self._conditional = True    # If-None-Match: * (atomic "create only")
        self.sha256_header_verified: bool | None = None  # did the server echo the checksum back?
        # key → version id of the bytes this store verified last, so seal() locks exactly those
        self._verified_versions: dict[str, str] = {}

    # ------------------------------------------------------------------ keys

    def object_key(self, doc_id: str, role: str, ext: str, sha256: str) -> str:
        """Keys are laid out by document id (never by case, which can change)."""
        return self.key_for(doc_id, role, ext)

    key_for = staticmethod(key_for)         # the layout (keys.py), as S3Store.key_for

    # ------------------------------------------------------------------ resilience

    def _backoff(self, attempt: int, what: str, exc: BaseException) -> None:
        """Sleep before retry *attempt* (0-based), or give up with a one-line StoreError."""
        if attempt >= self.max_retries:
            tries = attempt + 1
            if isinstance(exc, S3Error) and exc.code in DIGEST_CODES:
                raise IntegrityError(f"S3 {what}: the server received damaged bytes {tries} times "
                                     f"({exc.code})") from exc
            raise StoreError(f"S3 {what} failed after {tries} attempt{'s' if tries > 1 else ''} "
                             f"({self.endpoint}): {describe(exc)}") from exc
        delay = min(self.backoff_cap, self.backoff_base * (2 ** attempt))
        delay = delay / 2 + random.uniform(0, delay / 2)  # "equal jitter": at least half the step
        log.warning("S3 %s: %s; retry %d/%d in %.1f s", what, describe(exc), attempt + 1,
                    self.max_retries, delay)
        time.sleep(delay)

    def _retry(self, what: str, call: Callable[[], T]) -> T:
        attempt = 0
        while True:
            try:
                return call()
            except Exception as exc:  # noqa: BLE001 - classified right below
                if not is_transient(exc):
                    raise
                self._backoff(attempt, what, exc)
                attempt += 1

    def _as_store_error(self, exc: BaseException, what: str) -> StoreError:
        if isinstance(exc, StoreError):
            return exc
        if isinstance(exc, S3Error):
            return StoreError(f"S3 {what} refused: {describe(exc)}")
        if isinstance(exc, (MinioException, urllib3.exceptions.HTTPError, http.client.HTTPException,
                            ConnectionError, TimeoutError)):
            return StoreError(f"S3 {what} failed ({self.endpoint}): {describe(exc)}")
        if isinstance(exc, OSError):
            return StoreError(f"S3 {what} failed: {one_line(exc.strerror or exc)}")
        if isinstance(exc, ValueError):  # minio's argument checks (bucket or object name)
            return StoreError(f"S3 {what}: {one_line(exc)}")
        raise TypeError(type(exc))

    @contextmanager
    def _errors(self, what: str):
        """Turn minio's, urllib3's and OS exceptions into one-line StoreErrors at the public boundary."""
        try:
            yield
        except StoreError:
            raise
        except (MinioException, urllib3.exceptions.HTTPError, http.client.HTTPException, OSError,
                ValueError) as exc:
            raise self._as_store_error(exc, what) from exc

    # ------------------------------------------------------------------ bucket

    def _ensure_bucket(self) -> None:
        """Create the bucket with Object Lock on first use; refuse one that has no Object Lock."""
        if self._bucket_ready:
            return
        with self._bucket_lock:
            if self._bucket_ready:
                return
            client, bucket = self._client, self.bucket
            with self._errors(f"bucket {bucket}"):
                if not self._retry(f"check bucket {bucket}", lambda: client.bucket_exists(bucket)):
                    try:
                        self._retry(f"create bucket {bucket}",
                                    lambda: client.make_bucket(bucket, object_lock=True))
                        log.info("created S3 bucket %s with Object Lock", bucket)
                    except S3Error as exc:
                        if exc.code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                            raise
                try:
                    self._retry(f"read Object Lock of {bucket}", lambda: client.get_object_lock_config(bucket))
                except S3Error as exc:
                    if exc.code in NO_RETENTION_CODES:
                        raise StoreError(
                            f"S3 bucket {bucket} exists without Object Lock; documents need a WORM bucket: "
                            f"use a new bucket name (it will be created with Object Lock)") from None
                    raise
                status = self._retry(f"read versioning of {bucket}",
                                     lambda: client.get_bucket_versioning(bucket)).status
                if status != "Enabled":
                    raise StoreError(f"S3 bucket {bucket} has Object Lock but versioning is {status or 'off'}")
            self._bucket_ready = True

    # ------------------------------------------------------------------ writing

    def put_file(self, doc_id: str, role: str, path: Path, sha256: str, ext: str) -> ObjectRef:
        key = self.key_for(doc_id, role, ext)
        path, sha256 = Path(path), sha256.lower()
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise StoreError(f"cannot read {path}: {exc.strerror or exc}") from exc
        return self._put(key, sha256, size, _content_type(key),
                         lambda: path.read_bytes() if size <= self.part_size else path)

    def put_bytes(self, doc_id: str, role: str, data: bytes, ext: str) -> ObjectRef:
        key = self.key_for(doc_id, role, ext)
        data = bytes(data)
        sha256 = hashlib.sha256(data).hexdigest()
        if len(data) > self.part_size:
            with tempfile.NamedTemporaryFile(prefix="dms-s3-") as tmp:
                tmp.write(data)
                tmp.flush()
                return self._put(key, sha256, len(data), _content_type(key), lambda: Path(tmp.name))
        return self._put(key, sha256, len(data), _content_type(key), lambda: data)

    def _put(self, key: str, sha256: str, size: int, content_type: str, source) -> ObjectRef:
        with self._errors(f"upload of {key}"):
            self._ensure_bucket()
            existing = self._same_existing(key, sha256, size)
            if existing:
                return existing
            body = source()
            refused: list[Unsupported] = []
            while True:
                try:
                    written = self._upload(key, body, sha256, size, content_type)
                    break
                except Unsupported as exc:
                    refused.append(exc)  # an optional header was switched off: send again without it
                except S3Error as exc:
                    if refused and exc.code == refused[0].code:
                        for fallback in refused:  # not the header's fault after all: restore them
                            setattr(self, fallback.flag, True)
                        raise refused[0].original from None
                    raise
            if not written:  # someone else created the key since we looked
                existing = self._same_existing(key, sha256, size)
                if existing:
                    return existing
                raise StoreError(f"S3 upload of {key} lost a race: the key appeared and vanished again")
            return self._verify(key, sha256, size)

    def _upload(self, key: str, body, sha256: str, size: int, content_type: str) -> bool:
        """Send the object; False if the key already existed (conditional write refused)."""
        if isinstance(body, (bytes, bytearray)):
            if hashlib.sha256(body).hexdigest() != sha256:
                raise IntegrityError(f"the bytes for {key} do not match their recorded SHA-256 {sha256[:12]}…")
            return self._put_single(key, bytes(body), sha256, content_type)
        return self._put_multipart(key, Path(body), sha256, size, content_type)

    def _fallback(self, exc: S3Error, what: str) -> None:
        """Switch off an optional header the server refused (raise Unsupported), or re-raise."""
        if exc.code not in UNSUPPORTED_CODES:
            raise exc
        if self._send_sha256:
            self._send_sha256 = False
            log.warning("S3 server refused %s with x-amz-checksum-sha256 (%s); trying Content-MD5 only",
                        what, describe(exc))
            raise Unsupported("_send_sha256", exc) from exc
        if self._conditional:
            self._conditional = False
            log.warning("S3 server refused %s with If-None-Match (%s); trying without it",
                        what, describe(exc))
            raise Unsupported("_conditional", exc) from exc
        raise exc

    def _put_single(self, key: str, data: bytes, sha256: str, content_type: str) -> bool:
        headers = {"Content-Type": content_type, "x-amz-meta-sha256": sha256, "Content-MD5": md5_b64(data)}
        if self._send_sha256:
            headers["x-amz-checksum-sha256"] = b64(bytes.fromhex(sha256))
        if self._conditional:
            headers["If-None-Match"] = "*"
        try:
            # minio adds signing headers to the dict it is given: hand it a fresh copy per attempt
            result = self._retry(f"upload {key}",
                                 lambda: self._client._put_object(self.bucket, key, data, dict(headers)))
        except S3Error as exc:
            if exc.code == "PreconditionFailed":
                return False
            if exc.code in DIGEST_CODES:
                raise IntegrityError(f"S3 upload of {key}: the server received damaged bytes ({exc.code})") from exc
            self._fallback(exc, f"upload of {key}")
        if self._send_sha256:
            echoed = result.http_headers.get("x-amz-checksum-sha256")
            self.sha256_header_verified = echoed == headers["x-amz-checksum-sha256"]
        return True

    # ------------------------------------------------------------------ verification

    def _stat(self, key: str):
        """stat_object of the current version, or None if the key does not exist."""
        try:
            return self._retry(f"stat {key}", lambda: self._client.stat_object(self.bucket, key))
        except S3Error as exc:
            if exc.code in MISSING_CODES:
                return None
            raise

    def _same_existing(self, key: str, sha256: str, size: int) -> ObjectRef | None:
        """None if *key* is free; its ref if it already holds exactly these bytes; else refuse."""
        stat = self._stat(key)
        if stat is None:
            return None
        recorded = (stat.metadata.get("x-amz-meta-sha256") or "").lower()
        if stat.size != size or (recorded and recorded != sha256):
            raise StoreError(f"refusing to overwrite {key}: it already holds different content "
                             f"({stat.size} bytes, sha256 {recorded[:12] or 'unknown'}…)")
        actual = self._hash(key, stat.version_id)
        if actual != sha256:
            if recorded == sha256:
                raise IntegrityError(f"{key} already exists but is damaged: its bytes hash to "
                                     f"{str(actual)[:12]}…, recorded {sha256[:12]}…")
            raise StoreError(f"refusing to overwrite {key}: it already holds different content")
        log.info("%s already stored with the same content; nothing to do", key)
        self._remember(key, stat.version_id)
        return ObjectRef(key, sha256, stat.size)

    def _verify(self, key: str, sha256: str, size: int) -> ObjectRef:
        """Read back size, recorded checksum and the stored bytes themselves."""
        stat = self._stat(key)
        if stat is None:
            raise IntegrityError(f"{key} is missing right after its upload")
        recorded = (stat.metadata.get("x-amz-meta-sha256") or "").lower()
        if stat.size != size:
            raise IntegrityError(f"{key} reads back with {stat.size} bytes, expected {size}")
        if recorded != sha256:
            raise IntegrityError(f"{key} reads back with recorded sha256 {recorded[:12] or 'none'}…, "
                                 f"expected {sha256[:12]}…")
        actual = self._hash(key, stat.version_id)
        if actual != sha256:
            raise IntegrityError(f"{key} reads back as {str(actual)[:12]}…, expected {sha256[:12]}…")
        self._remember(key, stat.version_id)
        return ObjectRef(key, sha256, size)

    def _remember(self, key: str, version_id: str | None) -> None:
        if not version_id or version_id == "null":
            return
        self._verified_versions.pop(key, None)
        self._verified_versions[key] = version_id
        while len(self._verified_versions) > 10_000:  # oldest first (dicts keep insertion order)
            self._verified_versions.pop(next(iter(self._verified_versions)))

    def _hash(self, key: str, version_id: str | None = None, sink=None) -> str | None:
        """SHA-256 of the stored bytes (None if missing), optionally copying them into *sink*."""
        def once() -> str | None:
            if sink is not None:  # a retry starts the copy afresh
                sink.seek(0)
                sink.truncate()
            try:
                response = self._client.get_object(self.bucket, key, version_id=version_id)
            except S3Error as exc:
                if exc.code in MISSING_CODES:
                    return None
                raise
            try:
                digest = hashlib.sha256()
                for chunk in response.stream(CHUNK):
                    digest.update(chunk)
                    if sink is not None:
                        sink.write(chunk)
                return digest.hexdigest()
            finally:
                response.close()
                response.release_conn()

        return self._retry(f"read {key}", once)

    # ------------------------------------------------------------------ reading

    def hash_object(self, key: str) -> str | None:
        with self._errors(f"read of {key}"):
            self._ensure_bucket()
            return self._hash(key)

    def exists(self, key: str) -> bool:
        with self._errors(f"stat of {key}"):
            self._ensure_bucket()
            return self._stat(key) is not None

    def download(self, key: str, dest: Path, sha256: str) -> None:
        dest, sha256 = Path(dest), sha256.lower()
        with self._errors(f"download of {key}"):
            self._ensure_bucket()
            fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")  # OSError → StoreError
            tmp = Path(tmp_name)
            try:
                with os.fdopen(fd, "wb") as handle:
                    actual = self._hash(key, sink=handle)
                    if actual is None:
                        raise StoreError(f"object {key} is missing from the store")
                    if actual != sha256:
                        raise IntegrityError(f"object {key} is damaged: checksum {actual[:12]}… "
                                             f"expected {sha256[:12]}…")
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(tmp, dest)
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise

    def keys(self) -> Iterator[str]:
        """Every object key in the bucket (current versions); a listing resumes after transient errors."""
        what = f"listing of {self.bucket}"
        with self._errors(what):
            self._ensure_bucket()
        last: str | None = None
        attempt = 0
        while True:
            try:
                for obj in self._client.list_objects(self.bucket, recursive=True, start_after=last):
                    last, attempt = obj.object_name, 0
                    yield obj.object_name
                return
            except (MinioException, urllib3.exceptions.HTTPError, http.client.HTTPException, OSError,
                    ValueError) as exc:
                if not is_transient(exc):
                    raise self._as_store_error(exc, what) from exc
                with self._errors(what):
                    self._backoff(attempt, f"list {self.bucket}", exc)
                attempt += 1

    # ------------------------------------------------------------------ housekeeping

    def close(self) -> None:
        self._http.clear()

    def __repr__(self) -> str:
        return f"S3Store({self.endpoint}/{self.bucket})"


def _content_type(key: str) -> str:
    if key.endswith(".json"):
        return "application/json"
    return mimetypes.guess_type(key)[0] or "application/octet-stream"
