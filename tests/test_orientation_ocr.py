"""Real Tesseract on the orientation gap: an upside-down 1-bit fax page (200 dpi, CCITT G4, dust specks)
whose orientation Tesseract's OSD reports below its confidence threshold. Made with the mailroom set's
own letter renderer and scan simulator (dms_datagen.mailroom_set.render_letter, scan_damage with
rotate=180, to_bilevel; a 'Mietbescheinigung' with the case number ABH-2023-48213), kept as a 7 kB file
so the test does not depend on the generator staying the same."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from dms_ingest.ingest.ocr import recognizer
from dms_ingest.ingest.pages import _OSD_MIN_CONFIDENCE, PageOptions, process_page
from dms_ingest.ingest.sources import PageSpec

PAGE = Path(__file__).parent / "pages" / "upside_down_letter_g4.tif"
DPI = 200
OPTIONS = PageOptions("deu", orientation=True, deskew=True, blank_ink_ratio=0.002, jpeg_quality=75, max_dpi=300)


def test_upside_down_fax_page_osd_is_unsure_of_is_turned_by_its_reading():
    engine = recognizer("deu")
    with Image.open(PAGE) as img:
        assert img.mode == "1"
        gray = np.asarray(img.convert("L"))
    # The gap this test is about: OSD alone does not turn this page.
    assert engine.detect_orientation(np.ascontiguousarray(gray), DPI)[1] < _OSD_MIN_CONFIDENCE
    h, w = gray.shape
    spec = PageSpec(number=1, width_pt=w / DPI * 72, height_pt=h / DPI * 72, dpi=DPI)
    page = process_page(PAGE, "image/tiff", spec, OPTIONS, engine).page
    assert page.rotation == 180
    assert "Mietbescheinigung" in page.text and "ABH-2023-48213" in page.text
