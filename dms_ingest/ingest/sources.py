"""Sniff a file by its content, check it is safe to open, and describe its pages.

Rendering a page to pixels happens later, one page at a time in a worker process
(`render_page`), so a 300-page PDF never sits decoded in memory at once.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from ..config import ImagingConfig, OcrConfig
from ..errors import Rejected
from .budget import MemoryBudget
from .mime import looks_like_mail
from .pdfcheck import MAX_FORM_DEPTH, page_cost

log = logging.getLogger(__name__)

# Pillow's own bomb guard would raise in the middle of decoding; we check sizes ourselves first.
Image.MAX_IMAGE_PIXELS = None

PDF = "application/pdf"
TIFF = "image/tiff"
JPEG = "image/jpeg"
PNG = "image/png"
GIF = "image/gif"
BMP = "image/bmp"
WEBP = "image/webp"
EML = "message/rfc822"
IMAGE_TYPES = {TIFF: "tif", JPEG: "jpg", PNG: "png", GIF: "gif", BMP: "bmp", WEBP: "webp"}

_MAIL_HEADERS = (b"from:", b"received:", b"return-path:", b"mime-version:", b"message-id:",
                 b"delivered-to:", b"date:", b"subject:", b"to:", b"x-", b"content-type:")


def sniff(path: Path) -> tuple[str, str]:
    """(media type, honest extension) by magic bytes; the file name is never trusted.

    Signatures at offset 0 are decided first: a stored ZIP of PDFs holds "%PDF-" in its first
    kilobyte and must not be taken for a PDF.
    """
    with open(path, "rb") as handle:
        head = handle.read(2048)
    if not head:
        raise Rejected("empty")
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"):
        raise Rejected("unsupported_type", describe_zip(path))
    if head[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise Rejected("unsupported_type", describe_ole(path))
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return TIFF, "tif"
    if head[:3] == b"\xff\xd8\xff":
        return JPEG, "jpg"
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return PNG, "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return GIF, "gif"
    if head[:2] == b"BM" and len(head) > 26:
        return BMP, "bmp"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP, "webp"
    if head[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftyphevc"):
        raise Rejected("unsupported_type", "HEIC photo; please send JPEG or PDF")
    for magic, kind in _COMPRESSED:
        if head.startswith(magic):
            raise Rejected("unsupported_type", f"{kind} archive; please unpack it and send the documents in it")
    if b"%PDF-" in head[:1024]:
        return PDF, "pdf"
    first = head.lstrip().split(b"\n", 1)[0].lower()
    if first.startswith(_MAIL_HEADERS) and b":" in first:
        return EML, "eml"
    if looks_like_mail(path):  # any header block (DKIM-Signature:, ARC-Seal:, ...) is a mail
        return EML, "eml"
    if path.suffix.lower() in (".eml", ".msg", ".mbox"):
        raise Rejected("not_email")
    raise Rejected("unsupported_type", "neither PDF, TIFF, JPEG, PNG nor e-mail")


_COMPRESSED = ((b"Rar!\x1a\x07", "RAR"), (b"7z\xbc\xaf\x27\x1c", "7-Zip"), (b"\x1f\x8b", "gzip"),
               (b"BZh", "bzip2"), (b"\xfd7zXZ\x00", "xz"))
_OFFICE_ZIP_MEMBERS = ("[Content_Types].xml", "mimetype", "word/", "xl/", "ppt/", "content.xml")


def describe_zip(path: Path) -> str:
    """Why a ZIP file is refused, in a clerk's words: an Office document or an archive of files."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            names = [info.filename for info in archive.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
        return f"damaged ZIP archive ({str(exc)[:60]})"
    if any(name.startswith(_OFFICE_ZIP_MEMBERS) for name in names):
        return "Office document (Word, Excel, OpenDocument); please send it as PDF"
    shown = ", ".join(Path(name).name for name in names[:3]) + (", ..." if len(names) > 3 else "")
    return (f"ZIP archive with {len(names)} file(s) ({shown[:120]}); please unpack it and send the "
            f"documents one by one")


