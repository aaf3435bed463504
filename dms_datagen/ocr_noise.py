"""Imitation of OCR damage for synthetic documents: confusions, drops, broken words and lines."""

from __future__ import annotations

import random
import re

# Marks a span that must survive noise unchanged (its own, controlled damage is applied elsewhere).
PROTECT_START, PROTECT_END = "\x02", "\x03"

_CONFUSIONS = {
    "e": "c", "c": "e", "n": "u", "u": "n", "m": "rn", "l": "1", "i": "l", "I": "l", "O": "0",
    "S": "5", "B": "8", "ü": "u", "ä": "a", "ö": "o", "ß": "B", "h": "b", "a": "o", "t": "f",
    "f": "t", "r": "i", ".": ",", ",": ".", "g": "q", "E": "F", "y": "v", "v": "y", "Ü": "U",
}
_PAIR_CONFUSIONS = {"rn": "m", "cl": "d", "li": "h", "ri": "n", "in": "m"}
_LOOKALIKE_DIGITS = {"0": "O", "1": "l", "5": "S", "8": "B", "2": "Z"}
_LOOKALIKE_LETTERS = {"B": "8", "I": "1", "S": "5", "O": "0", "Z": "2"}


def protect(text: str) -> str:
    """Wrap text so that add_ocr_noise leaves it alone."""
    return f"{PROTECT_START}{text}{PROTECT_END}"


def strip_protection(text: str) -> str:
    """Remove protection marks without adding noise."""
    return text.replace(PROTECT_START, "").replace(PROTECT_END, "")


def _noisy_segment(text: str, rng: random.Random, level: float) -> str:
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        pair = text[i:i + 2]
        r = rng.random()
        if ch == "§":
            # The German Tesseract model reads the section sign as an 8.
            out.append("8" if rng.random() < 0.8 else "§")
        elif pair in _PAIR_CONFUSIONS and r < level:
            out.append(_PAIR_CONFUSIONS[pair])
            i += 1
        elif ch in _CONFUSIONS and r < level:
            out.append(_CONFUSIONS[ch])
        elif ch.isalpha() and r < level * 1.3:
            pass  # dropped character
        elif ch.isalpha() and r < level * 1.6:
            out.append(ch + " ")  # word broken apart
        elif ch == " " and r < level * 3:
            out.append("\n")  # line broken where the scan had a column edge
        elif ch == " " and r < level * 4:
            out.append("  ")
        elif r < level * 0.1:
            out.append(ch + rng.choice("|.,'`~"))  # speck read as a character
        else:
            out.append(ch)
        i += 1
    text = "".join(out)
    # Long words hyphenated across line ends.
    def hyphenate(m: re.Match[str]) -> str:
        word = m.group()
        if rng.random() < level * 2:
            cut = rng.randint(3, len(word) - 3)
            return word[:cut] + "-\n" + word[cut:]
        return word

    return re.sub(r"[A-Za-zÄÖÜäöüß]{10,}", hyphenate, text)


def add_ocr_noise(text: str, rng: random.Random, level: float = 0.03) -> str:
    """Damage text like a mediocre scan + OCR would; protected spans stay as they are."""
    parts = re.split(f"({PROTECT_START}.*?{PROTECT_END})", text, flags=re.DOTALL)
    out = []
    for part in parts:
        if part.startswith(PROTECT_START):
            out.append(part[1:-1])
        else:
            out.append(_noisy_segment(part, rng, level))
    return "".join(out)


def case_number_variant(canonical: str, rng: random.Random, *, confusions: int = 2) -> str:
    """Print a case number the way OCR may return it: other separators and look-alike characters."""
    parts = re.split(r"([-/])", canonical)
    separators = ["-", "-", " - ", " ", "/", "–", " – ", ""]
    sep = rng.choice(separators)
    text = "".join(sep if p in "-/" and p else p for p in parts)
    chars = list(text)
    positions = [i for i, c in enumerate(chars) if c in _LOOKALIKE_DIGITS or c in _LOOKALIKE_LETTERS]
    for i in rng.sample(positions, min(confusions, len(positions))):
        c = chars[i]
        chars[i] = _LOOKALIKE_DIGITS.get(c) or _LOOKALIKE_LETTERS.get(c, c)
    return "".join(chars)


def mrz_variant(line1: str, line2: str, rng: random.Random) -> tuple[str, str]:
    """MRZ lines as OCR returns them: stray spaces, '«' for '<<', K for filler runs."""

    def damage(line: str, allow_k: bool) -> str:
        if rng.random() < 0.3:
            line = re.sub(r"<<", lambda m: "«" if rng.random() < 0.5 else m.group(), line)
        if allow_k and rng.random() < 0.3:
            line = re.sub(r"<{4,}", lambda m: "K" * len(m.group()), line, count=1)
        chars = list(line)
        for _ in range(rng.randint(0, 3)):
            chars.insert(rng.randint(1, len(chars) - 1), " ")
        return "".join(chars)

    return damage(line1, True), damage(line2, True)
