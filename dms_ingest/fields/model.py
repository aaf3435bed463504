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
    word_confidence: dict[str, float] = field(default_factory=dict)
    mean_confidence: float | None = None   # None: born-digital text, fully trusted

    @classmethod
    def from_page(cls, page) -> "PageText":
        """From a pipeline Page (words known) or an index PageRow (only the page's mean)."""
        words = getattr(page, "words", None) or []
        confidences: dict[str, float] = {}
        for word in words:
            key = word.text.strip()
            if key:
                confidences[key] = min(confidences.get(key, 100.0), float(word.confidence))
        return cls(page.number, page.text or "", confidences, page.ocr_confidence)

    def confidence_of(self, snippet: str) -> float:
        """How sure OCR was of the words of *snippet* (0..1): its least sure word."""
        if self.mean_confidence is None:
            return 1.0
        # Punctuation alone ("-", "€", ":") carries no value; OCR is often unsure of it.
        tokens = [t for t in re.split(r"\s+", snippet.strip()) if t and re.search(r"\w", t)]
        if not tokens:
            return 0.0
        fallback = float(self.mean_confidence)
        scores = []
        for token in tokens:
            score = self.word_confidence.get(token)
            if score is None:
                # Split differently by OCR (punctuation attached): the best word containing it.
                near = [c for w, c in self.word_confidence.items() if token in w or (len(w) > 2 and w in token)]
                score = max(near) if near else fallback
            scores.append(score)
        return max(0.0, min(1.0, min(scores) / 100.0))


def unread(name: str, reason: str = "") -> ExtractedField:
    """A field nothing trustworthy was found for."""
    return ExtractedField(name, None, 0.0, None, reason, UNREAD)
