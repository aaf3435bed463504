"""The search query: one language for both backends, parsed once, compiled to FTS5 or tsquery.

    Aufenthaltserlaubnis            a word (its key; also finds it as part of a compound, ranked lower)
    "Antrag auf Änderung"           a phrase (exact words in this order)
    Miet*                           a prefix
    Mohammed~  Mohamed~1            fuzzy: OCR errors and transliterated names (edit distance 1-2)
    Bescheid OR Mietvertrag         either
    Antrag -Mietvertrag             without (also: Antrag NOT Mietvertrag)
    ABH-2019-04711                  a case number is a phrase of its parts

Words are combined with AND. Anything else (brackets, colons, FTS or tsquery syntax) is ignored,
so user input can never break or widen the database query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from .folding import WORD, keys

# Quotation marks a German keyboard, a word processor or the search page's hint gives: each opens or
# closes a phrase like '"' (apostrophes stay: "Shah's" is a word). CLI, API and pages alike.
_TYPOGRAPHIC_QUOTES = str.maketrans({c: '"' for c in "„“”«»"})
_TOKEN = re.compile(r'"([^"]*)"?|(-?)([^\W_][\w\-./§]*)(\*|~\d?)?', re.UNICODE)


@dataclass(frozen=True)
class Word:
    key: str
    prefix: bool = False
    fuzzy: int = 0                      # maximal edit distance; 0 = exact
    compound: bool = True               # also as part of a compound (not for a quoted single word)


@dataclass(frozen=True)
class Phrase:
    keys: tuple[str, ...]
    # The words as the query wrote them (a page spelling them alike holds the phrase: phrases.py)
    written: tuple[str, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class AnyOf:
    items: tuple[Word | Phrase, ...]


Term = Word | Phrase | AnyOf


@dataclass(frozen=True)
class ParsedQuery:
    required: tuple[Term, ...] = ()
    excluded: tuple[Term, ...] = ()

    def words(self) -> list[Word]:
        """Every word the user asked for (for snippets and the strong-word shortcut), excluded ones not."""
        found: list[Word] = []
        for term in self.required:
            for item in (term.items if isinstance(term, AnyOf) else (term,)):
                if isinstance(item, Word):
                    found.append(item)
                else:
                    found.extend(Word(k) for k in item.keys)
        return found


def typed_query(text: str) -> str:
    """The query as the index reads it: „Antrag auf“ is the phrase "Antrag auf"."""
    return (text or "").translate(_TYPOGRAPHIC_QUOTES)


def parse(text: str) -> ParsedQuery:
    required: list[Term] = []
    excluded: list[Term] = []
    negate_next = pending_or = False
    for match in _TOKEN.finditer(typed_query(text).replace("\x00", " ")):
        phrase, minus, word, suffix = match.groups()
        if phrase is None and word in ("AND", "OR", "NOT"):
            if word == "NOT":
                negate_next = True
            elif word == "OR":
                pending_or = bool(required) and not negate_next
            continue
        term = _phrase(phrase) if phrase is not None else _word(word, suffix or "")
        negated, negate_next = negate_next or bool(minus), False
        if term is None:
            pending_or = False
            continue
        if negated:
            excluded.append(term)
        elif pending_or:
            previous = required.pop()
            items = previous.items if isinstance(previous, AnyOf) else (previous,)
            required.append(AnyOf(items + (term.items if isinstance(term, AnyOf) else (term,))))
        else:
            required.append(term)
        pending_or = False
    return ParsedQuery(tuple(required), tuple(excluded))


def _phrase(text: str) -> Word | Phrase | None:
    found = keys(text)
    if not found:
        return None
    return Word(found[0], compound=False) if len(found) == 1 else Phrase(tuple(found), tuple(WORD.findall(text)))


def _word(text: str, suffix: str) -> Word | Phrase | None:
    found = keys(text)
    if not found:
        return None
    if len(found) > 1:                  # "ABH-2019-04711", "§81": the parts in order
        return Phrase(tuple(found), tuple(WORD.findall(text)))
    if suffix == "*":
        return Word(found[0], prefix=True)
    if suffix.startswith("~"):
        distance = int(suffix[1:]) if suffix[1:] else (1 if len(found[0]) <= 5 else 2)
        return Word(found[0], fuzzy=max(1, min(distance, 2)))
    return Word(found[0])


@dataclass(frozen=True)
class SearchQuery:
    """What to find and within what. Filters and access limits apply inside the database query.

    allowed_cases / allowed_teams: None = no restriction by that list; when either is given, a
    document is visible if its case is in allowed_cases or belongs to one of allowed_teams
    (cases.team), or if it has no case and include_unassigned is true.
    """

    text: str
    case_numbers: tuple[str, ...] | None = None
    doc_types: tuple[str, ...] | None = None
    received_from: date | datetime | None = None     # a day (whole day) or an instant
    received_to: date | datetime | None = None
    review: bool | None = None
    allowed_cases: frozenset[str] | None = None
    allowed_teams: frozenset[str] | None = None
    include_unassigned: bool = True
    limit: int = 20
    offset: int = 0
    snippet_width: int = 160
