"""PDF files as scanners and office software write them: image pages (JPEG, CCITT G4) and born-digital text pages."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import pikepdf
from PIL import Image

from .letters import A4_PT, DPI

JPEG_QUALITY = 80

# --------------------------------------------------------------------------
# PDF writing (pikepdf)
# --------------------------------------------------------------------------


def _pdf_literal(s: str) -> bytes:
    b = s.encode("cp1252")  # WinAnsiEncoding; raises for characters outside it
    b = b.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    return b"(" + b + b")"


@dataclass
class PdfText:
    """One line of born-digital text; y is measured from the top of the page in pt."""
    text: str
    x: float
    y: float
    size: float = 11.0
    bold: bool = False
    rgb: tuple[float, float, float] = (0.0, 0.0, 0.0)


@dataclass
class PdfPage:
    items: list[PdfText] = field(default_factory=list)
    rules: list[tuple[float, float, float, float, float, tuple[float, float, float]]] = \
        field(default_factory=list)  # x0, y0, x1, y1 (from top), width, rgb
    size: tuple[float, float] = A4_PT

    @property
    def lines(self) -> list[str]:
        return [it.text for it in self.items]


def helvetica_font(pdf: pikepdf.Pdf, bold: bool) -> pikepdf.Object:
    return pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
        BaseFont=pikepdf.Name("/Helvetica-Bold" if bold else "/Helvetica"),
        Encoding=pikepdf.Name.WinAnsiEncoding))


def add_text_page(pdf: pikepdf.Pdf, page: PdfPage, fonts: dict) -> None:
    w, h = page.size
    ops: list[bytes] = []
    for x0, y0, x1, y1, lw, rgb in page.rules:
        ops.append(b"%.3f %.3f %.3f RG %.2f w %.2f %.2f m %.2f %.2f l S" %
                   (*rgb, lw, x0, h - y0, x1, h - y1))
    for it in page.items:
        fname = b"/F2" if it.bold else b"/F1"
        ops.append(b"BT %s %.2f Tf %.3f %.3f %.3f rg 1 0 0 1 %.2f %.2f Tm %s Tj ET" %
                   (fname, it.size, *it.rgb, it.x, h - it.y, _pdf_literal(it.text)))
    content = pdf.make_stream(b"\n".join(ops) + b"\n")
    pdf.pages.append(pikepdf.Page(pikepdf.Dictionary(
        Type=pikepdf.Name.Page,
        MediaBox=[0, 0, w, h],
        Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=fonts["F1"], F2=fonts["F2"])),
        Contents=content)))


def save_jpeg(img: Image.Image, fp, *, quality: int = JPEG_QUALITY, dpi: int = DPI) -> None:
    """Baseline JPEG with optimised Huffman tables (deterministic)."""
    img.save(fp, "JPEG", quality=quality, optimize=True, dpi=(dpi, dpi))


def g4_strip(img: Image.Image) -> tuple[bytes, bool]:
    """CCITT group 4 data of a mode "1" image -> (data, black_is_1)."""
    buf = io.BytesIO()
    img.save(buf, "TIFF", compression="group4", strip_size=2**31 - 1)
    buf.seek(0)
    with Image.open(buf) as t:
        (off,), (cnt,) = t.tag_v2[273], t.tag_v2[279]
        photometric = t.tag_v2[262]
    # libtiff's fax codec codes sample value 1 as black unless min-is-white
    return buf.getvalue()[off:off + cnt], photometric == 1


def add_image_page(pdf: pikepdf.Pdf, img: Image.Image, *, dpi: int = DPI,
                    quality: int = JPEG_QUALITY) -> None:
    """Add a page that holds only the image at ``dpi``: JPEG (DCTDecode) for
    grey/colour, CCITT group 4 for bilevel (mode "1")."""
    if img.mode == "1":
        data, black_is_1 = g4_strip(img)
        xobj = pdf.make_stream(
            data, Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image,
            Width=img.width, Height=img.height, ColorSpace=pikepdf.Name.DeviceGray,
            BitsPerComponent=1, Filter=pikepdf.Name.CCITTFaxDecode,
            DecodeParms=pikepdf.Dictionary(K=-1, Columns=img.width, Rows=img.height,
                                           BlackIs1=black_is_1))
    else:
        buf = io.BytesIO()
        save_jpeg(img, buf, quality=quality, dpi=dpi)
        xobj = pdf.make_stream(
            buf.getvalue(), Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image,
            Width=img.width, Height=img.height,
            ColorSpace=pikepdf.Name.DeviceRGB if img.mode == "RGB" else pikepdf.Name.DeviceGray,
            BitsPerComponent=8, Filter=pikepdf.Name.DCTDecode)
    pw, ph = img.width * 72.0 / dpi, img.height * 72.0 / dpi
    content = pdf.make_stream(b"q %.3f 0 0 %.3f 0 0 cm /Im0 Do Q\n" % (pw, ph))
    pdf.pages.append(pikepdf.Page(pikepdf.Dictionary(
        Type=pikepdf.Name.Page, MediaBox=[0, 0, round(pw, 3), round(ph, 3)],
        Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=xobj)),
        Contents=content)))


def new_pdf(info: dict[str, str]) -> pikepdf.Pdf:
    pdf = pikepdf.new()
    for k, val in info.items():
        pdf.docinfo[pikepdf.Name("/" + k)] = val
    return pdf


def save_pdf(pdf: pikepdf.Pdf, path: Path) -> None:
    pdf.save(path, deterministic_id=True, compress_streams=True)


def write_pdf(path: Path, pages: Sequence[PdfPage | Image.Image], *,
              info: dict[str, str] | None = None) -> None:
    """Write a PDF whose pages are born-digital text pages and/or scanned images."""
    pdf = new_pdf(info or {})
    fonts = {"F1": helvetica_font(pdf, False), "F2": helvetica_font(pdf, True)}
    for p in pages:
        if isinstance(p, PdfPage):
            add_text_page(pdf, p, fonts)
        else:
            add_image_page(pdf, p)
    save_pdf(pdf, path)


def born_digital_pdf(pages: list[list[str]], path, *, size: float = 11.0,
                     leading: float = 15.0) -> Path:
    """Write a born-digital A4 PDF: each inner list is one page of plain lines.

    Text is set in the standard Helvetica font with WinAnsiEncoding (so German
    umlauts, ß, § and € work), 25 mm left margin, starting 20 mm from the top.
    Characters outside Windows-1252 raise ``UnicodeEncodeError``.
    """
    path = Path(path)
    pdf_pages = []
    for lines in pages:
        pg = PdfPage()
        y = 56.7 + size
        for line in lines:
            pg.items.append(PdfText(line, 70.87, y, size))
            y += leading
        pdf_pages.append(pg)
    write_pdf(path, pdf_pages, info={"Producer": "dms-ingest samples"})
    return path


def small_text_pdf(text: str, second_line: str = "Anlage zur E-Mail, Seite 1", *, deterministic: bool = False) -> bytes:
    """A small born-digital page of two lines (a real text layer, so no OCR): about 1 ms to make.

    *text* must be safe inside a PDF string literal. Without *deterministic* every call gets a new
    document ID, so equal texts still make different files.
    """
    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica,
                                                Encoding=pikepdf.Name.WinAnsiEncoding))
    content = f"BT /F1 10 Tf 12 90 Td ({text}) Tj 0 -14 Td ({second_line}) Tj ET".encode()
    page = pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=[0, 0, 320, 120],
                              Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
                              Contents=pdf.make_stream(content))
    pdf.pages.append(pikepdf.Page(page))
    buf = io.BytesIO()
    pdf.save(buf, deterministic_id=deterministic)
    return buf.getvalue()
