"""Where a query's hits are: on the page image (word boxes) and in the text (marked spans).

Terms are folded the way the search index folds them ("Strasse" meets "Straße", "Aenderung" meets
"Änderung", "Verlangerung" with an OCR-lost umlaut meets "Verlängerung"), so what the search found
is what the page shows. A word is a hit when it equals a term, starts with a prefix term (`Aufenth*`),
contains a term of at least four letters (compound parts: "erlaubnis" in "Aufenthaltserlaubnis")
or is within a fuzzy term's distance (`Mohammed~` marks "Mohamad", by the index's own rule). Negated terms (`-Entwurf`) and the operators are never marked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Sequence

from ..index.folding import fold_plain, fold_translit, word_key
from ..index.query import parse, typed_query
from ..index.search import similar_words

_QUERY_TOKEN = re.compile(r'"([^"]*)"|(-?)([\w][\w\-./§]*)(\*|~\d?)?', re.UNICODE)
_OPERATORS = {"AND", "OR", "NOT"}
_NOT_ALNUM = re.compile(r"[\W_]+", re.UNICODE)
_MIN_PART = 4
@dataclass(frozen=True)
class Term:
    forms: frozenset[str]   # folded spellings
    prefix: bool = False
    fuzzy: int = 0          # `word~`: the edit distance the index allowed (0: exact)
    key: str = ""           # the index's key of a fuzzy word


@dataclass(frozen=True)
class Box:
    """A hit's rectangle as fractions of the page (0..1, y down)."""

    x: float
    y: float
    width: float
    height: float


def _forms(word: str) -> frozenset[str]:
    forms = {_NOT_ALNUM.sub("", fold(word)) for fold in (fold_translit, fold_plain)}
    return frozenset(f for f in forms if f)


def query_terms(user_query: str) -> list[Term]:
    """The positive terms of a search query, folded; phrases contribute each of their words."""
    terms: list[Term] = []
    for phrase, minus, word, suffix in _QUERY_TOKEN.findall(typed_query(user_query)):
        if minus or word in _OPERATORS:
            continue
        if not phrase and suffix.startswith("~"):
            # The index's own reading of `word~` (key and distance), so the page marks what it found.
            fuzzy = [w for w in parse(word + suffix).words() if w.fuzzy]
            if fuzzy and _forms(word):
                terms.append(Term(_forms(word), fuzzy=fuzzy[0].fuzzy, key=fuzzy[0].key))
                continue
        words = phrase.split() if phrase else [word]
        for item in words:
            forms = _forms(item)
            if forms:
                terms.append(Term(forms, suffix == "*" and not phrase))
    return terms


def is_hit(word: str, terms: Sequence[Term]) -> bool:
    forms = _forms(word)
    for term in terms:
        if term.fuzzy:
            key = word_key(word)
            if key and similar_words(term.key, term.fuzzy, {len(key): [key]}):   # the index's rule for `word~`
                return True
        for form in forms:
            for wanted in term.forms:
                if form == wanted or (term.prefix and form.startswith(wanted)):
                    return True
                if len(wanted) >= _MIN_PART and wanted in form:
                    return True
    return False


def hit_boxes(words: Iterable, terms: Sequence[Term], pad: float = 0.002) -> list[Box]:
    """Rectangles over the words (objects with text, x0, y0, x1, y1) that are hits."""
    if not terms:
        return []
    boxes = []
    for w in words:
        if is_hit(w.text, terms):
            x0, y0 = max(w.x0 - pad, 0.0), max(w.y0 - pad, 0.0)
            x1, y1 = min(w.x1 + pad, 1.0), min(w.y1 + pad, 1.0)
            boxes.append(Box(round(x0, 5), round(y0, 5), round(x1 - x0, 5), round(y1 - y0, 5)))
    return boxes


_TEXT_WORD = re.compile(r"[\w§][\w\-./§]*", re.UNICODE)


def marked_segments(text: str, terms: Sequence[Term]) -> list[tuple[str, bool]]:
    """The text cut into (piece, is_hit) runs; templates escape each piece and wrap hits in <mark>."""
    if not terms:
        return [(text, False)] if text else []
    segments: list[tuple[str, bool]] = []
    position = 0
    for match in _TEXT_WORD.finditer(text):
        if not is_hit(match.group(), terms):
            continue
        if match.start() > position:
            segments.append((text[position:match.start()], False))
        segments.append((match.group(), True))
        position = match.end()
    if position < len(text):
        segments.append((text[position:], False))
    return segments


def bracket_segments(snippet: str) -> list[tuple[str, bool]]:
    """A search snippet whose hits the index marked as [hit] cut into (piece, is_hit) runs."""
    segments: list[tuple[str, bool]] = []
    for piece in re.split(r"(\[[^\[\]]*\])", snippet or ""):
        if not piece:
            continue
        if piece.startswith("[") and piece.endswith("]") and len(piece) > 2:
            segments.append((piece[1:-1], True))
        else:
            segments.append((piece, False))
    return segments
