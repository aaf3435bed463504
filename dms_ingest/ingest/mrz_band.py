"""A second, dedicated reading of a passport's machine-readable zone when the page's OCR garbled it.

The page's OCR reads the MRZ as German prose: at 200 dpi it drops fillers ('<'), reads a leading 'C'
as '(' or '€', an 'I' as 'l', and one wrong character fails a check digit, so number, expiry and
holder stay unread. Only on pages with an MRZ-like line whose check digits do not all pass, the band
of the two lines is cut out of the page image, enlarged and read again with the MRZ alphabet only
(A-Z, 0-9, '<'), as it is and levelled, upright and turned 180°. A reading is used only when every
check digit (and the composite) verifies, and no other verified reading disagrees; it then replaces
the garbled lines in the page text, so that type, case and fields all see it. Pages without such a
line cost nothing extra.
"""

from __future__ import annotations

import datetime as dt
import difflib
import itertools
import re
from typing import Protocol

import cv2
import numpy as np

from ..classifiers.mrz import LINE_LENGTH, MrzResult, find_mrz, parse_td3
from .document import Page, Word
from .reread import enlarged, word_lines

# Read the band as if scanned at this resolution: OCR-B's strokes are thin, small scans lose them.
_TARGET_DPI = 400
_MIN_FILLERS = 3
# The fields a second verified reading must agree on (the names carry no check digit).
_CHECKED = ("document_number", "date_of_birth", "expiry_date", "nationality", "optional_data")


class MrzLineReader(Protocol):
    def read_mrz(self, gray: np.ndarray, dpi: float) -> str:
        """The text of an image of MRZ lines, read with the MRZ alphabet only."""
        ...


def _mrz_like(text: str) -> bool:
    """A line that may be an MRZ line: long, without spaces worth a word, with filler runs."""
    compact = re.sub(r"\s+", "", text)
    fillers = compact.count("<") + 2 * compact.count("«") + len(re.findall(r"(?<=[<«])[cek]|[cek](?=[<«])", compact))
    return len(compact) >= 20 and fillers >= _MIN_FILLERS


def _is_line1(compact: str) -> bool:
    """Line 1 starts with 'P', a filler or type letter, and the issuing state (line 2 may start with 'P'
    too: a document number "P49140383")."""
    return bool(re.match(r"P[<A-Z][A-Z<]{3}", compact))


def _substantial(text: str) -> bool:
    """Not a speck OCR read as a line of its own ('.', ',')."""
    return bool(re.search(r"[A-Za-z0-9<]{3}", text))


def _band(lines: list[list[Word]], gray: np.ndarray) -> np.ndarray | None:
    """The strip of the page holding the MRZ: its MRZ-like lines (with the lines around a lone one)."""
    texts = [re.sub(r"\s+", "", " ".join(w.text for w in line)) for line in lines]
    found = [k for k, text in enumerate(texts) if _mrz_like(text)]
    if not found:
        return None
    last = found[-1]

    def top(k: int) -> float:
        return min(w.box[1] for w in lines[k])

    def middle(k: int) -> float:
        return (top(k) + max(w.box[3] for w in lines[k])) / 2

    height = max(8.0, max(w.box[3] for w in lines[last]) - top(last))
    chosen = [k for k in found if top(last) - top(k) <= 3 * height]
    if len(chosen) == 1:
        # The other line was not seen as MRZ-like: the nearest real lines above and below (specks skipped).
        for step in (-1, 1):
            k = last + step
            while 0 <= k < len(lines) and not _substantial(texts[k]):
                k += step
            # By the lines' middles: a line read as noise gets a box as tall as its specks ("een", 80 px).
            if 0 <= k < len(lines) and abs(middle(k) - middle(last)) <= 3 * height:
                chosen.append(k)
    words = [w for k in chosen for w in lines[k]]
    upper, lower = min(w.box[1] for w in words), max(w.box[3] for w in words)
    upper, lower = int(max(0, upper - 0.8 * height)), int(min(gray.shape[0], lower + 0.8 * height))
    return gray[upper:lower, :] if lower - upper >= 8 else None


