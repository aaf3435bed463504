"""A second OCR look at the lines that carry a document's fields when OCR was unsure of them.

Tesseract reading a whole page is often unsure of a bold letterhead or of a line on a noisy band
("Autohaus Brandt KG" at 71 %), and a field read from words below the confidence bar is unread.
Read alone, cut out and enlarged, the same line mostly comes out sure (96 %). So, for the few lines
of a page that may hold a field value (`fields.reading.carries_field`) and hold a doubtful word,
the line is read again, alone and enlarged, as it is and levelled (the machinery of reread.py), and
at another scale both ways when those two disagree or leave a word doubtful; specks at the line's
ends do not count. The text most readings give wins
(at least two, and more than any other text):

- it is what the page said: independent readings agree, and each word takes the better of its page
  confidence and the second surest agreeing re-reading's (two re-readings were at least that sure);
- it is another text: the line is replaced by it (text and words), with those confidences - the
  extractors' bar still applies;
- otherwise nothing changes. Nothing is ever guessed: a value still needs a sure reading.
"""

from __future__ import annotations

import re

import cv2
import numpy as np

from ..classifiers.case_numbers import case_label_end
from ..classifiers.persons import find_birth_dates
from ..fields.reading import carries_field, misread_date
from .document import Page, Word
from .reread import MARGIN, enlarged, replace_lines, word_lines

_DOUBT = 80.0          # a word below this confidence is worth the second look
# In the letterhead, more: its company or insurer is taken whole, no vocabulary checks a slip there
# (a lost umlaut at 84 %, "Metallbau Kruger GmbH", seed 59).
_LETTERHEAD_DOUBT = 90.0
_TARGET_DPI = 450
_OTHER_DPI = (300, 600)  # another scale: a second pair of readings for a line left doubtful
_MAX_LINES = 6         # per page: the cost stays a few small crops
_LETTERHEAD = 3        # the page's first lines: who wrote it
_READABLE_PAGE = 60.0  # below this mean confidence the page was read as noise (upside down, a photo): no field lines


def _doubtful(line: list[Word], doubt: float = _DOUBT) -> bool:
    return any(w.confidence < doubt and sum(ch.isalnum() for ch in w.text) >= 2 for w in line)


def _crop(gray: np.ndarray, line: list[Word]) -> tuple[np.ndarray, int, int]:
    """The line's words with a margin of a line height (left, top of the crop in page pixels)."""
    x0, x1 = min(w.box[0] for w in line), max(w.box[2] for w in line)
    y0, y1 = min(w.box[1] for w in line), max(w.box[3] for w in line)
    height = max(8.0, y1 - y0)
    top, bottom = int(max(0, y0 - 0.3 * height)), int(min(gray.shape[0], y1 + 0.3 * height))
    left, right = int(max(0, x0 - height)), int(min(gray.shape[1], x1 + height))
    return _without_neighbours(gray[top:bottom, left:right]), left, top


def _without_neighbours(crop: np.ndarray) -> np.ndarray:
    """The crop with the ink that the margin cut from the lines above and below whitened: every stroke
    touching its top or bottom edge (the line's own words stand a margin away from both). Where lines
    stand close, their halves otherwise join the reading as a line of noise ("wwe gummi oe ...")."""
    if crop.size == 0:
        return crop
    _, ink = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    top, height = stats[:, cv2.CC_STAT_TOP], stats[:, cv2.CC_STAT_HEIGHT]
    cut = np.flatnonzero((top == 0) | (top + height >= crop.shape[0]))
    cut = cut[cut > 0]   # label 0 is the paper
    if not cut.size:
        return crop
    clean = crop.copy()
    clean[np.isin(labels, cut)] = 255
    return clean


def _middle_line(words: list[Word], height: int) -> list[Word]:
    """The words of the line the crop was cut around: the longest line standing in the crop's middle
    half (the margin may catch a neighbour's edge above or below)."""
    lines = word_lines(words)
    middle = [ws for ws in lines if height / 4 <= sum(w.box[1] + w.box[3] for w in ws) / (2 * len(ws)) <= 3 * height / 4]
    return max(middle, key=lambda ws: sum(len(w.text) for w in ws)) if middle else []


