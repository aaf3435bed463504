"""OCR: the engine interface the page stage uses, and Tesseract, the one real engine.

This is the only place that knows Tesseract (through tesserocr, keeping one API handle per process).
The page stage talks to an ``OcrEngine``; tests of its orchestration (when to ask for orientation,
which reading to keep) pass a small fake engine, the end-to-end tests run real Tesseract.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from .document import Word

# One OpenMP thread per Tesseract: parallelism comes from processes (3-5x faster on 2 cores).
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

_TESSDATA_CANDIDATES = (
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
)


def tessdata_dir() -> str:
    """Debian's tessdata (the tesserocr wheel bundles Tesseract but no language data)."""
    configured = os.environ.get("TESSDATA_PREFIX")
    if configured and Path(configured, "osd.traineddata").exists():
        return configured
    for candidate in _TESSDATA_CANDIDATES:
        if Path(candidate, "deu.traineddata").exists():
            return candidate
    raise RuntimeError("Tesseract language data not found: install tesseract-ocr-deu and tesseract-ocr-osd")


@dataclass
class OcrResult:
    text: str
    words: list[Word]
    confidence: float   # mean word confidence 0..100 (0 if no words)


class OcrEngine(Protocol):
    """What the page stage needs from an OCR engine."""

    def recognize(self, gray: np.ndarray, dpi: float) -> OcrResult:
        """Read an upright greyscale page: text, words with pixel boxes and line numbers, mean confidence."""
        ...

    def detect_orientation(self, gray: np.ndarray, dpi: float) -> tuple[int, float]:
        """(degrees clockwise to turn the page upright, confidence); (0, 0.0) when unknown. May be costly."""
        ...


class Recognizer:
    """Tesseract as an OcrEngine: one API kept open for the life of the process."""

    def __init__(self, languages: str):
        import tesserocr

        self._tesserocr = tesserocr
        path = tessdata_dir()
        self.languages = languages
        self._api = tesserocr.PyTessBaseAPI(path=path, lang=languages, psm=tesserocr.PSM.AUTO)
        self._osd = None
        self._osd_path = path

    def recognize(self, gray: np.ndarray, dpi: float) -> OcrResult:
        """Recognise an upright greyscale page; words carry pixel boxes and line numbers."""
        tess = self._tesserocr
        api = self._api
        gray = np.ascontiguousarray(gray)
        h, w = gray.shape
        api.SetImageBytes(gray.tobytes(), w, h, 1, w)
        api.SetSourceResolution(int(round(dpi)))
        api.Recognize()
        words: list[Word] = []
        positions: list[int] = []   # each word's place among the result's words (for its glyphs)
        position = 0
        line = -1
        iterator = api.GetIterator()
        level = tess.RIL.WORD
        if iterator is not None:
            while True:
                if iterator.Empty(level):
                    if not iterator.Next(level):
                        break
                    continue
                if iterator.IsAtBeginningOf(tess.RIL.TEXTLINE):
                    line += 1
                text = (iterator.GetUTF8Text(level) or "").strip()
                box = iterator.BoundingBox(level)
                if text and box:
                    words.append(Word(text, tuple(float(v) for v in box), float(iterator.Confidence(level)), max(line, 0)))
                    positions.append(position)
                position += 1
                if not iterator.Next(level):
                    break
            _add_glyphs(words, positions, position, self._glyphs(api))
        text = api.GetUTF8Text() or ""
        confidence = float(np.mean([w.confidence for w in words])) if words else 0.0
        api.Clear()
        return OcrResult(_tidy(text), words, confidence)

    def _glyphs(self, api) -> list[list[tuple[str, float]]]:
        """The characters of each of the result's words with their confidences, in word order."""
        tess = self._tesserocr
        level = tess.RIL.SYMBOL
        found: list[list[tuple[str, float]]] = []
        iterator = api.GetIterator()
        while iterator is not None:
            if not iterator.Empty(level):
                if iterator.IsAtBeginningOf(tess.RIL.WORD) or not found:
                    found.append([])
                found[-1].append((iterator.GetUTF8Text(level) or "", float(iterator.Confidence(level))))
            if not iterator.Next(level):
                break
        return found

    def detect_orientation(self, gray: np.ndarray, dpi: float) -> tuple[int, float]:
        """Tesseract OSD: (degrees clockwise to turn the page upright, confidence). Costly: call rarely."""
        tess = self._tesserocr
        if self._osd is None:
            self._osd = tess.PyTessBaseAPI(path=self._osd_path, lang="osd", psm=tess.PSM.OSD_ONLY)
        gray = np.ascontiguousarray(gray)
        h, w = gray.shape
        self._osd.SetImageBytes(gray.tobytes(), w, h, 1, w)
        self._osd.SetSourceResolution(int(round(dpi)))
        try:
            result = self._osd.DetectOrientationScript()
        except RuntimeError:
            return 0, 0.0
        finally:
            self._osd.Clear()
        if not result:
            return 0, 0.0
        # orient_deg is how far the content is turned clockwise; undoing it turns the rest of the circle.
        return (360 - int(result["orient_deg"])) % 360, float(result["orient_conf"])


# The characters of a machine-readable zone (ICAO 9303); no dictionary: MRZ lines are not words.
MRZ_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"


class MrzReader:
    """Tesseract restricted to the MRZ alphabet, reading a cut-out band of MRZ lines as one block.

    No OCR-B model ships with Debian; the English model with the alphabet whitelisted reads the
    enlarged band well enough for the check digits to decide."""

    def __init__(self):
        import tesserocr

        path = tessdata_dir()
        language = "eng" if Path(path, "eng.traineddata").exists() else "deu"
        self._api = tesserocr.PyTessBaseAPI(path=path, lang=language, psm=tesserocr.PSM.SINGLE_BLOCK, variables={
            "tessedit_char_whitelist": MRZ_ALPHABET, "load_system_dawg": "F", "load_freq_dawg": "F"})

    def read_mrz(self, gray: np.ndarray, dpi: float) -> str:
        gray = np.ascontiguousarray(gray)
        h, w = gray.shape
        self._api.SetImageBytes(gray.tobytes(), w, h, 1, w)
        self._api.SetSourceResolution(int(round(dpi)))
        text = self._api.GetUTF8Text() or ""
        self._api.Clear()
        return _tidy(text)


_mrz_reader: list[MrzReader] = []


def mrz_reader() -> MrzReader:
    """The process-wide MrzReader, created on first use (only pages with an MRZ-like line need it)."""
    if not _mrz_reader:
        _mrz_reader.append(MrzReader())
    return _mrz_reader[0]


def _add_glyphs(words: list[Word], positions: list[int], count: int, glyphs: list[list[tuple[str, float]]]) -> None:
    """Give each word with a digit its characters' confidences, where the result's *count* words and
    *glyphs* line up and a word's characters are its text one for one (else it keeps none: a confidence
    is never put on the wrong character)."""
    if len(glyphs) != count:
        return
    for word, at in zip(words, positions):
        if at < len(glyphs) and any(ch.isdigit() for ch in word.text):
            chars = glyphs[at]
            if "".join(ch for ch, _ in chars) == word.text and all(len(ch) == 1 for ch, _ in chars):
                word.glyphs = tuple(round(c, 1) for _, c in chars)


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.replace("\f", "").splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


_recognizers: dict[str, Recognizer] = {}


def recognizer(languages: str) -> Recognizer:
    """The process-wide Recognizer for *languages*, created on first use."""
    if languages not in _recognizers:
        _recognizers[languages] = Recognizer(languages)
    return _recognizers[languages]
