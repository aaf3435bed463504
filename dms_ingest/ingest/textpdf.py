"""Text as a born-digital PDF: mail bodies, text attachments. A real text layer, so no OCR is needed.

The composite-font plumbing (Type0 font, ToUnicode map) is the PDF/A writer's (`pdffonts`).
"""

from __future__ import annotations

import io
import unicodedata
from functools import lru_cache
from pathlib import Path

from .mime import html_to_text
from .pdffonts import to_unicode_cmap, type0_font

_PAGE = (595.276, 841.89)       # A4 in points
_MARGIN = 56.0
_FONT_SIZE = 9.0
_LEADING = 12.0
_MONO_ADVANCE = 0.602           # DejaVu Sans Mono and Courier: every glyph is 0.6 em wide
COLUMNS = int((_PAGE[0] - 2 * _MARGIN) / (_FONT_SIZE * _MONO_ADVANCE))
ROWS = int((_PAGE[1] - 2 * _MARGIN) / _LEADING)
_DEJAVU_MONO = Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf")


def wrap_lines(text: str, columns: int = COLUMNS, indent: int = 0) -> list[str]:
    """Hard-wrap to the page width, at spaces where possible; existing line breaks are kept.

    Continuation lines are indented by *indent* spaces (the header block's values line up).
    """
    out: list[str] = []
    for line in text.split("\n"):
        line = line.expandtabs(4).rstrip()
        line = "".join(ch for ch in line if ch == " " or unicodedata.category(ch)[0] != "C")
        while len(line) > columns:
            cut = line.rfind(" ", max(columns // 2, indent + 1), columns + 1)
            cut = cut if cut > 0 else columns
            out.append(line[:cut].rstrip())
            line = " " * indent + line[cut:].lstrip(" ")
        out.append(line)
    return out


@lru_cache(maxsize=1)
def _mono_font() -> tuple[bytes, dict[int, int], dict] | None:
    """DejaVu Sans Mono: its bytes, codepoint → glyph id, and metrics; None if not installed."""
    if not _DEJAVU_MONO.exists():
        return None
    from fontTools.ttLib import TTFont

    data = _DEJAVU_MONO.read_bytes()
    font = TTFont(io.BytesIO(data))
    cmap = {cp: font.getGlyphID(name) for cp, name in font.getBestCmap().items()}
    upm = font["head"].unitsPerEm
    scale = 1000 / upm
    head, hhea = font["head"], font["hhea"]
    metrics = {"bbox": [round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)],
               "ascent": round(hhea.ascent * scale), "descent": round(hhea.descent * scale),
               "width": round(font["hmtx"][font.getBestCmap()[ord("M")]][0] * scale),
               "name": font["name"].getDebugName(6) or "DejaVuSansMono"}
    return data, cmap, metrics


def _to_unicode(used: dict[int, str]) -> bytes:
    return to_unicode_cmap([f"<{gid:04X}> <{char.encode('utf-16-be').hex().upper()}>"
                            for gid, char in sorted(used.items())])


def render_text_pdf(lines: list[str], path: Path, *, title: str = "", max_pages: int | None = None) -> int:
    """Write lines as a born-digital A4 PDF (a real text layer, no OCR needed); return the page count.

    Uses DejaVu Sans Mono (all of Unicode that it covers, embedded as a CID font with a ToUnicode
    map) when installed, else the standard Courier font (Windows-1252 characters only).
    """
    import pikepdf
    from pikepdf import Array, Dictionary, Name

    pages = [lines[i:i + ROWS] for i in range(0, max(len(lines), 1), ROWS)] or [[]]
    if max_pages is not None:
        pages = pages[:max_pages]
    pdf = pikepdf.new()
    mono = _mono_font()
    used: dict[int, str] = {}
    if mono:
        data, cmap, metrics = mono
        question = cmap.get(ord("?"), 0)

        def encode(line: str) -> bytes:
            codes = []
            for ch in line:
                gid = cmap.get(ord(ch))
                if gid is None:
                    gid, ch = question, "?"
                used.setdefault(gid, ch)
                codes.append(f"{gid:04X}")
            return b"<" + "".join(codes).encode() + b">"

        name = metrics["name"].replace(" ", "")
        font = type0_font(pdf, name, pdf.make_stream(data), flags=33, bbox=metrics["bbox"],
                          ascent=metrics["ascent"], descent=metrics["descent"], width=metrics["width"],
                          cid_to_gid=Name.Identity)
    else:
        def encode(line: str) -> bytes:
            raw = line.encode("cp1252", "replace")
            return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"

        font = pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Courier,
                                            Encoding=Name.WinAnsiEncoding))
    for page_lines in pages:
        ops = [f"BT /F1 {_FONT_SIZE:g} Tf {_LEADING:g} TL {_MARGIN:g} {_PAGE[1] - _MARGIN - _FONT_SIZE:g} Td".encode()]
        for line in page_lines:
            if line:
                ops.append(encode(line) + b" Tj")
            ops.append(b"T*")
        ops.append(b"ET")
        page = Dictionary(Type=Name.Page, MediaBox=Array([0, 0, _PAGE[0], _PAGE[1]]),
                          Resources=Dictionary(Font=Dictionary(F1=font)),
                          Contents=pdf.make_stream(b"\n".join(ops)))
        pdf.pages.append(pikepdf.Page(page))
    if mono:
        font.ToUnicode = pdf.make_stream(_to_unicode(used or {mono[1].get(32, 0): " "}))
    if title:
        pdf.docinfo["/Title"] = title
    pdf.save(path)
    return len(pages)


# A text attachment is rendered to at most this many pages; its full text stays in the original.
TEXT_ATTACHMENT_MAX_PAGES = 25


def render_text_file(path: Path, target: Path, *, is_html: bool) -> list[str]:
    """Render a text (or HTML) attachment; returns warnings for the record (e.g. cut short)."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", "replace")
    text = html_to_text(text) if is_html else text.replace("\r\n", "\n")
    lines = wrap_lines(text)
    pages = render_text_pdf(lines, target, max_pages=TEXT_ATTACHMENT_MAX_PAGES)
    if len(lines) > pages * ROWS:
        return [f"text attachment rendered to its first {pages} pages ({len(lines) - pages * ROWS} more "
                f"lines are in the original)"]
    return []
