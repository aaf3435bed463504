"""Write the archival PDF/A (2b by default, 1b selectable): page images plus invisible text.

The text layer uses a glyph-less TrueType font built here with fontTools: every character
maps to one empty glyph, so the text is searchable and selectable but never drawn over the
scan. pikepdf's PDF/A validator checks every file before it is accepted.
"""

from __future__ import annotations

import gc
import io
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

import pikepdf
from pikepdf import Dictionary, Name, Array

from ..errors import Rejected
from .document import Page
from .imaging import EncodedImage
from .pdffonts import to_unicode_cmap, type0_font

_FONT_NAME = "DmsGlyphLess"
_GLYPH_WIDTH = 500  # every glyph is half an em wide; Tz stretches words to their scanned width


@lru_cache(maxsize=1)
def glyphless_font() -> bytes:
    """A TrueType font with one empty glyph besides .notdef."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder([".notdef", "blank"])
    builder.setupCharacterMap({0x20: "blank"})
    empty = TTGlyphPen(None).glyph()
    builder.setupGlyf({".notdef": empty, "blank": empty})
    builder.setupHorizontalMetrics({".notdef": (_GLYPH_WIDTH, 0), "blank": (_GLYPH_WIDTH, 0)})
    builder.setupHorizontalHeader(ascent=1000, descent=0)
    builder.setupNameTable({"familyName": _FONT_NAME, "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=1000, sTypoDescender=0, usWinAscent=1000, usWinDescent=0)
    builder.setupPost()
    buf = io.BytesIO()
    builder.save(buf)
    return buf.getvalue()


def _to_unicode_cmap() -> bytes:
    """Character codes are UTF-16 code units, so the map is the identity over the BMP."""
    ranges = [f"<{hi:02X}00> <{hi:02X}FF> <{hi:02X}00>" for hi in range(256) if not 0xD8 <= hi <= 0xDF]
    return to_unicode_cmap(ranges, "bfrange")


def _add_font(pdf: pikepdf.Pdf) -> pikepdf.Object:
    font_file = pdf.make_stream(glyphless_font())
    font_file.Length1 = len(glyphless_font())
    # Every CID (a UTF-16 code unit) is drawn with glyph 1, the empty one.
    cid_to_gid = pdf.make_stream(zlib.compress(b"\x00\x01" * 65536, 9))
    cid_to_gid.Filter = Name.FlateDecode
    return type0_font(pdf, _FONT_NAME, font_file, flags=5, bbox=[0, 0, _GLYPH_WIDTH, 1000], ascent=1000,
                      descent=0, width=_GLYPH_WIDTH, cid_to_gid=cid_to_gid, to_unicode=_to_unicode_cmap())


def _encode_text(text: str) -> str:
    units = []
    for char in text:
        code = ord(char)
        units.append(f"{code:04X}" if code < 0x10000 and not 0xD800 <= code <= 0xDFFF else "FFFD")
    return "".join(units)


def text_layer(page: Page) -> bytes:
    """Invisible text (render mode 3) placed over each word's box in the page image."""
    scale = 72.0 / page.dpi
    lines: dict[int, list] = {}
    for word in page.words:
        lines.setdefault(word.line, []).append(word)
    out = ["BT", "3 Tr"]
    for line_words in lines.values():
        line_words.sort(key=lambda w: w.box[0])
        top = min(w.box[1] for w in line_words) * scale
        bottom = max(w.box[3] for w in line_words) * scale
        size = max(bottom - top, 1.0)
        baseline = page.height_pt - bottom + size * 0.2
        for i, word in enumerate(line_words):
            text = word.text
            x0 = word.box[0] * scale
            # Stretch each word (plus the space after it) to reach the next word, so that
            # selection follows the scan and extraction sees the word gap.
            x1 = line_words[i + 1].box[0] * scale if i + 1 < len(line_words) else word.box[2] * scale
            if i + 1 < len(line_words):
                text += " "
            natural = len(text) * size * _GLYPH_WIDTH / 1000
            stretch = max(100.0 * (x1 - x0) / natural, 1.0) if natural else 100.0
            out.append(f"/F1 {size:.2f} Tf {stretch:.2f} Tz 1 0 0 1 {x0:.2f} {baseline:.2f} Tm "
                       f"<{_encode_text(text)}> Tj")
    out.append("ET")
    return "\n".join(out).encode("ascii")


