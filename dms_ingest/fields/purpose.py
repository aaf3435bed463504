"""The ticked purpose on an application form: which application the person is making.

A wrong purpose opens the wrong application, which is worse than none: a purpose is read only when the
list of options as a whole shows exactly one ticked box. Each option's box (the text before its
wording) is one of:

- a tick: a cross OCR kept ("[x]", "X]", "RX]", "&", "&]": a drawn cross is often read as "&"); a typed
  "[x]" is proof enough, any other reading only when every other option shows a box that is not ticked;
- an empty box: a short token of other glyphs ("[ ]", "DO", "U]", "Ol", "L]", "0"...);
- nothing: OCR dropped the box. The crossed box is dropped far more often than an empty one, so one
  option without a box among options that all show a plain empty box is taken as ticked (lower
  confidence). An odd glyph ("El", "Bl", "]") can be either a crossed or an empty box: it never counts
  as a tick, and its option never counts as plainly empty.

Two ticks, a weak tick beside a box that is not plainly empty, or nothing to go on: no purpose ("unread").
The readings were learned from the kept OCR texts of the generated application sets (tests/test_purpose.py).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .model import ExtractedField, PageText, unread

# OCR's noise around a box: quotes, dots, dashes a scan adds before or after it.
_NOISE = " \t.,:;-–*'‘’“”«»=~"
_TICK_GLYPHS = re.compile(r"[xX×✗✘☒☑✔✓⊠&]")
_TYPED_TICK = re.compile(r"^[\[(|{]\s*[xX×]\s*[\])|}]$")
# A plainly empty box: brackets and the letters OCR makes of a box's outline ("DO", "U]", "Ol", "LJ").
_PLAIN_BOX = re.compile(r"^(?:\[[\s.]*\]|\(\s*\)|[□☐○❑]|[\[\](){}|LJUOoCD01lI]{1,3}|[\[\](){}|LJUOoCD01lI ]{3,4})$")
# Between the words of an option: OCR reads a space as a quote or a dot too ("Verlängerung’der").
_GAP = r"[\s’'`.,-]+"
# The first word of an option's wording: what stands before it is the box.
_WORDING = re.compile(r"[^\W\d_]{4,}")
_BRACKET = re.compile(r"[\[\](){}|]")
_LONGEST_BOX = 5          # a longer prefix is text, not a box
# How sure a tick inferred from the empty boxes around it is, next to a tick OCR read as such.
_INFERRED = 0.85


@dataclass(frozen=True)
class _Option:
    key: str | None     # None: an option that names no configured application type
    box: str            # the text before the option's wording, noise stripped ("" when none)
    line: str
    page: PageText

    @property
    def tick(self) -> bool:
        return bool(_TICK_GLYPHS.search(self.box)) and len(self.box) <= _LONGEST_BOX

    @property
    def typed_tick(self) -> bool:
        return bool(_TYPED_TICK.match(self.box))

    @property
    def plainly_empty(self) -> bool:
        return bool(_PLAIN_BOX.match(self.box)) and self.box != "]"

    @property
    def some_box(self) -> bool:
        """Something box-sized stands before the wording (ticked or not)."""
        return 0 < len(self.box) <= _LONGEST_BOX


def box_of(prefix: str) -> str:
    """The box part of the text before an option's wording: OCR's noise stripped."""
    return prefix.strip(_NOISE)


def ticked_purpose(pages: list[PageText], purposes: dict[str, list[str]]) -> ExtractedField:
    """*purposes* maps an application type to the phrases that name it on a form."""
    for page in pages:
        options = _options(page, purposes)
        if options:
            return _decide(options)
    return unread("purpose", "kein angekreuzter Zweck erkannt")


def _decide(options: list[_Option]) -> ExtractedField:
    ticks = [o for o in options if o.tick]
    if len(ticks) > 1:
        return unread("purpose", "mehrere Kreuze: " + ", ".join(o.key or o.line[:30] for o in ticks))
    if len(ticks) == 1:
        chosen = ticks[0]
        others = [o for o in options if o is not chosen]
        if chosen.typed_tick and sum(o.some_box for o in others) >= 2:
            return _read(chosen, 0.95)
        if len(others) >= 2 and all(o.some_box for o in others):
            return _read(chosen, 0.9)
        return unread("purpose", "Kreuz unsicher: andere Kästchen nicht als Kästchen erkannt")
    # No cross read: the crossed box dropped or misread ("El", "Bl", "f)") while every other box
    # reads as a plain empty one.
    odd = [o for o in options if not o.plainly_empty]
    if len(odd) == 1 and len(options) >= 4:
        return _read(odd[0], _INFERRED)
    return unread("purpose", "kein angekreuzter Zweck erkannt")


def _read(option: _Option, weight: float) -> ExtractedField:
    if option.key is None:   # a ticked option that names no configured application type
        return unread("purpose", "angekreuzter Zweck ohne Antragsart: " + option.line[:60])
    # The wording matched one of a closed list in full, so OCR's doubt about its letters (a word read
    # at confidence 0 yet spelled right) says nothing about the purpose: the boxes decide how sure it is.
    confidence = weight
    shown = re.sub(r"\s+", " ", option.line).strip()[:200]
    return ExtractedField("purpose", option.key, round(confidence, 3), option.page.number, shown)


def _plain(text: str) -> str:
    """*text* without diacritics, char for char: OCR adds dots ("Niederlassungserlaübnis") or drops them."""
    return "".join(_base_letter(c) for c in text)


def _base_letter(c: str) -> str:
    base = [d for d in unicodedata.normalize("NFKD", c) if not unicodedata.combining(d)]
    return base[0] if len(base) == 1 else c


def _options(page: PageText, purposes: dict[str, list[str]]) -> list[_Option]:
    """The page's list of options: each purpose's line (its wording near the start of a line) and the
    lines between and right around them that start with a box (options naming no configured type)."""
    lines = [line for line in page.text.splitlines() if line.strip()]
    plain = [_plain(line) for line in lines]
    at: dict[int, _Option] = {}
    for key, phrases in purposes.items():
        pattern = re.compile("|".join(re.escape(_plain(p)).replace(r"\ ", _GAP) for p in phrases),
                             re.IGNORECASE)
        for i, line in enumerate(plain):
            m = pattern.search(line)
            if m is not None and m.start() <= 12 and i not in at:
                at[i] = _Option(key, box_of(line[:m.start()]), lines[i], page)
                break
    if not at:
        return []
    first, last = min(at), max(at)
    for i in range(max(0, first - 1), min(len(lines), last + 2)):
        if i in at:
            continue
        m = _WORDING.search(plain[i])
        box = box_of(plain[i][:m.start()]) if m else ""
        option = _Option(None, box, lines[i], page)
        # Right before or after the list only a line that starts with a box is an option ("Ich versichere" is not).
        if first < i < last or (option.some_box and (option.tick or option.plainly_empty or _BRACKET.search(box))):
            at[i] = option
    return [at[i] for i in sorted(at)]
