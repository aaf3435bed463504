"""How much an OCR reading looks like German text: the measure that decides whether a page is read
again turned when orientation detection was unsure, and which of two readings is kept.

Mean word confidence alone does not tell: dust specks read as "." pull an upright page's mean down
(an upside-down fax page read upright: 29.5, turned: 66.0), and Tesseract is sometimes confident about
letter soup. The share of words found in the German word list (hunspell-de-de, the one search splits
compounds with) separates them clearly: upside-down readings 0.03-0.12, the same pages turned
0.60-0.90 (README "Orientation").
"""

from __future__ import annotations

from dataclasses import dataclass

from ..index.analysis import lexicon
from ..index.folding import keys
from .ocr import OcrResult

# Inflected forms of the word list's stems ("geehrte", "Unterlagen", "beantragt"): enough to tell German
# from letter soup, not a grammar.
_ENDINGS = ("ern", "en", "em", "er", "es", "te", "e", "n", "s", "t")
# A reading is poor, worth reading the page turned, below this share of German words and below this
# mean confidence (the bar under which field_lines.py takes a page as read as noise). Upside-down letters
# read as scanned: share 0.00-0.23, confidence 27-48 (deu+eng); upright payslips and passports: share
# 0.23-0.35 (names, amounts, MRZ), confidence 78-94, so the confidence bar spares them the extra passes.
POOR_SHARE = 0.35
POOR_CONFIDENCE = 60.0
# A turned reading replaces the first only with this many more German words in a hundred, at least
# MIN_SHARE of its words (and MIN_WORDS words) German, and no lower mean confidence: a doubtful re-read
# keeps the first reading.
MARGIN = 0.25
MIN_SHARE = 0.4
MIN_WORDS = 5


@dataclass(frozen=True)
class Quality:
    confidence: float           # mean word confidence 0..100
    known_share: float | None   # share of the words of 3+ letters in the German word list; None: no list
    words: int                  # how many words of 3+ letters the reading has


def _known(key: str, words: frozenset[str]) -> bool:
    return key in words or any(key.endswith(e) and key[:-len(e)] in words for e in _ENDINGS)


def quality(result: OcrResult) -> Quality:
    words = lexicon()
    candidates = [k for k in keys(result.text) if len(k) >= 3 and k.isalpha()]
    if not words:
        return Quality(result.confidence, None, len(candidates))
    known = sum(_known(k, words) for k in candidates)
    return Quality(result.confidence, known / len(candidates) if candidates else 0.0, len(candidates))


def is_poor(reading: Quality) -> bool:
    """Too unsure and too few German words to be the page read the right way up (never, without the
    word list)."""
    return (reading.known_share is not None and reading.known_share < POOR_SHARE
            and reading.confidence < POOR_CONFIDENCE)


def clearly_better(turned: Quality, first: Quality) -> bool:
    """The turned reading is the page read the right way up, beyond doubt."""
    if turned.known_share is None or first.known_share is None:
        return False
    return (turned.known_share >= max(MIN_SHARE, first.known_share + MARGIN)
            and turned.known_share * turned.words >= MIN_WORDS and turned.confidence >= first.confidence)
