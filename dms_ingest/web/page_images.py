"""Page images for the browser: rendered once from the archival PDF/A (pypdfium2) and cached.

The cache is keyed by the archive's SHA-256, so a new archive version can never be shown with an
old picture, and each PNG's own SHA-256 is kept beside it as the HTTP ETag. One render of a page
yields its view image, its thumbnail and its words with their boxes (from the PDF/A's invisible
text layer), so highlighting search hits needs no second pass over the PDF.

Permission checks and access logging are not done here: callers reach this only after the
service layer has allowed the read.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Literal

Size = Literal["view", "thumb"]

VIEW_WIDTH = 1000      # pixels; enough to read a scanned letter on a desktop screen
THUMB_WIDTH = 150


class PageNotFound(LookupError):
    """The archive has no page with that number."""


@dataclass(frozen=True)
class WordBox:
    """A word of the text layer and its box as fractions of the page (0..1, y down)."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True)
class RenderedPage:
    number: int
    width: int                 # view image pixels
    height: int
    checksums: dict[str, str]  # size -> SHA-256 of the PNG
    words: list[WordBox]
    directory: Path

    def path(self, size: Size) -> Path:
        return self.directory / f"p{self.number:04d}-{size}.png"


class PageImageCache:
    """Renders pages of archival PDFs on first request and keeps them under *root*."""

    def __init__(self, root: Path, view_width: int = VIEW_WIDTH, thumb_width: int = THUMB_WIDTH):
        self.root = Path(root)
        self.view_width = view_width
        self.thumb_width = thumb_width
        self._locks: dict[tuple[str, int], threading.Lock] = {}
        self._locks_guard = threading.Lock()
        self.renders = 0       # how many pages were actually rendered (the tests check "once")

    def page(self, archive_sha256: str, number: int, load_pdf: Callable[[], bytes]) -> RenderedPage:
        """The rendered page; *load_pdf* (verified archive bytes) is called only on a cache miss."""
        if len(archive_sha256) != 64 or not all(c in "0123456789abcdef" for c in archive_sha256):
            raise ValueError("archive checksum must be a lowercase SHA-256")
        if number < 1:
            raise PageNotFound(number)
        directory = self.root / archive_sha256[:2] / archive_sha256
        cached = _read_meta(directory, number)
        if cached is not None:
            return cached
        with self._lock_for(archive_sha256, number):
            cached = _read_meta(directory, number)
            if cached is not None:
                return cached
            return self._render(load_pdf(), archive_sha256, number, directory)

    def _lock_for(self, sha: str, number: int) -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault((sha, number), threading.Lock())

    def _render(self, pdf_bytes: bytes, archive_sha256: str, number: int, directory: Path) -> RenderedPage:
        import pypdfium2 as pdfium

        if hashlib.sha256(pdf_bytes).hexdigest() != archive_sha256:
            raise ValueError("archive bytes do not match their checksum")
        pdf = pdfium.PdfDocument(pdf_bytes)
        try:
            if number > len(pdf):
                raise PageNotFound(number)
            page = pdf[number - 1]
            try:
                width_pt, height_pt = page.get_size()
                bitmap = page.render(scale=self.view_width / width_pt, grayscale=False)
                image = bitmap.to_pil().convert("RGB")
                words = _words(page, width_pt, height_pt)
            finally:
                page.close()
        finally:
            pdf.close()
        thumb = image.copy()
        thumb.thumbnail((self.thumb_width, self.thumb_width * 4))
        directory.mkdir(parents=True, exist_ok=True)
        checksums = {}
        for size, picture in (("view", image), ("thumb", thumb)):
            buffer = io.BytesIO()
            picture.save(buffer, "PNG", optimize=True)
            data = buffer.getvalue()
            checksums[size] = hashlib.sha256(data).hexdigest()
            _write_atomically(directory / f"p{number:04d}-{size}.png", data)
        meta = {"width": image.width, "height": image.height, "checksums": checksums,
                "words": [[w.text, w.x0, w.y0, w.x1, w.y1] for w in words]}
        # The metadata is written last: its presence means both images are complete.
        _write_atomically(directory / f"p{number:04d}.json", json.dumps(meta).encode())
        self.renders += 1
        return RenderedPage(number, image.width, image.height, checksums, words, directory)


def _words(page, width_pt: float, height_pt: float) -> list[WordBox]:
    """Words of the page's text layer with boxes, joined from pdfium's character boxes."""
    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        words: list[WordBox] = []
        chars: list[str] = []
        box: list[float] | None = None

        def flush() -> None:
            nonlocal box
            if chars and box is not None:
                left, bottom, right, top = box
                words.append(WordBox("".join(chars),
                                     round(max(left, 0) / width_pt, 5), round(max(height_pt - top, 0) / height_pt, 5),
                                     round(min(right, width_pt) / width_pt, 5),
                                     round(min(height_pt - bottom, height_pt) / height_pt, 5)))
            chars.clear()
            box = None

        for index in range(count):
            char = textpage.get_text_range(index, 1)
            if not char or char.isspace():
                flush()
                continue
            left, bottom, right, top = textpage.get_charbox(index, loose=True)
            if box is None:
                box = [left, bottom, right, top]
            else:
                box = [min(box[0], left), min(box[1], bottom), max(box[2], right), max(box[3], top)]
            chars.append(char)
        flush()
        return words
    finally:
        textpage.close()


def _read_meta(directory: Path, number: int) -> RenderedPage | None:
    try:
        meta = json.loads((directory / f"p{number:04d}.json").read_bytes())
    except (FileNotFoundError, ValueError):
        return None
    words = [WordBox(t, x0, y0, x1, y1) for t, x0, y0, x1, y1 in meta["words"]]
    return RenderedPage(number, meta["width"], meta["height"], meta["checksums"], words, directory)


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)