def parse_band_text(text: str, today: dt.date) -> MrzResult | None:
    """The verified TD3 MRZ in a whitelisted reading of the band, or None.

    Line 1 is the line starting with 'P' that is followed by a line; its trailing fillers, which OCR
    drops freely, are put back (no check digit covers them, and the names end at the first run).
    """
    lines = [re.sub(r"\s+", "", _without_end_specks(line)) for line in text.splitlines()]
    # Line 1 loses its trailing fillers to OCR: a short name leaves a short line ("P<IRNMORADI<<AMIR<").
    lines = [line for line in lines if len(line) >= 12]
    for first, second in zip(lines, lines[1:]):
        if not first.startswith("P") or len(first) > LINE_LENGTH + 2:
            continue
        result = parse_td3(first[:LINE_LENGTH].ljust(LINE_LENGTH, "<"), second, today=today)
        if result is not None and result.valid:
            return result
    return None


def _without_end_specks(line: str) -> str:
    """The line without the specks read as letters beside it ("...<<<8 OS", seed 56): short words
    that a space parts from a line already long enough for an MRZ line, which holds no space."""
    words = line.split()
    while len(words) > 1 and len(words[-1]) <= 3 and len("".join(words[:-1])) >= LINE_LENGTH:
        words.pop()
    while len(words) > 1 and len(words[0]) <= 3 and len("".join(words[1:])) >= LINE_LENGTH:
        words.pop(0)
    return " ".join(words)


def _line1_key(line: str) -> tuple[str, str]:
    """(issuing state, names) of a line 1; the names end at the first run of 3+ fillers (names are
    joined by one or two, so what follows such a run is a speck, not a name)."""
    line = line.upper().ljust(LINE_LENGTH, "<")
    names = re.split(r"<{3,}", line[5:])[0].strip("<")
    return line[2:5], names


def _choose_line1(readings: list[str], nationality: str, page_text: str = "") -> str:
    """Line 1 as most readings have it. No check digit covers names, so the page's own reading and
    both band readings vote; a tie goes to the one whose names the data page prints as words (seed 56:
    "MEHD" in the band, "MEHDI" on the page and printed), then to the one whose issuing state is the
    holder's nationality."""
    keys = [_line1_key(r) for r in readings]
    printed = set(re.findall(r"[A-Z]+", page_text.upper()))

    def names_printed(key: tuple[str, str]) -> bool:
        return set(re.findall(r"[A-Z]+", key[1])) <= printed

    state, names = max(keys, key=lambda k: (keys.count(k), names_printed(k), k[0] == nationality.ljust(3, "<")))
    return ("P<" + state + names).ljust(LINE_LENGTH, "<")[:LINE_LENGTH]


def _page_line1_readings(text: str, today: dt.date) -> list[str]:
    """The page's own readings of line 1: of each MRZ it found, and MRZ-like rows that begin as line 1
    does even where line 2 below was too garbled to parse."""
    parsed = [m.lines[0] for m in find_mrz(text, today=today)]
    rows = [re.sub(r"\s+", "", row) for row in text.splitlines()]
    return parsed or [row for row in rows if _is_line1(row) and _mrz_like(row)]


def _printed_part(text: str) -> str:
    """The page's text without its MRZ-like rows: what the data page prints."""
    return "\n".join(row for row in text.splitlines() if not _mrz_like(row) and not _garbled_partner(row))


def _agree(a: MrzResult, b: MrzResult) -> bool:
    return all(getattr(a, name) == getattr(b, name) for name in _CHECKED)


def reread_mrz(page: Page, gray: np.ndarray, reader: MrzLineReader, *, today: dt.date | None = None) -> MrzResult | None:
    """Read a garbled MRZ again from the page image; on a verified reading fix page.text and return it."""
    if not page.text or "<" not in page.text and "«" not in page.text:
        return None
    today = today or dt.date.today()
    if any(m.valid for m in find_mrz(page.text, today=today)):
        return None
    lines = word_lines(page.words)
    band = _band(lines, gray)
    if band is None:
        return None
    verified: list[MrzResult] = []
    band_texts: list[str] = []
    for turned in (band, cv2.rotate(band, cv2.ROTATE_180)):
        for image, dpi in enlarged(turned, page.dpi, _TARGET_DPI):
            band_texts.append(reader.read_mrz(image, dpi))
            result = parse_band_text(band_texts[-1], today)
            if result is not None:
                verified.append(result)
        if verified:
            break  # upright read: the page is the right way up, the turned band would be noise
    if not verified:
        verified = cross_read(page.text, band_texts, today)
    if not verified or any(not _agree(verified[0], other) for other in verified[1:]):
        return None
    line1 = _choose_line1(_page_line1_readings(page.text, today) + [v.lines[0] for v in verified],
                          verified[0].nationality, _printed_part(page.text))
    result = parse_td3(line1, verified[0].lines[1], today=today)
    if result is None or not result.valid:
        return None
    page.text = _replace_mrz_lines(page.text, result.lines)
    return result


