"""The ticked purpose on an application form: which application the person is making.

Tick marks come out of OCR as "[x]", "[X]", "X", "☒", "(x)" and the like. A box with a cross drawn
in it is often dropped by OCR altogether, while the empty boxes of the same list come out as "LJ",
"L]", "()", "[ ]": one option without an empty box (nothing, or an odd glyph such as "Rl") among
options with empty boxes is then the ticked one (weaker evidence, lower confidence). A purpose counts only when exactly one is ticked.
"""

from __future__ import annotations

import re

from .model import ExtractedField, PageText, unread
from .reading import tolerant

_TICKED = re.compile(r"^\s*(?:[\[(|lI{]\s*[xX×✗✘]\s*[\])|lI}]|[☒☑✔✓⊠]|\[[xX×]|[xX×]\])\s*")
# An empty box: a short token of box-like glyphs ("[ ]", "[]", "LJ", "L]", "()", "(1", "CL]", "U]", "O").
_EMPTY_BOX = re.compile(r"^\s*(?:\[\s+\]|\(\s+\)|[□☐○❑]|[\[\](){}|_LJCUOoD01Il]{1,3})\s+")
# How sure a tick inferred from the empty boxes around it is, next to a tick OCR read as such.
_INFERRED = 0.85


def _option_lines(page: PageText) -> list[str]:
    return [line for line in page.text.splitlines() if line.strip()]


def ticked_purpose(pages: list[PageText], purposes: dict[str, list[str]]) -> ExtractedField:
    """*purposes* maps an application type to the phrases that name it on a form."""
    ticked: dict[str, ExtractedField] = {}
    for page in pages:
        lines = _option_lines(page)
        for key, phrases in purposes.items():
            pattern = re.compile("|".join(tolerant(re.escape(p)).replace(r"\ ", r"\s+") for p in phrases),
                                 re.IGNORECASE)
            for i, line in enumerate(lines):
                m = pattern.search(line)
                if m is None or m.start() > 12:
                    continue
                prefix = line[:m.start()]
                shown = re.sub(r"\s+", " ", line).strip()[:200]
                if _TICKED.match(prefix + " "):
                    confidence = 0.95 * page.confidence_of(line[:m.end()])
                elif not _EMPTY_BOX.match(prefix + " ") and len(prefix.strip()) <= 4 \
                        and _boxed_neighbours(lines, i) >= 2:
                    # No empty box where the others have one: the crossed box, dropped or misread ("Rl").
                    confidence = _INFERRED * page.confidence_of(m.group(0))
                else:
                    continue
                ticked.setdefault(key, ExtractedField("purpose", key, round(confidence, 3), page.number, shown))
    if len(ticked) == 1:
        return next(iter(ticked.values()))
    if len(ticked) > 1:
        return unread("purpose", "mehrere Zwecke angekreuzt: " + ", ".join(sorted(ticked)))
    return unread("purpose", "kein angekreuzter Zweck erkannt")


def _boxed_neighbours(lines: list[str], i: int) -> int:
    """Options with an empty box right around line *i* (the same list of checkboxes)."""
    near = lines[max(0, i - 3):i] + lines[i + 1:i + 4]
    return sum(1 for line in near if _EMPTY_BOX.match(line))
