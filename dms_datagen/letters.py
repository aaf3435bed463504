"""Letters as they reach the office: pages drawn with their ground truth, stamps, letterheads, and text-letter phrasing.

Two levels share this module: ``Sheet`` draws a raster page and records every string it draws (the
sample inbox, test pages), and ``LetterParts`` holds the phrasing helpers of the text templates
(training corpus, evaluation sets). Fonts are DejaVu from Debian (fonts-dejavu-core and -extra).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from functools import lru_cache
from typing import Sequence

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont
from pathlib import Path

from . import people

DPI = 300
A4_MM = (210.0, 297.0)
A4_PX = (2480, 3508)  # A4 at 300 dpi
A4_PT = (595.276, 841.89)

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
_FONT_FILES = {
    ("sans", False): "DejaVuSans.ttf",
    ("sans", True): "DejaVuSans-Bold.ttf",
    ("serif", False): "DejaVuSerif.ttf",
    ("serif", True): "DejaVuSerif-Bold.ttf",
    ("mono", False): "DejaVuSansMono.ttf",
    ("mono", True): "DejaVuSansMono-Bold.ttf",
    ("cond", False): "DejaVuSansCondensed.ttf",
    ("cond", True): "DejaVuSansCondensed-Bold.ttf",
    ("serif-italic", False): "DejaVuSerif-Italic.ttf",
    ("serif-italic", True): "DejaVuSerif-BoldItalic.ttf",
}

Colour = int | tuple[int, int, int]


@lru_cache(maxsize=None)
def get_font(family: str = "sans", size: int = 46, bold: bool = False) -> ImageFont.FreeTypeFont:
    """A DejaVu font; ``family`` is one of sans, serif, mono, cond, serif-italic."""
    return ImageFont.truetype(str(FONT_DIR / _FONT_FILES[(family, bold)]), size)


def grey(c: Colour) -> int:
    """The grey level of a colour (ITU-R 601 luma), for pages drawn in mode "L"."""
    if isinstance(c, int):
        return c
    r, g, b = c
    return int(round(0.299 * r + 0.587 * g + 0.114 * b))


def a4_size_px(dpi: int = DPI) -> tuple[int, int]:
    """A4 in pixels at ``dpi``."""
    return (round(A4_MM[0] / 25.4 * dpi), round(A4_MM[1] / 25.4 * dpi))


# --------------------------------------------------------------------------
# Raster page builder
# --------------------------------------------------------------------------


class Sheet:
    """A white page on which text is drawn while the drawn text is recorded.

    ``lines`` collects the ground truth: each call that draws text appends
    exactly the string(s) it drew.
    """

    def __init__(self, size: tuple[int, int] = A4_PX, *, colour: bool = False,
                 left: int = 236, right: int = 200, top: int = 190):
        self.mode = "RGB" if colour else "L"
        self.img = Image.new(self.mode, size, (255, 255, 255) if colour else 255)
        self.d = ImageDraw.Draw(self.img)
        self.w, self.h = size
        self.left = left
        self.right = size[0] - right
        self.y = top
        self.lines: list[str] = []

    # colours -------------------------------------------------------------
    def c(self, colour: Colour):
        if self.mode == "L":
            return grey(colour)
        if isinstance(colour, int):
            return (colour, colour, colour)
        return colour

    # text ------------------------------------------------------------------
    def text(self, s: str, *, x: int | None = None, y: int | None = None, size: int = 46,
             family: str = "sans", bold: bool = False, fill: Colour = 0, align: str = "left",
             lead: float = 1.45, record: bool = True, advance: bool = True) -> int:
        f = get_font(family, size, bold)
        if y is None:
            y = self.y
        if x is None:
            x = {"left": self.left, "right": self.right,
                 "center": (self.left + self.right) // 2}[align]
        anchor = {"left": "la", "right": "ra", "center": "ma"}[align]
        if s:
            self.d.text((x, y), s, font=f, fill=self.c(fill), anchor=anchor)
        if record:
            self.lines.append(s)
        if advance:
            self.y = y + round(size * lead)
        return y

    def row(self, cells: Sequence[tuple[int, str, str]], *, y: int | None = None, size: int = 46,
            family: str = "sans", bold: bool = False, fill: Colour = 0, lead: float = 1.45,
            bold_cells: Sequence[int] = ()) -> int:
        """Several items on one line: cells are (x, text, align)."""
        if y is None:
            y = self.y
        for i, (x, s, align) in enumerate(cells):
            self.text(s, x=x, y=y, size=size, family=family, bold=bold or i in bold_cells,
                      fill=fill, align=align, record=False, advance=False)
        self.lines.append(" ".join(s for _, s, _ in cells if s))
        self.y = y + round(size * lead)
        return y

    def wrap(self, text: str, width: int, *, size: int = 46, family: str = "sans",
             bold: bool = False) -> list[str]:
        f = get_font(family, size, bold)
        out: list[str] = []
        cur = ""
        for word in text.split():
            cand = f"{cur} {word}" if cur else word
            if f.getlength(cand) <= width or not cur:
                cur = cand
            else:
                out.append(cur)
                cur = word
        if cur:
            out.append(cur)
        return out

    def para(self, text: str, *, x: int | None = None, width: int | None = None, size: int = 46,
             family: str = "sans", bold: bool = False, fill: Colour = 0, lead: float = 1.45,
             after: int = 0) -> None:
        x = self.left if x is None else x
        width = (self.right - x) if width is None else width
        for line in self.wrap(text, width, size=size, family=family, bold=bold):
            self.text(line, x=x, size=size, family=family, bold=bold, fill=fill, lead=lead)
        self.y += after

    def gap(self, px: int) -> None:
        self.y += px

    # graphics ------------------------------------------------------------
    def hline(self, y: int | None = None, x0: int | None = None, x1: int | None = None,
              width: int = 3, fill: Colour = 0) -> None:
        y = self.y if y is None else y
        self.d.line([(self.left if x0 is None else x0, y), (self.right if x1 is None else x1, y)],
                    fill=self.c(fill), width=width)

    def dotted(self, y: int, x0: int, x1: int, *, step: int = 12, fill: Colour = 90) -> None:
        for x in range(x0, x1, step):
            self.d.line([(x, y), (x + step // 2, y)], fill=self.c(fill), width=2)

    def rect(self, box, *, outline: Colour | None = 0, fill: Colour | None = None,
             width: int = 3) -> None:
        self.d.rectangle(box, outline=None if outline is None else self.c(outline),
                         fill=None if fill is None else self.c(fill), width=width)

    def checkbox(self, x: int, y: int, checked: bool, size: int = 40) -> None:
        self.rect((x, y, x + size, y + size), width=3)
        if checked:
            self.d.line([(x + 7, y + 7), (x + size - 7, y + size - 7)], fill=self.c(0), width=5)
            self.d.line([(x + size - 7, y + 7), (x + 7, y + size - 7)], fill=self.c(0), width=5)

    def band(self, title: str, *, size: int = 46, fill: Colour = 222, text_fill: Colour = 0,
             height: int | None = None) -> None:
        """Section heading on a shaded band across the text width."""
        height = height or round(size * 1.6)
        y = self.y
        self.rect((self.left, y, self.right, y + height), outline=None, fill=fill)
        self.text(title, x=self.left + 18, y=y + (height - size) // 2 - 2, size=size, bold=True,
                  fill=text_fill, advance=False)
        self.y = y + height + round(size * 0.55)

    def table(self, rows: Sequence[Sequence[str]], cols: Sequence[int], *,
              aligns: Sequence[str] | None = None, size: int = 42, header: bool = True,
              pad: int = 16, row_h: int | None = None, header_fill: Colour | None = 225,
              grid: bool = True, bold_last: bool = False, line: Colour = 0) -> None:
        """A ruled table; ``cols`` are the n+1 x positions of the column borders."""
        n = len(cols) - 1
        aligns = list(aligns or ["left"] * n)
        row_h = row_h or round(size * 1.75)
        y0 = self.y
        for r, cells in enumerate(rows):
            y = y0 + r * row_h
            is_head = header and r == 0
            if is_head and header_fill is not None:
                self.rect((cols[0], y, cols[-1], y + row_h), outline=None, fill=header_fill)
            bold = is_head or (bold_last and r == len(rows) - 1)
            for i, s in enumerate(cells):
                if not s:
                    continue
                al = aligns[i]
                x = {"left": cols[i] + pad, "right": cols[i + 1] - pad,
                     "center": (cols[i] + cols[i + 1]) // 2}[al]
                self.text(s, x=x, y=y + (row_h - size) // 2 - 3, size=size, bold=bold,
                          align=al, record=False, advance=False)
            self.lines.append(" ".join(s for s in cells if s))
        y_end = y0 + len(rows) * row_h
        if grid:
            for r in range(len(rows) + 1):
                yy = y0 + r * row_h
                self.d.line([(cols[0], yy), (cols[-1], yy)], fill=self.c(line),
                            width=4 if r in (0, 1, len(rows)) else 2)
            for x in cols:
                self.d.line([(x, y0), (x, y_end)], fill=self.c(line), width=2)
        self.y = y_end + round(size * 0.9)

    def signature(self, x: int, y: int, w: int, h: int, rng: np.random.Generator,
                  fill: Colour = (20, 30, 110), width: int = 5) -> None:
        """A scribbled signature (graphics only, carries no text)."""
        pts = []
        n = 9
        for i in range(n):
            px = x + w * i / (n - 1) + rng.normal(0, w * 0.02)
            py = y + h * (0.5 + 0.45 * math.sin(i * 2.1 + rng.normal(0, 0.6)))
            pts.append((px, py))
        curve = []
        for i in range(len(pts) - 1):
            (x0, y0), (x1, y1) = pts[i], pts[i + 1]
            for t in np.linspace(0, 1, 14):
                wob = math.sin(t * math.pi) * h * 0.25 * (1 if i % 2 else -1)
                curve.append((x0 + (x1 - x0) * t, y0 + (y1 - y0) * t + wob))
        self.d.line(curve, fill=self.c(fill), width=width, joint="curve")
        self.d.line([(x + w * 0.1, y + h * 1.05), (x + w * 0.85, y + h * 0.95)],
                    fill=self.c(fill), width=width - 1)


def render_text_page(lines: list[str], *, font: str = "sans", size_px: int = 46,
                     dpi: int = 300) -> Image.Image:
    """Render plain lines on a white A4 page (at ``dpi``) -> PIL image, mode "L".

    Lines are drawn as given (no wrapping) from a 25 mm left / 20 mm top margin
    with 1.45 line spacing; an empty string leaves an empty line.  ``font`` is
    a DejaVu family: "sans", "serif", "mono" or "cond".
    """
    size = a4_size_px(dpi)
    mm = dpi / 25.4
    sheet = Sheet(size, left=round(25 * mm), right=round(20 * mm), top=round(20 * mm))
    for line in lines:
        sheet.text(line, size=size_px, family=font)
    return sheet.img


# --------------------------------------------------------------------------
# Stamps, logos
# --------------------------------------------------------------------------


def _ink_mask(mask: Image.Image, rng: np.random.Generator, patchy: float = 0.35) -> Image.Image:
    """Make a stamp mask look like uneven ink."""
    m = np.asarray(mask, dtype=np.float32) / 255.0
    h, w = m.shape
    field_small = rng.uniform(1 - patchy, 1.0, size=(max(2, h // 40), max(2, w // 40)))
    fld = cv2.resize(field_small.astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC)
    m = np.clip(m * fld * 0.9, 0, 1)
    return Image.fromarray((m * 255).astype(np.uint8), "L")


def stamp(sheet: Sheet, lines: Sequence[str], *, centre: tuple[int, int], colour: Colour,
          angle: float, rng: np.random.Generator, size: int = 40, kind: str = "rect",
          ring_text: str = "", record: bool = True) -> None:
    """Stamp an (optionally round) rubber stamp onto the sheet, turned by ``angle``
    degrees counter-clockwise.  The stamp's strings are recorded as text."""
    fonts = [get_font("sans", size, True)] + [get_font("sans", size, False)] * (len(lines) - 1)
    if kind == "rect":
        widths = [f.getlength(s) for f, s in zip(fonts, lines)]
        w = int(max(widths) + 2 * size)
        h = int(len(lines) * size * 1.35 + size * 1.2)
        m = Image.new("L", (w, h), 0)
        d = ImageDraw.Draw(m)
        d.rounded_rectangle((4, 4, w - 5, h - 5), radius=size // 3, outline=255, width=7)
        y = size * 0.6
        for f, s in zip(fonts, lines):
            d.text((w / 2, y), s, font=f, fill=255, anchor="ma")
            y += size * 1.35
    else:  # round stamp with text around the ring and lines in the middle
        r = int(size * 6.2)
        w = h = 2 * r + 20
        m = Image.new("L", (w, h), 0)
        d = ImageDraw.Draw(m)
        cx = cy = w // 2
        d.ellipse((cx - r, cy - r, cx + r, cy + r), outline=255, width=8)
        d.ellipse((cx - r + 26 + size, cy - r + 26 + size, cx + r - 26 - size, cy + r - 26 - size),
                  outline=255, width=4)
        f = get_font("sans", size, True)
        ring_r = r - 16 - size * 0.55
        n = len(ring_text)
        span = min(300.0, n * size * 0.78 / ring_r * 180 / math.pi)
        start = -90 - span / 2
        for i, ch in enumerate(ring_text):
            a = math.radians(start + span * (i + 0.5) / n)
            gx, gy = cx + ring_r * math.cos(a), cy + ring_r * math.sin(a)
            g = Image.new("L", (size * 2, size * 2), 0)
            ImageDraw.Draw(g).text((size, size), ch, font=f, fill=255, anchor="mm")
            g = g.rotate(-(math.degrees(a) + 90), resample=Image.BICUBIC)
            m.paste(255, (int(gx - size), int(gy - size)), g)
        y = cy - len(lines) * size * 1.3 / 2
        for f2, s in zip(fonts, lines):
            d.text((cx, y), s, font=f2, fill=255, anchor="ma")
            y += size * 1.3
    m = m.rotate(angle, resample=Image.BICUBIC, expand=True)
    m = _ink_mask(m, rng)
    x0 = centre[0] - m.width // 2
    y0 = centre[1] - m.height // 2
    layer = Image.new(sheet.mode, m.size, sheet.c(colour))
    region = sheet.img.crop((x0, y0, x0 + m.width, y0 + m.height))
    # multiply-like: ink darkens but never lightens what is below
    blended = Image.composite(layer, region, m)
    out = np.minimum(np.asarray(blended), np.asarray(region))
    sheet.img.paste(Image.fromarray(out, sheet.mode), (x0, y0))
    if record:
        if ring_text:
            sheet.lines.append(ring_text.strip())
        sheet.lines.extend(lines)


def city_letterhead(sheet: Sheet, *, office: str = "Ausländerbehörde",
                    colour: Colour = (0, 70, 140)) -> None:
    """Letterhead of the (invented) Stadt Elbhausen with a small shield."""
    x, y = sheet.left, sheet.y
    shield = [(x, y), (x + 120, y), (x + 120, y + 95), (x + 60, y + 150), (x, y + 95)]
    sheet.d.polygon(shield, fill=sheet.c(colour))
    sheet.d.polygon([(x + 20, y + 30), (x + 100, y + 30), (x + 100, y + 55), (x + 20, y + 55)],
                    fill=sheet.c((255, 255, 255)))
    sheet.d.polygon([(x + 48, y + 10), (x + 72, y + 10), (x + 72, y + 120), (x + 48, y + 120)],
                    fill=sheet.c((255, 255, 255)))
    sheet.text("Stadt Elbhausen", x=x + 160, y=y, size=67, bold=True, fill=colour, advance=False)
    sheet.text(office, x=x + 160, y=y + 88, size=46, fill=colour, advance=False)
    sheet.y = y + 175
    sheet.hline(width=4, fill=colour)
    sheet.gap(40)




# --------------------------------------------------------------------------
# Text letters (templates of the training corpus and the evaluation sets)
# --------------------------------------------------------------------------


class LetterParts:
    """Phrasing helpers for one synthetic text document; subclasses set ``rng`` and ``day`` (the letter's date)."""

    rng: random.Random
    day: dt.date

    def pick(self, *options: str) -> str:
        """One of the options."""
        return self.rng.choice(options)

    def maybe(self, p: float, text: str) -> str:
        """The text with probability p, else nothing."""
        return text if self.rng.random() < p else ""

    def date(self, value: dt.date | None = None) -> str:
        """A date (default: the letter's) in one of the German notations."""
        return people.de_date(value or self.day, self.rng)

    def earlier(self, days_min: int, days_max: int) -> dt.date:
        """A date some days before the letter."""
        return self.day - dt.timedelta(days=self.rng.randint(days_min, days_max))

    def later(self, days_min: int, days_max: int) -> dt.date:
        """A date some days after the letter."""
        return self.day + dt.timedelta(days=self.rng.randint(days_min, days_max))


def join_lines(*parts: str | None) -> str:
    """The non-empty parts, one per line (``maybe`` leaves empty strings behind)."""
    return "\n".join(p for p in parts if p is not None and p != "")
