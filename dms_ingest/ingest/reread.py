"""A second, closer look at a case-number label whose number the page's OCR could not read.

On a 200-dpi scan, a fax or a strongly compressed JPEG, Tesseract often reads the label
("Aktenzeichen", "Az.", "Ihr Zeichen") and garbles the small digits after it. Case matching then
has to send the page to review although a person reads the number at a glance. So, only for lines
with such a label and no valid number, the line is cut out of the page image, enlarged, levelled
and read once more; a reading that holds a valid case number replaces the garbled line in the page
text. Pages without such a line cost nothing extra.
"""

from __future__ import annotations

import datetime as dt

import cv2
import numpy as np

from ..classifiers.case_numbers import CaseNumberPattern, case_label_end, find_case_numbers, find_malformed_case_numbers
from ..classifiers.persons import find_birth_dates, unread_birth_date
from .document import Page, Word

# Read the cut-out line as if scanned at this resolution (Tesseract reads small digits best at ~300-400 dpi x-height).
_TARGET_DPI = 450
_MAX_LINES = 3
# White margin around a cut-out line: Tesseract finds a line better with room around it.
MARGIN = 24


def word_lines(words: list[Word]) -> list[list[Word]]:
    """The page's words grouped by OCR line, each line left to right."""
    by_line: dict[int, list[Word]] = {}
    for word in words:
        by_line.setdefault(word.line, []).append(word)
    return [sorted(ws, key=lambda w: w.box[0]) for _, ws in sorted(by_line.items())]


def _digit_like(text: str) -> int:
    return sum(ch.isdigit() or ch in "OoIlSBZ" for ch in text)


def _reference(line: str, following: str, pattern: CaseNumberPattern) -> str | None:
    """The text that should hold the labelled case number: the label's line, or the next line when the
    label ends its line ("Aktenzeichen" above the number); None when there is no label."""
    end = case_label_end(line)
    if end is None:
        return None
    return line if _digit_like(line[end:]) >= pattern.year_digits else line + "\n" + following


def _needs_reread(text: str, pattern: CaseNumberPattern) -> bool:
    """Something number-like after the label that did not read as a valid case number."""
    if find_malformed_case_numbers(text, pattern):
        return True
    hits = find_case_numbers(text, pattern)
    if hits:
        return all(h.split for h in hits)  # a space inside the serial: digits may belong elsewhere
    end = case_label_end(text) or 0
    return _digit_like(text[end:end + 40]) >= pattern.year_digits + 2


def _crop(gray: np.ndarray, line: list[Word]) -> np.ndarray:
    """The line of the label, to the right edge of the page (the number may not have been seen as words)."""
    x0 = min(w.box[0] for w in line)
    y0 = min(w.box[1] for w in line)
    y1 = max(w.box[3] for w in line)
    height = max(8.0, y1 - y0)
    top, bottom = int(max(0, y0 - 0.3 * height)), int(min(gray.shape[0], y1 + 0.3 * height))
    left = int(max(0, x0 - height))
    return gray[top:bottom, left:]


def enlarged(crop: np.ndarray, dpi: float, target_dpi: float = _TARGET_DPI) -> list[tuple[np.ndarray, float]]:
    """The cut-out line enlarged to *target_dpi*, once as it is and once levelled to black and white (Otsu)."""
    scale = max(1.0, min(4.0, target_dpi / max(dpi, 50.0)))
    # Stretch faint ink (light toner, JPEG, blur) to the full range first.
    dark, light = np.percentile(crop, 1), np.percentile(crop, 90)
    if light - dark > 20:
        crop = np.clip((crop.astype(np.float32) - dark) * (255.0 / (light - dark)), 0, 255).astype(np.uint8)
    big = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC) if scale > 1 else crop
    _, levelled = cv2.threshold(cv2.GaussianBlur(big, (3, 3), 0), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return [(cv2.copyMakeBorder(image, MARGIN, MARGIN, MARGIN, MARGIN, cv2.BORDER_CONSTANT, value=255), dpi * scale)
            for image in (big, levelled)]


# A dust speck is a round blot of ink clearly thicker than the line's strokes (their half-width being
# the typical depth of ink along the strokes' middles); a bold stroke is as thick but long.
_SPECK_DEPTH = 1.7


def without_specks(crop: np.ndarray) -> np.ndarray | None:
    """The cut-out line with its dust specks filled in from the paper and strokes around them, or None
    when it has none.

    A speck touching a digit joins it to its neighbour ("1958" read as "1938" or "1998"). Painted
    white, it would take the strokes under it along ("1953"); filled in from its surroundings
    (inpainting), the strokes it covered are mostly continued.
    """
    _, ink = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    depth = cv2.distanceTransform(ink, cv2.DIST_L2, 5)
    middles = depth[(depth > 0) & (depth >= cv2.dilate(depth, np.ones((3, 3), np.uint8)))]
    if middles.size == 0:
        return None
    count, labels, stats, _ = cv2.connectedComponentsWithStats(
        (depth > _SPECK_DEPTH * float(np.median(middles))).astype(np.uint8))
    specks = np.zeros_like(ink)
    for k in range(1, count):
        radius = float(depth[labels == k].max())
        if max(stats[k][2], stats[k][3]) > radius + 2:
            continue  # a long thick core: a bold stroke, not a blot
        reach = 2 * int(np.ceil(radius)) + 1
        core = (labels == k).astype(np.uint8)
        specks |= cv2.dilate(core, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (reach, reach)))
    return cv2.inpaint(crop, specks, 3, cv2.INPAINT_TELEA) if specks.any() else None