def _candidates(lines: list[list[Word]]) -> list[int]:
    """The lines to look at again: those with a doubtful word that are the letterhead (the page's first
    lines: company, insurer, authority) or may hold a field; the letterhead first, then the least sure."""
    texts = [" ".join(w.text for w in line) for line in lines]
    # Case-number and birth-date lines are reread.py's: they decide whose file a page goes into, and
    # there a closer look may only add a reading that matching weighs against the registry, never
    # replace what the page said.
    head = _letterhead(texts)
    chosen = [k for k, line in enumerate(lines)
              if (_doubtful(line, _LETTERHEAD_DOUBT if k in head else _DOUBT) or misread_date(texts[k]))
              and case_label_end(texts[k]) is None
              and not _holds_birth_date(texts, k) and (k in head or carries_field(texts[k]))]
    return sorted(chosen, key=lambda k: (k not in head, min(w.confidence for w in lines[k])))[:_MAX_LINES]


def _letterhead(texts: list[str]) -> set[int]:
    """The page's first lines of substance: specks read as lines and a case-number stamp skipped."""
    substantial = [k for k, text in enumerate(texts) if sum(ch.isalnum() for ch in text) >= 3
                   and case_label_end(text) is None]
    return set(substantial[:_LETTERHEAD])


def _holds_birth_date(texts: list[str], k: int) -> bool:
    """The line holds a labelled date of birth (the label on it or on the line above)."""
    above = texts[k - 1] + " " if k else ""
    return any(hit.span[0] >= len(above) for hit in find_birth_dates(above + texts[k]))


def _substance(words: list[Word]) -> list[Word]:
    """The words without the specks at the line's ends ("_", ".", "~"): they hold no value."""
    keep = [k for k, w in enumerate(words) if any(ch.isalnum() for ch in w.text)]
    return words[keep[0]:keep[-1] + 1] if keep else []


def _readings(crop: np.ndarray, dpi: float, ocr) -> list[tuple[list[Word], float]]:
    """The line read alone: enlarged as it is and levelled. When those two disagree or leave a word
    doubtful (a speck on a date's dot or above a letter, a neighbour's descender in the margin), it is
    read at another scale both ways too, so that two sure readings may decide. Each: (words, scale
    from page pixels)."""
    readings = [_read(image, scaled_dpi, dpi, ocr) for image, scaled_dpi in enlarged(crop, dpi, _TARGET_DPI)]
    if _texts_agree(readings) and not any(_doubtful(words) for words, _ in readings):
        return readings
    return readings + [_read(image, scaled_dpi, dpi, ocr) for image, scaled_dpi in _other_scale(crop, dpi, readings[0][1])]


def _read(image: np.ndarray, scaled_dpi: float, dpi: float, ocr) -> tuple[list[Word], float]:
    return _substance(_middle_line(ocr.recognize(image, scaled_dpi).words, image.shape[0])), scaled_dpi / dpi


def _other_scale(crop: np.ndarray, dpi: float, scale: float) -> list[tuple[np.ndarray, float]]:
    """The line enlarged to another scale than *scale* (as it is, levelled): the same image read twice
    would agree with itself and prove nothing. Nothing when no other scale is left (a page scanned
    finer than both targets is never shrunk)."""
    for target in _OTHER_DPI:
        variants = enlarged(crop, dpi, target)
        if abs(variants[0][1] / dpi - scale) > 0.05:
            return variants
    return []


_FOLD = str.maketrans("äöüÄÖÜéèêáàóòíìúù", "aouAOUeeeaaooiiuu")


def _agreement_key(words: list[Word]) -> str:
    """What two readings must share to agree: their letters and digits in order. Where OCR put the spaces
    ("07. 05. 2016." / "07.05.2016."), specks glued to a word, lost umlaut dots or a speck read as an
    accent ("Bégrenzung"), and which of '.', ':', ',' or '°' a speck made of a date's separator
    ("31:01.2021", the date the same) do not count."""
    joined = re.sub(r"(?<=\d)°(?=\d)", ".", "".join(w.text for w in words))
    joined = re.sub(r"[^\w.,:/-]|_", "", joined).translate(_FOLD).strip(".,:/-")
    return _DATE_SEPARATORS.sub(r"\1.\2.\3", joined)


# A date's digit groups with whatever separators OCR made of its dots.
_DATE_SEPARATORS = re.compile(r"(?<!\d)(\d{1,2})[.:,](\d{1,2})[.:,]((?:19|20)\d{2})(?!\d)")


_UMLAUT_DOTS = str.maketrans("äöüÄÖÜ", "aouAOU")


