"""A recipient address a clerk typed for the letter (when the case file has none, or an outdated one).

The text is untrusted: it is read into at most five lines (with the name, the six lines of the
DIN 5008 address zone), each of characters the letter's font draws and the PDF's text layer keeps
(no control or format characters, nothing outside the Basic Multilingual Plane), each narrow enough
to stay inside the envelope window. Anything else is refused with one line saying what and where;
nothing is silently dropped or cut, since a letter must reach the person.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .letter import FONT_DIR, MARGIN_LEFT, body_font

MAX_LINES = 5
MAX_TEXT = 500                          # characters of the whole typed text, before it is read
# The window of a DIN 5008 form B envelope (DIN C6/5, DL): 20-105 mm from the left edge, at 300 dpi.
WINDOW_RIGHT_PX = round(105 / 25.4 * 300)
_SEPARATORS = re.compile(r"[\r\n,]")


class BadAddress(ValueError):
    """A typed address that cannot go into the letter: str() in English (CLI, API), `german` for a page."""

    def __init__(self, message: str, german: str):
        super().__init__(message)
        self.german = german


@lru_cache(maxsize=1)
def _drawable() -> frozenset[int]:
    """The characters the letter's font has a glyph for (others would print as empty boxes)."""
    from fontTools.ttLib import TTFont

    return frozenset(TTFont(str(FONT_DIR / "DejaVuSans.ttf"), lazy=True).getBestCmap())


def _bad_character(line: str) -> str | None:
    for char in line:
        code = ord(char)
        if char == "\t":
            continue
        if unicodedata.category(char)[0] == "C" or code > 0xFFFF or code not in _drawable():
            return f"U+{code:04X}"
    return None


def typed_address(given: str | list[str]) -> list[str]:
    """The address lines of *given* (one text or several; lines split at newlines and commas:
    "Gartenstraße 14, 21904 Elbhausen"), blanks dropped, spaces collapsed; BadAddress if it cannot
    go into the letter as it is."""
    text = "\n".join(given) if isinstance(given, list) else given
    if len(text) > MAX_TEXT:
        raise BadAddress(f"the address is {len(text)} characters long; at most {MAX_TEXT} are read",
                         f"Die Anschrift ist zu lang (höchstens {MAX_TEXT} Zeichen).")
    lines = []
    for piece in _SEPARATORS.split(unicodedata.normalize("NFC", text)):
        bad = _bad_character(piece)
        if bad:
            raise BadAddress(f"address line {len(lines) + 1} holds a character that cannot be printed ({bad})",
                             f"Zeile {len(lines) + 1} der Anschrift enthält ein Zeichen, das nicht gedruckt "
                             f"werden kann ({bad}).")
        line = " ".join(piece.split())
        if line:
            lines.append(line)
    if not lines:
        raise BadAddress("the address is empty", "Die Anschrift ist leer.")
    if len(lines) > MAX_LINES:
        raise BadAddress(f"the address has {len(lines)} lines; at most {MAX_LINES} fit the envelope window "
                         f"under the name", f"Die Anschrift hat {len(lines)} Zeilen; unter den Namen passen "
                                            f"höchstens {MAX_LINES} in das Sichtfenster.")
    font = body_font()
    for number, line in enumerate(lines, start=1):
        if MARGIN_LEFT + font.getlength(line) > WINDOW_RIGHT_PX:
            raise BadAddress(f"address line {number} is too wide for the envelope window; split it at a comma",
                             f"Zeile {number} der Anschrift ist zu breit für das Sichtfenster; bitte mit "
                             f"einem Komma teilen.")
    return lines
