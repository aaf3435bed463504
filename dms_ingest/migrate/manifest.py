"""The manifest: which paper files a SOURCE holds, and their work items in the index.

A SOURCE is either a folder tree or a CSV file (``path,case_number``; case number optional).
In a tree, a folder without subfolders whose files are all single-page images is *one* paper
file (its pages, in natural name order); every PDF, multi-page TIFF or stray image elsewhere is
one paper file of its own. Work items are keyed by (source, path): running the same source again
adds only what is new, and items already done stay done.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..index import work_items
from ..index.work_items import (PERMANENT_REASONS, adopt, claim, counts, finished_since, get, items,  # noqa: F401
                                next_pending, record, recover_orphans, release, retry_delay, retry_failed)
from ..index.work_models import WorkItem

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".gif", ".webp", ".jp2"}
_IGNORED_NAMES = {"thumbs.db", "desktop.ini", ".ds_store"}
_IGNORED_SUFFIXES = (".tmp", ".part", ".crdownload", ".swp")
_PATH_HEADERS = ("path", "pfad", "datei", "file")
_CASE_HEADERS = ("case_number", "case", "aktenzeichen", "az")



class SourceError(Exception):
    """SOURCE cannot be read; one line for the operator."""


@dataclass
class PaperFile:
    path: Path
    kind: str                      # file | folder
    case_number: str | None = None
    missing: bool = False


def natural_key(name: str) -> list:
    """page-2 before page-10."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name.casefold())]


def visible(name: str) -> bool:
    lower = name.casefold()
    return not (name.startswith((".", "~")) or lower in _IGNORED_NAMES or lower.endswith(_IGNORED_SUFFIXES))


def page_images(folder: Path) -> list[Path]:
    """The page images of a folder, in page order."""
    return sorted((p for p in folder.iterdir() if p.is_file() and visible(p.name)
                   and p.suffix.casefold() in IMAGE_SUFFIXES), key=lambda p: natural_key(p.name))


def _frames(path: Path) -> int | None:
    from PIL import Image

    try:
        with Image.open(path) as img:
            return int(getattr(img, "n_frames", 1))
    except Exception:
        return None


def _is_page_folder(folder: Path, names: list[str]) -> bool:
    if not names or any(Path(n).suffix.casefold() not in IMAGE_SUFFIXES for n in names):
        return False
    # JPEG/PNG pages are single images; a folder of multi-page TIFFs holds one paper file per TIFF.
    tiffs = [n for n in names if Path(n).suffix.casefold() in (".tif", ".tiff")]
    return all((_frames(folder / n) or 1) == 1 for n in tiffs[:3])


def discover(source: Path) -> list[PaperFile]:
    """Every paper file of SOURCE, in a stable order."""
    source = Path(source)
    if source.is_file():
        return read_manifest(source)
    if not source.is_dir():
        raise SourceError(f"no such file or folder: {source}")
    found: list[PaperFile] = []
    for dirpath, dirnames, filenames in os.walk(source):
        dirnames[:] = sorted((d for d in dirnames if visible(d)), key=natural_key)
        names = sorted((n for n in filenames if visible(n)), key=natural_key)
        folder = Path(dirpath)
        if not dirnames and _is_page_folder(folder, names):
            found.append(PaperFile(folder.resolve(), "folder"))
        else:
            found.extend(PaperFile((folder / n).resolve(), "file") for n in names)
    return sorted(found, key=lambda paper: natural_key(str(paper.path)))


def read_manifest(path: Path) -> list[PaperFile]:
    """A CSV of paper files: ``path,case_number`` (header optional; ``;`` works too).

    Relative paths are relative to the CSV file; a path may name a folder of page images.
    """
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raw = path.read_text(encoding="cp1252")
    except OSError as exc:
        raise SourceError(f"cannot read {path}: {exc.strerror or exc}") from None
    first = raw.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    rows = [r for r in csv.reader(io.StringIO(raw), delimiter=delimiter) if r and any(c.strip() for c in r)]
    path_col, case_col = 0, 1
    header = [c.strip().casefold() for c in rows[0]] if rows else []
    if any(c in _PATH_HEADERS for c in header):
        rows.pop(0)
        path_col = next(i for i, c in enumerate(header) if c in _PATH_HEADERS)
        case_col = next((i for i, c in enumerate(header) if c in _CASE_HEADERS), -1)
    papers = []
    for row in rows:
        name = row[path_col].strip() if path_col < len(row) else ""
        if not name or name.startswith("#"):
            continue
        case = row[case_col].strip() if 0 <= case_col < len(row) else ""
        target = Path(name) if Path(name).is_absolute() else path.parent / name
        target = target.resolve()
        papers.append(PaperFile(target, "folder" if target.is_dir() else "file", case or None,
                                missing=not target.exists()))
    return papers


def count_pages(path: Path, kind: str) -> int | None:
    """Pages of a paper file, counted from the source itself (None: cannot be read)."""
    try:
        if kind == "folder":
            return sum(_frames(p) or 0 for p in page_images(path)) or None
        with open(path, "rb") as handle:
            head = handle.read(1024)
        if b"%PDF-" in head:
            import pikepdf

            with pikepdf.open(path) as pdf:
                return len(pdf.pages)
        return _frames(path)
    except Exception:
        return None


def source_key(source: Path) -> str:
    return str(Path(source).resolve())


# --- work items in the index (the queries are index/work_items.py) ------------------------


def sync(catalog, source: str, papers: list[PaperFile]) -> tuple[int, int]:
    """Add the paper files the index does not know yet; (added, total items of the source)."""
    return work_items.add_paper_files(catalog, source, papers, count_pages)


def documents_of(item: WorkItem) -> list[str]:
    return json.loads(item.documents or "[]")
