"""`dms migrate` on a generated legacy archive: reports, completeness, resume, manifests, bad files.

The helpers at the top (paper files as folders of page images, PDFs and TIFFs, with cover sheets,
separators and blank back pages) are shared with test_nightly.py and test_distributed.py.
"""

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
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
import zxingcpp
from PIL import Image

from dms_datagen.letters import render_text_page
from dms_datagen.pdf import PdfPage, PdfText, add_image_page, add_text_page, helvetica_font, new_pdf, save_pdf
from conftest import REPO

SEPARATOR = "DMS-SEPARATOR"
COVER_DPI = 100
PAGE_DPI = 150
A4_AT = {dpi: (round(210 / 25.4 * dpi), round(297 / 25.4 * dpi)) for dpi in (COVER_DPI, PAGE_DPI)}


# --- a legacy archive, small and fast: covers/separators are QR sheets, text pages few lines ---------


def qr_sheet(payload: str, label: str = "") -> Image.Image:
    """A cover or separator sheet at 100 dpi: a QR code top left (bilevel, as a scanner would)."""
    page = Image.new("L", A4_AT[COVER_DPI], 255)
    code = Image.fromarray(np.asarray(zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.QRCode)
                                      .to_image(scale=5)))
    page.paste(code, (60, 60))
    if label:
        from PIL import ImageDraw

        ImageDraw.Draw(page).text((60, 60 + code.height + 30), label, fill=0)
    page.info["dpi"] = (COVER_DPI, COVER_DPI)
    return page.point(lambda v: 255 if v > 128 else 0).convert("1")


def cover(case_number: str) -> Image.Image:
    return qr_sheet(f"AZ:{case_number}", f"Aktendeckblatt {case_number}")


def separator() -> Image.Image:
    return qr_sheet(SEPARATOR, "Trennblatt")


def scanned_text(lines: list[str]) -> Image.Image:
    """A text page at 150 dpi (OCR'd by the pipeline: keep it to a few lines)."""
    img = render_text_page(lines, dpi=PAGE_DPI, size_px=24)
    img.info["dpi"] = (PAGE_DPI, PAGE_DPI)
    return img


def blank_back() -> Image.Image:
    rng = np.random.default_rng(7)
    noise = rng.normal(250, 2, size=A4_AT[PAGE_DPI][::-1]).clip(0, 255).astype(np.uint8)
    img = Image.fromarray(noise, "L")
    img.info["dpi"] = (PAGE_DPI, PAGE_DPI)
    return img


def write_pdf(path: Path, pages: list) -> Path:
    """Pages: a PIL image (scanned page), a list of lines (born-digital text) or None (empty page)."""
    pdf = new_pdf({"Producer": "legacy scanner"})
    fonts = {"F1": helvetica_font(pdf, False), "F2": helvetica_font(pdf, True)}
    for page in pages:
        if isinstance(page, Image.Image):
            add_image_page(pdf, page, dpi=int(page.info.get("dpi", (PAGE_DPI,))[0]))
        else:
            text_page = PdfPage()
            for n, line in enumerate(page or []):
                text_page.items.append(PdfText(line, 70.87, 70 + 15 * n))
            add_text_page(pdf, text_page, fonts)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_pdf(pdf, path)
    return path


