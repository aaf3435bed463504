"""Sniff a file by its content, check it is safe to open, and describe its pages.

Rendering a page to pixels happens later, one page at a time in a worker process
(`render_page`), so a 300-page PDF never sits decoded in memory at once.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from ..errors import Rejected

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
    from .mail import looks_like_mail  # any header block (DKIM-Signature:, ARC-Seal:, ...) is a mail

    if looks_like_mail(path):
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


@dataclass
class Container:
    path: Path                      # the file to render from (a repaired copy if repair was needed)
    media_type: str
    pages: list[PageSpec]
    warnings: list[str] = field(default_factory=list)


def _check_pixels(width: int, height: int, limit_mp: float, where: str) -> None:
    if width * height > limit_mp * 1_000_000:
        raise Rejected("too_large", f"{where} has {width}x{height} pixels "
                                    f"({width * height / 1e6:.0f} megapixels, limit {limit_mp:.0f})")


def inspect(path: Path, media_type: str, *, max_megapixels: float, default_dpi: int,
            max_dpi: int, min_text_chars: int, work_dir: Path) -> Container:
    """Open the container far enough to know its pages; refuse anything unsafe before decoding."""
    if media_type == PDF:
        return _inspect_pdf(path, max_megapixels, max_dpi, min_text_chars, work_dir)
    if media_type in IMAGE_TYPES:
        return _inspect_image(path, media_type, max_megapixels, default_dpi)
    raise Rejected("unsupported_type", media_type)


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


def _inspect_image(path: Path, media_type: str, limit_mp: float, default_dpi: int) -> Container:
    pages: list[PageSpec] = []
    try:
        with Image.open(path) as img:
            frames = getattr(img, "n_frames", 1)
            for index in range(frames):
                img.seek(index)
                _check_pixels(img.width, img.height, limit_mp, f"page {index + 1}")
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


def _pdf_image_sizes(resources, seen: set) -> list[tuple[int, int]]:
    """Pixel sizes of every image on a page, including those inside form XObjects."""
    import pikepdf

    sizes = []
    if resources is None or "/XObject" not in resources:
        return sizes
    for _, xobj in resources.XObject.items():
        if not isinstance(xobj, pikepdf.Stream) or xobj.objgen in seen:
            continue
        seen.add(xobj.objgen)
        if xobj.get("/Subtype") == "/Image":
            sizes.append((int(xobj.get("/Width", 0)), int(xobj.get("/Height", 0))))
        elif xobj.get("/Subtype") == "/Form":
            sizes.extend(_pdf_image_sizes(xobj.get("/Resources"), seen))
    return sizes


def _inspect_pdf(path: Path, limit_mp: float, max_dpi: int, min_text_chars: int, work_dir: Path) -> Container:
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
        specs: list[PageSpec] = []
        for index, page in enumerate(pdf.pages):
            box = page.mediabox
            width_pt = abs(float(box[2]) - float(box[0]))
            height_pt = abs(float(box[3]) - float(box[1]))
            if int(page.obj.get("/Rotate", 0)) % 180 == 90:
                width_pt, height_pt = height_pt, width_pt
            if width_pt < 1 or height_pt < 1:
                raise Rejected("corrupt", f"page {index + 1} has no size")
            sizes = _pdf_image_sizes(page.obj.get("/Resources"), set())
            for w, h in sizes:
                _check_pixels(w, h, limit_mp, f"an image on page {index + 1}")
            # Render at the scan's own resolution (bounded), born-digital pages at the archive dpi.
            if sizes:
                widest = max(max(w, h) for w, h in sizes)
                dpi = min(max(widest / (max(width_pt, height_pt) / 72), 150.0), float(max_dpi))
            else:
                dpi = float(max_dpi)
            render_px = (width_pt / 72 * dpi) * (height_pt / 72 * dpi)
            if render_px > limit_mp * 1_000_000:
                dpi *= (limit_mp * 1_000_000 / render_px) ** 0.5
            specs.append(PageSpec(index + 1, width_pt, height_pt, dpi))
        repairs = pdf.get_warnings()  # drains qpdf's list: read it once
        if repairs:
            # qpdf reconstructed a damaged file: work from its repaired copy, keep the original as is.
            notes.append("damaged PDF repaired: " + _without_path(str(repairs[0]), path)[:100])
            work_dir.mkdir(parents=True, exist_ok=True)
            source = work_dir / f"repaired-{path.stem[:40]}.pdf"
            pdf.save(source)
    _read_native_text(source, specs, min_text_chars)
    _check_renderable(source)
    return Container(source, PDF, specs, notes)


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
    try:
        with Image.open(path) as img:
            img.seek(index)
            if index == 0:
                img = ImageOps.exif_transpose(img)
            if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
                rgba = img.convert("RGBA")
                flat = Image.new("RGB", rgba.size, (255, 255, 255))
                flat.paste(rgba, mask=rgba.getchannel("A"))
                img = flat
            if img.mode in ("1", "L", "I;16", "I;16B", "I"):
                return np.asarray(img.convert("L"))
            rgb = np.asarray(img.convert("RGB"))
            return np.ascontiguousarray(rgb[:, :, ::-1])
    except (OSError, SyntaxError, ValueError) as exc:
        raise Rejected("unreadable_image", f"page {index + 1}: {str(exc).splitlines()[0][:100]}") from None
