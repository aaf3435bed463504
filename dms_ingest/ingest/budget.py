"""A memory budget per process that every decoder asks before it allocates.

A 787 KB PNG can decode to 784 MB of RGBA pixels, a 1.5 MB PDF can inflate a content stream to
gigabytes, an 846-byte PDF can ask for a page of 190 x 190 inches. Sizes are known before
decoding (image headers, stream dictionaries, page boxes, file sizes), so each decoder estimates
what it will allocate with the cost models below and is refused with a reason a clerk can read
before it exceeds the budget, never killed by the kernel half-way.

The cost models were measured with benchmarks/bench_memory.py (peak RSS per input).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import Rejected

MB = 1 << 20

# Bytes per pixel while one page image is processed: the decoded image, a BGR copy, greyscale,
# the deskewed copy and the encoder's input exist at the same time.
PAGE_BYTES_PER_PIXEL = 14
# An image inside a PDF is only decoded by pdfium (its stream, then the bitmap it draws from); the
# page is processed at the render resolution, which render_dpi() budgets separately.
PDF_IMAGE_COPIES = 2
# pdfium keeps a parsed content stream at several times its size; pdfminer (text layer) at ~40x.
RENDER_BYTES_PER_CONTENT_BYTE = 8
TEXT_BYTES_PER_CONTENT_BYTE = 40
# Python's e-mail parser holds a message about nine times over (raw, decoded lines, parts, payloads).
MAIL_BYTES_PER_BYTE = 10


@dataclass(frozen=True)
class MemoryBudget:
    """*memory_mb* for the whole process, of which *reserve_mb* is taken by the interpreter,
    the libraries and the OCR model (measured: 180-270 MB)."""

    memory_mb: int = 1024
    reserve_mb: int = 320
    max_pages: int = 5000       # not memory but time: a 1 MB PDF can hold 10,000 empty pages

    @classmethod
    def of(cls, settings) -> "MemoryBudget":
        limits = settings.limits
        return cls(limits.memory_mb, limits.reserve_mb, limits.max_pages)

    def pages(self, count: int) -> None:
        if count > self.max_pages:
            raise Rejected("too_many_pages", f"{count:,} pages, the limit is {self.max_pages:,} (limits.max_pages); "
                                             f"please split the file")

    @property
    def available(self) -> int:
        """Bytes one decoding step may allocate."""
        return max(16, self.memory_mb - self.reserve_mb) * MB

    def require(self, needed: int, what: str) -> None:
        """Refuse (Rejected 'too_large') when decoding *what* would need more than the budget."""
        if needed > self.available:
            raise Rejected("memory_limit", f"{what} would need about {needed / MB:,.0f} MB, "
                                           f"the limit is {self.available / MB:,.0f} MB (limits.memory_mb)")

    def image(self, width: int, height: int, bands: int, bits: int, what: str) -> None:
        """An image of width x height with *bands* samples of *bits* bits, decoded and processed."""
        decoded = width * height * bands * max(bits, 8) // 8
        self.require(decoded + width * height * PAGE_BYTES_PER_PIXEL, what)

    def embedded_image(self, width: int, height: int, bands: int, bits: int, what: str) -> int:
        """An image inside a PDF page, decoded by the renderer; returns the bytes it holds while the
        page is drawn (to be reserved when choosing the render resolution)."""
        held = PDF_IMAGE_COPIES * (width * height * bands * max(bits, 8) // 8)
        self.require(held, what)
        return held

    def render_dpi(self, width_pt: float, height_pt: float, dpi: float, reserved: int = 0) -> float:
        """*dpi*, lowered where needed so that rendering the page (beside *reserved* bytes held by
        its largest decoded image) stays within the budget."""
        pixels = (width_pt / 72 * dpi) * (height_pt / 72 * dpi)
        affordable = max(self.available - reserved, 0) / PAGE_BYTES_PER_PIXEL
        return dpi if pixels <= affordable else dpi * (affordable / pixels) ** 0.5

    def content(self, size: int, what: str) -> None:
        """Drawing instructions of *size* decoded bytes (counted up to stream_limit + 1), parsed by the renderer."""
        if size > self.stream_limit - 1:
            raise Rejected("memory_limit", f"{what} inflate to more than {self.stream_limit / MB:,.0f} MB "
                                           f"(a compression bomb or a drawing too large to render)")
        self.require(size * RENDER_BYTES_PER_CONTENT_BYTE, what)

    def text_layer_fits(self, size: int) -> bool:
        """Can the text layer of a page with *size* bytes of drawing instructions be read (pdfminer)?"""
        return size * TEXT_BYTES_PER_CONTENT_BYTE <= self.available

    def mail(self, size: int, what: str = "the e-mail") -> None:
        self.require(size * MAIL_BYTES_PER_BYTE, what)

    @property
    def stream_limit(self) -> int:
        """Decoded bytes beyond which a stream is not inflated any further (it is refused anyway)."""
        return self.available // RENDER_BYTES_PER_CONTENT_BYTE + 1
