"""Multipart upload for the S3 store: a large file sent in parts, each with its own transport
checksums, the whole checked against its SHA-256 while it is read, completed only if the key is
still free (``If-None-Match``), aborted otherwise. Mixed into S3Store, whose request helpers it uses."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from xml.etree import ElementTree as ET

from minio.error import S3Error

from .base import IntegrityError
from .s3_errors import DIGEST_CODES, b64, describe, md5_b64

log = logging.getLogger("dms_ingest.storage.s3")   # one logger for the whole store


class MultipartUpload:
    """The multipart half of S3Store's uploads (the minio low-level calls, see s3.py)."""

    def _put_multipart(self, key: str, path: Path, sha256: str, size: int, content_type: str) -> bool:
        client, bucket = self._client, self.bucket
        create = {"Content-Type": content_type, "x-amz-meta-sha256": sha256}
        send_sha = self._send_sha256
        if send_sha:
            create["x-amz-checksum-algorithm"] = "SHA256"
        try:
            upload_id = self._retry(f"start multipart upload of {key}",
                                    lambda: client._create_multipart_upload(bucket, key, dict(create)))
        except S3Error as exc:
            self._fallback(exc, f"multipart upload of {key}")
        completed = False
        try:
            parts: list[tuple[int, str, str | None]] = []
            digest = hashlib.sha256()
            sent = 0
            with open(path, "rb") as handle:
                number = 0
                while chunk := handle.read(self.part_size):
                    number += 1
                    digest.update(chunk)
                    sent += len(chunk)
                    part_sha = b64(hashlib.sha256(chunk).digest()) if send_sha else None
                    headers = {"Content-MD5": md5_b64(chunk)}
                    if part_sha:
                        headers["x-amz-checksum-sha256"] = part_sha
                    query = {"partNumber": str(number), "uploadId": upload_id}
                    try:
                        result = self._retry(
                            f"upload part {number} of {key}",
                            lambda: client._put_object(bucket, key, chunk, dict(headers), query_params=query))
                    except S3Error as exc:
                        if exc.code in DIGEST_CODES:
                            raise IntegrityError(f"S3 upload of {key}: part {number} arrived damaged "
                                                 f"({exc.code})") from exc
                        self._fallback(exc, f"upload of part {number} of {key}")
                    parts.append((number, result.etag, part_sha))
            if sent != size or digest.hexdigest() != sha256:
                raise IntegrityError(f"{path.name} changed or does not match its recorded SHA-256 "
                                     f"{sha256[:12]}… (read {sent} of {size} bytes)")
            completed = self._complete_multipart(key, upload_id, parts)
            return completed
        finally:
            if not completed:
                self._abort_quietly(key, upload_id)

    def _complete_multipart(self, key: str, upload_id: str, parts) -> bool:
        root = ET.Element("CompleteMultipartUpload", xmlns="http://s3.amazonaws.com/doc/2006-03-01/")
        for number, etag, part_sha in parts:
            part = ET.SubElement(root, "Part")
            ET.SubElement(part, "PartNumber").text = str(number)
            ET.SubElement(part, "ETag").text = f'"{etag}"'
            if part_sha:
                ET.SubElement(part, "ChecksumSHA256").text = part_sha
        body = ET.tostring(root)
        headers = {"Content-Type": "application/xml", "Content-MD5": md5_b64(body)}
        if self._conditional:
            headers["If-None-Match"] = "*"
        attempts = 0

        def complete():
            nonlocal attempts
            attempts += 1
            response = self._client._execute("POST", self.bucket, key, body=body, headers=dict(headers),
                                             query_params={"uploadId": upload_id})
            if b"<Error>" in (response.data or b""):  # S3 may report a failed completion with 200 OK
                raise S3Error.fromxml(response)

        try:
            self._retry(f"complete multipart upload of {key}", complete)
        except S3Error as exc:
            if exc.code == "PreconditionFailed":
                return False
            if exc.code == "NoSuchUpload" and attempts > 1:
                return False  # an earlier attempt completed it; the caller checks what is there
            self._fallback(exc, f"completion of multipart upload {key}")
        return True

    def _abort_quietly(self, key: str, upload_id: str) -> None:
        try:
            self._client._abort_multipart_upload(self.bucket, key, upload_id)
        except Exception as exc:  # noqa: BLE001 - best effort; the server expires stale uploads
            log.info("could not abort multipart upload of %s: %s", key, describe(exc))