def _umlauts_regained(own: list[Word], agreeing) -> dict[int, str]:
    """The page's words (by id) whose umlaut dots the page lost and every agreeing re-reading has, read
    alike word for word ("Kruger" on the page at 84 %, "Krüger" twice enlarged, seed 59): the
    agreement key does not see the dots, the enlarged line does. An accent only the re-readings have
    may be a speck and stays out."""
    texts = {tuple(w.text for w in words) for words, _ in agreeing}
    if len(texts) != 1:
        return {}
    (reading,) = texts
    if len(reading) != len(own):
        return {}
    return {id(w): text for w, text in zip(own, reading)
            if text != w.text and text.translate(_UMLAUT_DOTS) == w.text}


def _texts_agree(readings) -> bool:
    return len({_agreement_key(words) for words, _ in readings}) == 1


def _sureness(agreeing: list[tuple[list[Word], float]]) -> list[float]:
    """Each word's confidence by the readings that agree (the first reading's words): the second surest of
    its readings - two readings at least that sure said it - where all split the line alike, else the
    line's least sure word of those two readings for every word."""
    first = agreeing[0][0]
    if all(len(words) == len(first) for words, _ in agreeing):
        return [_second_best([words[i].confidence for words, _ in agreeing]) for i in range(len(first))]
    return [_second_best([min((w.confidence for w in words), default=0.0) for words, _ in agreeing])] * len(first)


def _agreed_glyphs(agreeing: list[tuple[list[Word], float]], i: int) -> tuple[float, ...] | None:
    """Word *i*'s characters' confidences by the readings that agree, each the second surest (as
    `_sureness` for words); None unless every reading read that word alike, with its characters'."""
    words = [ws[i] if i < len(ws) else None for ws, _ in agreeing]
    if any(w is None or w.glyphs is None or w.text != words[0].text for w in words):
        return None
    return tuple(_second_best([w.glyphs[c] for w in words]) for c in range(len(words[0].text)))


def _second_best(values: list[float]) -> float:
    return sorted(values, reverse=True)[1] if len(values) > 1 else min(values)


def reread_field_lines(page: Page, gray: np.ndarray, ocr) -> int:
    """Read doubtful field lines again (see above); returns how many lines were confirmed or replaced."""
    if page.ocr_confidence is None or page.ocr_confidence < _READABLE_PAGE:
        return 0
    lines = word_lines(page.words)
    changed: dict[int, list[Word]] = {}
    for k in _candidates(lines):
        line = lines[k]
        crop, left, top = _crop(gray, line)
        if crop.size == 0:
            continue
        readings = _readings(crop, page.dpi, ocr)
        votes: dict[str, list] = {}
        for words, scale in readings:
            votes.setdefault(_agreement_key(words), []).append((words, scale))
        key, agreeing = max(votes.items(), key=lambda item: len(item[1]))
        if not key or len(agreeing) < 2 or sum(len(v) == len(agreeing) for v in votes.values()) > 1:
            continue   # no two readings agree, or as many say another text
        sure = _sureness(agreeing)
        if _agreement_key(_substance(line)) == key:
            own = _substance(line)
            if len(own) != len(sure):
                sure = [min(sure)] * len(own)   # split differently by OCR: the line's least sure word
            better = {id(w): max(w.confidence, c) for w, c in zip(own, sure)}
            dotted = _umlauts_regained(own, agreeing)
            old = [w.text for w in line]
            if dotted and any(row.split() == old for row in page.text.split("\n")):
                page.text = replace_lines(page.text, [" ".join(old)], " ".join(dotted.get(id(w), w.text) for w in line),
                                          keep=False)
            else:
                dotted = {}
            changed[k] = [Word(dotted.get(id(w), w.text), w.box, better.get(id(w), w.confidence), w.line,
                               w.glyphs if id(w) not in dotted else None) for w in line]
            continue
        old = [w.text for w in line]
        if not any(row.split() == old for row in page.text.split("\n")):
            continue  # the line is not in the page text as OCR's words have it: leave both alone
        words, scale = agreeing[0]
        page.text = replace_lines(page.text, [" ".join(old)], " ".join(w.text for w in words), keep=False)
        # Boxes back into page pixels: the crop's white margin and the enlargement undone.
        changed[k] = [Word(w.text, tuple(origin + (v - MARGIN) / scale for origin, v in zip((left, top, left, top), w.box)),
                           c, line[0].line, _agreed_glyphs(agreeing, i)) for i, (w, c) in enumerate(zip(words, sure))]
    if changed:
        page.words = [w for k, line in enumerate(lines) for w in changed.get(k, line)]
    return len(changed)