def _image_stream(pdf: pikepdf.Pdf, image: EncodedImage) -> pikepdf.Stream:
    stream = pdf.make_stream(image.data)
    stream.Type = Name.XObject
    stream.Subtype = Name.Image
    stream.Width = image.width
    stream.Height = image.height
    stream.ColorSpace = Name("/" + image.colorspace)
    stream.BitsPerComponent = image.bits
    stream.Filter = Name("/" + image.filter)
    if image.filter == "CCITTFaxDecode":
        stream.DecodeParms = Dictionary(K=-1, Columns=image.width, Rows=image.height, BlackIs1=False)
    return stream


@dataclass
class ArchiveMetadata:
    title: str
    doc_type: str | None
    case_number: str | None
    source: str
    document_id: str
    ingested_at: datetime
    producer: str


def _set_metadata(pdf: pikepdf.Pdf, meta: ArchiveMetadata) -> None:
    with pdf.open_metadata(set_pikepdf_as_editor=False) as xmp:
        xmp["dc:title"] = meta.title
        xmp["dc:identifier"] = meta.document_id
        xmp["dc:source"] = meta.source
        xmp["dc:type"] = [meta.doc_type or "unclassified"]
        keywords = [k for k in (meta.doc_type, meta.case_number) if k]
        xmp["dc:subject"] = keywords
        xmp["dc:relation"] = [f"Aktenzeichen {meta.case_number}"] if meta.case_number else []
        xmp["pdf:Keywords"] = ", ".join(keywords)
        xmp["pdf:Producer"] = meta.producer
        xmp["xmp:CreatorTool"] = meta.producer
        stamp = meta.ingested_at.astimezone(timezone.utc).replace(microsecond=0).isoformat()
        xmp["xmp:CreateDate"] = stamp
        xmp["xmp:ModifyDate"] = stamp


@contextmanager
def _quiet_collector():
    """Keep Python's cyclic garbage collector out of the validation window.

    pikepdf's validator fails a content stream on *any* warning raised while it parses it, and a
    ResourceWarning from unrelated garbage collected at that moment would fail a valid archive.
    """
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def write_archive(pages: list[tuple[Page, EncodedImage]], meta: ArchiveMetadata, dest: Path,
                  pdfa_part: int = 2) -> None:
    """Build and validate the archival PDF/A; nothing is written at *dest* unless it validates."""
    import pikepdf.pdfa

    if not pages:
        raise Rejected("no_pages")
    pdf = pikepdf.new()
    font = _add_font(pdf)
    for page, image in pages:
        xobject = _image_stream(pdf, image)
        w, h = page.width_pt, page.height_pt
        content = f"q {w:.3f} 0 0 {h:.3f} 0 0 cm /Im0 Do Q\n".encode("ascii")
        if page.words:
            content += text_layer(page)
        pdf_page = pikepdf.Page(pdf.make_indirect(Dictionary(
            Type=Name.Page, MediaBox=Array([0, 0, round(w, 3), round(h, 3)]),
            Resources=Dictionary(XObject=Dictionary(Im0=xobject), Font=Dictionary(F1=font)),
            Contents=pdf.make_stream(content),
        )))
        pdf.pages.append(pdf_page)
    flavour = "1b" if pdfa_part == 1 else "2b"
    _set_metadata(pdf, meta)
    # prepare() adds the output intent and PDF/A identification and names pikepdf as producer;
    # our metadata is written again afterwards so the archive names this product.
    pikepdf.pdfa.prepare(pdf, flavour)
    _set_metadata(pdf, meta)
    try:
        with _quiet_collector():
            pikepdf.pdfa.save(pdf, dest, flavour, repair=False, compress_streams=True)
    except pikepdf.pdfa.PdfaError as exc:
        failed = [f.message for f in exc.report.findings][:3]
        raise Rejected("archive_invalid", "; ".join(failed)[:200]) from None
    finally:
        pdf.close()


def validate(path: Path, pdfa_part: int = 2) -> list[str]:
    """Findings of pikepdf's PDF/A validator for a written file (empty when it passes)."""
    import pikepdf.pdfa

    report = pikepdf.pdfa.validate_written(path, "1b" if pdfa_part == 1 else "2b")
    return [] if report.passed else [f"{f.rule}: {f.message}" for f in report.findings]
