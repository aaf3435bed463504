"""`dms migrate` on a generated legacy archive (tests/paper_files.py): reports, completeness, resume,
manifests, bad files."""

from __future__ import annotations

import csv
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from .paper_files import (
    Expected, assert_archived_exactly_once, blank_back, born_digital_tree, check_rows, documents_by_original,
    legacy_tree, letter, report_rows, scanned_text, scanned_tree, separator, write_folder, write_pdf,
)
from .paths import REPO


def test_migrate_tree_report_completeness_and_second_run(tmp_path, dms, settings):
    from dms_ingest.index.catalog import Catalog

    expected = legacy_tree(tmp_path / "archiv")
    report = tmp_path / "out" / "migration.csv"
    result = dms("migrate", tmp_path / "archiv", "--workers", "2", "--report", report)
    assert result.exit_code == 1, result.output          # the damaged PDF: not complete
    rows = report_rows(report)
    check_rows(rows, expected)
    assert rows[str(expected[0].path.resolve())]["kind"] == "folder"

    summary = json.loads((tmp_path / "out" / "migration.summary.json").read_text())
    assert summary["files"] == {"total": 4, "done": 3, "failed": 1, "pending": 0, "running": 0}
    assert summary["documents"] == 5
    assert summary["pages"]["in_done"] == 14 and summary["pages"]["sheets"] == 5
    assert summary["complete"] is False
    assert summary["rejected"][0]["reason_code"] == "corrupt" and "damaged" in summary["rejected"][0]["error"]
    assert summary["run"]["pages_per_cpu_second"] > 0 and summary["run"]["pages_per_minute"] > 0
    text = (tmp_path / "out" / "migration.summary.txt").read_text()
    assert "akte-0004.pdf: [corrupt]" in text
    assert "pages per CPU-second" in text

    # the page images of the folder: listed with their SHA-256, exact bytes kept in the container
    with open(tmp_path / "out" / "migration.pages.csv", encoding="utf-8") as handle:
        pages = list(csv.DictReader(handle))
    assert [p["image"] for p in pages] == [f"seite-{n:03d}.{x}" for n, x in
                                           zip(range(1, 6), ["png", "jpg", "png", "tif", "jpg"])]
    assert {p["kept_as"] for p in pages} == {"page-stream", "attachment"}

    catalog = Catalog(settings.index_url)
    assert_archived_exactly_once(catalog, expected)
    assert sum(documents_by_original(catalog).values()) == 5
    # the cover sheet's case number reached the documents (as case or as the reason for review)
    for doc in catalog.documents():
        if doc.source == str(expected[1].path.resolve()):
            assert doc.case_number == "ABH-2020-00202" or "ABH-2020-00202" in doc.review_reasons

    # the archived original of the folder gives back every page image byte for byte
    from dms_ingest.migrate.assemble import extract_page_images
    from dms_ingest.storage import open_store

    folder_doc = next(d for d in catalog.documents() if d.source == str(expected[0].path.resolve()))
    container = tmp_path / "original.pdf"
    open_store(settings).download(folder_doc.original_key, container, folder_doc.original_sha256)
    for image in extract_page_images(container, tmp_path / "extracted"):
        assert image.read_bytes() == (expected[0].path / image.name).read_bytes()

    # second run: nothing new
    before = {d.id for d in catalog.documents()}
    again = dms("migrate", tmp_path / "archiv", "--report", tmp_path / "out" / "again.csv", "--json")
    assert again.exit_code == 1
    summary2 = json.loads(again.stdout)
    assert summary2["run"]["files"] == 0 and summary2["documents"] == 5
    assert {d.id for d in catalog.documents()} == before
    check_rows(report_rows(tmp_path / "out" / "again.csv"), expected)


# `python -m dms_ingest` as a terminal's foreground process: Ctrl-C (SIGINT) reaches it. A test run
# started as a background job (CI, scripts/fresh-machine-check.sh) hands SIGINT down ignored, and
# Python then installs no KeyboardInterrupt handler, so the child would never see the Ctrl-C.
_FOREGROUND_DMS = ("import runpy, signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
                   "runpy.run_module('dms_ingest', run_name='__main__', alter_sys=True)")


def _dms_subprocess(home: Path, *args) -> subprocess.Popen:
    env = {**os.environ, "DMS_HOME": str(home), "OMP_THREAD_LIMIT": "1"}
    return subprocess.Popen([sys.executable, "-c", _FOREGROUND_DMS, *[str(a) for a in args]], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True, cwd=REPO)