# OLE2 directory entries are UTF-16 names; an Outlook message has its properties in __substg1.0_ streams.
_OLE_KINDS = (("__substg1.0_".encode("utf-16-le"), "Outlook message (.msg); please forward it as an e-mail "
                                                   "or save it as .eml"),
              ("WordDocument".encode("utf-16-le"), "legacy Word document (.doc); please send it as PDF"),
              ("Workbook".encode("utf-16-le"), "legacy Excel workbook (.xls); please send it as PDF"),
              ("PowerPoint Document".encode("utf-16-le"), "legacy PowerPoint file (.ppt); please send it as PDF"))


def describe_ole(path: Path, limit: int = 64 << 20) -> str:
    """Which Microsoft compound file this is, from the stream names in its directory."""
    found = set()
    with open(path, "rb") as handle:
        tail = b""
        read = 0
        while read < limit and (chunk := handle.read(1 << 20)):
            read += len(chunk)
            window = tail + chunk
            found.update(marker for marker, _ in _OLE_KINDS if marker in window)
            tail = window[-64:]
    for marker, text in _OLE_KINDS:
        if marker in found:
            return text
    return "legacy Office document"


@dataclass
class NativeWord:
    text: str
    box: tuple[float, float, float, float]  # PDF points, origin top-left, y down
    line: int


@dataclass
class PageSpec:
    """What is known about a page before it is rendered."""

    number: int                     # 1-based
    width_pt: float
    height_pt: float
    dpi: float                      # resolution to render / interpret the page at
    native_words: list[NativeWord] = field(default_factory=list)
    native_text: str = ""
    text_layer: bool = True         # False: drawing instructions too large for the text extractor


@dataclass
class Container:
    path: Path                      # the file to render from (a repaired copy if repair was needed)
    media_type: str
    pages: list[PageSpec]
    warnings: list[str] = field(default_factory=list)


def _check_shape(width: float, height: float, where: str, unit: str) -> None:
    """A strip of 1 x 100000 pixels is no page (and makes Tesseract fail without a word)."""
    short, long = sorted((width, height))
    if short < (16 if unit == "pixels" else 4) or long > 100 * short:
        raise Rejected("unreadable_image", f"{where} measures {width:.0f}x{height:.0f} {unit}: not the shape of a page")


def _check_pixels(width: int, height: int, limit_mp: float, where: str) -> None:
    if width * height > limit_mp * 1_000_000:
        raise Rejected("too_large", f"{where} has {width}x{height} pixels "
                                    f"({width * height / 1e6:.0f} megapixels, limit {limit_mp:.0f})")


def inspect(path: Path, media_type: str, imaging: ImagingConfig, ocr: OcrConfig, work_dir: Path,
            budget: MemoryBudget | None = None) -> Container:
    """Open the container far enough to know its pages; refuse anything unsafe before decoding."""
    budget = budget or MemoryBudget()
    if media_type == PDF:
        return _inspect_pdf(path, imaging.max_image_megapixels, imaging.max_archive_dpi, ocr.min_text_chars_per_page,
                            work_dir, budget)
    if media_type in IMAGE_TYPES:
        return _inspect_image(path, media_type, imaging.max_image_megapixels, ocr.default_dpi, budget)
    raise Rejected("unsupported_type", media_type)


# Pillow modes: (bands, bits per band) of the decoded image.
_MODE_SAMPLES = {"1": (1, 1), "L": (1, 8), "P": (1, 8), "LA": (2, 8), "PA": (2, 8), "RGB": (3, 8), "YCbCr": (3, 8),
                 "LAB": (3, 8), "HSV": (3, 8), "RGBA": (4, 8), "RGBX": (4, 8), "CMYK": (4, 8), "I": (1, 32),
                 "F": (1, 32), "I;16": (1, 16), "I;16B": (1, 16), "I;16L": (1, 16)}


def _image_dpi(img: Image.Image, default_dpi: int) -> float:
    dpi = img.info.get("dpi")
    try:
        value = float(dpi[0]) if dpi else 0.0
    except (TypeError, ValueError, IndexError):
        value = 0.0
    if 50 <= value <= 2400:
        return value
    # No usable resolution: a page-sized scan is probably A4; anything else gets the default.
    estimate = img.width / 8.27
    return estimate if 150 <= estimate <= 600 else float(default_dpi)


