"""Phrases on PostgreSQL, checked against the stored page text.

The PostgreSQL index holds each word of a page once, without its positions (fulltext.py): the
positions were the largest part of the index (~410 of ~2,900 bytes per page at 1M pages) and only
phrases need them. So GIN finds the pages holding all of a phrase's words, and this module keeps
those where the words stand in that order, as `analysis` reads the page (the same `folding.keys`).
An excluded phrase (`-"Antrag auf"`) is left out of the index query (words anywhere on a page are
no reason to drop it) and checked here too.
"""

from __future__ import annotations

import re

from .analysis import analyse
from .folding import keys
from .query import AnyOf, ParsedQuery, Phrase, Term, Word


def _items(term: Term) -> tuple:
    return term.items if isinstance(term, AnyOf) else (term,)


def has_phrase(term: Term) -> bool:
    return any(isinstance(item, Phrase) for item in _items(term))


def holds_phrase(words: list[str], phrase: tuple[str, ...]) -> bool:
    """Whether the keys *phrase* stand one after another in *words* (a page's keys in order)."""
    first, size = phrase[0], len(phrase)
    start = 0
    try:
        while True:
            start = words.index(first, start)
            if tuple(words[start:start + size]) == phrase:
                return True
            start += 1
    except ValueError:
        return False


class _AsWritten:
    """The phrase's words as the query wrote them, lower case, whole words with only non-word
    characters between them. Where a page holds them so, its keys hold the phrase (the same words
    make the same keys): found without folding the page into keys, a fraction of the cost. Tried
    only where the first word starts a word (a substring search finds those quickest)."""

    def __init__(self, phrase: Phrase):
        words = [word.lower() for word in phrase.written]
        self.first = words[0]
        rest = r"[\W_]+".join(map(re.escape, words)) + r"(?![^\W_])"
        self.rest = re.compile(rest)
        self.any_case = re.compile(r"(?<![^\W_])" + rest, re.IGNORECASE)

    def found(self, page_text: str) -> bool:
        lowered = page_text.lower()
        if len(lowered) != len(page_text):      # "İ" lowers to "i" and a combining dot: not a word's letters
            return self.any_case.search(page_text) is not None
        find, match, first = lowered.find, self.rest.match, self.first
        at = find(first)
        while at >= 0:
            if (at == 0 or not lowered[at - 1].isalnum()) and match(lowered, at):
                return True
            at = find(first, at + 1)
        return False


class PhraseCheck:
    """Whether a page's text satisfies the query's phrases: every required choice that holds a
    phrase (by one of its phrases, or by one of its words as the index would find it) and none of
    the excluded phrases. The query's other terms are decided by the index."""

    def __init__(self, query: ParsedQuery):
        self.required = [_items(term) for term in query.required if has_phrase(term)]
        self.excluded = [term.keys for term in query.excluded if isinstance(term, Phrase)]
        # A required choice that is one phrase: most pages of a common phrase spell it as asked.
        self._written = [_AsWritten(choices[0]) if len(choices) == 1 and choices[0].written else None
                         for choices in self.required]
        self.results: dict[int, bool] = {}     # page id → passed, for whoever checks pages by id

    @classmethod
    def of(cls, query: ParsedQuery) -> PhraseCheck | None:
        """The check a query needs, or None if it has no phrase."""
        check = cls(query)
        return check if check.required or check.excluded else None

    def __call__(self, page_text: str) -> bool:
        required = [choices for choices, written in zip(self.required, self._written)
                    if written is None or not written.found(page_text)]
        if not required and not self.excluded:
            return True
        words = keys(page_text)
        lexemes: set[str] | None = None         # made only for a choice of a phrase and words
        for choices in required:
            if any(isinstance(item, Phrase) and holds_phrase(words, item.keys) for item in choices):
                continue
            alternatives = [item for item in choices if isinstance(item, Word)]
            if not alternatives:
                return False
            if lexemes is None:
                terms = analyse(page_text)
                lexemes = set(terms.words) | {part for part, _ in terms.parts}
            if not any(_indexed(word, lexemes, words) for word in alternatives):
                return False
        return not any(holds_phrase(words, phrase) for phrase in self.excluded)


def _indexed(word: Word, lexemes: set[str], words: list[str]) -> bool:
    """Whether the index finds *word* on a page with these lexemes (words and compound parts)."""
    if word.prefix:
        return any(lexeme.startswith(word.key) for lexeme in lexemes)
    return word.key in lexemes if word.compound else word.key in words

