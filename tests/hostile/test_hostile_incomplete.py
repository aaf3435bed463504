"""Item 1: a file still being written is never taken; a cut-off PDF is refused, never archived blank."""

from __future__ import annotations

import hashlib
import threading
import time
from pathlib import Path

from dms_ingest.ingest.completeness import incomplete_reason
from dms_ingest.ingest.pipeline import ingest_file
from dms_ingest.ingest.watcher import Watcher

from .inputs import image_pdf, letter, text_pdf, truncated


def test_cut_off_files_are_recognised(tmp_path):
    pdf = image_pdf(tmp_path / "scan.pdf", 3)
    assert incomplete_reason(pdf) is None
    for share in (0.3, 0.6, 0.95):
        assert incomplete_reason(truncated(pdf, tmp_path / f"cut{share}.pdf", share)) is not None
    from PIL import Image

    Image.new("RGB", (300, 200), "white").save(tmp_path / "foto.jpg")
    Image.new("RGB", (300, 200), "white").save(tmp_path / "bild.png")
    for name in ("foto.jpg", "bild.png"):
        assert incomplete_reason(tmp_path / name) is None
        assert incomplete_reason(truncated(tmp_path / name, tmp_path / f"cut-{name}", 0.5)) is not None


def test_paused_writer_is_waited_for_and_the_complete_file_archived(tmp_path, settings, ctx):
    """The probe's case: a writer pauses longer than stable_seconds half-way through a PDF."""
    complete = image_pdf(tmp_path / "scan.pdf", 3).read_bytes()
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    handled = []
    watcher = Watcher(settings, ctx, inbox, threads=1, stable_seconds=0.2, polling=True, imap=False,
                      reconcile=False, on_handled=handled.append)
    runner = threading.Thread(target=watcher.run)
    runner.start()
    try:
        with open(inbox / "scan.pdf", "wb") as writer:
            writer.write(complete[: len(complete) * 6 // 10])
            writer.flush()
            time.sleep(3)                       # 15 times stable_seconds: the old watcher took it here
            assert not handled and (inbox / "scan.pdf").exists(), "a half-written file was taken"
            writer.write(complete[len(complete) * 6 // 10:])
        deadline = time.monotonic() + 120
        while not handled and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        watcher.stop()
        runner.join(60)
    [result] = handled[0].results
    assert handled[0].outcome == "done" and result.status == "archived"
    assert result.sha256 == hashlib.sha256(complete).hexdigest()
    assert result.pages == 3 and result.blank_pages == 0


def test_pdf_cut_before_its_trailer_only_is_repaired_and_archived(tmp_path, ctx):
    """All pages intact, only the cross-reference table missing: the repair loses nothing."""
    pdf = text_pdf(tmp_path / "brief.pdf", [letter(1), letter(2)])
    data = pdf.read_bytes()
    cut = tmp_path / "ohne-xref.pdf"
    cut.write_bytes(data[: data.rindex(b"xref")])
    [result] = ingest_file(cut, ctx)
    assert result.status == "archived" and result.pages == 2 and result.blank_pages == 0
    assert any("repaired" in w for w in result.warnings)
def test_truncated_pdf_is_refused_with_a_reason_not_archived_blank(tmp_path, ctx):
    """`head -c N five_pages.pdf > t.pdf; dms ingest t.pdf` must not give an archive of blank pages."""
    pdf = image_pdf(tmp_path / "five.pdf", 5)
    cut = truncated(pdf, tmp_path / "t.pdf", 0.5)
    [result] = ingest_file(cut, ctx)
    assert result.status == "rejected", result
    assert "\n" not in result.error
    assert ctx.catalog.documents() == []
    assert Path(result.quarantined).read_bytes() == cut.read_bytes()