def _inspect_image(path: Path, media_type: str, limit_mp: float, default_dpi: int,
                   budget: MemoryBudget) -> Container:
    pages: list[PageSpec] = []
    try:
        with Image.open(path) as img:
            frames = getattr(img, "n_frames", 1)
            budget.pages(frames)
            for index in range(frames):
                img.seek(index)
                _check_pixels(img.width, img.height, limit_mp, f"page {index + 1}")
                _check_shape(img.width, img.height, f"page {index + 1}", "pixels")
                bands, bits = _MODE_SAMPLES.get(img.mode, (4, 8))
                budget.image(img.width, img.height, bands, bits, f"page {index + 1} ({img.width}x{img.height} "
                                                                   f"pixels, {img.mode})")
                dpi = _image_dpi(img, default_dpi)
                pages.append(PageSpec(index + 1, img.width / dpi * 72, img.height / dpi * 72, dpi))
            # Decode the first frame now so a truncated image is refused before any work starts.
            img.seek(0)
            img.load()
    except Rejected:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise Rejected("unreadable_image", str(exc).splitlines()[0][:120]) from None
    return Container(path, media_type, pages)


def _visible_size(page) -> tuple[float, float]:
    """Width and height in points of what is shown and rendered: the CropBox within the MediaBox
    (a 92-inch MediaBox cropped to an A3 sheet is an A3 page)."""
    def corners(box) -> tuple[float, float, float, float]:
        x0, y0, x1, y1 = (float(v) for v in box)
        return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)

    media = corners(page.mediabox)
    try:
        crop = corners(page.cropbox)
    except (ValueError, TypeError, IndexError):
        crop = media
    left, bottom = max(media[0], crop[0]), max(media[1], crop[1])
    right, top = min(media[2], crop[2]), min(media[3], crop[3])
    if right - left < 1 or top - bottom < 1:
        left, bottom, right, top = media
    return right - left, top - bottom


def _pdf_page_spec(page, number: int, width_pt: float, height_pt: float, limit_mp: float, max_dpi: int,
                   budget: MemoryBudget, notes: list[str]) -> PageSpec:
    """What rendering this page will cost, checked against the limits before anything is drawn."""
    where = f"page {number}"
    cost = page_cost(page, budget.stream_limit)
    if cost.depth > MAX_FORM_DEPTH:
        raise Rejected("corrupt", f"{where} nests its drawings {cost.depth} levels deep "
                                  f"(at most {MAX_FORM_DEPTH} can be shown)")
    budget.content(cost.content_bytes, f"the drawing instructions of {where}")
    largest = 0
    for w, h, bands, bits in cost.images:
        _check_pixels(w, h, limit_mp, f"an image on {where}")
        largest = max(largest, budget.embedded_image(w, h, bands, bits, f"an image of {w}x{h} pixels on {where}"))
    # Render at the scan's own resolution (bounded), born-digital pages at the archive dpi.
    if cost.images:
        widest = max(max(w, h) for w, h, _, _ in cost.images)
        dpi = min(max(widest / (max(width_pt, height_pt) / 72), 150.0), float(max_dpi))
    else:
        dpi = float(max_dpi)
    render_px = (width_pt / 72 * dpi) * (height_pt / 72 * dpi)
    if render_px > limit_mp * 1_000_000:
        dpi *= (limit_mp * 1_000_000 / render_px) ** 0.5
    affordable = budget.render_dpi(width_pt, height_pt, dpi, reserved=largest)
    if affordable < 18:
        raise Rejected("too_large", f"{where} measures {width_pt / 72:.0f}x{height_pt / 72:.0f} inches; it cannot "
                                    f"be rendered legibly within the memory limit")
    if affordable < dpi:
        notes.append(f"{where} ({width_pt / 72:.0f}x{height_pt / 72:.0f} inches) rendered at {affordable:.0f} dpi "
                     f"to stay within the memory limit")
        dpi = affordable
    spec = PageSpec(number, width_pt, height_pt, dpi)
    spec.text_layer = budget.text_layer_fits(cost.content_bytes)
    return spec


