"""The letter asking the applicant for what is missing (Nachforderung), written as a PDF/A and filed
into the case as an outgoing document.

The page is drawn at 300 dpi with the words' boxes known exactly, then goes through the same
PDF/A writer, verified storage and index as every scanned page: one archival path for everything.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ..fields.values import month_label
from .status import EXPIRED, INSUFFICIENT, MISSING, TO_REQUEST, ApplicationStatus, RequirementStatus

DPI = 300
A4_PX = (2480, 3508)
A4_PT = (595.276, 841.89)
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 295, 236, 260, 300
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


class NothingToRequest(ValueError):
    """Every requirement is satisfied or still for the office to check: no letter to write."""


@dataclass
class Letter:
    case_number: str
    recipient: list[str]            # name and address lines
    subject: str
    body: str
    date: dt.date
    items: list[str] = field(default_factory=list)
    sender_line: str = ""
    office_lines: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join([self.sender_line, *self.recipient, f"Aktenzeichen: {self.case_number}",
                          f"Datum: {self.date:%d.%m.%Y}", self.subject, self.body])


def item_line(req: RequirementStatus) -> str:
    """One bullet of the letter: what is needed, and why the document on file does not do."""
    text = req.label
    if req.state == EXPIRED:
        detail = "die vorliegende Unterlage ist nicht mehr aktuell bzw. abgelaufen"
        if req.missing_months:
            detail = "es fehlen die Abrechnungen für " + ", ".join(month_label(m) for m in req.missing_months)
        text += f" – {detail}"
    elif req.state == INSUFFICIENT:
        text += " – die vorliegende Unterlage erfüllt die Anforderung nicht"
        reasons = [c.reason for c in req.documents if c.outcome == "insufficient" and c.reason]
        if reasons:
            text += f" ({reasons[0]})"
    elif req.state == MISSING and req.missing_months:
        text += " – es fehlen die Abrechnungen für " + ", ".join(month_label(m) for m in req.missing_months)
    return text


def compose(config, *, case_number: str, applicant_name: str, address: list[str], status: ApplicationStatus,
            today: dt.date) -> Letter:
    """The letter's text from the configured template; NothingToRequest if nothing is missing."""
    wanted = [r for r in status.requirements if r.state in TO_REQUEST]
    if not wanted:
        raise NothingToRequest(f"nothing to request for {status.title}: every requirement is satisfied or "
                               f"waits for the office to check an unread document")
    items = [item_line(r) for r in wanted]
    values = {
        "case_number": case_number, "name": applicant_name, "salutation": f"Guten Tag {applicant_name},",
        "application": status.title, "legal_basis": status.legal_basis,
        "items": "\n".join(f"– {item}" for item in items), "date": f"{today:%d.%m.%Y}",
        "deadline": f"{today + dt.timedelta(days=config.deadline_days):%d.%m.%Y}", "office": config.office,
    }
    return Letter(case_number, [applicant_name, *address], config.subject.format(**values),
                  config.body.format(**values).strip(), today, items, config.sender_line,
                  [config.office, *config.office_address])


# --------------------------------------------------------------------------- drawing

