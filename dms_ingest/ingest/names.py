"""File names the product writes: short enough for every file system, extension kept.

Linux file systems (and SMB shares) allow 255 *bytes* per name; a German name of 120 characters
can already need 240. Every name the product makes (quarantine copies and their reason files,
inbox moves, attachment files) goes through `fit_name`, which cuts at a character boundary,
keeps the extension and adds a short hash of the full name so that two long names that differ
only at their end stay different.
"""

from __future__ import annotations

import hashlib
import unicodedata
from pathlib import Path

NAME_MAX = 255          # bytes, ext4/xfs/btrfs/SMB
_EXT_MAX = 12           # longer "extensions" are part of the stem (e.g. "Bescheid vom 3.5.2024 an Herrn X")


def _cut(text: str, max_bytes: int) -> str:
    data = text.encode("utf-8")[:max(0, max_bytes)]
    return data.decode("utf-8", "ignore")


def fit_name(name: str, room: int = 0) -> str:
    """*name* shortened so that it plus *room* more bytes fit in one file-system name."""
    name = unicodedata.normalize("NFC", name)
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
