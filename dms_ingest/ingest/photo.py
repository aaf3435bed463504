"""Phone photos of a sheet: find the sheet on the table, flatten its perspective, even out the light.

A photographed letter lies on a darker table, is keystoned (the lines slope differently at the top
and the bottom, which deskewing cannot undo), lit from one side, and carries no resolution tag.
Tesseract then drops whole lines. So a JPEG/PNG page whose border is clearly darker than its middle
and that holds one bright four-cornered sheet is cut to that sheet, warped flat, divided by its own
background light, and given the resolution of an A4 sheet of that size. Scans (white to the edge)
are left alone after one look at a thumbnail.
"""

from __future__ import annotations

import cv2
import numpy as np

_THUMB = 800                 # longest side of the image the sheet is looked for in
_BORDER_CONTRAST = 25        # grey levels the frame must be darker than the middle
_SHEET_AREA = (0.35, 0.97)   # share of the photo the sheet must cover
_A4_LONG_INCHES = 11.69
_A4_RATIO = 297 / 210


def _thumbnail(gray: np.ndarray) -> tuple[np.ndarray, float]:
    scale = _THUMB / max(gray.shape)
    return cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA), scale


def _on_a_table(thumb: np.ndarray) -> bool:
    h, w = thumb.shape
    frame = max(2, min(h, w) // 40)
    border = np.concatenate([thumb[:frame].ravel(), thumb[-frame:].ravel(), thumb[:, :frame].ravel(), thumb[:, -frame:].ravel()])
    middle = thumb[h // 4:3 * h // 4, w // 4:3 * w // 4]
    return float(np.median(middle)) - float(np.median(border)) > _BORDER_CONTRAST


def find_sheet(gray: np.ndarray) -> np.ndarray | None:
    """The four corners (top-left, top-right, bottom-right, bottom-left) of a photographed sheet, or None."""
    thumb, scale = _thumbnail(gray)
    if not _on_a_table(thumb):
        return None
    _, mask = cv2.threshold(cv2.GaussianBlur(thumb, (5, 5), 0), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    sheet = max(contours, key=cv2.contourArea)
    share = cv2.contourArea(sheet) / thumb.size
    corners = cv2.approxPolyDP(sheet, 0.02 * cv2.arcLength(sheet, True), True)
    if len(corners) != 4 or not _SHEET_AREA[0] < share < _SHEET_AREA[1] or not cv2.isContourConvex(corners):
        return None
    points = corners.reshape(4, 2).astype(np.float32) / scale
    total, diff = points.sum(axis=1), np.diff(points, axis=1).ravel()
    return np.float32([points[total.argmin()], points[diff.argmin()], points[total.argmax()], points[diff.argmax()]])


def _even_light(pixels: np.ndarray, gray: np.ndarray) -> np.ndarray:
    """Divide by the page's own background (ink removed by dilation, smoothed), so paper is white everywhere."""
    small = cv2.resize(gray, None, fx=0.125, fy=0.125, interpolation=cv2.INTER_AREA)
    background = cv2.medianBlur(cv2.dilate(small, np.ones((7, 7), np.uint8)), 21)
    background = cv2.resize(background, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_LINEAR)
    gain = 255.0 / np.maximum(background, 1).astype(np.float32)
    if pixels.ndim == 3:
        gain = gain[..., None]
    return np.clip(pixels.astype(np.float32) * gain, 0, 255).astype(np.uint8)


def flatten_photo(pixels: np.ndarray, dpi: float) -> tuple[np.ndarray, float] | None:
    """The sheet of a phone photo, flat and evenly lit, with its resolution; None for a scan."""
    gray = pixels if pixels.ndim == 2 else cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY)
    corners = find_sheet(gray)
    if corners is None:
        return None
    tl, tr, br, bl = corners
    width = int(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl)))
    height = int(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr)))
    warp = cv2.getPerspectiveTransform(corners, np.float32([[0, 0], [width, 0], [width, height], [0, height]]))
    flat = cv2.warpPerspective(pixels, warp, (width, height), flags=cv2.INTER_CUBIC)
    flat_gray = flat if flat.ndim == 2 else cv2.cvtColor(flat, cv2.COLOR_RGB2GRAY)
    long_side, short_side = max(width, height), min(width, height)
    if abs(long_side / max(short_side, 1) - _A4_RATIO) < 0.1:
        dpi = long_side / _A4_LONG_INCHES   # an A4 sheet: its size in pixels tells the resolution
    return np.ascontiguousarray(_even_light(flat, flat_gray)), dpi