def _font(bold: bool = False, size: int = 42):
    return ImageFont.truetype(str(FONT_DIR / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")), size)


def body_font():
    """The font of the address and the text (address.py measures typed lines with it)."""
    return _font(size=42)


def _wrap(text: str, font, width: int) -> list[str]:
    lines = []
    for paragraph in text.split("\n"):
        words, line = paragraph.split(), ""
        if not words:
            lines.append("")
            continue
        # A list item's continuation lines hang under its text.
        hang = "   " if paragraph.startswith("– ") else ""
        for word in words:
            candidate = f"{line} {word}" if line.strip() else f"{line}{word}"
            if font.getlength(candidate) <= width or not line.strip():
                line = candidate
            else:
                lines.append(line)
                line = hang + word
        lines.append(line)
    return lines


def render(letter: Letter):
    """Pages of the letter as (pixels, words, text) at 300 dpi; words are (text, box, line)."""
    from ..ingest.document import Word

    small, body, bold = _font(size=30), body_font(), _font(bold=True, size=44)
    width = A4_PX[0] - MARGIN_LEFT - MARGIN_RIGHT
    blocks: list[tuple[str, object, int]] = []       # (line, font, x)
    right_x = A4_PX[0] - MARGIN_RIGHT - 700
    head = [(line, bold if i == 0 else body) for i, line in enumerate(letter.office_lines)]
    pages: list[tuple[np.ndarray, list, str]] = []

    def new_page():
        image = Image.new("L", A4_PX, 255)
        return image, ImageDraw.Draw(image), [], []

    image, draw, words, texts = new_page()
    line_no = 0

    def put(text: str, font, x: int, y: int) -> None:
        nonlocal line_no
        draw.text((x, y), text, fill=0, font=font)
        texts.append(text)
        offset = 0.0
        for token in text.split(" "):
            if token:
                start = x + font.getlength(text[:int(offset)]) if offset else x
                w = font.getlength(token)
                top, bottom = y + font.size * 0.1, y + font.size * 1.05
                words.append(Word(token, (start, top, start + w, bottom), 100.0, line_no))
            offset += len(token) + 1
        line_no += 1

    y = MARGIN_TOP
    for text, font in head:                      # the office, top right
        put(text, font, right_x, y)
        y += int(font.size * 1.35)
    y = max(y, 620)
    if letter.sender_line:
        put(letter.sender_line, small, MARGIN_LEFT, y)
        draw.line([MARGIN_LEFT, y + 40, MARGIN_LEFT + small.getlength(letter.sender_line), y + 40], fill=0, width=2)
        y += 70
    for text in letter.recipient:                # the address window
        put(text, body, MARGIN_LEFT, y)
        y += 56
    y = max(y + 60, 1120)
    for text in (f"Aktenzeichen: {letter.case_number}", f"Datum: {letter.date:%d.%m.%Y}"):
        put(text, body, right_x, y)
        y += 56
    y += 80
    for text in _wrap(letter.subject, bold, width):
        put(text, bold, MARGIN_LEFT, y)
        y += 62
    y += 50
    for text in _wrap(letter.body, body, width):
        blocks.append((text, body, MARGIN_LEFT))
    for text, font, x in blocks:
        if y > A4_PX[1] - MARGIN_BOTTOM:
            pages.append((np.asarray(image), words, "\n".join(texts)))
            image, draw, words, texts = new_page()
            y = MARGIN_TOP
            put(f"Aktenzeichen: {letter.case_number} – Seite {len(pages) + 1}", small, MARGIN_LEFT, y)
            y += 90
        if text:
            put(text, font, x, y)
        y += 56
    pages.append((np.asarray(image), words, "\n".join(texts)))
    return pages


def file_letter(ctx, letter: Letter, *, doc_type: str) -> str:
    """Archive the letter as an outgoing document of the case; returns its document id."""
    from ..ingest import imaging
    from ..ingest.document import Document, Page
    from ..ingest.pipeline import archive_document

    rendered = render(letter)
    with tempfile.TemporaryDirectory(dir=ctx.work_dir()) as tmp:
        # The original of a letter we wrote is its text (the PDF/A is its archival form).
        original = Path(tmp) / "nachforderung.txt"
        original.write_text(letter.text + "\n", encoding="utf-8")
        pages, encoded = [], {}
        for number, (pixels, words, text) in enumerate(rendered, start=1):
            page = Page(number=number, dpi=DPI, words=words, text=text, native_text=text, colour="bilevel",
                        width_pt=A4_PT[0], height_pt=A4_PT[1])
            pages.append(page)
            encoded[number] = imaging.encode_page(pixels, "bilevel", 60)
        doc = Document(source=f"outgoing:nachforderung/{letter.case_number}", original_path=original,
                       sha256=hashlib.sha256(original.read_bytes()).hexdigest(), media_type="text/plain",
                       extension="txt", pages=pages, doc_type=doc_type, doc_type_confidence=1.0,
                       case_number=letter.case_number, case_method="outgoing", title=letter.subject,
                       direction="outgoing", case_evidence=["Schreiben der Behörde"])
        result = archive_document(doc, encoded, [], ctx, Path(tmp))
    return result.id
