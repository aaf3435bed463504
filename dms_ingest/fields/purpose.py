"""The ticked purpose on an application form: which application the person is making.

Tick marks come out of OCR as "[x]", "[X]", "X", "☒", "(x)", "IX]" and the like; empty boxes as
"[ ]", "[]", "☐", "O" or nothing. A purpose counts only when exactly one of the configured
purposes is ticked; two ticks or none leave the purpose unread.
"""

from __future__ import annotations

import re

from .model import ExtractedField, PageText, unread
from .reading import search

_TICKED = re.compile(r"(?:[\[(|lI{]\s*[xX×✗✘]\s*[\])|lI}]|☒|☑|✔|✓|⊠|\[[xX×]|[xX×]\]|\b[xX×])\s*$")


def ticked_purpose(pages: list[PageText], purposes: dict[str, list[str]]) -> ExtractedField:
    """*purposes* maps an application type to the phrases that name it on a form."""
    ticked: dict[str, ExtractedField] = {}
    for key, phrases in purposes.items():
        for phrase in phrases:
            pattern = re.compile(rf"(?P<pre>[^\n]{{0,6}}?)(?P<p>{re.escape(phrase)})", re.IGNORECASE)
            for hit in search(pages, pattern):
                if _TICKED.search(hit.match.group("pre")):
                    mark = hit.match.group("pre").strip()
                    confidence = round(0.95 * hit.page.confidence_of(mark + " " + hit.match.group("p")), 3)
                    ticked.setdefault(key, ExtractedField("purpose", key, confidence, hit.page.number, hit.source))
    if len(ticked) == 1:
        return next(iter(ticked.values()))
    if len(ticked) > 1:
        return unread("purpose", "mehrere Zwecke angekreuzt: " + ", ".join(sorted(ticked)))
    return unread("purpose", "kein angekreuzter Zweck erkannt")