def _states(home: Path) -> Counter:
    import sqlite3

    try:
        with sqlite3.connect(home / "index.sqlite", timeout=5) as db:
            return Counter(s for (s,) in db.execute("SELECT state FROM migration_items"))
    except sqlite3.Error:
        return Counter()


def _wait_for(predicate, timeout: float, what: str, process: subprocess.Popen | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if process is not None and process.poll() is not None:
            out, errs = process.communicate()
            pytest.fail(f"{what}: process ended early ({process.returncode}): {errs.decode()[-2000:]}")
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}")


def _group_alive(pgid: int) -> bool:
    """Is any process of the process group still running (zombies do not count)?"""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_bytes()
            except OSError:
                continue
            fields = stat[stat.rindex(b")") + 2:].split()
            if int(fields[2]) == pgid and fields[0] not in (b"Z", b"X"):
                return True
    return False


def test_killed_run_resumes_and_archives_every_file_exactly_once(tmp_path, dms, home, settings):
    from dms_ingest.index.catalog import Catalog

    expected = scanned_tree(tmp_path / "archiv", 10)
    run = _dms_subprocess(home, "migrate", tmp_path / "archiv", "--workers", "2")
    _wait_for(lambda: _states(home)["done"] >= 3, 90, "three paper files done", run)
    os.killpg(run.pid, signal.SIGKILL)           # the whole run: parent and both workers, mid-file
    run.communicate()                            # reap it and close its pipes
    _wait_for(lambda: not _group_alive(run.pid), 10, "the killed processes to be gone")
    states = _states(home)
    assert states["done"] < 10, "the run was not interrupted"

    result = dms("migrate", tmp_path / "archiv", "--report", tmp_path / "resumed.csv")
    assert result.exit_code == 0, result.output
    check_rows(report_rows(tmp_path / "resumed.csv"), expected)
    catalog = Catalog(settings.index_url)
    assert_archived_exactly_once(catalog, expected)
    assert sum(documents_by_original(catalog).values()) == 20
    verify = json.loads(dms("verify", "--json").stdout)
    assert verify["passed"] and verify["orphaned"] == [], verify

    # a third run: nothing to do, nothing new
    ids = {d.id for d in catalog.documents()}
    again = dms("migrate", tmp_path / "archiv", "--json")
    assert again.exit_code == 0 and json.loads(again.stdout)["run"]["files"] == 0
    assert {d.id for d in catalog.documents()} == ids


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_ctrl_c_stops_cleanly_and_the_next_run_finishes(tmp_path, dms, home, settings, stop):
    from dms_ingest.index.catalog import Catalog

    expected = scanned_tree(tmp_path / "archiv", 8)
    run = _dms_subprocess(home, "migrate", tmp_path / "archiv", "--workers", "2")
    _wait_for(lambda: _states(home)["done"] >= 2, 90, "two paper files done", run)
    os.kill(run.pid, stop)                       # to the parent only; it stops its workers
    out, errs = run.communicate(timeout=120)
    assert run.returncode == 130, errs.decode()[-2000:]
    assert b"run the same command again to resume" in errs
    states = _states(home)
    assert states["running"] == 0 and states["done"] < 8, states   # items in hand went back to pending

    result = dms("migrate", tmp_path / "archiv", "--report", tmp_path / "after.csv")
    assert result.exit_code == 0, result.output
    check_rows(report_rows(tmp_path / "after.csv"), expected)
    assert_archived_exactly_once(Catalog(settings.index_url), expected)