def _inspect_pdf(path: Path, limit_mp: float, max_dpi: int, min_text_chars: int, work_dir: Path,
                 budget: MemoryBudget) -> Container:
    import pikepdf

    notes: list[str] = []
    source = path
    try:
        pdf = pikepdf.open(path)
    except pikepdf.PasswordError:
        raise Rejected("encrypted") from None
    except pikepdf.PdfError as exc:
        raise Rejected("corrupt", _without_path(str(exc), path)) from None
    with pdf:
        if pdf.is_encrypted:
            notes.append("owner-password protection ignored for reading")
        root = pdf.Root
        if bool(root.get("/NeedsRendering", False)):
            raise Rejected("dynamic_form")
        if len(pdf.pages) == 0:
            raise Rejected("no_pages")
        budget.pages(len(pdf.pages))
        specs: list[PageSpec] = []
        for index, page in enumerate(pdf.pages):
            width_pt, height_pt = _visible_size(page)
            if int(page.obj.get("/Rotate", 0)) % 180 == 90:
                width_pt, height_pt = height_pt, width_pt
            if width_pt < 1 or height_pt < 1:
                raise Rejected("corrupt", f"page {index + 1} has no size")
            _check_shape(width_pt, height_pt, f"page {index + 1}", "points")
            specs.append(_pdf_page_spec(page, index + 1, width_pt, height_pt, limit_mp, max_dpi, budget, notes))
        repairs = pdf.get_warnings()  # drains qpdf's list: read it once
        if repairs:
            lost = _pages_without_content(pdf)
            if lost:
                # A truncated file "repairs" into blank pages: archiving them would lose the scan.
                raise Rejected("content_lost", f"{_page_list(lost)} of {len(pdf.pages)} came out empty "
                                               f"({_without_path(str(repairs[0]), path)[:80]})")
            # qpdf reconstructed a damaged file: work from its repaired copy, keep the original as is.
            notes.append("damaged PDF repaired: " + _without_path(str(repairs[0]), path)[:100])
            work_dir.mkdir(parents=True, exist_ok=True)
            source = work_dir / f"repaired-{path.stem[:40]}.pdf"
            pdf.save(source)
    _read_native_text(source, specs, min_text_chars)
    _check_renderable(source)
    return Container(source, PDF, specs, notes)


def _pages_without_content(pdf) -> list[int]:
    """Pages of a repaired PDF whose content is gone: no content stream, an empty or unreadable one,
    or an image it draws that is missing or empty (qpdf repairs a cut-off file into such pages)."""
    import pikepdf

    lost = []
    for number, page in enumerate(pdf.pages, 1):
        try:
            contents = page.obj.get("/Contents")
            streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
            data = b"".join(s.read_bytes() for s in streams if isinstance(s, pikepdf.Stream))
            resources = page.obj.get("/Resources")
            images = resources.get("/XObject") if isinstance(resources, pikepdf.Dictionary) else None
            # items(), not keys(): a name whose object was lost reads as null and keys() hides it
            broken_image = images is not None and any(not _image_readable(obj) for _, obj in images.items())
        except (pikepdf.PdfError, ValueError, TypeError, KeyError, AttributeError):
            lost.append(number)
            continue
        if not data.strip() or broken_image:
            lost.append(number)
    return lost


def _image_readable(obj) -> bool:
    """Does an image of a repaired PDF still decode (a cut-off stream does not)?"""
    import pikepdf

    if not isinstance(obj, pikepdf.Stream) or not obj.read_raw_bytes():
        return False
    if obj.get("/Subtype") != pikepdf.Name.Image:
        return True   # a form XObject: its own content is checked where it is drawn
    try:
        pikepdf.PdfImage(obj).as_pil_image().load()
    except (NotImplementedError, pikepdf.models.image.UnsupportedImageTypeError):
        return True   # a kind pikepdf cannot convert (JBIG2, ...): the renderer decides later
    except Exception:
        return False
    return True


def _page_list(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:10]) + (", ..." if len(numbers) > 10 else "")
    return f"page {shown}" if len(numbers) == 1 else f"pages {shown}"


def _without_path(message: str, path: Path) -> str:
    """qpdf prefixes messages with the file path; the clerk already knows which file it is."""
    first = message.splitlines()[0] if message else "unknown error"
    return first.replace(f"{path}: ", "").replace(str(path), "the file")[:160]


