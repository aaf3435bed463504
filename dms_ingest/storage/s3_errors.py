"""How the S3 store reads a failed request: which S3 error codes mean what, a one-line reason for
a person, and whether trying again can help (network trouble, 5xx and throttling; not 4xx)."""

from __future__ import annotations

import base64
import errno
import hashlib
import http.client

import urllib3
from minio.error import InvalidResponseError, S3Error, ServerError

TRANSIENT_CODES = {"SlowDown", "InternalError", "ServiceUnavailable", "RequestTimeout",
                    "OperationAborted", "Throttling", "ThrottlingException", "RequestTimeTooSkewed"}
# The bytes arrived damaged (transport checksum did not match): worth a bounded re-send.
DIGEST_CODES = {"BadDigest", "XAmzContentChecksumMismatch", "InvalidDigest"}
# What servers answer for a header they do not implement.
UNSUPPORTED_CODES = {"NotImplemented", "InvalidArgument", "InvalidRequest", "UnsupportedHeader"}
# Object-lock refusals.
LOCKED_CODES = {"AccessDenied", "ObjectLocked", "InvalidRequest"}
NO_RETENTION_CODES = {"NoSuchObjectLockConfiguration", "ObjectLockConfigurationNotFoundError"}
NO_HOLD_CODES = {"NoSuchObjectLegalHold", "NoSuchObjectLockConfiguration",
                  "ObjectLockConfigurationNotFoundError"}
MISSING_CODES = {"NoSuchKey", "NoSuchVersion"}


def b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode("ascii")


def md5_b64(data: bytes) -> str:
    return b64(hashlib.md5(data, usedforsecurity=False).digest())


def one_line(text: object, limit: int = 200) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def root_cause(exc: BaseException) -> BaseException:
    """The innermost exception of a urllib3 error (MaxRetryError → NewConnectionError → OSError)."""
    seen: set[int] = set()
    while id(exc) not in seen:
        seen.add(id(exc))
        inner = getattr(exc, "reason", None) or exc.__cause__ or exc.__context__
        if not isinstance(inner, BaseException):
            break
        exc = inner
    return exc


def describe(exc: BaseException) -> str:
    """A short, one-line reason for a failed request."""
    if isinstance(exc, S3Error):
        return f"{exc.code}: {one_line(exc.message or '')}".rstrip(": ")
    if isinstance(exc, ServerError):
        return f"HTTP {exc.status_code}"
    if isinstance(exc, InvalidResponseError):
        return f"HTTP {getattr(exc, '_code', '?')} (non-S3 response)"
    root = root_cause(exc)
    if isinstance(root, ConnectionRefusedError) or getattr(root, "errno", None) == errno.ECONNREFUSED:
        return "connection refused"
    if isinstance(root, ConnectionResetError):
        return "connection reset"
    if isinstance(root, (TimeoutError, urllib3.exceptions.TimeoutError)) or "timed out" in str(root):
        return "timed out"
    if "Connection refused" in str(exc):
        return "connection refused"
    return f"{type(root).__name__}: {one_line(root, 120)}"


def http_status(exc: BaseException) -> int | None:
    if isinstance(exc, S3Error):
        return getattr(exc.response, "status", None)
    if isinstance(exc, ServerError):
        return exc.status_code
    if isinstance(exc, InvalidResponseError):
        code = getattr(exc, "_code", None)
        return code if isinstance(code, int) else None
    return None


def is_transient(exc: BaseException) -> bool:
    """Network trouble, 5xx and throttling are retried; 4xx client errors are not."""
    if isinstance(exc, (urllib3.exceptions.HTTPError, http.client.HTTPException,
                        ConnectionError, TimeoutError)):
        return True
    if isinstance(exc, S3Error) and (exc.code in TRANSIENT_CODES or exc.code in DIGEST_CODES):
        return True
    status = http_status(exc)
    return status is not None and (status >= 500 or status == 429)


class Unsupported(Exception):
    """The server refused one of our optional headers; the caller falls back and tries again."""

    def __init__(self, flag: str, original: S3Error):
        super().__init__(flag)
        self.flag, self.original, self.code = flag, original, original.code


def is_true(flag) -> bool:
    """minio reports is_latest as the string 'true'/'false' from the listing XML."""
    return flag is True or str(flag).lower() == "true"
