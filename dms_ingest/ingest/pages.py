"""The per-page stage: render, read barcodes, orient, deskew, detect blank, OCR, encode.

`process_page` runs inside a worker process: it gets a path and a page number (cheap to send)
and returns the page's text, geometry and compressed image (small to send back).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import imaging
from ..classifiers.case_numbers import CaseNumberPattern
from .document import Page, Word
from .field_lines import reread_field_lines
from .mrz_band import reread_mrz
from .ocr import OcrEngine, OcrResult, mrz_reader, recognizer
from .reading_quality import clearly_better, is_poor, quality
from .photo import flatten_photo
from .reread import reread_birth_dates, reread_case_labels
from . import sources
from .sources import PageSpec, render_page

# Formats a phone photo comes in (a photographed sheet is flattened first, see photo.py).
_PHOTO_TYPES = {sources.JPEG, sources.PNG, sources.WEBP}
SEPARATOR_CODES = {"DMS-SEPARATOR", "PATCHT", "PATCH-T"}
COVER_PREFIX = "AZ:"
PDFA_MAX_SIDE_PT = 14_399.0

# Below this mean word confidence the page may be upside down or sideways: ask Tesseract's OSD.
_ORIENTATION_DOUBT = 72.0
_OSD_MIN_CONFIDENCE = 2.0


@dataclass(frozen=True)
class PageOptions:
    languages: str
    orientation: bool
    deskew: bool
    blank_ink_ratio: float
    jpeg_quality: int
    max_dpi: int
    case_pattern: CaseNumberPattern | None = None   # set: re-read case-number labels OCR garbled (reread.py)

    @classmethod
    def of(cls, settings) -> "PageOptions":
        """The page stage's part of the configuration, taken in this one place (small to send to a worker)."""
        imaging = settings.imaging
        return cls(settings.ocr.languages, imaging.orientation, imaging.deskew, imaging.blank_ink_ratio,
                   imaging.jpeg_quality, imaging.max_archive_dpi, settings.classification.case_number)


@dataclass
class PageResult:
    page: Page
    encoded: imaging.EncodedImage


def read_barcodes(gray: np.ndarray) -> list[str]:
    """Decode QR codes and barcodes (zxing-cpp); separator and cover sheets carry them."""
    import zxingcpp

    small = gray if gray.shape[1] <= 1800 else gray[::2, ::2]
    try:
        return [code.text for code in zxingcpp.read_barcodes(np.ascontiguousarray(small)) if code.text]
    except Exception:  # a failing barcode read must not fail the page
        return []


def _separator_kind(codes: list[str]) -> str | None:
    for code in codes:
        text = code.strip()
        if text.upper() in SEPARATOR_CODES or text.upper().startswith(COVER_PREFIX):
            return text
    return None


def process_page(container_path: Path, media_type: str, spec: PageSpec, options: PageOptions,
                 engine: OcrEngine | None = None) -> PageResult:
    """Turn one source page into an upright, recognised, compressed archive page.

    *engine* defaults to this process's Tesseract for ``options.languages``.
    """
    pixels = render_page(container_path, media_type, spec)
    pixels, dpi = imaging.resample(pixels, spec.dpi, options.max_dpi)
    if media_type in _PHOTO_TYPES and not spec.native_words:
        pixels, dpi = flatten_photo(pixels, dpi) or (pixels, dpi)
    gray = imaging.to_gray(pixels)
    page = Page(number=spec.number, dpi=dpi)
    page.barcodes = read_barcodes(gray)
    page.separator = _separator_kind(page.barcodes)
    # One reduced copy serves every analysis; colour does not depend on the page being straight.
    reduced = imaging.reduce_for_analysis(pixels)
    page.colour = imaging.colour_class(reduced)

    if spec.native_words:
        _take_native_text(page, spec, dpi)
    else:
        geometry = imaging.analyse(imaging.to_gray(reduced))
        page.blank = geometry.blank(options.blank_ink_ratio) and not page.barcodes
        if not page.blank and page.separator is None:
            ocr = engine or recognizer(options.languages)
            pixels, gray = _straighten_and_read(page, pixels, gray, geometry.skew, options, ocr)

    encoded = imaging.encode_page(pixels, page.colour, options.jpeg_quality)
    h, w = gray.shape
    # PDF/A allows no page side over 200 inches (14,400 units): a bigger page is archived smaller.
    page.dpi = max(page.dpi, max(h, w) * 72 / PDFA_MAX_SIDE_PT)
    page.width_pt, page.height_pt = w / page.dpi * 72, h / page.dpi * 72
    return PageResult(page, encoded)


def _take_native_text(page: Page, spec: PageSpec, dpi: float) -> None:
    scale = dpi / 72
    page.words = [Word(w.text, tuple(v * scale for v in w.box), 100.0, w.line) for w in spec.native_words]
    page.text = spec.native_text
    page.native_text = spec.native_text


def _deskew_both(pixels: np.ndarray, angle: float) -> tuple[np.ndarray, np.ndarray]:
    """Straighten the page once; the greyscale view is derived rather than warped again."""
    straight = imaging.deskew(pixels, angle)
    return straight, imaging.to_gray(straight)