def _check_renderable(path: Path) -> None:
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(str(path))
        doc.close()
    except pdfium.PdfiumError as exc:
        raise Rejected("corrupt", str(exc)[:120]) from None


def _read_native_text(path: Path, specs: list[PageSpec], min_text_chars: int) -> None:
    """Attach the text layer of born-digital pages; pages with too little text will be OCR'd."""
    import pdfplumber

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pdfplumber.open(path) as doc:
                for spec, page in zip(specs, doc.pages):
                    if not spec.text_layer:
                        continue   # too large to parse within the memory budget: OCR reads it instead
                    words = page.extract_words(use_text_flow=True, keep_blank_chars=False)
                    text = page.extract_text() or ""
                    if len("".join(text.split())) < min_text_chars:
                        continue
                    spec.native_text = text
                    line, last_top = -1, None
                    for word in words:
                        if last_top is None or abs(word["top"] - last_top) > 2:
                            line += 1
                            last_top = word["top"]
                        spec.native_words.append(NativeWord(
                            word["text"], (word["x0"], word["top"], word["x1"], word["bottom"]), line))
    except Exception as exc:  # pdfminer raises many types on odd files; text is then OCR'd instead
        log.warning("text layer of %s unreadable, pages will be OCR'd: %s", path, exc)
        for spec in specs:
            spec.native_text, spec.native_words = "", []


def render_page(container_path: Path, media_type: str, spec: PageSpec) -> np.ndarray:
    """Decode one page to greyscale (H, W) or BGR (H, W, 3) pixels at spec.dpi."""
    if media_type == PDF:
        return _render_pdf_page(container_path, spec)
    return _load_image_frame(container_path, spec.number - 1)


def _render_pdf_page(path: Path, spec: PageSpec) -> np.ndarray:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(path))
    try:
        page = doc[spec.number - 1]
        bitmap = page.render(scale=spec.dpi / 72, fill_color=(255, 255, 255, 255))
        array = bitmap.to_numpy()
        mode = bitmap.mode
        page.close()
    except pdfium.PdfiumError as exc:
        raise Rejected("corrupt", f"page {spec.number} cannot be rendered: {exc}") from None
    finally:
        doc.close()
    if array.ndim == 3 and array.shape[2] == 4:
        array = array[:, :, :3]
    if mode in ("RGB", "RGBA", "RGBX") and array.ndim == 3:
        array = array[:, :, ::-1]
    return np.ascontiguousarray(array)


def _load_image_frame(path: Path, index: int) -> np.ndarray:
    """One frame as greyscale or BGR pixels, with as few full-size copies alive at once as possible."""
    try:
        with Image.open(path) as img:
            img.seek(index)
            if index == 0:
                img = ImageOps.exif_transpose(img)
            if img.mode in ("1", "L", "I;16", "I;16B", "I", "F") or (img.mode == "P" and _grey_palette(img)):
                return np.asarray(img if img.mode == "L" else img.convert("L"))
            if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
                img = _on_white(img)
                if img.mode == "L":
                    return np.asarray(img)
            rgb = np.array(img if img.mode == "RGB" else img.convert("RGB"))   # one writable copy
        return cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR, dst=rgb)   # in place: no second full-size copy
    except (OSError, SyntaxError, ValueError) as exc:
        raise Rejected("unreadable_image", f"page {index + 1}: {str(exc).splitlines()[0][:100]}") from None


def _grey_palette(img: Image.Image) -> bool:
    palette = img.getpalette() or []
    return all(palette[i] == palette[i + 1] == palette[i + 2] for i in range(0, len(palette) - 2, 3)) and \
        "transparency" not in img.info


def _on_white(img: Image.Image) -> Image.Image:
    """A transparent image flattened onto white paper (what a printout of it would show)."""
    if img.mode not in ("RGBA", "LA"):
        img = img.convert("RGBA")
    alpha = img.getchannel("A")
    flat = Image.new("RGB" if img.mode == "RGBA" else "L", img.size, 255 if img.mode == "LA" else (255, 255, 255))
    flat.paste(img.convert(flat.mode), mask=alpha)
    return flat
