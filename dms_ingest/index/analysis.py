"""What a page contributes to the search index: word keys, compound parts, strong words, filter tokens.

Both backends index exactly these terms (SQLite FTS5 as columns, PostgreSQL as one tsvector), so
they find the same pages. Bump ANALYSER_VERSION when the output changes; `dms reindex` rebuilds.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

from ..office_time import office_day
from .folding import keys

ANALYSER_VERSION = 4          # 2: a team token on every page of a case (team_scope.py); 3: office (Berlin) days;
                              # 4: short filter and strong-word tokens (a kind letter, base 36)
HUNSPELL_DIC = Path("/usr/share/hunspell/de_DE.dic")

# BM25 parameters used to decide which words weigh strongly on a page (see `strong` below).
_K1, _B, NOMINAL_WORDS_PER_PAGE = 1.2, 0.75, 130
# A word is "strong" on a page when its BM25 term weight reaches that of a word occurring twice on a
# page of nominal length: for a common word, only strong pages can reach the first result page.
STRONG_IMPACT = 2 * (_K1 + 1) / (2 + _K1)


@dataclass
class PageTerms:
    words: list[str]                    # word keys in text order (position = index + 1)
    parts: list[tuple[str, int]]        # compound parts, each with its compound's position (stored by neither backend)
    strong: list[str]                   # distinct words that weigh strongly on this page


_PARTS_OF: dict[str, tuple[str, ...]] = {}      # word → its compound parts (() if none), as found


def analyse(text: str) -> PageTerms:
    words = keys(text)
    counts = Counter(words)
    length_norm = _K1 * (1 - _B + _B * len(words) / NOMINAL_WORDS_PER_PAGE)
    least = 1                           # the impact grows with tf: find the least strong tf once
    while least * (_K1 + 1) / (least + length_norm) < STRONG_IMPACT and least <= len(words):
        least += 1
    strong = [w for w, tf in counts.items() if tf >= least]
    known = _PARTS_OF
    fresh = {w: compound_parts(w) if len(w) >= 7 and w.isalpha() else () for w in counts if w not in known}
    if fresh and len(known) < 1_000_000:
        known.update(fresh)
    found = known.get
    compounds = {w: p for w in counts if (p := found(w) or fresh.get(w))}
    parts = [(part, position) for position, word in enumerate(words, 1) if word in compounds
             for part in compounds[word]] if compounds else []
    return PageTerms(words, parts, strong)


# --- German compounds ----------------------------------------------------------------------------
# A part of a compound finds the compound ("erlaubnis" → "Aufenthaltserlaubnis"). The parts come
# from Debian's German Hunspell word list (hunspell-de-de), which also lists the joining forms
# ("Aufenthalts", "Miet"); see README "Compound words" for why this beat a trigram index.

@lru_cache(maxsize=1)
def lexicon() -> frozenset[str]:
    """The folded keys (folding.keys) of the German word list's stems, with their commonest derived forms;
    empty where hunspell-de-de is not installed."""
    if not HUNSPELL_DIC.exists():
        return frozenset()
    words = set()
    with HUNSPELL_DIC.open(encoding="utf-8", errors="replace") as lines:
        next(lines, None)                       # first line: the entry count
        for line in lines:
            stem = line.split("/", 1)[0].strip()
            if stem and not stem.startswith(("#", "\t")) and " " not in stem:
                key = "".join(keys(stem))
                if len(key) >= 3 and key.isalpha():
                    words.update(_derived(key))
    return frozenset(words)


def _derived(key: str) -> list[str]:
    """A word with the forms Hunspell produces by affix rules that compounds use most:
    verb stems and their -ung nouns (melden → meld, meldung; versichern → versicherung), -keit nouns."""
    forms = [key]
    for ending in ("ern", "eln", "en", "n"):
        if key.endswith(ending) and len(key) - len(ending) >= 3:
            stem = key[:-len(ending)] + ending[:-2] if ending in ("ern", "eln") else key[:-len(ending)]
            stem = key[:-1] if ending in ("ern", "eln") else stem
            forms += [stem, stem + "ung"]
            break
    if key.endswith(("ig", "lich", "bar", "sam")):
        forms.append(key + "keit")
    return forms


_LINKS = ("s", "es", "n", "en", "er", "e")


@lru_cache(maxsize=300_000)
def compound_parts(word: str) -> tuple[str, ...]:
    """The parts after the first of a compound key, head last ("aufenthaltserlaubnisverlangerung" →
    "erlaubnis", "verlangerung", "erlaubnisverlangerung"); () if it is no compound.

    The first part is left out: a prefix query ("Aufenthalt*") finds it without index entries."""
    known = lexicon()
    if not known:
        return ()
    best = _split(word, known)
    if best is None or len(best) < 2:
        return ()
    parts: list[str] = []
    for i, piece in enumerate(best[1:], 1):
        if i < len(best) - 1:                   # a joining form: "lassungs" is indexed as "lassung"
            piece = next((piece[:-len(link)] for link in _LINKS
                          if piece.endswith(link) and piece[:-len(link)] in known and len(piece) - len(link) >= 4),
                         piece)
        if len(piece) >= 4:
            parts.append(piece)
    if len(best) > 2:
        tail = "".join(best[1:])
        if tail in known:
            parts.append(tail)
    return tuple(dict.fromkeys(parts))


def _split(word: str, lexicon: frozenset[str]) -> list[str] | None:
    """Fewest lexicon pieces (at least two) that make up *word*; ties go to the longer head.

    A piece before the head may carry a joining element ("lassungs" = "lassung" + "s"); the head
    (last piece) has at least 4 letters."""
    n = len(word)
    best: list[list[str] | None] = [None] * (n + 1)     # best[i]: pieces covering word[i:]
    best[n] = []
    for i in range(n - 3, -1, -1):
        choice = None
        for j in range(i + 3, n + 1):
            rest = best[j]
            piece = word[i:j]
            if rest is None or (i == 0 and j == n) or (j == n and len(piece) < 4):
                continue
            if not (piece in lexicon or (j < n and _joined(piece, lexicon))):
                continue
            candidate = [piece, *rest]
            if choice is None or (len(candidate), -len(candidate[-1])) < (len(choice), -len(choice[-1])):
                choice = candidate
        best[i] = choice
    return best[0]


def _joined(piece: str, lexicon: frozenset[str]) -> bool:
    return any(piece.endswith(link) and len(piece) - len(link) >= 3 and piece[:-len(link)] in lexicon
               for link in _LINKS)


# --- filter tokens -------------------------------------------------------------------------------
# Filters run inside the full-text query as tokens of their own, so counts and paging are right and
# a page outside the allowed cases never leaves the database. A token is one upper-case kind letter
# and its value in [a-z0-9]: no word key holds an upper-case letter (folding.fold_letters), so page
# text can never make one on PostgreSQL, where words and tokens share a page's tsvector (FTS5 keeps
# them in a column of their own, which folds case: the kind letters tell them apart there).
# Each character costs a byte per token and page, so values are short: dates and review reversibly
# encoded (no two values share a token); case numbers, types and teams hashed to HASH_CHARACTERS
# base-36 characters (about 41 bits), the empty value (no case, type or team) being the bare kind
# letter, which no hash equals. A hash collision can only bring foreign candidates to the row check
# (search.Filters.admits), which drops them: it costs speed, never shows a page.

KINDS = {"case": "C", "team": "G", "type": "T", "review": "R", "day": "D", "month": "M", "year": "Y", "strong": "S"}
HASH_CHARACTERS = 8
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def base36(number: int) -> str:
    """A non-negative integer in base 36, no leading zeros: one string per number."""
    out = _DIGITS[number % 36]
    while number >= 36:
        number //= 36
        out = _DIGITS[number % 36] + out
    return out


def hashed_token(kind: str, value: str) -> str:
    """KINDS[kind] and *value* hashed (the bare kind letter for the empty value)."""
    if not value:
        return KINDS[kind]
    digest = int.from_bytes(hashlib.blake2b(value.encode(), digest_size=8).digest(), "big")
    return KINDS[kind] + base36(digest % 36 ** HASH_CHARACTERS).rjust(HASH_CHARACTERS, "0")


def strong_token(key: str) -> str:
    """The token of a word weighing strongly on a page ("Santrag"); strong_token(prefix) is a prefix of
    the strong tokens of the words it begins, and of nothing else."""
    return KINDS["strong"] + key


def case_token(case_number: str | None) -> str:
    return hashed_token("case", (case_number or "").strip().upper())


def team_token(team: str | None) -> str:
    """The token of the team responsible for a page's case ("" : a case no team is responsible for)."""
    return hashed_token("team", team or "")


