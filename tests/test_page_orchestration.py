"""The page stage's decisions, tested with a tiny fake OCR engine instead of Tesseract: which pages are
read at all, when orientation detection is asked, which reading is kept. Real Tesseract is exercised
by the end-to-end tests (test_pipeline_ocr, test_samples_e2e)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from dms_datagen.letters import render_text_page
from dms_ingest.ingest.document import Word
from dms_ingest.ingest.ocr import OcrEngine, OcrResult
from dms_ingest.ingest.pages import PageOptions, process_page
from dms_ingest.ingest.sources import PageSpec

from .paper_files import blank_back, separator

DPI = 150
UPRIGHT_TEXT = "Antrag auf Verlängerung der Aufenthaltserlaubnis nach Paragraph acht des Gesetzes"
GARBLED_TEXT = "~ ,. l1 i| ::"
OPTIONS = PageOptions("deu", orientation=True, deskew=True, blank_ink_ratio=0.002, jpeg_quality=75, max_dpi=300)
# Degrees clockwise that turn the page upright, by the corner the marker was found in.
TURN_BY_CORNER = {"top-left": 0, "top-right": 270, "bottom-right": 180, "bottom-left": 90}


class MarkerEngine:
    """Reads a page well only when its black corner marker is top left; OSD finds the marker.

    ``sideways`` makes upright readings look like words standing on end; ``osd_confidence`` and
    ``osd_turn`` let orientation detection be unsure or wrong.
    """

    def __init__(self, *, sideways: bool = False, osd_confidence: float = 9.0, osd_turn: int | None = None,
                 upright_confidence: float = 95.0, turned_text: str = GARBLED_TEXT, readable: bool = True,
                 turned_confidence: float = 20.0):
        self.sideways, self.osd_confidence, self.osd_turn = sideways, osd_confidence, osd_turn
        self.upright_confidence, self.turned_text, self.readable = upright_confidence, turned_text, readable
        self.turned_confidence = turned_confidence
        self.turns_read: list[str] = []
        self.page_readings = 0
        self.readings = 0
        self.orientation_checks = 0

    @staticmethod
    def marker_corner(gray: np.ndarray) -> str:
        h, w = gray.shape
        size = max(4, min(h, w) // 12)
        corners = {"top-left": gray[:size, :size], "top-right": gray[:size, -size:],
                   "bottom-left": gray[-size:, :size], "bottom-right": gray[-size:, -size:]}
        return min(corners, key=lambda name: float(corners[name].mean()))

    def recognize(self, gray: np.ndarray, dpi: float) -> OcrResult:
        self.readings += 1
        self.page_readings += min(gray.shape) > 400    # not a cut-out line (field_lines.py, reread.py)
        corner = self.marker_corner(gray)
        self.turns_read.append(corner)
        upright = corner == "top-left" and self.readable
        text = UPRIGHT_TEXT if upright else self.turned_text
        confidence = self.upright_confidence if upright else self.turned_confidence
        words = []
        for n, token in enumerate(text.split()):
            x = 100 + 60 * n
            box = (x, 100, x + 20, 180) if self.sideways else (x, 100, x + 50, 120)
            words.append(Word(token, box, confidence, 0))
        return OcrResult(text, words, confidence)

    def detect_orientation(self, gray: np.ndarray, dpi: float) -> tuple[int, float]:
        self.orientation_checks += 1
        turn = TURN_BY_CORNER[self.marker_corner(gray)] if self.osd_turn is None else self.osd_turn
        return turn, self.osd_confidence


class NoEngine:
    """Fails the test if the page stage asks for OCR."""

    def recognize(self, gray, dpi):
        pytest.fail("this page must not be OCR'd")

    def detect_orientation(self, gray, dpi):
        pytest.fail("this page must not be OCR'd")


def test_fakes_satisfy_the_engine_interface():
    engine: OcrEngine = MarkerEngine()
    assert callable(engine.recognize) and callable(engine.detect_orientation)


def page_file(tmp_path: Path, *, turned: int = 0) -> Path:
    """A text page with a black marker in its top left corner, turned *turned* degrees clockwise."""
    img = render_text_page(["Antrag auf Verlängerung", "der Aufenthaltserlaubnis"], dpi=DPI, size_px=24)
    pixels = np.asarray(img).copy()
    pixels[20:90, 20:90] = 0
    pixels = np.rot90(pixels, k=-(turned // 90))
    path = tmp_path / f"page-{turned}.png"
    Image.fromarray(np.ascontiguousarray(pixels)).save(path, dpi=(DPI, DPI))
    return path


def read(path: Path, engine, options: PageOptions = OPTIONS):
    with Image.open(path) as img:
        w, h = img.size
    spec = PageSpec(number=1, width_pt=w / DPI * 72, height_pt=h / DPI * 72, dpi=DPI)
    return process_page(path, "image/png", spec, options, engine).page


def test_upright_confident_page_is_read_once_without_orientation_check(tmp_path):
    engine = MarkerEngine()
    page = read(page_file(tmp_path), engine)
    assert (page.text, page.rotation, page.ocr_confidence) == (UPRIGHT_TEXT, 0, 95.0)
    assert (engine.readings, engine.orientation_checks) == (1, 0)
    assert [w.text for w in page.words] == UPRIGHT_TEXT.split()


@pytest.mark.parametrize("turned", [90, 180, 270])
def test_doubtful_reading_asks_orientation_turns_and_keeps_the_better_reading(tmp_path, turned):
    engine = MarkerEngine()
    page = read(page_file(tmp_path, turned=turned), engine)
    assert page.rotation == (360 - turned) % 360
    assert page.text == UPRIGHT_TEXT and page.ocr_confidence == 95.0
    assert (engine.readings, engine.orientation_checks) == (2, 1)


def test_orientation_off_keeps_the_first_reading(tmp_path):
    engine = MarkerEngine()
    page = read(page_file(tmp_path, turned=180), engine, replace(OPTIONS, orientation=False))
    assert page.rotation == 0 and page.text != UPRIGHT_TEXT
    assert (engine.readings, engine.orientation_checks) == (1, 0)


def test_unsure_orientation_detection_asks_at_full_size_then_reads_its_guess_and_keeps_it_when_german(tmp_path):
    # The gap of an upside-down 1-bit fax page: OSD says 180 but below its confidence threshold.
    engine = MarkerEngine(osd_confidence=0.5)
    page = read(page_file(tmp_path, turned=180), engine)
    assert page.rotation == 180 and page.text == UPRIGHT_TEXT and page.ocr_confidence == 95.0
    assert (engine.readings, engine.orientation_checks) == (2, 2)


def test_unsure_wrong_guess_is_followed_by_upside_down(tmp_path):
    engine = MarkerEngine(osd_confidence=0.5, osd_turn=90)
    page = read(page_file(tmp_path, turned=180), engine)
    assert page.rotation == 180 and page.text == UPRIGHT_TEXT
    # first reading, OSD's guess (90: marker then bottom left), then upside down
    assert engine.turns_read == ["bottom-right", "bottom-left", "top-left"]


def test_confident_osd_saying_upright_does_not_stop_a_poor_reading_from_being_tried_upside_down(tmp_path):
    engine = MarkerEngine(osd_turn=0)
    page = read(page_file(tmp_path, turned=180), engine)
    assert page.rotation == 180 and page.text == UPRIGHT_TEXT


@pytest.mark.parametrize("turned_text", [GARBLED_TEXT, "Xqvt Zrrw Pqmm Kxyl Wvvq Jjkq Qzrt Vbnm"])
def test_a_page_no_turn_reads_as_german_keeps_its_first_reading_after_trying_every_turn(tmp_path, turned_text):
    engine = MarkerEngine(osd_confidence=0.5, turned_text=turned_text, readable=False)
    page = read(page_file(tmp_path, turned=90), engine)
    assert page.rotation == 0 and page.text == turned_text
    assert engine.readings == 4     # as found, then 90 (OSD's unsure guess), 180 and 270


def test_letter_soup_read_with_some_confidence_is_not_read_again(tmp_path):
    # Under the orientation doubt (72) but over the noise bar (60): the extra passes are spared.
    engine = MarkerEngine(osd_confidence=0.5, turned_confidence=65.0)
    page = read(page_file(tmp_path, turned=180), engine)
    assert page.rotation == 0 and engine.page_readings == 1


def test_a_doubtful_page_that_reads_as_german_is_not_read_again(tmp_path):
    # Low confidence makes it doubtful (OSD is asked), but the reading is German: no more OCR passes.
    engine = MarkerEngine(osd_confidence=0.5, osd_turn=180, upright_confidence=50.0)
    page = read(page_file(tmp_path), engine)
    assert page.rotation == 0 and page.text == UPRIGHT_TEXT
    assert (engine.readings, engine.orientation_checks) == (1, 2)


def test_a_wrong_turn_that_reads_worse_is_not_kept(tmp_path):
    # The page reads as letter soup whichever way up; OSD claims 90° with confidence: the turned
    # reading is no better, nor are the other turns, so the page stays as it was.
    engine = MarkerEngine(osd_turn=90, readable=False)
    page = read(page_file(tmp_path, turned=180), engine)
    assert page.rotation == 0
    assert (engine.readings, engine.orientation_checks) == (4, 1)


def test_a_confident_wrong_turn_is_not_kept_and_the_reading_check_finds_the_right_one(tmp_path):
    engine = MarkerEngine(osd_turn=90)
    page = read(page_file(tmp_path, turned=180), engine)
    assert page.rotation == 180 and page.text == UPRIGHT_TEXT
    assert engine.turns_read == ["bottom-right", "bottom-left", "top-left"]


def test_words_standing_on_end_ask_for_orientation_even_when_confident(tmp_path):
    engine = MarkerEngine(sideways=True, osd_turn=0)
    page = read(page_file(tmp_path), engine)
    assert engine.orientation_checks == 1 and page.rotation == 0 and page.text == UPRIGHT_TEXT


@pytest.mark.parametrize("sheet", ["blank", "separator"])
def test_blank_pages_and_separator_sheets_are_not_read(tmp_path, sheet):
    img = blank_back() if sheet == "blank" else separator()
    path = tmp_path / f"{sheet}.png"
    img.save(path, dpi=img.info["dpi"])
    page = read(path, NoEngine())
    assert page.ocr_confidence is None and page.text == ""
    assert page.blank if sheet == "blank" else page.separator == "DMS-SEPARATOR"
