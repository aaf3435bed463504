"""The archival copy: valid PDF/A (pikepdf and Apache PDFBox agree), text layer where the words are."""

from __future__ import annotations

import glob
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pdfplumber
import pikepdf
import pytest
from PIL import Image, ImageDraw, ImageFont

from dms_ingest.ingest import imaging
from dms_ingest.ingest.document import Page, Word
from dms_ingest.ingest.pdfa import ArchiveMetadata, validate, write_archive

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
PDFBOX_JARS = ["pdfbox2", "fontbox2", "preflight", "xmpbox", "commons-logging", "javax.activation", "jaxb-api"]


def _page_with_words(colour: str) -> tuple[Page, imaging.EncodedImage]:
    """A 150-dpi page with two known words drawn at known places, and their boxes."""
    image = Image.new("RGB", (1240, 1754), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 40)
    words = []
    for text, (x, y) in (("Aufenthaltstitel", (150, 200)), ("Straße", (700, 200))):
        draw.text((x, y), text, font=font, fill="black")
        words.append(Word(text, tuple(float(v) for v in draw.textbbox((x, y), text, font=font)), 95.0, 0))
    if colour == "color":
        draw.ellipse((900, 1400, 1100, 1600), outline=(200, 0, 0), width=12)
    pixels = np.asarray(image)[:, :, ::-1].copy()
    page = Page(number=1, dpi=150, words=words, text="Aufenthaltstitel Straße", colour=colour,
                width_pt=1240 / 150 * 72, height_pt=1754 / 150 * 72)
    return page, imaging.encode_page(pixels, colour, 60)


META = ArchiveMetadata("Antrag Test", "antrag", "ABH-2019-04711", "inbox/antrag.pdf", "doc-1",
                       datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc), "dms-ingest")


@pytest.mark.parametrize("part", [1, 2])
@pytest.mark.parametrize("colour", ["bilevel", "gray", "color"])
def test_archive_passes_pikepdf_pdfa_validator(tmp_path, part, colour):
    dest = tmp_path / "a.pdf"
    write_archive([_page_with_words(colour)], META, dest, part)
    assert validate(dest, part) == []
    with pikepdf.open(dest) as pdf:
        image = next(iter(pdf.pages[0].get_images().values()))
        expected = {"bilevel": "/CCITTFaxDecode", "gray": "/DCTDecode", "color": "/DCTDecode"}[colour]
        assert str(image.Filter) == expected
        assert str(image.ColorSpace) == ("/DeviceRGB" if colour == "color" else "/DeviceGray")
        assert pdf.open_metadata()["pdfaid:part"] == str(part)


def test_text_layer_is_searchable_and_sits_on_the_words(tmp_path):
    dest = tmp_path / "a.pdf"
    page, encoded = _page_with_words("bilevel")
    write_archive([(page, encoded)], META, dest)
    with pdfplumber.open(dest) as pdf:
        words = {w["text"]: w for w in pdf.pages[0].extract_words()}
    assert set(words) >= {"Aufenthaltstitel", "Straße"}
    scale = 72 / 150
    for word in page.words:
        found = words[word.text]
        assert found["x0"] == pytest.approx(word.box[0] * scale, abs=2)
        assert found["top"] == pytest.approx(word.box[1] * scale, abs=4)
        assert found["bottom"] == pytest.approx(word.box[3] * scale, abs=4)


def test_text_layer_is_invisible(tmp_path):
    """Rendering the archive gives the scan, not a second copy of the text drawn over it."""
    import pypdfium2 as pdfium

    dest = tmp_path / "a.pdf"
    page, encoded = _page_with_words("gray")
    page.words.append(Word("GEISTERTEXT", (150.0, 1000.0, 700.0, 1060.0), 90.0, 1))
    write_archive([(page, encoded)], META, dest)
    doc = pdfium.PdfDocument(str(dest))
    pixels = np.asarray(doc[0].render(scale=150 / 72).to_pil().convert("L"))
    doc.close()
    assert pixels[1000:1060, 150:700].min() > 200  # nothing drawn where only invisible text lies


def test_xmp_metadata_describes_the_document(tmp_path):
    dest = tmp_path / "a.pdf"
    write_archive([_page_with_words("bilevel")], META, dest)
    with pikepdf.open(dest) as pdf:
        xmp = pdf.open_metadata()
        assert xmp["dc:title"] == "Antrag Test"
        assert "antrag" in xmp["dc:type"]
        assert "ABH-2019-04711" in xmp["pdf:Keywords"]
        assert xmp["dc:source"] == "inbox/antrag.pdf"
        assert xmp["pdf:Producer"] == "dms-ingest"
        assert xmp["xmp:CreateDate"].startswith("2026-11-22T12:00:00")


def _pdfbox_classpath() -> str:
    jars = []
    for name in PDFBOX_JARS:
        found = sorted(glob.glob(f"/usr/share/java/{name}.jar")) or sorted(glob.glob(f"/usr/share/java/{name}-*.jar"))
        assert found, f"{name}.jar missing: scripts/install.sh installs libpdfbox2-java and friends"
        jars.append(found[0])
    return ":".join(jars)


def test_pdfa_1b_passes_apache_pdfbox_preflight(tmp_path):
    dest = tmp_path / "a1b.pdf"
    write_archive([_page_with_words("bilevel"), _page_with_words("color")], META, dest, pdfa_part=1)
    run = subprocess.run(["java", "-cp", _pdfbox_classpath(), "org.apache.pdfbox.preflight.Validator_A1b", str(dest)],
                         capture_output=True, text=True, timeout=120)
    assert "is a valid PDF/A-1b file" in run.stdout, run.stdout + run.stderr


def test_pdfbox_preflight_detects_a_non_pdfa_file(tmp_path):
    """The independent validator really validates: a plain PDF fails it."""
    plain = tmp_path / "plain.pdf"
    Image.new("RGB", (100, 100), "white").save(plain, "PDF")
    run = subprocess.run(["java", "-cp", _pdfbox_classpath(), "org.apache.pdfbox.preflight.Validator_A1b", str(plain)],
                         capture_output=True, text=True, timeout=120)
    assert "is a valid PDF/A-1b file" not in run.stdout
