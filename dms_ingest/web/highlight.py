"""Where a query's hits are: on the page image (word boxes) and in the text (marked spans).

The query is read by the search's own parser (index/query.parse: phrases, `Aufenth*`, „…“, `word~`,
-/NOT) and a word is matched by the snippets' own rule (index/snippets.hit_spans, on search keys):
so "Strasse" meets "Straße", "Aenderung" and "Verlangerung" (an OCR-lost umlaut) meet "Änderung",
and what the search found is what the page shows. A word is a hit when one of its keys equals a
query word, starts with a prefix word (`Aufenth*`), contains a word of at least four letters
(compound parts: "erlaubnis" in "Aufenthaltserlaubnis"; not for a quoted single word) or is within a
fuzzy word's distance (`Mohammed~` marks "Mohamad", by the index's own rule). A phrase marks its
words only where they stand in its order (a case number "ABH-2019-04711" marks no lone "2019" of a
date); negated words (`-Entwurf`, NOT Entwurf) and the operators are never marked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Sequence

from ..index.folding import keys
from ..index.query import AnyOf, Phrase, Word, parse
from ..index.search import similar_words
from ..index.snippets import hit_spans


@dataclass(frozen=True)
class Box:
    """A hit's rectangle as fractions of the page (0..1, y down)."""

    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Terms:
    """What a query marks: its words, and its phrases' keys (marked only in sequence); negated ones not."""

    words: tuple[Word, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.words or self.phrases)


def query_terms(user_query: str) -> Terms:
    """The words and phrases a search query asks for, as the search's parser reads it."""
    words: list[Word] = []
    phrases: list[tuple[str, ...]] = []
    for term in parse(user_query).required:
        for item in (term.items if isinstance(term, AnyOf) else (term,)):
            if isinstance(item, Phrase):
                phrases.append(item.keys)
            else:
                words.append(item)
    return Terms(tuple(words), tuple(phrases))


def is_hit(word: str, terms: Terms) -> bool:
    """Is *word* a hit of one of the query's single words (phrases need their neighbours: `hit_flags`)?"""
    if not terms.words:
        return False
    if next(hit_spans(word, list(terms.words)), None) is not None:
        return True
    fuzzy = [term for term in terms.words if term.fuzzy]
    if fuzzy:
        vocabulary: dict[int, list[str]] = {}
        for key in keys(word):
            vocabulary.setdefault(len(key), []).append(key)
        # The index's rule for `word~`, so the page marks what the search found.
        return any(similar_words(term.key, term.fuzzy, vocabulary) for term in fuzzy)
    return False


def _phrase_positions(words: Sequence[str], phrases) -> set[int]:
    """The indexes of the words that hold a phrase's keys in its order (one word may hold several
    keys, "ABH-2019-04711", and a phrase may run across words and lines)."""
    flat = [(key, i) for i, word in enumerate(words) for key in keys(word)]
    found: set[int] = set()
    for phrase in phrases:
        for start in range(len(flat) - len(phrase) + 1):
            if all(flat[start + j][0] == key for j, key in enumerate(phrase)):
                found.update(flat[start + j][1] for j in range(len(phrase)))
    return found


def hit_flags(words: Sequence[str], terms: Terms) -> list[bool]:
    """For each word of a text in reading order: is it a hit?"""
    in_phrase = _phrase_positions(words, terms.phrases) if terms.phrases else set()
    return [i in in_phrase or is_hit(word, terms) for i, word in enumerate(words)]


def hit_boxes(words: Iterable, terms: Terms, pad: float = 0.002) -> list[Box]:
    """Rectangles over the words (objects with text, x0, y0, x1, y1, in reading order) that are hits."""
    if not terms:
        return []
    words = list(words)
    boxes = []
    for w, hit in zip(words, hit_flags([w.text for w in words], terms)):
        if hit:
            x0, y0 = max(w.x0 - pad, 0.0), max(w.y0 - pad, 0.0)
            x1, y1 = min(w.x1 + pad, 1.0), min(w.y1 + pad, 1.0)
            boxes.append(Box(round(x0, 5), round(y0, 5), round(x1 - x0, 5), round(y1 - y0, 5)))
    return boxes


_TEXT_WORD = re.compile(r"[\w§][\w\-./§]*", re.UNICODE)


def marked_segments(text: str, terms: Terms) -> list[tuple[str, bool]]:
    """The text cut into (piece, is_hit) runs; templates escape each piece and wrap hits in <mark>."""
    if not terms:
        return [(text, False)] if text else []
    segments: list[tuple[str, bool]] = []
    position = 0
    matches = list(_TEXT_WORD.finditer(text))
    for match, hit in zip(matches, hit_flags([m.group() for m in matches], terms)):
        if not hit:
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
