"""Snippets: a window of a page's original text around the hits, each hit marked.

Marking works on search keys, so "Aenderung" marks "Änderung", and a compound part marks only its
letters inside the compound ("strasse" → "Haupt[straße]"). Marks are [brackets] for the CLI and
<mark> in `html`, where every other character of the (untrusted) page text is escaped.
"""

from __future__ import annotations

import html as html_lib
import unicodedata
from dataclasses import dataclass

from .folding import WORD, word_key
from .query import Word


@dataclass
class Snippet:
    text: str                               # hits in [brackets]
    html: str                               # hits in <mark>, the rest escaped


def _key_with_offsets(word: str) -> tuple[str, list[int]]:
    """The word's key and, for each key character, the index of the original character it came from."""
    chars: list[tuple[str, int]] = []
    for i, char in enumerate(word):
        for folded in word_key(char) if char.isalnum() else "":
            chars.append((folded, i))
    key, offsets = [], []
    skip = False
    for n, (char, origin) in enumerate(chars):
        if skip:
            skip = False
            continue
        key.append(char)
        offsets.append(origin)
        if char in "aou" and n + 1 < len(chars) and chars[n + 1][0] == "e":
            skip = True                     # ae/oe/ue fold to a/o/u, like word_key
    return "".join(key), offsets


def hit_spans(text: str, words: list[Word], start: int = 0, end: int | None = None):
    """Character spans of the query words in text[start:end], in order (whole words, prefixes, compound parts)."""
    exact = {w.key for w in words if not w.prefix}
    prefixes = tuple(w.key for w in words if w.prefix)
    parts = [w.key for w in words if w.compound and not w.prefix and len(w.key) >= 4]
    for match in WORD.finditer(text, start, len(text) if end is None else end):
        key = word_key(match.group())
        if key in exact or (prefixes and key.startswith(prefixes)):
            yield match.start(), match.end()
            continue
        for part in parts:
            if len(key) > len(part) and part in key:
                folded, offsets = _key_with_offsets(match.group())
                position = folded.find(part)
                if position >= 0:
                    stop = position + len(part)
                    last = offsets[stop - 1] + 1 if stop - 1 < len(offsets) else len(match.group())
                    yield match.start() + offsets[position], match.start() + last
                break


def _merge_adjacent(text: str, spans) -> list[tuple[int, int]]:
    """One mark for hits separated only by spaces or punctuation: "[Antrag auf Änderung]", "[ABH-2019-04711]"."""
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and len(text[merged[-1][1]:start]) <= 2 and not any(c.isalnum() for c in text[merged[-1][1]:start]):
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def make_snippet(text: str, words: list[Word], width: int = 160) -> Snippet:
    first = next(hit_spans(text, words), None)
    if first is None:
        flat = " ".join(text[: width * 2].split())[:width]
        return Snippet(flat, html_lib.escape(flat))
    left = _word_boundary(text, max(0, first[0] - width // 2), -1)
    right = _word_boundary(text, min(len(text), first[1] + width // 2), +1)
    spans = _merge_adjacent(text, [s for s in hit_spans(text, words, left, right) if s[1] <= right])
    plain, marked = [], []
    cursor = left
    for start, end in spans:
        plain += [text[cursor:start], "[", text[start:end], "]"]
        marked += [html_lib.escape(text[cursor:start]), "<mark>", html_lib.escape(text[start:end]), "</mark>"]
        cursor = end
    plain.append(text[cursor:right])
    marked.append(html_lib.escape(text[cursor:right]))
    before = "…" if left > 0 else ""
    after = "…" if right < len(text) else ""
    return Snippet(before + " ".join("".join(plain).split()) + after,
                   before + " ".join("".join(marked).split()) + after)


def _word_boundary(text: str, index: int, direction: int) -> int:
    """Move *index* off the middle of a word (at most 20 characters) so the window shows whole words."""
    for _ in range(20):
        if index <= 0 or index >= len(text):
            return max(0, min(index, len(text)))
        if not unicodedata.category(text[index - 1 if direction < 0 else index])[0] in "LN":
            return index
        index += direction
    return index
