"""Case numbers (Aktenzeichen): a configurable pattern and an OCR-tolerant finder."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# OCR confusions, by the kind of character the position must hold.
_DIGIT_LOOKALIKES = {
    "O": "0", "o": "0", "Q": "0", "D": "0",
    "I": "1", "l": "1", "|": "1", "i": "1", "!": "1",
    "Z": "2", "z": "2",
    "S": "5", "s": "5", "$": "5",
    "G": "6", "b": "6",
    "T": "7",
    "B": "8", "&": "8",
    "g": "9", "q": "9",
}
_LETTER_LOOKALIKES = {"0": "O", "1": "I", "2": "Z", "5": "S", "6": "G", "8": "B", "4": "A", "7": "T"}

_DIGIT_CLASS = "[0-9" + re.escape("".join(_DIGIT_LOOKALIKES)) + "]"
# Separators seen between the parts of a printed or OCR-read case number: a dash, slash, dot or
# space, plus at most one speck OCR read as punctuation beside it ("ABH,: 2013", "2017°- 30941",
# 'ABH - 2016 "47803').
_SEP = r"(?:[ \t]*[-‐‑‒–—/._:+*,;°`'´~" + '"“”„' + r"]{0,2}[ \t]*)"

# Labels that introduce a case number; umlauts and dots are often lost in OCR.
# "Zeichen" with the c read as g ("Aktenzeighen").
_ZEICHEN = r"zei[cg]hen"
_LABELS: list[tuple[str, str]] = [
    ("Geschäftszeichen", rf"gesch(?:ä|a|ae|a¨)?ftsz(?:{_ZEICHEN[1:]}|\.)"),
    ("Aktenzeichen", rf"akten[- ]?{_ZEICHEN}"),
    ("Ihr Zeichen", rf"ihr(?:e)?\s{{0,3}}(?:{_ZEICHEN}|az\b\.?|akten{_ZEICHEN})"),
    ("Unser Zeichen", rf"unser\s{{0,3}}(?:{_ZEICHEN}|az\b\.?|akten{_ZEICHEN})"),
    ("Az.", r"\baz\b\.?"),
    ("Gz.", r"\bgz\b\.?"),
]
_LABEL_RE = re.compile("|".join(f"(?P<l{i}>{rx})" for i, (_, rx) in enumerate(_LABELS)), re.IGNORECASE)
# How far (characters) a label may stand before the number it introduces.
_LABEL_REACH = 40


class CaseNumberPattern(BaseModel):
    """How one office writes its case numbers, e.g. ``ABH-2019-04711`` or ``AB-12345/2020``.

    ``layout`` places ``{prefix}``, ``{year}`` and ``{serial}``; the literal text between
    them is the canonical separator, and in scanned text any common separator (or none)
    is accepted there. ``regex`` may replace the generated matcher for unusual styles; it
    must define the named groups ``prefix``, ``year`` and ``serial``.
    """

    model_config = ConfigDict(frozen=True)

    prefixes: list[str] = Field(default_factory=lambda: ["ABH"], min_length=1)
    year_digits: int = Field(4, ge=2, le=4)
    serial_digits: int = Field(5, ge=1, le=10)
    layout: str = "{prefix}-{year}-{serial}"
    # Accept a serial that lost its leading zero(s) in OCR, down to this many digits.
    min_serial_digits: int | None = None
    year_range: tuple[int, int] = (1950, 2099)
    regex: str | None = None

    @field_validator("prefixes")
    @classmethod
    def _prefixes_upper(cls, value: list[str]) -> list[str]:
        cleaned = [p.strip().upper() for p in value]
        if any(not p or not p.isalpha() for p in cleaned):
            raise ValueError("case number prefixes must be letters only")
        return cleaned

    @model_validator(mode="after")
    def _check_layout(self) -> "CaseNumberPattern":
        for part in ("{prefix}", "{year}", "{serial}"):
            if self.layout.count(part) != 1:
                raise ValueError(f"layout must contain {part} exactly once")
        if self.regex is not None:
            compiled = re.compile(self.regex)
            if not {"prefix", "year", "serial"} <= set(compiled.groupindex):
                raise ValueError("regex must define the groups prefix, year and serial")
        return self

    @property
    def shortest_serial(self) -> int:
        """Fewest serial digits still accepted (a dropped leading zero by default)."""
        if self.min_serial_digits is not None:
            return min(self.min_serial_digits, self.serial_digits)
        return max(1, self.serial_digits - 1)

    def format(self, prefix: str, year: str, serial: str) -> str:
        """Render the canonical form from already-clean parts."""
        return self.layout.format(prefix=prefix, year=year, serial=serial)

    def canonical(self, raw: str) -> str | None:
        """Return the canonical form of one case number string, or None if it does not fit."""
        hits = find_case_numbers(raw, self)
        if len(hits) == 1 and hits[0].raw.strip() == raw.strip():
            return hits[0].canonical
        return None

    @cached_property
    def compiled(self) -> re.Pattern[str]:
        """The OCR-tolerant matcher (cached per pattern instance)."""
        if self.regex is not None:
            return re.compile(self.regex)
        pieces = re.split(r"(\{prefix\}|\{year\}|\{serial\})", self.layout)
        out: list[str] = []
        for piece in pieces:
            if piece == "{prefix}":
                out.append("(?P<prefix>" + "|".join(_tolerant_prefix(p) for p in self.prefixes) + ")")
            elif piece == "{year}":
                out.append(f"(?P<year>{_tolerant_digits(self.year_digits, self.year_digits)})")
            elif piece == "{serial}":
                out.append(f"(?P<serial>{_tolerant_digits(self.shortest_serial, self.serial_digits)})")
            elif piece:
                out.append(_SEP)
        body = "".join(out)
        # Not glued to other letters/digits, so "XABH-..." or a longer serial is no hit.
        return re.compile(rf"(?<![A-Za-z0-9]){body}(?![A-Za-z0-9])")


def _accented(ch: str) -> set[str]:
    """Latin letters that are *ch* with a diacritic: OCR puts specks on capitals ("ÄBH.2013.64549")."""
    return {c for c in map(chr, range(0xC0, 0x180))
            if c.isupper() and unicodedata.normalize("NFKD", c)[0] == ch and c != ch}


def _prefix_alternatives(ch: str) -> set[str]:
    alts = {ch, ch.lower()} | _accented(ch) | {d for d, letter in _LETTER_LOOKALIKES.items() if letter == ch}
    if ch == "I":
        alts |= {"l", "|"}
    return alts


def _upper_alternatives(ch: str) -> str:
    """A character class of a prefix letter as OCR reads it, upper case only ("Abholung" is no "ABH")."""
    return "[" + "".join(re.escape(a) for a in sorted(_prefix_alternatives(ch) - {ch.lower()})) + "]"


def _tolerant_prefix(prefix: str) -> str:
    chars = ["[" + "".join(re.escape(a) for a in sorted(_prefix_alternatives(ch))) + "]" for ch in prefix]
    # OCR sometimes splits a short prefix with a space ("A BH").
    return " ?".join(chars)


def _tolerant_digits(low: int, high: int) -> str:
    # A single space may fall inside a digit group ("04 711").
    one = _DIGIT_CLASS
    return f"{one}(?: ?{one}){{{low - 1},{high - 1}}}"


@dataclass(frozen=True)
class CaseNumberHit:
    """One case number found in text."""

    raw: str
    canonical: str
    label: str | None
    span: tuple[int, int]
    # True when the serial was short and padded with zeros (weaker evidence).
    padded: bool = False
    # True when OCR look-alike characters had to be replaced.
    repaired: bool = False
    # True when a space split the serial ("04 711"), so digits may belong elsewhere.
    split: bool = False
    # The clean parts as read (prefix, year, serial before zero padding).
    parts: tuple[str, str, str] = ("", "", "")

    @property
    def certain(self) -> bool:
        """False when the reading needed guesswork beyond character look-alikes."""
        return not (self.padded or self.split)


def _as_digits(raw: str) -> str:
    return "".join(_DIGIT_LOOKALIKES.get(ch, ch) for ch in raw if not ch.isspace())


def _as_prefix(raw: str, prefixes: list[str]) -> str | None:
    chars = [ch for ch in raw if not ch.isspace()]
    for prefix in prefixes:
        if len(chars) == len(prefix) and all(c in _prefix_alternatives(p) for c, p in zip(chars, prefix)):
            return prefix
    return None


def _real_digit_share(raw: str) -> float:
    chars = [c for c in raw if not c.isspace()]
    return sum(c.isdigit() for c in chars) / max(1, len(chars))


def case_label_end(text: str) -> int | None:
    """Where the first label that introduces a case number ("Az.", "Ihr Zeichen", ...) ends, or None."""
    m = _LABEL_RE.search(text)
    return m.end() if m else None


def _find_label(text: str, start: int) -> str | None:
    window_start = max(0, start - _LABEL_REACH)
    window = text[window_start:start]
    # Only look back within the same line, plus the end of the line before, which is how
    # letterheads print "Aktenzeichen" above the number.
    best = None
    for m in _LABEL_RE.finditer(window):
        between = window[m.end():]
        if between.count("\n") > 1 or re.search(r"[A-Za-zÄÖÜäöüß]{3,}", between):
            continue
        best = m
    if best is None:
        return None
    for i, (name, _) in enumerate(_LABELS):
        if best.group(f"l{i}"):
            return name
    return None


# A character right after a number that stands for no punctuation a sentence puts there. A closing
# bracket counts as a glyph: OCR reads a 1 as "]" ("ABH-2017-7428]"), and a case number in brackets
# is rare; the worst it costs is review.
_UNREAD_GLYPH = re.compile(r"[^\s.,;:!?)'\"»«“”„’‘/\-–—]")


def find_case_numbers(text: str, pattern: CaseNumberPattern | None = None) -> list[CaseNumberHit]:
    """Find case numbers in (OCR) text, returning one hit per occurrence in text order."""
    pattern = pattern or CaseNumberPattern()
    hits: list[CaseNumberHit] = []
    for m in pattern.compiled.finditer(text):
        prefix = _as_prefix(m.group("prefix"), pattern.prefixes)
        if prefix is None:
            continue
        year_raw, serial_raw = m.group("year"), m.group("serial")
        # A bare run of letters is more likely a word than a badly read number.
        if _real_digit_share(year_raw + serial_raw) < 0.6:
            continue
        year = _as_digits(year_raw)
        serial = _as_digits(serial_raw)
        if not (year.isdigit() and serial.isdigit()):
            continue
        if len(year) != pattern.year_digits or not (pattern.shortest_serial <= len(serial) <= pattern.serial_digits):
            continue
        if pattern.year_digits == 4 and not pattern.year_range[0] <= int(year) <= pattern.year_range[1]:
            continue
        padded = len(serial) < pattern.serial_digits
        split = bool(re.search(r"\S\s\S", serial_raw.strip()))
        parts = (prefix, year, serial)
        # "ABH-2019-4711 2": the serial may continue after the space; too ambiguous.
        if (padded or split) and re.match(r"[ \t]?[0-9]", text[m.end():]):
            continue
        # "ABH-2025-1034%": a short serial glued to a glyph no number or sentence has there is a digit
        # OCR could not read, not a lost leading zero (find_malformed_case_numbers takes it).
        if padded and _UNREAD_GLYPH.match(text, m.end()):
            continue
        serial = serial.zfill(pattern.serial_digits)
        raw = m.group(0)
        repaired = any(ch in _DIGIT_LOOKALIKES for ch in year_raw + serial_raw) or prefix not in raw.upper()
        hits.append(
            CaseNumberHit(
                raw=raw,
                canonical=pattern.format(prefix, year, serial),
                label=_find_label(text, m.start()),
                span=(m.start(), m.end()),
                padded=padded,
                repaired=repaired,
                split=split,
                parts=parts,
            )
        )
    return hits


def normalise_case_number(value: str) -> str:
    """Reduce a case number to upper-case letters and digits, the registry lookup key."""
    return re.sub(r"[^0-9A-Z]", "", value.upper())


def find_malformed_case_numbers(text: str, pattern: CaseNumberPattern | None = None) -> list[tuple[str, tuple[int, int]]]:
    """Fragments that start like a case number (prefix, then digits) but do not fit the pattern."""
    pattern = pattern or CaseNumberPattern()
    valid = [h.span for h in find_case_numbers(text, pattern)]
    # Upper-case prefix only: "Abholung" or "abhängig" must not count.
    prefixes = "|".join(" ?".join(_upper_alternatives(ch) for ch in p) for p in pattern.prefixes)
    token = r"[0-9OIlSBZ][0-9OIlSBZ\-–/.`'´~]*(?![A-Za-z])"
    tail = re.compile(rf"[ \t]?[-‐–—/._:]?[`'´~]?[ \t]?{token}(?:[ \t]{{1,2}}{token}){{0,3}}")
    found = []
    # After a case-number label, a long number that does not fit (e.g. "Ihr Zeichen: BH-2019-04711").
    needed = pattern.year_digits + pattern.shortest_serial
    for label in _LABEL_RE.finditer(text):
        rest = text[label.end():label.end() + 40].split("\n", 1)[0]
        lead = re.match(r"[\s:.]*", rest).end()
        starts_valid = any(s == label.end() + lead for s, _ in valid)
        fragment = re.match(r"[0-9A-Za-z][0-9A-Za-z\-–/.]*(?:[ \t][0-9][0-9A-Za-z\-–/.]*)*", rest[lead:])
        if starts_valid or fragment is None:
            continue
        value = fragment.group().rstrip("-–/.")
        # Or the office's prefix with only a year after it: the serial was lost ("Aktenzeichen ABH.2022"
        # with "33358" read elsewhere on a photo) - an illegible number, not no number.
        # The digits are counted to the line's end: separators OCR garbled may have cut the fragment short.
        truncated = _as_prefix(re.split(r"[\s\-–/.]", value, maxsplit=1)[0], pattern.prefixes) is not None \
            and sum(c.isdigit() for c in rest[lead:]) >= pattern.year_digits
        if sum(c.isdigit() for c in value) >= needed or truncated:
            start = label.end() + lead
            found.append((value, (start, start + len(value))))
    # A prefix that lost a letter ("BH-2019-04711", "A8-2014-97563" with a look-alike for another) or has one
    # read as another ("ARH.2013.64549"), with the usual digit structure after it.
    sep = r"[ \t]*[-–/. ][ \t]*"
    digits = rf"{sep}\d{{{pattern.year_digits}}}{sep}\d{{{pattern.shortest_serial},{pattern.serial_digits}}}(?!\d)"
    for prefix in pattern.prefixes:
        letters = [_upper_alternatives(ch) for ch in prefix]
        for k in range(len(prefix)) if len(prefix) >= 3 else ():
            for damaged in ("".join(letters[:k] + letters[k + 1:]), "".join(letters[:k] + [r"[^\W\d_]"] + letters[k + 1:])):
                for m in re.finditer(rf"(?<![^\W_]){damaged}{digits}", text):
                    if not any(s <= m.start() < e for s, e in valid + [f[1] for f in found]):
                        found.append((m.group(), m.span()))
    for m in re.finditer(rf"(?<![A-Za-z0-9])(?:{prefixes})", text):
        if any(s <= m.start() < e for s, e in valid + [f[1] for f in found]):
            continue
        t = tail.match(text, m.end())
        if t is None:
            continue
        fragment = text[m.start():t.end()][:24].rstrip(" \t-–/.")
        digit_like = sum(c.isdigit() or c in "OIlSBZ" for c in fragment[len(m.group()):])
        if sum(c.isdigit() for c in fragment) >= 3 and digit_like > pattern.year_digits:
            found.append((fragment, (m.start(), m.start() + len(fragment))))
    return found