# Readings of line 2 that differ in more places than this are not one line read twice.
_MAX_DISAGREEMENTS = 4


def cross_read(page_text: str, band_texts: list[str], today: dt.date) -> list[MrzResult]:
    """The MRZ verified by combining readings of line 2 where no single one verifies: the page's and
    the band's readings, lined up character by character, each differing place taken from one reading
    or another ("U46562596..." in the band, whose last digit OCR lost, and "146562596...0" on the
    page). Every character comes from a reading; the check digits decide, and only when exactly one
    combination verifies (two that verify prove nothing)."""
    line1s = [line for text in band_texts for line in _band_lines(text) if line.startswith("P")]
    line1s += _page_line1_readings(page_text, today)
    seconds = [line for text in band_texts for line in _band_lines(text) if not _is_line1(line)]
    seconds += [_trim(row) for row in page_text.splitlines()
                if not _is_line1(re.sub(r"\s+", "", row)) and (_mrz_like(row) or _garbled_partner(row))]
    found: dict[str, MrzResult] = {}
    for base in {line for line in seconds if len(line) == LINE_LENGTH}:
        for line2 in _combinations(base, [other for other in seconds if other != base]):
            for line1 in dict.fromkeys(line1s):
                result = parse_td3(line1[:LINE_LENGTH].ljust(LINE_LENGTH, "<"), line2, today=today)
                if result is not None and result.valid:
                    found.setdefault(result.lines[1], result)
                    break
    return list(found.values()) if len(found) == 1 else []


def _band_lines(text: str) -> list[str]:
    return [line for line in (_trim(row) for row in text.splitlines()) if len(line) >= 30]


def _trim(row: str) -> str:
    """A line as an MRZ line: without spaces and the stray marks OCR put beside it ("_ 146562596...")."""
    line = re.sub(r"\s+", "", _without_end_specks(row))
    return re.sub(r"^[^A-Za-z0-9<«]+|[^A-Za-z0-9<«]+$", "", line)


def _combinations(base: str, others: list[str]) -> list[str]:
    """*base* with, at each place where another reading lined up against it reads another character,
    that character instead - every way of choosing, when the readings differ in few places."""
    choices: dict[int, set[str]] = {}
    for other in others:
        matcher = difflib.SequenceMatcher(None, base, other, autojunk=False)
        if sum(block.size for block in matcher.get_matching_blocks()) < LINE_LENGTH - _MAX_DISAGREEMENTS:
            continue  # another line, or noise
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "replace" and i2 - i1 == j2 - j1:
                for i, j in zip(range(i1, i2), range(j1, j2)):
                    choices.setdefault(i, {base[i]}).add(other[j])
    if len(choices) > _MAX_DISAGREEMENTS:
        return []
    places = sorted(choices)
    out = []
    for picked in itertools.product(*(sorted(choices[i]) for i in places)):
        chars = list(base)
        for i, ch in zip(places, picked):
            chars[i] = ch
        out.append("".join(chars))
    return out


def _garbled_partner(row: str) -> bool:
    """A row that may be the other MRZ line read without its fillers: long, upper case and digits."""
    compact = re.sub(r"\s+", "", row)
    return len(compact) >= 30 and sum(ch.isupper() or ch.isdigit() for ch in compact) >= 0.8 * len(compact)


def _replace_mrz_lines(text: str, mrz_lines: tuple[str, str]) -> str:
    """Put the verified lines where the garbled MRZ lines stood (else at the end); specks between go too."""
    rows = text.split("\n")
    real = [k for k, row in enumerate(rows) if _substantial(row)]
    marked = [i for i, k in enumerate(real) if _mrz_like(rows[k])]
    if not marked:
        return text + "\n" + "\n".join(mrz_lines)
    last = marked[-1]
    chosen = [i for i in marked if last - i <= 1]
    if len(chosen) == 1:
        # A lone MRZ-like row: its partner is the next row after line 1, the previous one before line 2.
        partner = last + 1 if _is_line1(re.sub(r"\s+", "", rows[real[last]])) else last - 1
        if 0 <= partner < len(real) and _garbled_partner(rows[real[partner]]):
            chosen.append(partner)
    start, end = real[min(chosen)], real[max(chosen)] + 1
    return "\n".join(rows[:start] + list(mrz_lines) + rows[end:])