def test_csv_manifest_with_hints_missing_and_broken_files(tmp_path, dms, settings):
    from dms_ingest.index.catalog import Catalog

    root = tmp_path / "scans"
    folder = write_folder(root / "mappe-a", [scanned_text(["Mietvertrag", "Wohnung in der Hauptstraße"]),
                                             blank_back()], ["jpg", "png"])
    pdf = write_pdf(tmp_path / "elsewhere" / "b.pdf", [letter(7), separator(), letter(8)])
    bad_folder = write_folder(root / "mappe-c", [scanned_text(["Seite"]), scanned_text(["Seite"])], ["jpg", "jpg"])
    jpeg = (bad_folder / "seite-002.jpg").read_bytes()
    (bad_folder / "seite-002.jpg").write_bytes(jpeg[: len(jpeg) // 3])     # a truncated page image
    manifest = root / "manifest.csv"
    manifest.write_text("path;case_number\n"
                        f"mappe-a;ABH-2018-00042\n"
                        f"{pdf};\n"
                        "mappe-c;ABH-2018-00043\n"
                        "fehlt/akte.pdf;ABH-2018-00044\n", encoding="utf-8")
    report = tmp_path / "manifest-report.csv"
    result = dms("migrate", manifest, "--report", report, "--workers", "2")
    assert result.exit_code == 1, result.output
    rows = report_rows(report)
    expected = [Expected(folder, "ABH-2018-00042", 2, 0, 1, 1), Expected(pdf, None, 3, 1, 2, 0),
                Expected(bad_folder, None, 0, 0, 0, 0, state="failed", reason="unreadable_image"),
                Expected(root / "fehlt" / "akte.pdf", None, 0, 0, 0, 0, state="failed", reason="missing")]
    check_rows(rows, expected)
    assert "seite-002.jpg" in rows[str(bad_folder.resolve())]["error"]
    # the manifest's case number went to the pipeline as the hint for the folder's document
    catalog = Catalog(settings.index_url)
    [doc] = [d for d in catalog.documents() if d.source == str(folder.resolve())]
    assert doc.case_number == "ABH-2018-00042" or "ABH-2018-00042" in doc.review_reasons
    summary = json.loads(report.with_name("manifest-report.summary.json").read_text())
    assert summary["reasons"] == {"unreadable_image": 1, "missing": 1}


class _CrashingStore:
    """The real store; the process dies (like kill -9) at the n-th call of one of its operations."""

    def __init__(self, store, operation: str, n: int):
        self._store, self._operation, self._n, self._calls = store, operation, n, 0

    def __getattr__(self, name):
        return getattr(self._store, name)

    def _maybe_die(self, operation: str, after: bool) -> None:
        if operation == self._operation.split("-")[0] and after == self._operation.endswith("-done"):
            self._calls += 1
            if self._calls == self._n:
                os._exit(137)

    def put_file(self, *args, **kwargs):
        ref = self._store.put_file(*args, **kwargs)
        self._maybe_die("put", True)
        return ref

    def put_bytes(self, *args, **kwargs):
        ref = self._store.put_bytes(*args, **kwargs)
        self._maybe_die("put", True)
        return ref

    def seal(self, key):
        self._maybe_die("seal", False)
        return self._store.seal(key)


def _crash_during_item(settings, item_id: int, run_id: str, operation: str, n: int) -> None:
    from dms_ingest.ingest.context import Context
    from dms_ingest.migrate.work import process_item
    from dms_ingest.storage import open_store

    with Context(settings, workers=1, store=_CrashingStore(open_store(settings), operation, n)) as ctx:
        process_item(item_id, ctx, run_id=run_id)
    os._exit(0)


@pytest.mark.parametrize("operation, n, journal", [("put-done", 4, "rolled back"), ("seal", 4, "completed")],
                         ids=["killed-after-storing-the-original-of-document-2",
                              "killed-after-storing-all-objects-of-document-2"])
def test_worker_killed_between_documents_of_one_file(tmp_path, dms, settings, operation, n, journal):
    """Document 1 of 3 archived (and document 2 half stored) when the worker dies: the redo
    finishes document 2 from the journal or rolls it back, archives the rest, doubles nothing."""
    from dms_ingest.index.catalog import Catalog
    from dms_ingest.migrate import driver, manifest

    [paper] = born_digital_tree(tmp_path / "archiv", 1, documents=3)
    catalog = driver.open_catalog(settings)
    key = manifest.source_key(tmp_path / "archiv")
    manifest.sync(catalog, key, manifest.discover(tmp_path / "archiv"))
    run = driver.start_run(catalog, key, "local", 1)
    [item_id] = manifest.adopt(catalog, run.id, source=key)
    child = multiprocessing.get_context("fork").Process(target=_crash_during_item,
                                                        args=(settings, item_id, run.id, operation, n))
    child.start()
    child.join(120)
    assert child.exitcode == 137
    catalog = Catalog(settings.index_url)
    first = [d.id for d in catalog.documents()]
    assert len(first) == 1 and len(catalog.pending_writes()) == 1
    pending = catalog.pending_writes()[0].document_id
    assert manifest.get(catalog, item_id).state == "running"

    result = dms("migrate", tmp_path / "archiv", "--report", tmp_path / "r.csv")
    assert result.exit_code == 0, result.output
    [row] = report_rows(tmp_path / "r.csv").values()
    assert "finished an interrupted attempt" in row["note"]
    assert f"{pending} {journal}" in row["note"]
    check_rows({row["path"]: row}, [paper])
    docs = catalog.documents()
    assert len(docs) == 3 and first[0] in {d.id for d in docs}
    assert (pending in {d.id for d in docs}) == (journal == "completed")
    assert_archived_exactly_once(catalog, [paper])
    verify = json.loads(dms("verify", "--json").stdout)
    assert verify["passed"] and verify["orphaned"] == [], verify
