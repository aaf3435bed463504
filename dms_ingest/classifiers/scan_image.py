"""A text page rendered to look like a 300 dpi greyscale scan (for evaluation sets)."""

from __future__ import annotations

import random
import re
import textwrap
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


def _font(name: str, size: int):
    return ImageFont.truetype(str(FONT_DIR / name), size)


def render_page(text: str, rng: random.Random):
    """Render text as a scanned-looking 300 dpi greyscale page (PIL image)."""
    width = 2480
    margin = 200
    body_font = _font(rng.choice(["DejaVuSans.ttf", "DejaVuSerif.ttf", "DejaVuSansCondensed.ttf"]), rng.choice([38, 40, 42]))
    bold_font = _font("DejaVuSans-Bold.ttf", 48)
    mono_font = _font("DejaVuSansMono.ttf", 44)
    lines: list[tuple[str, object]] = []
    raw_lines = text.split("\n")
    for k, line in enumerate(raw_lines):
        is_mrz = len(line) == 44 and re.fullmatch(r"[A-Z0-9<]+", line) is not None
        font = mono_font if is_mrz else (bold_font if k < 2 and len(line) < 60 else body_font)
        if is_mrz:
            lines.append((line, font))
            continue
        max_chars = max(20, int((width - 2 * margin) / (font.getlength("x") * 1.05)))
        for part in textwrap.wrap(line, max_chars) or [""]:
            lines.append((part, font))
    line_height = 62
    height = min(3508, max(1400, 2 * margin + line_height * len(lines) + 200))
    page = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(page)
    # A simple letterhead: a logo block and a rule.
    draw.rectangle([width - margin - 260, margin - 120, width - margin, margin - 20], outline=80, width=6)
    draw.line([margin, margin, width - margin, margin], fill=120, width=3)
    y = margin + 40
    for line, font in lines:
        if y > height - margin:
            break
        draw.text((margin, y), line, fill=rng.randint(0, 40), font=font)
        y += line_height + (10 if font is bold_font else 0)
    page = page.rotate(rng.uniform(-2.0, 2.0), resample=Image.BICUBIC, expand=False, fillcolor=255)
    page = page.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.1)))
    pixels = np.asarray(page, dtype=np.int16)
    noise_rng = np.random.default_rng(rng.randint(0, 2**31))
    noisy = pixels + noise_rng.normal(0, rng.uniform(6, 16), pixels.shape)
    # Sensor noise shows on the ink; blank paper stays white (as scanner cleanup does),
    # apart from dust specks. This keeps the PNG files small.
    noisy = np.where(pixels > 235, 255, noisy)
    specks = noise_rng.random(pixels.shape) < rng.uniform(0.0002, 0.001)
    noisy = np.where(specks, noise_rng.integers(60, 200, pixels.shape), noisy)
    return Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8), mode="L")
