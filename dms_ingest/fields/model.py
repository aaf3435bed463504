"""What an extracted field is: a value with where it was read (page, text) and how sure the reading is."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

READ = "read"
UNREAD = "unread"


@dataclass(frozen=True)
class ExtractedField:
    """One field of a document. ``value`` is normalised (ISO dates, 'YYYY-MM' months, '1234.56'
    amounts); a field below the confidence bar is ``unread`` and its value is not to be used."""

    name: str
    value: str | None
    confidence: float
    page: int | None = None
    text: str = ""            # the line(s) the value was read from, for the clerk to check
    status: str = READ

    @property
    def read(self) -> bool:
        return self.status == READ and self.value is not None

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "ExtractedField":
        return cls(name=data["name"], value=data.get("value"), confidence=float(data.get("confidence") or 0.0),
                   page=data.get("page"), text=data.get("text") or "", status=data.get("status") or UNREAD)


@dataclass
class PageText:
    """A page as extraction sees it: its text and, when OCR'd, each word's confidence (0..100)."""

    number: int
    text: str
    word_confidence: dict[str, float] = field(default_factory=dict)   # each word's least sure reading
    mean_confidence: float | None = None   # None: born-digital text, fully trusted
    # Each word's readings in page order: the one a value stands on counts, not a worse one elsewhere.
    occurrences: dict[str, list[float]] = field(default_factory=dict)
    # Words with digits: OCR's confidence in each character (the least sure where a word stands twice).
    glyphs: dict[str, list[float]] = field(default_factory=dict)

    @classmethod
    def from_page(cls, page) -> "PageText":
        """From a pipeline Page (words known) or an index PageRow (only the page's mean)."""
        words = getattr(page, "words", None) or []
        confidences: dict[str, float] = {}
        occurrences: dict[str, list[float]] = {}
        glyphs: dict[str, list[float]] = {}
        for word in words:
            key = word.text.strip()
            if key:
                confidences[key] = min(confidences.get(key, 100.0), float(word.confidence))
                occurrences.setdefault(key, []).append(float(word.confidence))
                chars = getattr(word, "glyphs", None)
                if chars and len(chars) == len(key):
                    seen = glyphs.get(key, chars)
                    glyphs[key] = [min(a, b) for a, b in zip(seen, chars)]
        return cls(page.number, page.text or "", confidences, page.ocr_confidence, occurrences, glyphs)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "PageText":
        return cls(int(data["number"]), data.get("text") or "", dict(data.get("word_confidence") or {}),
                   data.get("mean_confidence"), {k: list(v) for k, v in (data.get("occurrences") or {}).items()},
                   {k: list(v) for k, v in (data.get("glyphs") or {}).items()})

    def _occurrence(self, token: str, at: int) -> float | None:
        """OCR's confidence in the reading of *token* that stands at *at* in the text (None: not known)."""
        readings = self.occurrences.get(token)
        if not readings:
            return None
        whole_word = re.compile(rf"(?<!\S){re.escape(token)}(?!\S)")
        if len(whole_word.findall(self.text)) != len(readings):
            return None  # the text no longer matches OCR's words one to one (a line was read again)
        index = len(whole_word.findall(self.text[:at]))
        return readings[index] if index < len(readings) else None

    def confidence_of(self, snippet: str, at: int | None = None) -> float:
        """How sure OCR was of the words of *snippet* (0..1): its least sure word. With *at* (where the
        snippet stands in the text), a word's own reading there counts; else its least sure anywhere."""
        if self.mean_confidence is None:
            return 1.0
        # Punctuation alone ("-", "€", ":") carries no value; OCR is often unsure of it.
        tokens = [t for t in re.split(r"\s+", snippet.strip()) if t and re.search(r"\w", t)]
        if not tokens:
            return 0.0
        fallback = float(self.mean_confidence)
        scores = []
        for token in tokens:
            score = None
            if at is not None:
                offset = self.text.find(token, at)
                score = self._occurrence(token, offset) if offset >= 0 else None
            if score is None:
                score = self.word_confidence.get(token)
            if score is None:
                # Split differently by OCR (punctuation attached): the best word containing it.
                near = [c for w, c in self.word_confidence.items() if token in w or (len(w) > 2 and w in token)]
                score = max(near) if near else fallback
            scores.append(score)
        return max(0.0, min(1.0, min(scores) / 100.0))

    def digits_confidence(self, snippet: str, at: int) -> float | None:
        """How sure OCR was of each digit of *snippet*, standing at *at* in the text (0..1): the least sure
        digit's own confidence, without OCR's doubt about the spaces around its words or the marks between
        the digits; None when not known for each word."""
        if self.mean_confidence is None:
            return 1.0
        scores = []
        for token in re.finditer(r"\S*\d\S*", snippet):
            where = at + token.start()
            start = max(self.text.rfind(" ", 0, where), self.text.rfind("\n", 0, where)) + 1
            end = re.compile(r"\s|$").search(self.text, where).start()
            chars = self.glyphs.get(self.text[start:end])
            if not chars or len(chars) != end - start or self.text[where:where + len(token.group())] != token.group():
                return None
            scores += [c for c, ch in zip(chars[where - start:], token.group()) if ch.isdigit()]
        return max(0.0, min(1.0, min(scores) / 100.0)) if scores else None

def unread(name: str, reason: str = "") -> ExtractedField:
    """A field nothing trustworthy was found for."""
    return ExtractedField(name, None, 0.0, None, reason, UNREAD)
