"""A folder of page images becomes one multi-page PDF: the paper file's archived "original".

Why one PDF: the pipeline archives one original per input and splits it at cover and separator
sheets; a folder has to become one input for that. img2pdf builds the PDF without re-encoding:
a JPEG page *is* the JPEG file's bytes inside the PDF, PNG and TIFF pages keep their pixels
exactly (their compressed data is re-wrapped, not recompressed lossily).

Why nothing is lost: the byte-for-byte original of every page image stays inside that PDF.
Where the page stream already equals the file (JPEG), that is checked and recorded; every other
image file (PNG, TIFF, ...) is embedded unchanged as a PDF attachment. A JSON attachment
``dms-page-images.json`` lists each image: name, SHA-256, size, the page(s) it became, and where
its exact bytes are. The same listing goes into the work item and the migration report.

Why reproducible: the PDF carries no dates and a deterministic /ID, so the same folder always
yields the same bytes and the same SHA-256 - which is what makes a redo after a crash find the
documents an earlier attempt already archived (duplicate check on the original).
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..errors import Rejected
from .manifest import page_images

MANIFEST_NAME = "dms-page-images.json"
_MIME = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".tif": "image/tiff",
         ".tiff": "image/tiff", ".bmp": "image/bmp", ".gif": "image/gif", ".webp": "image/webp",
         ".jp2": "image/jp2"}


@dataclass
class PageImage:
    name: str
    sha256: str
    bytes: int
    pages: list[int] = field(default_factory=list)  # page numbers in the assembled PDF
    kept: str = "attachment"                       # page-stream (the page's image data is the file) | attachment

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class Assembled:
    path: Path
    pages: int
    images: list[PageImage]


def _layout(default_dpi: float):
    import img2pdf

    def layout(width_px, height_px, ndpi):
        dx, dy = ndpi
        if not (100 <= dx <= 2400 and 100 <= dy <= 2400):
            # No (or a nonsense) resolution: img2pdf would assume 96 dpi and make a poster of an A4
            # scan. Like the pipeline: a page-wide image is probably A4, anything else gets the default.
            estimate = width_px / 8.27
            dx = dy = estimate if 150 <= estimate <= 600 else default_dpi
        return img2pdf.default_layout_fun(width_px, height_px, (dx, dy))

    return layout


def _flattened(data: bytes) -> bytes:
    """A lossless PNG of an image img2pdf refuses (alpha channel, 16 bit): its page rendition."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as img:
        img.load()
        if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
            rgba = img.convert("RGBA")
            flat = Image.new("RGB", rgba.size, (255, 255, 255))
            flat.paste(rgba, mask=rgba.getchannel("A"))
            img = flat
        elif img.mode not in ("1", "L", "RGB", "CMYK"):
            img = img.convert("L" if img.mode.startswith("I") else "RGB")
        out = io.BytesIO()
        dpi = img.info.get("dpi")
        img.save(out, "PNG", **({"dpi": dpi} if dpi else {}))
        return out.getvalue()


def _needs_flattening(data: bytes) -> bool:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as img:
        return (img.mode in ("RGBA", "LA", "PA", "I", "I;16", "I;16B", "I;16L", "F")
                or (img.mode == "P" and "transparency" in img.info))


def _frames(name: str, data: bytes) -> int:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as img:
            frames = int(getattr(img, "n_frames", 1))
            for index in range(frames):
                img.seek(index)
                img.load()              # a truncated or broken image is refused here, by name
            return frames
    except Exception as exc:
        raise Rejected("unreadable_image", f"page image {name}: {str(exc).splitlines()[0][:100]}") from None


def assemble_folder(folder: Path, dest: Path, *, default_dpi: float = 300) -> Assembled:
    """Write the folder's page images as one PDF to *dest* (same input, same bytes)."""
    import img2pdf
    import pikepdf

    files = page_images(folder)
    if not files:
        raise Rejected("no_pages", "the folder holds no page images")
    images: list[PageImage] = []
    renditions: list[bytes] = []
    originals: list[bytes] = []
    page = 1
    for path in files:
        data = path.read_bytes()
        if not data:
            raise Rejected("unreadable_image", f"page image {path.name} is empty")
        frames = _frames(path.name, data)
        images.append(PageImage(path.name, hashlib.sha256(data).hexdigest(), len(data),
                                list(range(page, page + frames))))
        page += frames
        originals.append(data)
        renditions.append(_flattened(data) if _needs_flattening(data) else data)
    try:
        pdf_bytes = img2pdf.convert(renditions, layout_fun=_layout(default_dpi), nodate=True,
                                    producer="dms-ingest migrate", creator="dms-ingest migrate")
    except Exception as exc:
        raise Rejected("unreadable_image", f"the page images cannot be combined: {str(exc)[:100]}") from None
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        if len(pdf.pages) != page - 1:
            raise Rejected("processing_error", f"{page - 1} page images became {len(pdf.pages)} pages")
        for image, data in zip(images, originals):
            if len(image.pages) == 1 and _page_stream(pdf, image.pages[0]) == data:
                image.kept = "page-stream"
                continue
            name = f"{image.pages[0]:05d}-{image.name}"
            pdf.attachments[name] = pikepdf.AttachedFileSpec(
                pdf, data, filename=image.name, mime_type=_MIME.get(Path(image.name).suffix.casefold(), ""),
                description=f"page image {image.name} as scanned (sha256 {image.sha256})")
        listing = json.dumps({"folder": folder.name, "images": [i.to_json() for i in images]},
                             ensure_ascii=False, indent=1).encode()
        pdf.attachments[MANIFEST_NAME] = pikepdf.AttachedFileSpec(
            pdf, listing, filename=MANIFEST_NAME, mime_type="application/json",
            description="the page images of this paper file and where their exact bytes are kept")
        dest.parent.mkdir(parents=True, exist_ok=True)
        pdf.save(dest, deterministic_id=True)
    return Assembled(dest, page - 1, images)


def _page_stream(pdf, number: int) -> bytes | None:
    """The raw (still compressed) data of the single image on a page."""
    import pikepdf

    try:
        resources = pdf.pages[number - 1].obj.get("/Resources")
        xobjects = list(resources.XObject.values()) if resources is not None and "/XObject" in resources else []
        if len(xobjects) != 1 or not isinstance(xobjects[0], pikepdf.Stream):
            return None
        return xobjects[0].read_raw_bytes()
    except Exception:
        return None


def extract_page_images(container: Path, dest: Path) -> list[Path]:
    """Recover the exact page image files from an assembled container (for audits and tests)."""
    import pikepdf

    written = []
    dest.mkdir(parents=True, exist_ok=True)
    with pikepdf.open(container) as pdf:
        attachments = pdf.attachments
        listing = json.loads(attachments[MANIFEST_NAME].get_file().read_bytes())
        for entry in listing["images"]:
            if entry["kept"] == "page-stream":
                data = _page_stream(pdf, entry["pages"][0])
            else:
                data = attachments[f"{entry['pages'][0]:05d}-{entry['name']}"].get_file().read_bytes()
            if data is None or hashlib.sha256(data).hexdigest() != entry["sha256"]:
                raise ValueError(f"{entry['name']}: the kept bytes do not match the recorded SHA-256")
            target = dest / entry["name"]
            target.write_bytes(data)
            written.append(target)
    return written
