"""WORM for the S3 store: retention (Object Lock) and legal holds, and deletion that refuses while
either protects any version of an object. Mixed into S3Store, whose request helpers it uses."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

from minio.commonconfig import COMPLIANCE
from minio.error import S3Error
from minio.retention import Retention

from .base import RetentionError, StoreError
from .s3_errors import LOCKED_CODES, MISSING_CODES, NO_HOLD_CODES, NO_RETENTION_CODES, describe, is_true

log = logging.getLogger("dms_ingest.storage.s3")   # one logger for the whole store


class ObjectLock:
    """Retention, legal hold and delete of an S3Store (the bucket has Object Lock enabled)."""

    def retention(self, key: str) -> tuple[str, datetime] | None:
        """(mode, retain-until) if the current version of *key* is under retention now, else None."""
        with self._errors(f"retention of {key}"):
            self._ensure_bucket()
            found = self._get_retention(key)
            if found is None:
                raise StoreError(f"object {key} does not exist")
            mode, until = found
            if not mode or until is None or until <= datetime.now(timezone.utc):
                return None
            return mode, until

    def _get_retention(self, key: str, version_id: str | None = None):
        """(mode, until) as stored — (None, None) when none is set — or None if the key is missing."""
        try:
            found = self._retry(f"read retention of {key}",
                                lambda: self._client.get_object_retention(self.bucket, key, version_id=version_id))
        except S3Error as exc:
            if exc.code in NO_RETENTION_CODES:
                return None, None
            if exc.code in MISSING_CODES:
                return None
            raise
        if found is None:
            return None, None
        return found.mode, found.retain_until_date

    def legal_hold(self, key: str) -> bool:
        with self._errors(f"legal hold of {key}"):
            self._ensure_bucket()
            held = self._get_hold(key)
            if held is None:
                raise StoreError(f"object {key} does not exist")
            return held

    def _get_hold(self, key: str, version_id: str | None = None) -> bool | None:
        try:
            return bool(self._retry(f"read legal hold of {key}",
                                    lambda: self._client.is_object_legal_hold_enabled(
                                        self.bucket, key, version_id=version_id)))
        except S3Error as exc:
            if exc.code in NO_HOLD_CODES:
                return False
            if exc.code in MISSING_CODES:
                return None
            raise

    def seal(self, key: str) -> None:
        """Put *key* under the configured retention; idempotent.

        Seals the version this store wrote and verified (if it did, in this process), so bytes
        swapped in behind its back are never the ones locked; otherwise the current version.
        """
        with self._errors(f"seal of {key}"):
            self._ensure_bucket()
            version_id = self._verified_versions.get(key)
            found = self._get_retention(key, version_id)
            if found is None:
                raise StoreError(f"cannot seal {key}: object does not exist")
            mode, until = found
            now = datetime.now(timezone.utc).replace(microsecond=0)
            wanted = now + timedelta(days=self.retention_days)
            if mode and until and until > now:
                if mode == COMPLIANCE or mode == self.retention_mode:
                    return  # already sealed (re-sealing must not extend the period on every call)
                wanted = max(wanted, until)  # GOVERNANCE → COMPLIANCE: may only get stricter
            self._retry(f"seal {key}", lambda: self._client.set_object_retention(
                self.bucket, key, Retention(self.retention_mode, wanted), version_id=version_id))
            log.info("sealed %s: %s until %s", key, self.retention_mode, wanted.date().isoformat())

    def set_legal_hold(self, key: str, on: bool) -> None:
        with self._errors(f"legal hold of {key}"):
            self._ensure_bucket()
            if on:
                self._retry(f"set legal hold on {key}",
                            lambda: self._client.enable_object_legal_hold(self.bucket, key))
            else:
                self._retry(f"clear legal hold on {key}",
                            lambda: self._client.disable_object_legal_hold(self.bucket, key))

    def delete(self, key: str) -> None:
        """Remove every version of *key*; RetentionError if any is retained or held."""
        with self._errors(f"delete of {key}"):
            self._ensure_bucket()
            versions = self._retry(f"list versions of {key}", lambda: [
                obj for obj in self._client.list_objects(self.bucket, prefix=key, include_version=True)
                if obj.object_name == key])
            now = datetime.now(timezone.utc)
            for obj in versions:
                if obj.is_delete_marker:
                    continue
                self._refuse_if_locked(key, obj.version_id, now, obj.is_latest)
            for obj in versions:
                try:
                    self._retry(f"delete {key}", lambda: self._client.remove_object(
                        self.bucket, key, version_id=obj.version_id))
                except S3Error as exc:
                    if exc.code not in LOCKED_CODES:
                        raise
                    if not obj.is_delete_marker:
                        self._refuse_if_locked(key, obj.version_id, datetime.now(timezone.utc), obj.is_latest)
                    raise RetentionError(f"{key} cannot be deleted: the server refused ({describe(exc)}); "
                                         f"it is under retention or legal hold") from exc
            self._verified_versions.pop(key, None)
            if versions:
                log.info("deleted %s (%d version%s)", key, len(versions), "s" if len(versions) != 1 else "")

    def _refuse_if_locked(self, key: str, version_id: str | None, now: datetime, latest) -> None:
        older = "" if is_true(latest) else f" (older version {version_id})"
        if self._get_hold(key, version_id):
            raise RetentionError(f"{key} is under legal hold{older}")
        found = self._get_retention(key, version_id)
        if found and found[0] and found[1] and found[1] > now:
            raise RetentionError(f"{key} is under retention until {found[1]:%Y-%m-%d} ({found[0]}){older}")
