"""A second OCR look at the lines that carry a document's fields when OCR was unsure of them.

Tesseract reading a whole page is often unsure of a bold letterhead or of a line on a noisy band
("Autohaus Brandt KG" at 71 %), and a field read from words below the confidence bar is unread.
Read alone, cut out and enlarged, the same line mostly comes out sure (96 %). So, for the few lines
of a page that may hold a field value (`fields.reading.carries_field`) and hold a doubtful word,
the line is read again twice (as it is and levelled, the machinery of reread.py):

- both readings say what the page said: two independent readings agree, and each word takes the
  better of its page confidence and the weaker re-reading's;
- both readings agree with each other on another text, on one line: the line is replaced by it
  (text and words), with the weaker re-reading's confidences - the extractors' bar still applies;
- otherwise nothing changes. Nothing is ever guessed: a value still needs a sure reading.
"""

from __future__ import annotations

import numpy as np

from ..fields.reading import carries_field
from .document import Page, Word
from .reread import MARGIN, enlarged, replace_lines, word_lines

_DOUBT = 80.0          # a word below this confidence is worth the second look
_TARGET_DPI = 450
_MAX_LINES = 4         # per page: the cost stays a few small crops


def _doubtful(line: list[Word]) -> bool:
    return any(w.confidence < _DOUBT and sum(ch.isalnum() for ch in w.text) >= 2 for w in line)


def _crop(gray: np.ndarray, line: list[Word]) -> tuple[np.ndarray, int, int]:
    """The line's words with a margin of a line height (left, top of the crop in page pixels)."""
    x0, x1 = min(w.box[0] for w in line), max(w.box[2] for w in line)
    y0, y1 = min(w.box[1] for w in line), max(w.box[3] for w in line)
    height = max(8.0, y1 - y0)
    top, bottom = int(max(0, y0 - 0.3 * height)), int(min(gray.shape[0], y1 + 0.3 * height))
    left, right = int(max(0, x0 - height)), int(min(gray.shape[1], x1 + height))
    return gray[top:bottom, left:right], left, top


def _middle_line(words: list[Word], height: int) -> list[Word]:
    """The words of the line the crop was cut around: the crop's margin may catch a neighbour's edge."""
    lines = word_lines(words)
    if not lines:
        return []
    middle = height / 2
    return min(lines, key=lambda ws: abs(sum(w.box[1] + w.box[3] for w in ws) / (2 * len(ws)) - middle))


def _candidates(lines: list[list[Word]]) -> list[int]:
    """The lines to look at again: field lines with a doubtful word, the page's first lines (letterhead) first."""
    chosen = [k for k, line in enumerate(lines) if _doubtful(line) and carries_field(" ".join(w.text for w in line))]
    return sorted(chosen, key=lambda k: (k >= 3, min(w.confidence for w in lines[k])))[:_MAX_LINES]


def reread_field_lines(page: Page, gray: np.ndarray, ocr) -> int:
    """Read doubtful field lines again (see above); returns how many lines were confirmed or replaced."""
    lines = word_lines(page.words)
    changed: dict[int, list[Word]] = {}
    for k in _candidates(lines):
        line = lines[k]
        crop, left, top = _crop(gray, line)
        if crop.size == 0:
            continue
        readings = []
        for image, dpi in enlarged(crop, page.dpi, _TARGET_DPI):
            scale = dpi / page.dpi
            readings.append((_middle_line(ocr.recognize(image, dpi).words, image.shape[0]), scale))
        texts = [[w.text for w in words] for words, _ in readings]
        if not texts[0] or any(t != texts[0] for t in texts):
            continue
        sure = [min(ws[i].confidence for ws, _ in readings) for i in range(len(texts[0]))]
        old = [w.text for w in line]
        if texts[0] == old:
            changed[k] = [Word(w.text, w.box, max(w.confidence, c), w.line) for w, c in zip(line, sure)]
            continue
        if not any(row.split() == old for row in page.text.split("\n")):
            continue  # the line is not in the page text as OCR's words have it: leave both alone
        page.text = replace_lines(page.text, [" ".join(old)], " ".join(texts[0]), keep=False)
        words, scale = readings[0]
        # Boxes back into page pixels: the crop's white margin and the enlargement undone.
        changed[k] = [Word(w.text, tuple(origin + (v - MARGIN) / scale for origin, v in zip((left, top, left, top), w.box)),
                           c, line[0].line) for w, c in zip(words, sure)]
    if changed:
        page.words = [w for k, line in enumerate(lines) for w in changed.get(k, line)]
    return len(changed)
