"""Where a query's hits are: on the page image (word boxes) and in the text (marked spans).

The query is read by the search's own parser (index/query.parse: phrases, `Aufenth*`, „…“, `word~`,
-/NOT) and a word is matched by the snippets' own rule (index/snippets.hit_spans, on search keys):
so "Strasse" meets "Straße", "Aenderung" and "Verlangerung" (an OCR-lost umlaut) meet "Änderung",
and what the search found is what the page shows. A word is a hit when one of its keys equals a
query word, starts with a prefix word (`Aufenth*`), contains a word of at least four letters
(compound parts: "erlaubnis" in "Aufenthaltserlaubnis"; not for a quoted single word) or is within a
fuzzy word's distance (`Mohammed~` marks "Mohamad", by the index's own rule). The words of a phrase
are marked each; negated words (`-Entwurf`, NOT Entwurf) and the operators never are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Sequence

from ..index.folding import keys
from ..index.query import Word, parse
from ..index.search import similar_words
from ..index.snippets import hit_spans


@dataclass(frozen=True)
class Box:
    """A hit's rectangle as fractions of the page (0..1, y down)."""

    x: float
    y: float
    width: float
    height: float


def query_terms(user_query: str) -> list[Word]:
    """The words a search query asks for (a phrase gives each of its words), negated ones not."""
    return parse(user_query).words()


def is_hit(word: str, terms: Sequence[Word]) -> bool:
    if next(hit_spans(word, list(terms)), None) is not None:
        return True
    fuzzy = [term for term in terms if term.fuzzy]
    if fuzzy:
        vocabulary: dict[int, list[str]] = {}
        for key in keys(word):
            vocabulary.setdefault(len(key), []).append(key)
        # The index's rule for `word~`, so the page marks what the search found.
        return any(similar_words(term.key, term.fuzzy, vocabulary) for term in fuzzy)
    return False


def hit_boxes(words: Iterable, terms: Sequence[Word], pad: float = 0.002) -> list[Box]:
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


def marked_segments(text: str, terms: Sequence[Word]) -> list[tuple[str, bool]]:
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