def write_tiff(path: Path, pages: list[Image.Image]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    frames = [p.convert("L") for p in pages]
    frames[0].save(path, save_all=True, append_images=frames[1:], compression="tiff_lzw", dpi=(PAGE_DPI, PAGE_DPI))
    return path


def write_folder(path: Path, pages: list[Image.Image], formats: list[str]) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    for n, (page, fmt) in enumerate(zip(pages, formats), start=1):
        dpi = page.info.get("dpi", (PAGE_DPI, PAGE_DPI))
        if fmt == "jpg":
            page.convert("L").save(path / f"seite-{n:03d}.jpg", "JPEG", quality=75, dpi=dpi)
        elif fmt == "tif":
            page.save(path / f"seite-{n:03d}.tif", compression="group4" if page.mode == "1" else "tiff_lzw", dpi=dpi)
        else:
            page.save(path / f"seite-{n:03d}.png", dpi=dpi)
    return path


def letter(n: int) -> list[str]:
    return [f"Schreiben Nummer {n} an die Ausländerbehörde",
            f"Aktenvermerk {n}: Verlängerung der Aufenthaltserlaubnis beantragt"]


@dataclass
class Expected:
    path: Path
    case: str | None
    pages_in: int
    sheets: int
    documents: int
    blank: int
    state: str = "done"
    reason: str | None = None
    extra: dict = field(default_factory=dict)


def legacy_tree(root: Path) -> list[Expected]:
    """Three paper files (folder of images, PDF, TIFF) and one damaged PDF."""
    expected = []
    akte1 = write_folder(root / "regal-1" / "akte-0001",
                         [cover("ABH-2019-00101"), scanned_text(["Antrag auf Verlängerung", "Seite eins"]),
                          blank_back(), separator(), scanned_text(["Meldebescheinigung", "Wohnung seit 2018"])],
                         ["png", "jpg", "png", "tif", "jpg"])
    expected.append(Expected(akte1, "ABH-2019-00101", 5, 2, 2, 1))
    akte2 = write_pdf(root / "regal-1" / "akte-0002.pdf",
                      [cover("ABH-2020-00202"), letter(1), letter(2), None, separator(), letter(3)])
    expected.append(Expected(akte2, "ABH-2020-00202", 6, 2, 2, 1))
    akte3 = write_tiff(root / "regal-2" / "akte-0003.tif",
                       [cover("ABH-2021-00303"), scanned_text(["Arbeitsvertrag", "Beginn 1. März"]), blank_back()])
    expected.append(Expected(akte3, "ABH-2021-00303", 3, 1, 1, 1))
    broken = root / "regal-2" / "akte-0004.pdf"
    broken.write_bytes(b"%PDF-1.4\n" + b"\x00garbage" * 50)
    expected.append(Expected(broken, None, 0, 0, 0, 0, state="failed", reason="corrupt"))
    return expected


def born_digital_tree(root: Path, count: int, *, documents: int = 2) -> list[Expected]:
    """*count* quick paper files: cover, then *documents* born-digital letters with separators."""
    expected = []
    for i in range(count):
        case = f"ABH-2022-{i + 1:05d}"
        pages: list = [cover(case)]
        for d in range(documents):
            if d:
                pages.append(separator())
            pages.append(letter(100 * i + d))
        path = write_pdf(root / f"akte-{i + 1:04d}.pdf", pages)
        expected.append(Expected(path, case, len(pages), documents, documents, 0))
    return expected


def report_rows(path: Path) -> dict[str, dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return {row["path"]: row for row in csv.DictReader(handle)}


def check_rows(rows: dict[str, dict], expected: list[Expected]) -> None:
    assert set(rows) == {str(e.path.resolve()) for e in expected}
    for e in expected:
        row = rows[str(e.path.resolve())]
        assert row["state"] == e.state, row
        if e.state != "done":
            assert row["reason_code"] == e.reason and row["error"], row
            assert row["complete"] == "no"
            continue
        assert row["case_number"] == (e.case or ""), row
        assert int(row["pages_in"]) == e.pages_in, row
        assert int(row["sheets"]) == e.sheets, row
        assert int(row["documents"]) == e.documents, row
        assert int(row["blank_pages"]) == e.blank, row
        # the completeness equation, from the report's own columns
        assert int(row["pages_in"]) == int(row["pages_archived"]) + int(row["blank_dropped"]) + int(row["sheets"])
        assert row["complete"] == "yes"


def documents_by_original(catalog) -> Counter:
    return Counter(d.original_sha256 for d in catalog.documents())


def pages_by_source(catalog) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for doc in catalog.documents():
        found.setdefault(doc.source, []).extend(p.number for p in catalog.pages(doc.id))
    return {k: sorted(v) for k, v in found.items()}


def assert_archived_exactly_once(catalog, expected: list[Expected]) -> None:
    """Every page of every paper file is in exactly one document; no paper file archived twice."""
    per_source = pages_by_source(catalog)
    docs_per_source = Counter(d.source for d in catalog.documents())
    for e in expected:
        key = str(e.path.resolve())
        if e.state != "done":
            assert key not in per_source
            continue
        assert docs_per_source[key] == e.documents, (key, docs_per_source[key])
        pages = per_source[key]
        assert len(pages) == len(set(pages)) == e.pages_in - e.sheets
    assert not catalog.pending_writes()


# --- tests ---------------------------------------------------------------------------------------


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


def scanned_tree(root: Path, count: int) -> list[Expected]:
    """*count* paper files that take a moment each: cover, a scanned page (OCR), separator, a letter."""
    expected = []
    for i in range(count):
        case = f"ABH-2023-{i + 1:05d}"
        path = write_pdf(root / f"akte-{i + 1:04d}.pdf",
                         [cover(case), scanned_text([f"Antrag Nummer {i}", "Verlängerung der Erlaubnis"]),
                          separator(), letter(i)])
        expected.append(Expected(path, case, 4, 2, 2, 0))
    return expected


def _dms_subprocess(home: Path, *args) -> subprocess.Popen:
    env = {**os.environ, "DMS_HOME": str(home), "OMP_THREAD_LIMIT": "1"}
    return subprocess.Popen([sys.executable, "-m", "dms_ingest", *[str(a) for a in args]], env=env,
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
