"""What a PDF page will cost to draw, known before anything is drawn.

Walks a page's resources without recursion (3,000 nested form XObjects must give a reason, not
a RecursionError): the pixel sizes of its images, how many bytes its drawing instructions
(content streams, forms, tiling patterns) inflate to, counted without inflating more than a
limit, and how deeply its forms nest.
"""

from __future__ import annotations

import base64
import binascii
import zlib
from dataclasses import dataclass, field

import pikepdf

# pdfium stops drawing forms nested deeper than this; deeper content would silently be missing.
MAX_FORM_DEPTH = 40
_CHUNK = 1 << 20


@dataclass
class PageCost:
    images: list[tuple[int, int, int, int]] = field(default_factory=list)   # width, height, bands, bits
    content_bytes: int = 0          # decoded drawing instructions (capped at the limit + 1)
    depth: int = 0                  # deepest form nesting


def _filters(stream: pikepdf.Stream) -> list[str]:
    value = stream.get("/Filter")
    if value is None:
        return []
    return [str(f) for f in value] if isinstance(value, pikepdf.Array) else [str(value)]


def decoded_size(stream: pikepdf.Stream, limit: int) -> int:
    """How many bytes the stream's data decodes to, counting no further than limit + 1."""
    try:
        data = stream.read_raw_bytes()
    except pikepdf.PdfError:
        return 0
    filters = _filters(stream)
    for position, name in enumerate(filters):
        if name in ("/ASCIIHexDecode", "/AHx"):
            data = _unhex(data)
        elif name in ("/ASCII85Decode", "/A85"):
            data = _un85(data)
        elif name in ("/FlateDecode", "/Fl") and position == len(filters) - 1:
            return _inflated_size(data, limit)
        elif name in ("/RunLengthDecode", "/RL") and position == len(filters) - 1:
            return min(len(data) * 128, limit + 1)        # the most run-length coding can expand
        else:
            # LZW or a chain we do not stream: let qpdf decode it, but only if it cannot be a bomb.
            if len(data) > limit // 64:
                return limit + 1
            try:
                return min(len(stream.read_bytes()), limit + 1)
            except pikepdf.PdfError:
                return 0
    return min(len(data), limit + 1)


def _unhex(data: bytes) -> bytes:
    text = bytes(c for c in data if c not in b" \t\r\n\f\x00").split(b">", 1)[0]
    try:
        return binascii.unhexlify(text + b"0" * (len(text) % 2))
    except binascii.Error:
        return b""


def _un85(data: bytes) -> bytes:
    text = data.strip()
    text = text[2:] if text.startswith(b"<~") else text
    try:
        return base64.a85decode(text.split(b"~>", 1)[0], ignorechars=b" \t\r\n\f\x00")
    except ValueError:
        return b""


def _inflated_size(data: bytes, limit: int) -> int:
    """Inflate in chunks, counting; a broken stream counts what came out before the damage."""
    inflater = zlib.decompressobj()
    total = 0
    try:
        while data:
            total += len(inflater.decompress(data, _CHUNK))
            if total > limit:
                return limit + 1
            data = inflater.unconsumed_tail
            if inflater.eof:
                break
        total += len(inflater.flush())
    except zlib.error:
        pass
    return min(total, limit + 1)


def page_cost(page: pikepdf.Page, limit: int) -> PageCost:
    """Images, decoded drawing-instruction bytes (up to *limit* + 1) and form depth of one page."""
    cost = PageCost()
    seen: set[tuple[int, int]] = set()
    contents = page.obj.get("/Contents")
    streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
    for stream in streams:
        if isinstance(stream, pikepdf.Stream) and cost.content_bytes <= limit:
            cost.content_bytes += decoded_size(stream, limit - cost.content_bytes)
    pending = [(page.obj.get("/Resources"), 0)]
    while pending:
        resources, depth = pending.pop()
        cost.depth = max(cost.depth, depth)
        if not isinstance(resources, pikepdf.Dictionary):
            continue
        for kind in ("/XObject", "/Pattern"):
            group = resources.get(kind)
            if not isinstance(group, pikepdf.Dictionary):
                continue
            for _, obj in group.items():
                if not isinstance(obj, pikepdf.Stream):
                    continue
                key = obj.objgen
                if key != (0, 0) and key in seen:
                    continue
                seen.add(key)
                if obj.get("/Subtype") == "/Image":
                    cost.images.append(_image_size(obj))
                    continue
                if cost.content_bytes <= limit:
                    cost.content_bytes += decoded_size(obj, limit - cost.content_bytes)
                pending.append((obj.get("/Resources"), depth + 1))
    return cost


def _image_size(image: pikepdf.Stream) -> tuple[int, int, int, int]:
    def number(name: str, default: int) -> int:
        try:
            return max(0, int(image.get(name, default)))
        except (TypeError, ValueError):
            return default

    space = image.get("/ColorSpace")
    bands = 1 if image.get("/ImageMask") else _bands(space)
    return number("/Width", 0), number("/Height", 0), bands, number("/BitsPerComponent", 8) or 8


def _bands(space) -> int:
    name = str(space[0]) if isinstance(space, pikepdf.Array) and len(space) else str(space)
    if name in ("/DeviceGray", "/CalGray", "/Indexed", "/Separation", "/G", "/I"):
        return 1
    if name in ("/DeviceCMYK", "/CMYK"):
        return 4
    if name == "/ICCBased" and isinstance(space, pikepdf.Array) and len(space) > 1:
        try:
            return int(space[1].get("/N", 3))
        except (TypeError, ValueError, AttributeError):
            return 3
    if name == "/DeviceN" and isinstance(space, pikepdf.Array) and len(space) > 1:
        return max(1, len(space[1]))
    return 3
