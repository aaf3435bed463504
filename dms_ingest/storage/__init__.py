"""Object stores: the local content-addressed folder (embedded default) and S3 (production)."""

from __future__ import annotations

from ..config import Settings
from .base import (IntegrityError, ObjectRef, ObjectStore, RetentionError, StoreError, environment_error,
                   sha256_file)
from .local import LocalStore

__all__ = ["IntegrityError", "ObjectRef", "ObjectStore", "RetentionError", "StoreError",
           "LocalStore", "environment_error", "open_store", "sha256_file"]


def open_store(settings: Settings) -> ObjectStore:
    """The store configured in config.yaml."""
    if settings.storage.kind == "s3":
        from .s3 import S3Store

        s3 = settings.storage.s3
        return S3Store(s3, backoff_base=s3.backoff_base, backoff_cap=s3.backoff_cap,
                       connect_timeout=s3.connect_timeout, read_timeout=s3.read_timeout)
    return LocalStore(settings.objects_dir)
