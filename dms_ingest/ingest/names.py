"""File names the product writes: short enough for every file system, extension kept.

Linux file systems (and SMB shares) allow 255 *bytes* per name; a German name of 120 characters
can already need 240. Every name the product makes (quarantine copies and their reason files,
inbox moves, attachment files) goes through `fit_name`, which cuts at a character boundary,
keeps the extension and adds a short hash of the full name so that two long names that differ
only at their end stay different.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import unicodedata
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

NAME_MAX = 255          # bytes, ext4/xfs/btrfs/SMB
_EXT_MAX = 12           # longer "extensions" are part of the stem (e.g. "Bescheid vom 3.5.2024 an Herrn X")


def readable(text: str) -> str:
    """*text* with bytes that were not UTF-8 (a Latin-1 name from an old share arrives as surrogate
    escapes) read as Windows-1252, so it can be shown, logged and written as JSON."""
    if not any("\udc80" <= ch <= "\udcff" for ch in text):
        return text
    return "".join(bytes([ord(ch) - 0xDC00]).decode("cp1252", "replace") if "\udc80" <= ch <= "\udcff" else ch
                   for ch in text)


@contextmanager
def openable(path: Path, scratch: Path) -> Iterator[Path]:
    """*path*, or, if its name is not valid UTF-8 (which pikepdf and pdfium cannot take), a hard
    link (or copy) of it under a plain name in *scratch*."""
    if readable(str(path)) == str(path):
        yield path
        return
    scratch.mkdir(parents=True, exist_ok=True)
    alias = scratch / f"input-{os.getpid()}-{id(path):x}{Path(readable(path.name)).suffix.encode('ascii', 'replace').decode()}"
    try:
        os.link(path, alias)
    except OSError:
        shutil.copyfile(path, alias)
    try:
        yield alias
    finally:
        alias.unlink(missing_ok=True)


def _cut(text: str, max_bytes: int) -> str:
    data = text.encode("utf-8")[:max(0, max_bytes)]
    return data.decode("utf-8", "ignore")


def fit_name(name: str, room: int = 0) -> str:
    """*name* shortened so that it plus *room* more bytes fit in one file-system name."""
    name = unicodedata.normalize("NFC", readable(name))
    limit = NAME_MAX - room
    if len(name.encode("utf-8")) <= limit:
        return name
    suffix = Path(name).suffix
    if len(suffix.encode("utf-8")) > _EXT_MAX or not suffix[1:].isalnum():
        suffix = ""
    stem = name[: len(name) - len(suffix)] if suffix else name
    tag = "~" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
    return _cut(stem, limit - len(tag) - len(suffix.encode("utf-8"))).rstrip(" .") + tag + suffix


def free_path(folder: Path, name: str, *, companion: str = "") -> Path:
    """A path in *folder* for *name* (fitted) that is taken neither by a file nor by its companion.

    *companion* is a suffix of a second file written beside it (".reason.txt").
    """
    room = len(companion.encode("utf-8")) + 8            # ".NNNNNN" counter
    name = fit_name(name, room)
    stem, suffix = Path(name).stem, Path(name).suffix
    candidate, n = folder / name, 1
    while candidate.exists() or (companion and candidate.with_name(candidate.name + companion).exists()):
        candidate = folder / f"{stem}.{n}{suffix}"
        n += 1
    return candidate
