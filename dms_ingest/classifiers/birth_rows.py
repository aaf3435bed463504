"""Dates of birth in table rows: a header line names the columns ("Familienname Vorname Geburtsdatum")
and each row below holds one person's values ("Ahmadi | | Farid 01.01.1998").

A row's date counts as its person's date of birth only when the association is certain: the row holds
exactly as many dates as the header has date columns, so the birth column's place among them tells
which date is the birthday. A row that lacks a date (an empty cell) or holds one too many gives none:
OCR drops empty cells, so which column a lone date stood in cannot be told. The row's span goes with
the date, so that matching looks for the person on that row only, never on another row.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .persons import _BIRTH_LABEL, _DATE, _date_from_match

# A header names a person column and a birth-date column.
_NAME_COLUMN = re.compile(r"\b(?:Familienname|Nachname|Vornamen?|Name|Surname|Given\s+names?)\b", re.IGNORECASE)
# Any column that may hold a date: counted generously, since a date column missed here could lend its
# date to the birth column of a row whose birth date is missing.
_DATE_COLUMN = re.compile(
    r"[^\W\d_]*(?:datum|date|dat\.)|\b(?:einzug|auszug|zuzug|wegzug|seit|bis|von|ab|am|tag|gültig|ausgestellt|ablauf)\b",
    re.IGNORECASE)
# A row holds at least two words that may be a name (surname and given name).
_NAME_WORD = re.compile(r"[^\W\d_]{2,}")
# Rows may stand with one blank line between them (OCR puts one between widely spaced rows).
_MAX_BLANK_LINES = 1


@dataclass(frozen=True)
class TableBirthDate:
    """A date in a table's birth-date column, and the row (its line) that it belongs to."""

    date: dt.date
    span: tuple[int, int]
    row: tuple[int, int]


def _date_columns(header: str) -> list[int] | None:
    """Start of each date column's label in a header line, or None if it is no birth-date table header."""
    births = [m for m in _BIRTH_LABEL.finditer(header) if not m.group().startswith("*")]
    if not births or not _NAME_COLUMN.search(header) or _DATE.search(header):
        return None
    starts = {m.start() for m in births}
    covered = [(m.start(), m.end()) for m in births]
    for m in _DATE_COLUMN.finditer(header):
        if not any(s < m.end() and m.start() < e for s, e in covered):
            starts.add(m.start())
            covered.append((m.start(), m.end()))
    return sorted(starts)


def _birth_column(header: str) -> tuple[int, int] | None:
    """Which of the header's date columns holds the date of birth, and how many date columns there are."""
    columns = _date_columns(header)
    if columns is None:
        return None
    births = [k for k, start in enumerate(columns)
              if any(m.start() == start for m in _BIRTH_LABEL.finditer(header))]
    return (births[0], len(columns)) if len(births) == 1 else None


# Where a date may begin in a row: a digit that starts a word. Letters OCR takes for digits ("l", "O")
# would let a name's first letter begin a "date" ("Laila 03" with the month "aila") that swallows the
# real date's day.
_DATE_START = re.compile(r"(?<!\w)\d")


def _dates(row: str) -> list[re.Match[str]]:
    """The dates (and date-like numbers) of a row, left to right."""
    found: list[re.Match[str]] = []
    pos = 0
    while (start := _DATE_START.search(row, pos)) is not None:
        m = _DATE.match(row, start.start())
        if m is None:
            pos = start.end()
            continue
        found.append(m)
        pos = m.end()
    return found


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of every line of the text."""
    spans, start = [], 0
    for line in text.split("\n"):
        spans.append((start, start + len(line)))
        start += len(line) + 1
    return spans


def find_table_birth_dates(text: str, *, today: dt.date | None = None) -> list[TableBirthDate]:
    """Dates of birth in the rows under a header line with a birth-date column ("Geburtsdatum",
    "geb. am", "Geburtstag", "Date of birth") and a name column."""
    today = today or dt.date.today()
    lines = _lines(text)
    found: list[TableBirthDate] = []
    for k, (h_start, h_end) in enumerate(lines):
        column = _birth_column(text[h_start:h_end])
        if column is None:
            continue
        place, n_columns = column
        blank = 0
        for start, end in lines[k + 1:]:
            row = text[start:end]
            if not row.strip():
                blank += 1
                if blank > _MAX_BLANK_LINES:
                    break
                continue
            blank = 0
            dates = _dates(row)
            # A field ("Datum des Einzugs: ...") or a line without a name and a date ends the table.
            if ":" in row or not dates or len(_NAME_WORD.findall(row)) < 2:
                break
            if len(dates) != n_columns:
                continue
            m = dates[place]
            value = _date_from_match(m, today)
            if value is not None:
                found.append(TableBirthDate(value, (start + m.start(), start + m.end()), (start, end)))
    return found
