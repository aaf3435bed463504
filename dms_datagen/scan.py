"""Scan damage: what a scanner, the glass and the paper do to a clean page.

``scan_damage`` is the full, seeded model (skew, rotation, illumination, dust, noise, grey levels)
used for the sample inbox, the test pages and the evaluation sets built on ``letters.Sheet``;
``scanned_text_page`` is the quick one-call page of the text evaluation templates.
"""

from __future__ import annotations

import random
import re
import textwrap

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from .letters import Colour, get_font, grey

# --------------------------------------------------------------------------
# Scan damage
# --------------------------------------------------------------------------


def scan_damage(img: Image.Image, *, skew_deg: float = 0.0, rotate: int = 0, noise: float = 2.0,
                blur: float = 0.9, background: float = 0.05, speckles: int = 120,
                paper: Colour = 242, ink: int = 30, lid: Colour = 250, edge_shadow: float = 0.0,
                white_clip: int | None = None, levels: int | None = None,
                seed: int = 0) -> Image.Image:
    """Make a clean rendering look scanned.  Returns a new image (mode "L" or "RGB").

    skew_deg    small skew in degrees, positive = clockwise (applied first)
    rotate      0/90/180/270: content turned clockwise by this (applied last)
    noise       sigma of the gaussian sensor noise in grey levels
    blur        gaussian blur radius (px) of the optics
    background  strength (0..1) of uneven illumination / paper tone
    speckles    number of dust specks
    paper, ink  grey level (or RGB for paper) of white paper and of black ink
    lid         colour of the scanner lid that shows where the skewed sheet
                does not cover the scan area
    edge_shadow darkening (0..1) of a strip at the left edge (lid not closed)
    white_clip  if set, grey values >= it become 255 (scanner background removal)
    levels      if set, quantise to that many grey levels (e.g. 16 = 4-bit scan)
    seed        random seed (the result is fully determined by the arguments)
    """
    if rotate not in (0, 90, 180, 270):
        raise ValueError("rotate must be 0, 90, 180 or 270")
    rng = np.random.default_rng(seed)
    if img.mode not in ("L", "RGB"):
        img = img.convert("L")
    colour = img.mode == "RGB"
    if blur > 0:
        img = img.filter(ImageFilter.GaussianBlur(blur))
    v = np.asarray(img, dtype=np.float32) / 255.0
    h, w = v.shape[:2]
    nch = 3 if colour else 1
    paper_v = np.array(paper if isinstance(paper, tuple) else (paper,) * 3, np.float32)[:nch]
    lid_v = np.array(lid if isinstance(lid, tuple) else (lid,) * 3, np.float32)[:nch]
    if not colour:
        paper_v = paper_v[:1].copy()
        paper_v[0] = grey(paper) if isinstance(paper, tuple) else paper
        lid_v = np.array([grey(lid) if isinstance(lid, tuple) else lid], np.float32)
    ink_f = ink / 255.0
    vv = v if colour else v[..., None]
    out = paper_v * (ink_f + (1.0 - ink_f) * vv)  # h x w x nch

    # skew: turn the sheet on the glass (cv2: positive angle = counter-clockwise)
    if skew_deg:
        m = cv2.getRotationMatrix2D((w / 2.0, h / 2.0), -skew_deg, 1.0)
        border = tuple(float(x) for x in lid_v) + (0.0,) * (4 - nch)
        out = cv2.warpAffine(out, m, (w, h), flags=cv2.INTER_LINEAR,
                             borderMode=cv2.BORDER_CONSTANT, borderValue=border)
        if out.ndim == 2:
            out = out[..., None]

    # uneven illumination: smooth random field plus a gentle gradient
    if background > 0:
        small = rng.uniform(0.0, 1.0, size=(5, 4)).astype(np.float32)
        fld = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
        gx, gy = rng.uniform(-1, 1, size=2)
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        grad = (gx * xx / w + gy * yy / h)
        fld = 0.6 * fld + 0.4 * (grad - grad.min()) / max(1e-6, float(grad.max() - grad.min()))
        illum = 1.0 - background * fld
        out *= illum[..., None]
    if edge_shadow > 0:
        ramp = np.clip(np.arange(w, dtype=np.float32) / (0.03 * w), 0, 1)
        out *= (1.0 - edge_shadow * (1.0 - ramp))[None, :, None]

    # dust specks
    for _ in range(speckles):
        r = int(rng.choice([1, 1, 2, 2, 3, 4]))
        cy, cx = int(rng.integers(r, h - r)), int(rng.integers(r, w - r))
        val = float(rng.uniform(30, 170))
        yy, xx = np.ogrid[-r:r + 1, -r:r + 1]
        disk = (xx * xx + yy * yy) <= r * r
        patch = out[cy - r:cy + r + 1, cx - r:cx + r + 1]
        patch[disk] = np.minimum(patch[disk], val)

    if noise > 0:
        out += rng.normal(0.0, noise, size=(h, w, 1)).astype(np.float32)
    res = np.clip(np.rint(out), 0, 255).astype(np.uint8)
    if white_clip is not None:
        res[res >= white_clip] = 255
    if levels is not None:
        step = 255.0 / (levels - 1)
        res = (np.rint(np.rint(res / step) * step)).astype(np.uint8)
    res_img = Image.fromarray(res if colour else res[..., 0], "RGB" if colour else "L")
    if rotate:
        res_img = res_img.transpose({90: Image.Transpose.ROTATE_270,
                                     180: Image.Transpose.ROTATE_180,
                                     270: Image.Transpose.ROTATE_90}[rotate])
    return res_img


def to_bilevel(img: Image.Image, threshold: int = 150) -> Image.Image:
    """Threshold a scan -> mode "1" (no dithering), as a bilevel scanner would."""
    a = np.asarray(img.convert("L"))
    return Image.fromarray(a > threshold)


def undo_rotation(img: Image.Image, rotation: int) -> Image.Image:
    """Turn a page whose content was rotated ``rotation`` degrees clockwise back upright."""
    return img.rotate(rotation, expand=True) if rotation else img



def scanned_text_page(text: str, rng: random.Random) -> Image.Image:
    """Render text as a scanned-looking 300 dpi greyscale page (PIL image)."""
    width = 2480
    margin = 200
    body_font = get_font(rng.choice(["sans", "serif", "cond"]), rng.choice([38, 40, 42]))
    bold_font = get_font("sans", 48, bold=True)
    mono_font = get_font("mono", 44)
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
