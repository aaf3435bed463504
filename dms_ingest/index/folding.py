"""German-aware text folding for search: "Strasse" finds "Straße", "Aenderung" and "Anderung" find "Änderung".

Every word is reduced to one search key on both sides (page and query): lower case, ß→ss,
diacritics dropped, and ae/oe/ue→a/o/u so that the spelled-out umlaut, the umlaut and the
umlaut OCR lost ("Verlangerung") meet. One key per word keeps the index to one copy of the text.
`fold_translit` and `fold_plain` are the two readable forms used by the classifiers.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from itertools import chain

_TRANSLIT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss",
                           "Ä": "ae", "Ö": "oe", "Ü": "ue", "ı": "i", "ł": "l", "ø": "o", "đ": "d"})
_PLAIN = str.maketrans({"ß": "ss", "ẞ": "ss", "ı": "i", "ł": "l", "ø": "o", "đ": "d"})
_KEY = str.maketrans({"ß": "ss", "ẞ": "ss", "ı": "i", "ł": "l", "ø": "o", "đ": "d", "ð": "d", "æ": "ae",
                      "œ": "oe", "þ": "th", "ħ": "h"})
_SPELLED_UMLAUT = re.compile(r"([aou])e")
# A word: letters and digits (Python's \w without the underscore), as SQLite's unicode61 tokenizer sees it.
WORD = re.compile(r"[^\W_]+", re.UNICODE)


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold_translit(text: str) -> str:
    return _strip_marks(unicodedata.normalize("NFC", text).translate(_TRANSLIT)).casefold()


def fold_plain(text: str) -> str:
    return _strip_marks(unicodedata.normalize("NFC", text).translate(_PLAIN)).casefold()


def fold_letters(word: str) -> str:
    """A word's key before spelled-out umlauts are folded (lower case, ß→ss, marks dropped).

    Lower case once more after the compatibility forms are unfolded ("ℍ", "ᴬ", "𝐀" give "H", "A"):
    no key holds an upper-case letter, which marks the filter tokens (analysis.KINDS)."""
    return _strip_marks(unicodedata.normalize("NFC", word).casefold().translate(_KEY)).lower()


@lru_cache(maxsize=500_000)
def word_key(word: str) -> str:
    """The search key of one word: "Änderung", "Aenderung", "Anderung" → "anderung"."""
    return _SPELLED_UMLAUT.sub(r"\1", fold_letters(word))


_WORD_KEYS: dict[str, tuple[str, ...]] = {}
_SINGLE_KEY: dict[str, str] = {}        # words that give exactly one key (nearly all): word → key
MAX_KEY_LENGTH = 120


def _keys_of(word: str) -> tuple[str, ...]:
    key = word_key(word)
    found = (key,) if key.isalnum() else tuple(WORD.findall(key))
    return tuple(k for k in found if len(k) <= MAX_KEY_LENGTH)


def keys(text: str) -> list[str]:
    """The search keys of a text, in order (a folded word that is no longer one word gives several;
    words longer than MAX_KEY_LENGTH are no words but OCR debris and left out)."""
    words = WORD.findall(text)
    found = list(map(_SINGLE_KEY.get, words))
    if None not in found:
        return found
    cache = _WORD_KEYS
    for i, word in enumerate(words):
        if found[i] is None:
            known = cache.get(word)
            if known is None:
                known = _keys_of(word)
                if len(cache) < 1_000_000:
                    cache[word] = known
                    if len(known) == 1:
                        _SINGLE_KEY[word] = known[0]
            found[i] = known
        else:
            found[i] = (found[i],)
    return list(chain.from_iterable(found))


def word_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, key) of every word of a text: for marking hits in the original spelling."""
    return [(m.start(), m.end(), word_key(m.group())) for m in WORD.finditer(text)]
