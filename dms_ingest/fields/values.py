"""Reading values the way German documents write them: dates, months, amounts, CEFR levels, addresses.

Every parser is strict: it returns None rather than a guess (an unread field is a person's job,
a wrong one is a wrong decision).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

MONTHS_DE = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
             "November", "Dezember"]
_MONTH_WORDS = {
    "januar": 1, "jänner": 1, "jan": 1, "februar": 2, "feb": 2, "märz": 3, "maerz": 3, "marz": 3, "mär": 3,
    "mrz": 3, "april": 4, "apr": 4, "mai": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "oktober": 10, "okt": 10, "november": 11, "nov": 11, "dezember": 12,
    "dez": 12,
}
MONTH_NAME = "|".join(sorted(_MONTH_WORDS, key=len, reverse=True))
# Digits as OCR sometimes reads them in dates and amounts.
_OCR_DIGITS = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1", "|": "1", "S": "5", "B": "8"})
_D = r"[0-9OoIl|]"

# Not inside another number or word - but OCR glues a dot to the word before ("am.09.08.1979",
# "beträgt.3.577,67 €").
_GLUED = r"(?<=[^\W\d_]\.)"
_START = rf"(?:(?<![\w.])|{_GLUED})"
DATE = re.compile(
    # OCR reads a date's dot as ':' at times ("15.12:2020"), as ',' ("01,01.2019", "31.05,2021", seed 78),
    # a dot with a speck as a degree sign ("03°11.2026"); one of the two separators must be a dot.
    # OCR may split a day's two digits ("1 1.03.2020", both sure): taken whole only where the month has two
    # digits, as a day written with one would not stand beside it; a month's the same way ("02.1 1.2018",
    # unseen set 82) after a day of two digits and before a year of four.
    rf"{_START}(?P<d>[0-3OoIl]?{_D}|[1-3]\s\d(?=\s?[.:,°]\s?\d{{2}}\s?[.:°]))\s?(?P<s1>[.:,°])\s?"
    rf"(?P<m>(?:(?<=\d\d[.:,°])|(?<=\d\d[.:,°]\s))[01]\s\d(?=\s?[.:°]\s?(?:19|20)\d{{2}}(?!\d))|[01OoIl]?{_D})\s?(?P<s2>[.:,°])\s?(?P<y>(?:19|20){_D}{{2}})"
    rf"(?![\d])"
    rf"|{_START}(?P<td>[0-3]?\d)\.\s*(?P<mon>{MONTH_NAME})\.?\s+(?P<ty>(?:19|20)\d{{2}})(?!\d)"
    rf"|(?<!\d)(?P<iy>(?:19|20)\d{{2}})-(?P<im>\d{{2}})-(?P<id>\d{{2}})(?!\d)",
    re.IGNORECASE,
)
MONTH_YEAR = re.compile(
    rf"(?<![\w])(?P<mon>{MONTH_NAME})\.?\s+(?P<y>(?:19|20)\d{{2}})(?!\d)"
    rf"|(?<![\d./])(?P<m>0?[1-9]|1[0-2])\s?[/.-]\s?(?P<y2>(?:19|20)\d{{2}})(?![\d./])",
    re.IGNORECASE,
)
# German notation; OCR also reads the thousands dot as ',' or ':' and puts spaces around separators, a
# speck after it as a quote ("5. ‚535,47", seed 75). The thousands may stand apart by a space alone (DIN
# 5008 groups so; OCR also loses a faint dot: "6 124,62").
# The decimal comma, the last separator with two digits after it, OCR reads as ':' or ';' at times
# ("930:00", "3.594;50", seed 231).
_DECIMAL = r"\s?[,:;]\s?\d{2}"
AMOUNT = re.compile(rf"(?:(?<![\d.,])|{_GLUED})(?P<v>\d{{1,3}}(?:(?:\s?[.,':]\s?[‚‘’']?|\s)\d{{3}})+{_DECIMAL}|\d+{_DECIMAL})"
                    r"(?!\d|\s?Uhr)")   # "12:30 Uhr" is a time
CEFR = re.compile(r"(?<![A-Za-z0-9])(?P<l>[ABC])\s?(?P<n>[12lI|])(?![A-Za-z0-9])")
_CEFR_ORDER = ["A1", "A2", "B1", "B2", "C1", "C2"]
_STREET_WORD = r"[A-ZÄÖÜ][\wäöüß.-]*(?:straße|straBe|strasse|str\.|weg|allee|platz|ring|gasse|ufer|damm|markt|chaussee|pfad|steig|hof|park|berg|stieg|kamp|garten)"
ADDRESS = re.compile(
    rf"(?P<street>(?:(?:Am|An der|An den|Im|In der|Auf der|Auf dem|Zum|Zur|Alte|Alter|Neue|Neuer|Große|Kleine|Hohe)\s+"
    rf"[A-ZÄÖÜ][\wäöüß.-]+|{_STREET_WORD})(?:\s+|\s*[’'‚]\s*)\d{{1,4}}\s?[a-zA-Z]?)(?![\w])\s*,?\s*\n?\s*"
    # OCR may put a space into the postcode ("451 27 Essen", seed 56).
    r"(?P<plz>\d{5}|\d{3} \d{2}|\d{2} \d{3})\s+(?P<city>[A-ZÄÖÜ][\wäöüß.-]+(?:\s(?:am|an der|im|bei|ob der)\s[A-ZÄÖÜ][\wäöüß.-]+)?)",
)


# A date with two digits of day and month and four of year, with the separators OCR makes of its dots.
_FULL_DATE = re.compile(r"(?<!\d)\d{2}\s?[.:,°]\s?\d{2}\s?[.:,°]\s?(?:19|20)\d{2}(?!\d)")


def full_dates_only(text: str) -> bool:
    """The text's digits are dates written in full: no digit lost or added at a date's ends leaves a date."""
    return bool(_FULL_DATE.search(text)) and not re.search(r"\d", _FULL_DATE.sub("", text))


def date_from_match(m: re.Match[str]) -> dt.date | None:
    """The date of a DATE match, or None if it is no calendar date."""
    try:
        if m.group("mon"):
            return dt.date(int(m.group("ty")), _MONTH_WORDS[m.group("mon").lower()], int(m.group("td")))
        if m.group("iy"):
            return dt.date(int(m.group("iy")), int(m.group("im")), int(m.group("id")))
        if "." not in (m.group("s1"), m.group("s2")):
            return None  # a time or a ratio, not a date
        return dt.date(int(m.group("y").translate(_OCR_DIGITS)), int(m.group("m").replace(" ", "").translate(_OCR_DIGITS)),
                       int(m.group("d").replace(" ", "").translate(_OCR_DIGITS)))
    except (ValueError, KeyError):
        return None


def find_dates(text: str) -> list[tuple[dt.date, tuple[int, int]]]:
    """Every calendar date in the text with its span."""
    out = []
    for m in DATE.finditer(text):
        value = date_from_match(m)
        if value is not None:
            out.append((value, m.span()))
    return out


def parse_date(text: str) -> dt.date | None:
    """The first date in *text*."""
    found = find_dates(text)
    return found[0][0] if found else None


def month_from_match(m: re.Match[str]) -> tuple[int, int] | None:
    """(year, month) of a MONTH_YEAR match."""
    if m.group("mon"):
        return int(m.group("y")), _MONTH_WORDS[m.group("mon").lower()]
    return int(m.group("y2")), int(m.group("m"))


def month_key(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def month_label(key: str) -> str:
    """'2025-02' → 'Februar 2025'."""
    year, month = key.split("-")
    return f"{MONTHS_DE[int(month) - 1]} {year}"


def is_amount(text: str) -> bool:
    """The text is one amount in German notation, nothing more."""
    return AMOUNT.fullmatch(text.strip()) is not None


def parse_amount(text: str) -> Decimal | None:
    """'3.364,40' → Decimal('3364.40'); None if the text holds no amount in German notation."""
    m = AMOUNT.search(text)
    if m is None:
        return None
    digits = re.sub(r"\s", "", m.group("v"))
    whole, cents = digits[:-3], digits[-2:]          # the last separator is the decimal comma
    raw = re.sub(r"[.,':;‚‘’]", "", whole) + "." + cents
    try:
        return Decimal(raw)
    except InvalidOperation:
        return None


def format_amount(value: Decimal | str) -> str:
    """Decimal('3364.4') → '3.364,40' (German notation)."""
    value = Decimal(value).quantize(Decimal("0.01"))
    whole, _, cents = f"{value:.2f}".partition(".")
    return f"{int(whole):,}".replace(",", ".") + "," + cents


def cefr_from_match(m: re.Match[str]) -> str:
    return m.group("l") + m.group("n").translate(str.maketrans({"l": "1", "I": "1", "|": "1"}))


def cefr_rank(level: str) -> int:
    """Position of a CEFR level (A1=0 … C2=5); ValueError for anything else."""
    return _CEFR_ORDER.index(level.upper())


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day *months* later (or earlier), clamped to the month's end."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


def previous_months(today: dt.date, count: int, *, offset: int = 1) -> list[str]:
    """The *count* month keys ending *offset* months before *today*'s month, oldest first."""
    first = add_months(today.replace(day=1), -offset - count + 1)
    return [month_key(add_months(first, k).year, add_months(first, k).month) for k in range(count)]