def _looks_sideways(words: list[Word]) -> bool:
    longer = [w for w in words if len(w.text) >= 3]
    tall = [w for w in longer if (w.box[3] - w.box[1]) > 1.5 * (w.box[2] - w.box[0])]
    return bool(longer) and len(tall) > len(longer) / 2


@dataclass
class _Reading:
    """One way of reading the page: its image turned and straightened so, and what OCR read on it."""

    pixels: np.ndarray
    gray: np.ndarray
    result: OcrResult
    turn: int = 0
    skew: float = 0.0


def _read_turned(raw_pixels: np.ndarray, raw_gray: np.ndarray, turn: int, dpi: float, options: PageOptions,
                 ocr: OcrEngine) -> _Reading:
    """The page as scanned, turned *turn* degrees clockwise, straightened (skew measured anew) and read."""
    pixels, gray = imaging.rotate_quarter(raw_pixels, turn), imaging.rotate_quarter(raw_gray, turn)
    angle = imaging.measure_skew(gray) if options.deskew else 0.0
    pixels, gray = _deskew_both(pixels, angle)
    return _Reading(pixels, gray, ocr.recognize(gray, dpi), turn, angle)


def _detect_orientation(page: Page, gray: np.ndarray, raw_gray: np.ndarray, ocr: OcrEngine) -> tuple[int, float]:
    # OSD is reliable from about 150 dpi; reduce finer scans to that, it is 4x cheaper.
    step = max(1, int(page.dpi // 150))
    turn, confidence = ocr.detect_orientation(np.ascontiguousarray(gray[::step, ::step]), page.dpi / step)
    if confidence < _OSD_MIN_CONFIDENCE:
        # Unsure on the reduced, straightened page (small print, or a skew measured on upside-down
        # text): ask once more on the page as scanned, at full size. Only doubtful pages pay for it.
        turn, confidence = ocr.detect_orientation(np.ascontiguousarray(raw_gray), page.dpi)
    return turn, confidence


def _second_guesses(unsure_turn: int, tried: set[int]) -> list[int]:
    """Turns to read a poor page at when OSD was unsure or wrong: its own guess first (an upside-down
    fax page with specks: 180 at confidence 1.93), then upside down, then the two sideways turns."""
    return [t for t in dict.fromkeys((unsure_turn, 180, 90, 270)) if t and t not in tried]


def _better_turned(first: _Reading, unsure_turn: int, tried: set[int], raw_pixels: np.ndarray, raw_gray: np.ndarray,
                   dpi: float, options: PageOptions, ocr: OcrEngine) -> _Reading:
    """A poor reading OSD could not mend (an upside-down 1-bit fax page: OSD unsure) is read again turned;
    the first turned reading with clearly more German words is kept (reading_quality.py), else the first.

    Only poor readings (unsure and hardly German) pay: one to three more OCR passes."""
    first_quality = quality(first.result)
    if not is_poor(first_quality):
        return first
    for turn in _second_guesses(unsure_turn, tried):
        turned = _read_turned(raw_pixels, raw_gray, turn, dpi, options, ocr)
        if clearly_better(quality(turned.result), first_quality):
            return turned
    return first


def _straighten_and_read(page: Page, pixels: np.ndarray, gray: np.ndarray, skew: float,
                         options: PageOptions, ocr: OcrEngine) -> tuple[np.ndarray, np.ndarray]:
    raw_pixels, raw_gray = pixels, gray
    if options.deskew:
        pixels, gray = _deskew_both(pixels, skew)
        page.skew = skew
    kept = _Reading(pixels, gray, ocr.recognize(gray, page.dpi), 0, page.skew)

    # OSD costs ~15% of a page's OCR, so it runs only when the reading looks wrong: low confidence
    # (upside down) or words standing on end (Tesseract reads sideways text well, but the page
    # image must still be turned for the archive).
    result = kept.result
    doubtful = result.confidence < _ORIENTATION_DOUBT or len(result.words) < 8 or _looks_sideways(result.words)
    if options.orientation and doubtful:
        turn, confidence = _detect_orientation(page, gray, raw_gray, ocr)
        tried: set[int] = set()
        if turn and confidence >= _OSD_MIN_CONFIDENCE:
            tried.add(turn)
            retry = _read_turned(raw_pixels, raw_gray, turn, page.dpi, options, ocr)
            if retry.result.confidence > result.confidence or (_looks_sideways(result.words)
                                                               and not _looks_sideways(retry.result.words)):
                kept = retry
        if not kept.turn:
            kept = _better_turned(kept, turn, tried, raw_pixels, raw_gray, page.dpi, options, ocr)
        page.rotation, page.skew = kept.turn, kept.skew
    pixels, gray, result = kept.pixels, kept.gray, kept.result
    page.words = result.words
    page.text = result.text
    page.ocr_confidence = result.confidence
    if options.case_pattern is not None:
        reread_case_labels(page, gray, ocr, options.case_pattern)
        reread_birth_dates(page, gray, ocr)
    reread_mrz(page, gray, mrz_reader())
    reread_field_lines(page, gray, ocr)
    return pixels, gray
