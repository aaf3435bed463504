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
from .folding import MAX_KEY_LENGTH, fold_letters, keys
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
    only where the first word starts a word (a substring search finds those quickest), and only on
    a page `plain_keys_text` cannot fold."""

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


# Page text of Latin script (nearly every page) folds to its keys with str methods alone: lower
# case, then each letter beyond ASCII replaced by its key (`folding.fold_letters`: "ä"→"a", "ß"→"ss",
# "ł"→"l", "é"→"e", "²"→"2"), then "ae"/"oe"/"ue"→"a"/"o"/"u" as `folding.word_key` does (which
# never reaches across words). Its words are then the runs of [a-z0-9]: the keys in order, except
# runs longer than MAX_KEY_LENGTH, OCR debris that `keys` leaves out (the phrase's pattern steps
# over them). So a phrase is one regular expression over the folded text: several times quicker
# than reading the page into keys. Any other character (another script, ligatures, combining
# marks...) leaves the page to `keys`.
_UMLAUTS = (("ä", "a"), ("ö", "o"), ("ü", "u"), ("ß", "ss"))
_PUNCTUATION = "§„“”‚‘’–—…•€«»°·\xa0\xad"


def _letter_keys() -> dict[str, str]:
    """Lower-case letters and digits beyond ASCII whose key is ASCII letters or digits, each alone."""
    ranges = [range(0x80, 0x250), range(0x1E00, 0x1F00), range(0x2070, 0x20A0)]
    letters = {}
    for char in (chr(code) for codes in ranges for code in codes):
        key = fold_letters(char)
        if char.isalnum() and char == char.lower() and key and key.isascii() and key.isalnum():
            letters[char] = key.lower()
    return letters


_LETTER_KEYS = _letter_keys()
_BEYOND = re.compile("[^\\x00-\\x7f]")


def plain_keys_text(page_text: str) -> str | None:
    """The page's keys as one string (each key a run of [a-z0-9] of at most MAX_KEY_LENGTH, separated
    by other characters and debris), or None if the page holds a character that folds otherwise
    (then `folding.keys` decides)."""
    # "İ" (Turkish names) lowers to "i" and a combining dot, which would part the word: its key is "i".
    lowered = (page_text.replace("İ", "I") if "İ" in page_text else page_text).lower()
    if not lowered.isascii():
        for letter, key in _UMLAUTS:
            lowered = lowered.replace(letter, key)
        for char in _PUNCTUATION:               # no word's character: one space keeps words apart
            if char in lowered:
                lowered = lowered.replace(char, " ")
        if not lowered.isascii():               # letters of names ("ł", "é", "ı"...) or other scripts
            for char in set(_BEYOND.findall(lowered)):
                key = _LETTER_KEYS.get(char)
                if key is None:
                    return None
                lowered = lowered.replace(char, key)
    return lowered.replace("ae", "a").replace("oe", "o").replace("ue", "u")


def _phrase_pattern(phrase: tuple[str, ...]):
    """Matches *phrase* (keys) as consecutive whole keys in a `plain_keys_text`, stepping over debris
    between them as `keys` leaves it out. It begins with the first key's letters (the regular
    expression engine then looks for them quickly), the key's start checked after."""
    first = re.escape(phrase[0])
    gap = "(?:[^a-z0-9]+[a-z0-9]{%d,})*[^a-z0-9]+" % (MAX_KEY_LENGTH + 1)
    return re.compile("(?s)" + first + "(?<![a-z0-9]" + "." * len(phrase[0]) + ")"
                      + "".join(gap + re.escape(key) for key in phrase[1:]) + "(?![a-z0-9])")


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
        self._patterns: dict[tuple[str, ...], re.Pattern] = {}

    @classmethod
    def of(cls, query: ParsedQuery) -> PhraseCheck | None:
        """The check a query needs, or None if it has no phrase."""
        check = cls(query)
        return check if check.required or check.excluded else None

    def __call__(self, page_text: str) -> bool:
        folded = plain_keys_text(page_text)
        if folded is not None:
            required = self.required
            patterns = self._patterns

            def holds(phrase: tuple[str, ...]) -> bool:
                if phrase not in patterns:
                    patterns[phrase] = _phrase_pattern(phrase)
                return patterns[phrase].search(folded) is not None
        else:
            required = [choices for choices, written in zip(self.required, self._written)
                        if written is None or not written.found(page_text)]
            if not required and not self.excluded:
                return True
            words = keys(page_text)

            def holds(phrase: tuple[str, ...]) -> bool:
                return holds_phrase(words, phrase)
        lexemes: set[str] | None = None         # made only for a choice of a phrase and words
        for choices in required:
            if any(isinstance(item, Phrase) and holds(item.keys) for item in choices):
                continue
            alternatives = [item for item in choices if isinstance(item, Word)]
            if not alternatives:
                return False
            if lexemes is None:
                terms = analyse(page_text)
                lexemes = set(terms.words) | {part for part, _ in terms.parts}
            if not any(_indexed(word, lexemes, terms.words) for word in alternatives):
                return False
        return not any(holds(phrase) for phrase in self.excluded)


def _indexed(word: Word, lexemes: set[str], words: list[str]) -> bool:
    """Whether the index finds *word* on a page with these lexemes (words and compound parts)."""
    if word.prefix:
        return any(lexeme.startswith(word.key) for lexeme in lexemes)
    return word.key in lexemes if word.compound else word.key in words

