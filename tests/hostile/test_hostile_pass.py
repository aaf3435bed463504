"""Found in our own hostile pass (beyond issue 10), each after real-world reports against
paperless-ngx and OCRmyPDF: names that are not UTF-8, pages shaped like strips, a huge MediaBox
cropped to a sheet, thousands of empty pages in a small file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pikepdf
from PIL import Image

from dms_ingest.ingest.pipeline import ingest_file

from .inputs import _text_page, letter, text_pdf


def test_latin1_file_name_is_archived_and_reported_readably(tmp_path, dms):
    """paperless-ngx #3338/#5289: 'surrogates not allowed' for names from old Windows shares."""
    folder = tmp_path / "eingang"
    folder.mkdir()
    good = text_pdf(folder / "x.pdf", [letter(1)])
    os.rename(good, os.fsencode(folder) + b"/Stra\xdfe.pdf")
    (Path(os.fsdecode(os.fsencode(folder) + b"/M\xfcll.pdf"))).write_bytes(b"%PDF-1.4\n" + b"\x00" * 300)
    result = dms("ingest", "--json", "--workers", "1", str(folder))
    assert result.exit_code == 0, result.output
    lines = {Path(r["source"]).name: r for r in map(json.loads, result.stdout.splitlines())}
    assert lines["Straße.pdf"]["status"] == "archived"
    assert lines["Müll.pdf"]["status"] == "rejected"
    assert Path(lines["Müll.pdf"]["quarantined"]).name == "Müll.pdf"


def test_latin1_name_in_the_watched_inbox(tmp_path, dms):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    good = text_pdf(inbox / "x.pdf", [letter(2)])
    os.rename(good, os.fsencode(inbox) + b"/Gr\xfc\xdfe.pdf")
    lines = dms.json_lines("watch", str(inbox), "--once", "--stable-seconds", "0", "--workers", "1")
    assert [(r["inbox_file"], r["status"], r["inbox_outcome"]) for r in lines] == [("Grüße.pdf", "archived", "done")]


def test_strip_shaped_images_are_refused_with_a_reason(tmp_path, ctx):
    """Tesseract fails with 'No image set?' on a 1 x 100000 strip: say what is wrong instead."""
    Image.new("L", (1, 100000), 0).save(tmp_path / "strich.png")
    [result] = ingest_file(tmp_path / "strich.png", ctx)
    assert result.reason_code == "unreadable_image" and "not the shape of a page" in result.error


def test_cropped_giant_media_box_is_sized_by_what_is_shown(tmp_path, ctx):
    """OCRmyPDF #311: a 92-inch MediaBox cropped to an A3 sheet; render the sheet, not the MediaBox."""
    path = tmp_path / "ausschnitt.pdf"
    with pikepdf.new() as pdf:
        page = _text_page(pdf, letter(3), (6624, 6624))
        page.obj.CropBox = pikepdf.Array([31.7, 5409.6, 704.9, 6570.3])
        page.obj.Contents = pdf.make_stream(b"BT /F1 11 Tf 40 6500 Td (Bescheid im sichtbaren Ausschnitt) Tj ET")
        pdf.pages.append(page)
        pdf.save(path)
    [result] = ingest_file(path, ctx)
    assert result.status == "archived" and not result.warnings, result.warnings
    assert "Ausschnitt" in ctx.catalog.pages(result.id)[0].text


def test_small_file_with_thousands_of_pages_is_refused(tmp_path, ctx):
    path = tmp_path / "leer.pdf"
    with pikepdf.new() as pdf:
        blank = pikepdf.Page(pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=[0, 0, 595, 842]))
        for _ in range(5001):
            pdf.pages.append(blank)
        pdf.save(path)
    [result] = ingest_file(path, ctx)
    assert result.reason_code == "too_many_pages" and "5,001 pages" in result.error
