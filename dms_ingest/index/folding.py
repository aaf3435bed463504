"""German-aware text folding for search: "Strasse" finds "Straße", "Aenderung" finds "Änderung".

Every page is indexed twice: transliterated (ä→ae, ß→ss) and plain (ä→a, ß→ss). A query term
is folded both ways and may match either form, so spellings with and without umlauts meet.
"""

from __future__ import annotations

import re
import unicodedata

_TRANSLIT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss",
                           "Ä": "ae", "Ö": "oe", "Ü": "ue", "ı": "i", "ł": "l", "ø": "o", "đ": "d"})
_PLAIN = str.maketrans({"ß": "ss", "ẞ": "ss", "ı": "i", "ł": "l", "ø": "o", "đ": "d"})


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold_translit(text: str) -> str:
    return _strip_marks(unicodedata.normalize("NFC", text).translate(_TRANSLIT)).casefold()


def fold_plain(text: str) -> str:
    return _strip_marks(unicodedata.normalize("NFC", text).translate(_PLAIN)).casefold()


# A term is a run of letters/digits (joined by inner hyphens, dots or slashes: "ABH-2019-04711", "§81"),
# optionally quoted as a phrase or ending in * for a prefix search. Everything else is ignored, so
# FTS5 syntax in user input can never break the query.
_TOKEN = re.compile(r'"([^"]*)"|(-?)([\w][\w\-./]*)(\*?)', re.UNICODE)
_WORD = re.compile(r"\w+", re.UNICODE)


def _quoted(words: list[str]) -> str:
    return '"' + " ".join(w.replace('"', '""') for w in words) + '"'


def _term(words: list[str], prefix: bool) -> str | None:
    variants = []
    for fold in (fold_translit, fold_plain):
        folded = [w for word in words for w in _WORD.findall(fold(word))]
        if folded:
            variants.append(_quoted(folded) + ("*" if prefix else ""))
    variants = list(dict.fromkeys(variants))
    if not variants:
        return None
    return variants[0] if len(variants) == 1 else "(" + " OR ".join(variants) + ")"


def fts_query(user_query: str) -> str | None:
    """Translate free user input into a safe FTS5 MATCH expression (None if nothing searchable)."""
    parts: list[str] = []
    negated: list[str] = []
    pending_or = False
    for match in _TOKEN.finditer(user_query):
        phrase, minus, word, star = match.groups()
        if phrase is not None:
            term = _term(phrase.split(), False)
        elif word in ("AND", "NOT"):
            continue
        elif word == "OR":
            pending_or = bool(parts)
            continue
        else:
            term = _term([word], bool(star))
        if not term:
            continue
        if minus:
            negated.append(term)
        elif pending_or and parts:
            parts[-1] = f"({parts[-1]} OR {term})"
            pending_or = False
        else:
            parts.append(term)
    if not parts:
        return None
    expression = " AND ".join(parts)
    for term in negated:
        expression = f"({expression}) NOT {term}"
    return expression


def query_words(user_query: str) -> list[str]:
    """The folded words of a query, for building snippets."""
    return [w for w in _WORD.findall(fold_plain(user_query)) if w not in ("and", "or", "not")]


def snippet(text: str, user_query: str, width: int = 160) -> str:
    """A window of the original text around the first query word, the hit marked with [brackets]."""
    words = query_words(user_query)
    folded, offsets = [], []
    for i, char in enumerate(text):
        piece = fold_plain(char)
        folded.append(piece)
        offsets.extend([i] * len(piece))
    haystack = "".join(folded)
    best = None
    for word in words:
        for variant in {word, fold_plain(word.replace("ae", "a").replace("oe", "o").replace("ue", "u"))}:
            pos = haystack.find(variant)
            if pos >= 0 and (best is None or pos < best[0]):
                best = (pos, len(variant))
    flat = " ".join(text.split())
    if best is None:
        return flat[:width]
    start, end = offsets[best[0]], offsets[min(best[0] + best[1], len(offsets)) - 1] + 1
    left = max(0, start - width // 2)
    right = min(len(text), end + width // 2)
    window = text[left:start] + "[" + text[start:end] + "]" + text[end:right]
    window = " ".join(window.split())
    return ("…" if left > 0 else "") + window + ("…" if right < len(text) else "")
