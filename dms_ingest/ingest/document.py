"""The record the pipeline stages work on: one Document with its Pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


@dataclass
class Word:
    """One recognised (or native) word and its box in page pixels (x0, y0, x1, y1), y down."""

    text: str
    box: tuple[float, float, float, float]
    confidence: float = 100.0
    line: int = 0
    # OCR's confidence in each character of a word with digits (None: not known). The word's own
    # confidence also holds its doubt about the spaces around it (a speck after "21.11.2027."), which
    # a date's or an amount's digits need not share.
    glyphs: tuple[float, ...] | None = None


@dataclass
class Page:
    number: int                      # 1-based position in the source container
    image: np.ndarray | None = None  # greyscale (H, W) or BGR (H, W, 3), upright after imaging
    dpi: float = 300.0
    native_text: str = ""            # text layer of a born-digital page
    words: list[Word] = field(default_factory=list)
    text: str = ""
    ocr_confidence: float | None = None  # mean word confidence 0..100, None if not OCR'd
    rotation: int = 0                # degrees clockwise applied to make the page upright
    skew: float = 0.0                # degrees of skew corrected
    blank: bool = False
    colour: str = "gray"             # bilevel | gray | color: how the archive stores the page
    separator: str | None = None     # barcode payload if this page is a separator/cover sheet
    barcodes: list[str] = field(default_factory=list)
    width_pt: float = 0.0            # page size in PDF points
    height_pt: float = 0.0
    # (first reading, enlarged re-reading) of a date of birth the two did not agree on (reread.py)
    birth_rereads: list = field(default_factory=list)

    @property
    def born_digital(self) -> bool:
        return bool(self.words) and self.ocr_confidence is None


@dataclass
class Document:
    """One document produced from a source file (a batch may yield several)."""

    source: str                      # the input as given by the caller
    original_path: Path
    sha256: str
    media_type: str = ""             # application/pdf, image/tiff, ...
    extension: str = ""              # the original's honest extension, by content
    pages: list[Page] = field(default_factory=list)
    part: str | None = None          # mail: "attachment" | "body"
    message_id: str | None = None    # links the records of one mail
    doc_type: str | None = None
    doc_type_confidence: float | None = None
    case_number: str | None = None
    case_method: str | None = None
    review: bool = False
    review_reasons: list[str] = field(default_factory=list)
    candidates: list[str] = field(default_factory=list)
    cover_case_number: str | None = None  # from an AZ: cover sheet before the document
    hint_case_number: str | None = None   # given by the source: mail subject, migration manifest
    case_evidence: list[str] = field(default_factory=list)  # why a case was assigned
    title: str = ""
    archive_path: Path | None = None
    archive_sha256: str | None = None
    warnings: list[str] = field(default_factory=list)
    fields: list = field(default_factory=list)         # fields.ExtractedField read from the pages
    direction: str = "incoming"                        # outgoing: a letter the office wrote

    @property
    def text(self) -> str:
        return "\n\f".join(p.text for p in self.pages)

    @property
    def archived_pages(self) -> list[Page]:
        return [p for p in self.pages if p.separator is None]
