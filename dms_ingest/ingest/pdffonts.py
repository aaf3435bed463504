"""PDF font plumbing shared by the PDF/A writer's invisible text layer and the text renderer.

Both write text as two-byte codes through a composite (Type0 / CIDFontType2) font with a
ToUnicode map, so that extraction and search read the characters back exactly.
"""

from __future__ import annotations

import pikepdf
from pikepdf import Array, Dictionary, Name


def to_unicode_cmap(entries: list[str], kind: str = "bfchar") -> bytes:
    """A ToUnicode CMap over two-byte codes from *entries* ("<code> <unicode>" or ranges for bfrange)."""
    blocks = []
    for start in range(0, len(entries), 100):
        chunk = entries[start:start + 100]
        blocks.append(f"{len(chunk)} begin{kind}\n" + "\n".join(chunk) + f"\nend{kind}")
    return ("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
            "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
            + "\n".join(blocks)
            + "\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n").encode("ascii")


def type0_font(pdf: pikepdf.Pdf, name: str, font_file: pikepdf.Object, *, flags: int, bbox: list,
               ascent: int, descent: int, width: int, cid_to_gid: pikepdf.Object,
               to_unicode: bytes | None = None) -> pikepdf.Object:
    """An embedded TrueType font as a Type0 font with Identity-H encoding (two-byte codes)."""
    descriptor = pdf.make_indirect(Dictionary(
        Type=Name.FontDescriptor, FontName=Name("/" + name), Flags=flags, FontBBox=Array(bbox), ItalicAngle=0,
        Ascent=ascent, Descent=descent, CapHeight=ascent, StemV=80, FontFile2=font_file))
    cid_font = pdf.make_indirect(Dictionary(
        Type=Name.Font, Subtype=Name.CIDFontType2, BaseFont=Name("/" + name),
        CIDSystemInfo=Dictionary(Registry=pikepdf.String("Adobe"), Ordering=pikepdf.String("Identity"),
                                 Supplement=0),
        FontDescriptor=descriptor, DW=width, CIDToGIDMap=cid_to_gid))
    font = pdf.make_indirect(Dictionary(
        Type=Name.Font, Subtype=Name.Type0, BaseFont=Name("/" + name), Encoding=Name("/Identity-H"),
        DescendantFonts=Array([cid_font])))
    if to_unicode is not None:
        font.ToUnicode = pdf.make_stream(to_unicode)
    return font
