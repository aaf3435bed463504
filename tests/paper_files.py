"""A legacy archive for the migration tests, small and fast: paper files as folders of page images,
PDFs and TIFFs with cover sheets, separators and blank back pages, what each should become, and the
checks that every page ends up archived exactly once (test_migrate, test_nightly, test_distributed).
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import zxingcpp
from PIL import Image

from dms_datagen.letters import render_text_page
from dms_datagen.pdf import PdfPage, PdfText, add_image_page, add_text_page, helvetica_font, new_pdf, save_pdf

SEPARATOR = "DMS-SEPARATOR"
COVER_DPI = 100
PAGE_DPI = 150
A4_AT = {dpi: (round(210 / 25.4 * dpi), round(297 / 25.4 * dpi)) for dpi in (COVER_DPI, PAGE_DPI)}


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