def case_scope_tokens(case_number: str | None, team: str | None) -> list[str]:
    """A page of a case carries its case's team (documents without a case: the intake's case token)."""
    return [team_token(team)] if (case_number or "").strip() else []


def type_token(doc_type: str | None) -> str:
    return hashed_token("type", doc_type or "")


def review_token(review: bool) -> str:
    return KINDS["review"] + ("1" if review else "0")


def day_token(day: date) -> str:
    return KINDS["day"] + base36(day.toordinal())


def month_token(day: date) -> str:
    return KINDS["month"] + base36(day.year * 12 + day.month - 1)


def year_token(day: date) -> str:
    return KINDS["year"] + base36(day.year)


def document_tokens(doc_type: str | None, case_number: str | None, review: bool, received: datetime | date) -> list[str]:
    day = office_day(received)          # the Berlin day a clerk filters by, not the UTC one
    return [type_token(doc_type), case_token(case_number), review_token(bool(review)),
            day_token(day), month_token(day), year_token(day)]


def date_range_tokens(start: date | None, end: date | None) -> list[str] | None:
    """The fewest year/month/day tokens covering start..end (inclusive); None = no limit."""
    if start is None and end is None:
        return None
    start = start or date(1950, 1, 1)
    end = end or date.today() + timedelta(days=366)
    if start > end:
        return []
    out: list[str] = []
    day = start
    while day <= end:
        year_end = date(day.year, 12, 31)
        month_end = (date(day.year + (day.month == 12), day.month % 12 + 1, 1) - timedelta(days=1))
        if day.month == 1 and day.day == 1 and year_end <= end:
            out.append(year_token(day))
            day = year_end + timedelta(days=1)
        elif day.day == 1 and month_end <= end:
            out.append(month_token(day))
            day = month_end + timedelta(days=1)
        else:
            out.append(day_token(day))
            day += timedelta(days=1)
    return out
