"""Page image operations: quarter-turn detection, deskew, blank detection, colour class, encoding.

Everything here works on numpy arrays (greyscale H×W or BGR H×W×3) and is cheap next to OCR:
angle searches run on a reduced copy of the page.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

# Working resolution for analysis: enough for text lines, cheap to rotate many times.
_ANALYSIS_WIDTH = 640


def to_gray(image: np.ndarray) -> np.ndarray:
    return image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def _reduce(image: np.ndarray, width: int) -> np.ndarray:
    if image.shape[1] <= width:
        return image
    height = max(1, round(image.shape[0] * width / image.shape[1]))
    return cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA)


def reduce_for_analysis(image: np.ndarray) -> np.ndarray:
    """The page at about 150 dpi: enough for blank, skew and colour decisions."""
    return _reduce(image, 2 * _ANALYSIS_WIDTH)


def _ink_mask(gray: np.ndarray, width: int = _ANALYSIS_WIDTH) -> np.ndarray:
    """Binary ink mask (ink = 1) of a reduced copy, background-normalised so shadows do not count."""
    small = _reduce(gray, width)
    background = cv2.dilate(small, np.ones((15, 15), np.uint8))
    norm = cv2.divide(small, np.maximum(background, 1), scale=255)
    _, mask = cv2.threshold(norm, 0, 1, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    # Otsu on a near-empty page picks a threshold inside paper noise; require real darkness.
    mask[norm > 200] = 0
    return mask


def _profile_score(points: np.ndarray, angle: float) -> float:
    """How sharply text lines stand out in the row profile of the ink after turning by *angle*.

    Only the ink pixels' row coordinates are rotated (OpenCV's sense of angle), which is far
    cheaper than warping the whole image for every candidate angle.
    """
    theta = np.deg2rad(angle)
    rows = np.floor(points[:, 1] * np.cos(theta) - points[:, 0] * np.sin(theta)).astype(np.int64)
    profile = np.bincount(rows - rows.min()).astype(np.float64)
    return float(np.square(np.diff(profile)).sum())


def _ink_points(mask: np.ndarray, limit: int = 60_000) -> np.ndarray:
    """(x, y) of ink pixels relative to the centre, thinned evenly when there are very many."""
    ys, xs = np.nonzero(mask)
    if len(xs) > limit:
        keep = np.linspace(0, len(xs) - 1, limit).astype(np.int64)
        xs, ys = xs[keep], ys[keep]
    h, w = mask.shape
    return np.stack([xs - w / 2, ys - h / 2], axis=1).astype(np.float64)


def _best_angle(mask: np.ndarray, limit: float = 8.0) -> tuple[float, float]:
    """Coarse-to-fine search of the angle that maximises the row-profile score."""
    points = _ink_points(mask)
    if len(points) < 2:
        return 0.0, 0.0
    best, best_score = 0.0, _profile_score(points, 0.0)
    for step, span in ((0.5, limit), (0.1, 0.5), (0.02, 0.1)):
        centre = best
        for angle in np.arange(centre - span, centre + span + 1e-9, step):
            score = _profile_score(points, float(angle))
            if score > best_score:
                best, best_score = float(angle), score
    return best, best_score


@dataclass
class Geometry:
    skew: float          # degrees (counter-clockwise positive, OpenCV convention) to straighten
    ink_ratio: float     # share of ink pixels away from the margins
    marks: int           # letter-like ink blobs with a neighbour on their line (dust specks stand alone)

    def blank(self, ink_ratio_limit: float) -> bool:
        # A short line ("Seite 2") has little ink but several letter-sized marks.
        return self.ink_ratio < ink_ratio_limit and self.marks < 3


def analyse(gray: np.ndarray) -> Geometry:
    """Find the residual skew of the text lines and how much ink the page carries."""
    # Small print vanishes at the skew-search scale, so ink is judged at about 150 dpi.
    reduced = _reduce(gray, 2 * _ANALYSIS_WIDTH)
    fine = _ink_mask(reduced, 2 * _ANALYSIS_WIDTH)
    h, w = fine.shape
    mh, mw = int(h * 0.015), int(w * 0.015)  # the very edge often holds the scanner's shadow
    # Opening removes scanner speckles so that a noisy empty back page still counts as blank.
    inner = cv2.morphologyEx(fine[mh:h - mh, mw:w - mw], cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))
    ink_ratio = float(inner.mean()) if inner.size else 0.0
    if ink_ratio < 1e-6:
        return Geometry(0.0, ink_ratio, 0)
    # Only a page with little ink can be blank; busy pages skip the mark count.
    marks = _text_marks(inner) if ink_ratio < 0.05 else 1_000_000
    return Geometry(_best_angle(_ink_mask(reduced))[0] if marks else 0.0, ink_ratio, marks)


def _text_marks(mask: np.ndarray) -> int:
    """Blobs that sit beside another blob on the same line, as letters of a word do."""
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    blobs = stats[1:][stats[1:, cv2.CC_STAT_AREA] >= 4].astype(np.float64)
    if len(blobs) > 400:
        return len(blobs)  # a page this busy is not blank; spare the pairwise comparison
    if len(blobs) < 2:
        return 0
    x = blobs[:, cv2.CC_STAT_LEFT] + blobs[:, cv2.CC_STAT_WIDTH] / 2
    y = blobs[:, cv2.CC_STAT_TOP] + blobs[:, cv2.CC_STAT_HEIGHT] / 2
    h = np.maximum(blobs[:, cv2.CC_STAT_HEIGHT], 3)
    w = np.maximum(blobs[:, cv2.CC_STAT_WIDTH], 3)
    same_line = np.abs(y[:, None] - y[None, :]) < h[:, None]
    close = np.abs(x[:, None] - x[None, :]) < 3 * np.maximum(w[:, None], h[:, None])
    neighbours = (same_line & close).sum(axis=1) - 1
    return int((neighbours > 0).sum())


def rotate_quarter(image: np.ndarray, degrees_clockwise: int) -> np.ndarray:
    """Turn the image by a multiple of 90° clockwise (lossless)."""
    turns = (degrees_clockwise // 90) % 4
    return np.ascontiguousarray(np.rot90(image, k=-turns)) if turns else image


def deskew(image: np.ndarray, angle: float) -> np.ndarray:
    """Rotate by *angle* degrees (OpenCV sense) about the centre, filling with white paper."""
    if abs(angle) < 0.01:
        return image
    h, w = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    fill = 255 if image.ndim == 2 else (255, 255, 255)
    return cv2.warpAffine(image, matrix, (w, h), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=fill)


def measure_skew(gray: np.ndarray) -> float:
    """The residual skew of an (already turned) page in degrees."""
    return _best_angle(_ink_mask(gray))[0]


def colour_class(image: np.ndarray) -> str:
    """bilevel for black-on-paper text, color where the page has colour, gray otherwise."""
    small = _reduce(image, 2 * _ANALYSIS_WIDTH)
    if small.ndim == 3:
        hsv = cv2.cvtColor(cv2.medianBlur(small, 3), cv2.COLOR_BGR2HSV)
        colourful = (hsv[..., 1] > 70) & (hsv[..., 2] > 50)
        if colourful.mean() > 0.002:
            return "color"
        small = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    background = cv2.dilate(small, np.ones((15, 15), np.uint8))
    norm = cv2.divide(small, np.maximum(background, 1), scale=255)
    dark = (norm <= 100).astype(np.uint8)
    # Anti-aliased text edges sit right beside dark strokes; photo and shading tones do not.
    near_text = cv2.dilate(dark, np.ones((5, 5), np.uint8)).astype(bool)
    loose_midtones = ((norm > 60) & (norm < 200) & ~near_text).mean()
    return "gray" if loose_midtones > 0.01 else "bilevel"


def binarize(gray: np.ndarray) -> np.ndarray:
    """Black text on white paper as 0/255, robust against uneven scanner illumination."""
    h, w = gray.shape
    # The paper background is estimated at quarter size: it varies slowly, and this is 10x cheaper.
    small = cv2.resize(gray, (max(1, w // 4), max(1, h // 4)), interpolation=cv2.INTER_AREA)
    small = cv2.medianBlur(cv2.dilate(small, np.ones((9, 9), np.uint8)), 5)
    background = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    norm = cv2.divide(gray, np.maximum(background, 1), scale=255)
    _, bw = cv2.threshold(norm, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    return bw


def resample(image: np.ndarray, dpi: float, max_dpi: int) -> tuple[np.ndarray, float]:
    """Downsample scans above *max_dpi*; an archive of millions of pages gains nothing from more."""
    if dpi <= max_dpi * 1.05:
        return image, dpi
    factor = max_dpi / dpi
    h, w = image.shape[:2]
    size = (max(1, round(w * factor)), max(1, round(h * factor)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA), float(max_dpi)


@dataclass
class EncodedImage:
    """Compressed page image ready to embed in a PDF."""

    data: bytes
    width: int
    height: int
    filter: str          # CCITTFaxDecode | DCTDecode
    colorspace: str      # DeviceGray | DeviceRGB
    bits: int


def encode_g4(bw: np.ndarray) -> EncodedImage:
    """CCITT Group 4 (lossless bilevel) via libtiff; the strip is embedded in the PDF as is."""
    h, w = bw.shape
    # libtiff codes bit 1 as a black run (WhiteIsZero), so ink must be 1; no dithering pass.
    pil = Image.fromarray(bw <= 127)
    buf = io.BytesIO()
    pil.save(buf, format="TIFF", compression="group4", tiffinfo={278: h})  # one strip
    buf.seek(0)
    with Image.open(buf) as tif:
        offsets, counts = tif.tag_v2[273], tif.tag_v2[279]
        if len(offsets) != 1:
            raise RuntimeError("libtiff wrote more than one strip")
    raw = buf.getvalue()[offsets[0]:offsets[0] + counts[0]]
    return EncodedImage(raw, w, h, "CCITTFaxDecode", "DeviceGray", 1)


def encode_jpeg(image: np.ndarray, quality: int) -> EncodedImage:
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality,
                                            cv2.IMWRITE_JPEG_OPTIMIZE, 1])
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    h, w = image.shape[:2]
    space = "DeviceGray" if image.ndim == 2 else "DeviceRGB"
    return EncodedImage(data.tobytes(), w, h, "DCTDecode", space, 8)


def encode_page(image: np.ndarray, colour: str, quality: int) -> EncodedImage:
    """Encode for the archive: bilevel text lossless G4, grey/colour JPEG."""
    if colour == "bilevel":
        return encode_g4(binarize(to_gray(image)))
    if colour == "gray":
        return encode_jpeg(to_gray(image), quality)
    return encode_jpeg(image, quality)
