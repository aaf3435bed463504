"""Crash safety of the write path: journal, reconcile, and sparing writes that are still running."""

from __future__ import annotations

import json
import subprocess
import sys

from dms_ingest.index.models import PendingWrite
from dms_ingest.ingest.persist import reconcile
from dms_ingest.ingest.pipeline import ingest_file
from dms_ingest.storage import sha256_file

from dms_datagen.pdf import born_digital_pdf


def dead_owner() -> str:
    """host:pid of a process that has already exited, like a crashed ingest run."""
    import socket

    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return f"{socket.gethostname()}:{done.stdout.strip()}"


def _set_owner(catalog, doc_id: str, owner: str) -> None:
    with catalog.session() as s:
        pending = s.get(PendingWrite, doc_id)
        pending.owner = owner
        s.add(pending)
        s.commit()


def _record(doc_id: str, original, archive) -> dict:
    return {"id": doc_id, "source": str(original), "ingested_at": "2026-11-22T12:00:00+00:00", "title": "t",
            "original": {"sha256": sha256_file(original), "ext": "pdf", "media_type": "application/pdf", "key": None},
            "archive": {"sha256": sha256_file(archive), "key": None},
            "pages": [{"number": 1, "text": "Crashtest Aufenthaltserlaubnis", "blank": False}]}


def test_crash_after_upload_is_completed_by_reconcile(tmp_path, ctx):
    original = born_digital_pdf([["Crashtest Aufenthaltserlaubnis"]], tmp_path / "o.pdf")
    archive = born_digital_pdf([["Archivkopie"]], tmp_path / "a.pdf")
    record = _record("crash-1", original, archive)
    ctx.catalog.begin_write("crash-1", record)
    for role, path, sha in (("original", original, record["original"]["sha256"]),
                            ("archive", archive, record["archive"]["sha256"])):
        ctx.catalog.note_written("crash-1", ctx.store.put_file("crash-1", role, path, sha, "pdf").key)
    meta = ctx.store.put_bytes("crash-1", "metadata-1", json.dumps(record).encode(), "json")
    ctx.catalog.note_written("crash-1", meta.key)
    # ... and here the process died, before the index row was committed.
    assert ctx.catalog.get("crash-1") is None
    _set_owner(ctx.catalog, "crash-1", dead_owner())
    report = reconcile(ctx.store, ctx.catalog)
    assert report.completed == ["crash-1"] and ctx.catalog.pending_writes() == []
    assert [h.id for h in ctx.catalog.search("Crashtest")] == ["crash-1"]


def test_crash_before_all_objects_is_rolled_back(tmp_path, ctx):
    original = born_digital_pdf([["Nur halb gespeichert"]], tmp_path / "o.pdf")
    record = _record("crash-2", original, original)
    ctx.catalog.begin_write("crash-2", record)
    key = ctx.store.put_file("crash-2", "original", original, record["original"]["sha256"], "pdf").key
    ctx.catalog.note_written("crash-2", key)
    _set_owner(ctx.catalog, "crash-2", dead_owner())
    report = reconcile(ctx.store, ctx.catalog)
    assert report.rolled_back == ["crash-2"]
    assert not ctx.store.exists(key) and ctx.catalog.get("crash-2") is None
    # The original was never released, so archiving it again works and yields exactly one document.
    [result] = ingest_file(original, ctx)
    assert result.status == "archived" and len(ctx.catalog.documents()) == 1


def test_reconcile_spares_a_write_that_is_still_running(tmp_path, ctx):
    original = born_digital_pdf([["Laufender Schreibvorgang"]], tmp_path / "o.pdf")
    ctx.catalog.begin_write("busy-1", _record("busy-1", original, original))  # owned by this live process
    report = reconcile(ctx.store, ctx.catalog)
    assert report.busy == ["busy-1"] and report.rolled_back == []
    ctx.catalog.abandon_write("busy-1")  # the writer gave up after an error
    assert reconcile(ctx.store, ctx.catalog).rolled_back == ["busy-1"]
