"""Small tools the extractors share: find a labelled value on the pages and rate the reading."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from .model import READ, ExtractedField, PageText
from .values import full_dates_only, is_amount, parse_date


@dataclass
class Hit:
    page: PageText
    match: re.Match[str]

    @property
    def source(self) -> str:
        """The line(s) the match stands on, trimmed for display."""
        text = self.page.text
        start = text.rfind("\n", 0, self.match.start()) + 1
        end = text.find("\n", self.match.end())
        end = len(text) if end < 0 else end
        return re.sub(r"\s+", " ", text[start:end]).strip()[:240]


def search(pages: Iterable[PageText], pattern: re.Pattern[str]) -> Iterator[Hit]:
    for page in pages:
        for m in pattern.finditer(page.text):
            yield Hit(page, m)


# OCR's confidence in a single character runs on a narrower scale than in a word: digits of dates read
# right stood at 98.9-99.6 % (seeds 200, 201), words of noise that OCR doubted at 0-58 % at 85-94 %.
_SURE_DIGITS = 0.98


def field_from(name: str, value: str, hit: Hit, value_text: str, weight: float = 1.0) -> ExtractedField:
    """A read field; its confidence is the pattern's *weight* times OCR's certainty of the value's words.

    A date written in full ("21.11.2027") whose every digit OCR was sure of is read: its word's doubt
    then lies in the spaces around it or the marks between its digits (a speck after "21.11.2027.", a
    quote glued before it, a dot read as ':'), none of which can make it another date - no date has a
    digit more at either end, and its separators are no digits. An amount likewise, but for its left
    end: a digit more there ("15.535,47") would be another amount, so its first word's own confidence,
    which holds OCR's doubt about the space before it, still counts ("5. ‚535,47": 86 % for "5.")."""
    at = hit.page.text.find(value_text, hit.match.start())
    sure = hit.page.confidence_of(value_text, at if at >= 0 else None)
    if at >= 0 and (full_dates_only(value_text) or is_amount(value_text)):
        digits = hit.page.digits_confidence(value_text, at)
        if digits is not None and digits >= _SURE_DIGITS:
            if not full_dates_only(value_text):
                digits = min(digits, hit.page.confidence_of(value_text.split()[0], at))
            sure = max(sure, digits)
    return ExtractedField(name, value, round(weight * sure, 3), hit.page.number, hit.source, READ)


def best(candidates: list[ExtractedField], *, agree_bonus: float = 0.05,
         conflict_factor: float = 0.5) -> ExtractedField | None:
    """The most confident reading; agreeing readings raise it, disagreeing ones lower it."""
    if not candidates:
        return None
    ranked = sorted(candidates, key=lambda f: f.confidence, reverse=True)
    top = ranked[0]
    others = {f.value for f in ranked[1:]}
    if others - {top.value}:
        # Two sources name different values: neither is to be trusted on its own.
        return ExtractedField(top.name, top.value, round(top.confidence * conflict_factor, 3), top.page, top.text)
    if others:
        return ExtractedField(top.name, top.value, round(min(1.0, top.confidence + agree_bonus), 3), top.page,
                              top.text)
    return top


def first_lines(page: PageText, count: int) -> list[str]:
    return [line.strip() for line in page.text.splitlines() if line.strip()][:count]


# An 'ü' whose dots ran together is read "i" or "ii" as well ("Prifung", seed 201; "Nettobeziige").
_UMLAUT_TOLERANT = str.maketrans({"ä": "[äa]", "ö": "[öo]", "ü": "(?:[üui]|ii)", "Ä": "[ÄA]", "Ö": "[ÖO]", "Ü": "[ÜU]"})


def tolerant(pattern: str) -> str:
    """A regex that also matches when OCR lost the umlauts' dots ("Verlangerung", "bestatigen", "Prifung");
    *pattern* has no umlaut inside a character class."""
    return pattern.translate(_UMLAUT_TOLERANT)


# Between a label and its date: OCR reads the colon as ';' at times ("Datum; 23.03.2024", seed 57), a
# speck as a quote or degree sign glued to the date ("vom'09.09.2019", "Datum:°26.10.2024", seed 78).
DATE_GAP = r"[\s:;.‘’'‚`´\"„“°]{0,6}"


def labelled(pages: list[PageText], name: str, label: str, value: str, parse: Callable[[str], str | None],
             *, weight: float = 1.0, gap: str = r"[\s:;.,–-]{0,6}") -> list[ExtractedField]:
    """Every reading of '<label><gap><value>' whose value parses; *value* is a regex with group v. The
    label's words may stand apart by a speck read as a dot, dash or quote as well ("beginnt.am",
    "beginnt-am", "beginnt‘am")."""
    words_apart = tolerant(label).replace(r"\s+", r"[.\s‘’'‚-]+")
    pattern = re.compile(rf"(?:{words_apart}){gap}(?P<v>{value})", re.IGNORECASE)
    found = []
    for hit in search(pages, pattern):
        parsed = parse(hit.match.group("v"))
        if parsed is not None:
            found.append(field_from(name, parsed, hit, hit.match.group("v"), weight))
    return found


# Lines whose words carry a field's value (see extractors.py): a letterhead's company or insurer, a
# labelled value, a date. Only such lines are worth a second OCR look when OCR was unsure of them.
_FIELD_LINE = re.compile(tolerant(
    r"\b(?:GmbH|gGmbH|AG|KG|OHG|e\.\s?V\.|mbH|SE|UG|GbR|KGaA)\b|arbeitgeber|anschrift|wohnung|hause|mietsache|"
    r"beginnt|bescheid|betreff|versicher|krankenkasse|gültig|geboren|geb\.|datum|seit\b|zwischen|netto|brutto|"
    r"gesamtmiete|kaltmiete|gehalt"), re.IGNORECASE)
_DATE_LIKE = re.compile(r"\d{1,2}\s?[.:°]\s?\d{1,2}\s?[.:°]\s?\d{2,4}")


def carries_field(line: str) -> bool:
    """A line that may hold a field's value (dates, labels, company names)."""
    return bool(_FIELD_LINE.search(line) or _DATE_LIKE.search(line))


# A date's shape with four digits of year (OCR's spaces and separators as DATE takes them).
_DATE_SHAPE = re.compile(r"(?<![\d.])\d{1,2}\s?[.:,°]\s?\d{1,2}\s?[.:°]\s?\d{4}(?!\d)")


def misread_date(line: str) -> bool:
    """A line with a date no calendar has ("16.04.2620", seed 44: OCR sure of a 6 for a 0): its digits
    were misread however sure OCR was of them."""
    return any(parse_date(m.group()) is None for m in _DATE_SHAPE.finditer(line))