def reread_case_labels(page: Page, gray: np.ndarray, ocr, pattern: CaseNumberPattern) -> list[str]:
    """Re-read label lines without a valid case number at a larger scale; fix page.text. Returns the new lines."""
    fixed: list[str] = []
    lines = word_lines(page.words)
    for k, line in enumerate(lines):
        line_text = " ".join(w.text for w in line)
        following = " ".join(w.text for w in lines[k + 1]) if k + 1 < len(lines) else ""
        reference = _reference(line_text, following, pattern)
        if reference is None or not _needs_reread(reference, pattern):
            continue
        if len(fixed) >= _MAX_LINES:
            break
        both = reference != line_text
        crop = _crop(gray, line + (lines[k + 1] if both else []))
        if crop.size == 0:
            continue
        readings = [" ".join(ocr.recognize(image, dpi).text.split()) for image, dpi in enlarged(crop, page.dpi)]
        numbers = [{h.canonical for h in find_case_numbers(r, pattern) if h.certain} for r in readings]
        found = set().union(*numbers)
        # Both readings must not disagree, and the one used must be clean.
        usable = [r for r, n in zip(readings, numbers) if len(n) == 1 and not find_malformed_case_numbers(r, pattern)]
        if len(found) != 1 or not usable:
            continue
        reading = usable[0]
        before = {h.canonical for h in find_case_numbers(reference, pattern)}
        # A different number than the first reading's guess: keep both, so that matching sees the conflict.
        page.text = replace_lines(page.text, [line_text] + ([following] if both else []), reading,
                                   keep=bool(before - found))
        fixed.append(reading)
    return fixed


def replace_lines(text: str, old: list[str], new: str, *, keep: bool) -> str:
    """*new* in place of the text lines whose words are *old*'s (with *keep*, or when not found: added after)."""
    lines = text.split("\n")
    wanted = [o.split() for o in old]
    for i in range(len(lines)):
        if [line.split() for line in lines[i:i + len(wanted)]] == wanted and not keep:
            return "\n".join(lines[:i] + [new] + lines[i + len(wanted):])
    return text + "\n" + new


def reread_birth_dates(page: Page, gray: np.ndarray, ocr) -> list[tuple[dt.date | None, dt.date]]:
    """Read each line with a labelled date of birth once more, enlarged and two ways.

    When both readings agree on one date other than the page's first reading (None: the label's
    digits gave no valid date), the pair (first reading, re-reading) is kept in page.birth_rereads;
    the page text stays as read. Matching uses a pair only for a registry person named exactly whose
    birthday is the re-reading and, if the page read a date, one digit away from it (matching.py):
    a speck on a digit ("1938" for "1958") then no longer sends the page to review, a re-reading
    alone never names anyone, and a re-reading against the page's date puts that date in doubt.
    """
    lines = word_lines(page.words)
    found: list[tuple[dt.date | None, dt.date]] = []
    attempts = 0
    for k in range(len(lines)):
        if attempts >= _MAX_LINES:
            break
        birth_line = _birth_line(lines, k)
        if birth_line is None:
            continue
        words, first = birth_line
        crop = _crop(gray, words)
        if crop.size == 0:
            continue
        attempts += 1
        again = _read_date_again(crop, page.dpi, ocr, first)
        if again is not None and again != first:
            found.append((first, again))
    page.birth_rereads = found
    return found


def _birth_line(lines: list[list[Word]], k: int) -> tuple[list[Word], dt.date | None] | None:
    """What to cut out for line *k*'s labelled date of birth (with the label's line above when the date
    stands below it) and the date as first read (None: digits after the label that are no valid date);
    None when the line holds no labelled date of birth, or more than one."""
    line = lines[k]
    line_text = " ".join(w.text for w in line)
    # The label may stand on the line above the date ("Geburtsdatum:" over "24.06.1958").
    for context in ([], lines[k - 1] if k else []):
        text = " ".join(w.text for w in context + line)
        dates = [h for h in find_birth_dates(text) if h.span[0] >= len(text) - len(line_text)]
        if dates:
            return (context + line, dates[0].date) if len(dates) == 1 else None
    return (line, None) if unread_birth_date(line_text) else None


def _read_date_again(crop: np.ndarray, dpi: float, ocr, first: dt.date | None) -> dt.date | None:
    """The one date of birth the enlarged readings of the cut-out line agree on, or None.

    Unless both confirm the page's *first* reading, a line with dust specks is also read with them
    filled in; that pair decides unless the pair as scanned agrees on another date (then nothing is sure).
    """
    as_cut = _agreed_birth_date(crop, dpi, ocr)
    if as_cut is not None and as_cut == first:
        return as_cut
    clean = without_specks(crop)
    cleaned = _agreed_birth_date(clean, dpi, ocr) if clean is not None else None
    if cleaned is None:
        return as_cut
    return cleaned if as_cut in (None, cleaned) else None


def _agreed_birth_date(crop: np.ndarray, dpi: float, ocr) -> dt.date | None:
    """The date both enlarged readings (as it is, levelled) find after a birth label, one each and the same."""
    readings = [find_birth_dates(" ".join(ocr.recognize(image, scaled).text.split()))
                for image, scaled in enlarged(crop, dpi)]
    dates = {h.date for hits in readings for h in hits}
    return dates.pop() if len(dates) == 1 and all(len(hits) == 1 for hits in readings) else None
