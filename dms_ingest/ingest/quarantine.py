"""Keep a refused original, untouched, beside a one-line reason a clerk can read."""

from __future__ import annotations

import os
import shutil
from datetime import datetime, timezone
from pathlib import Path

from ..errors import Rejected


def free_name(target: Path) -> Path:
    """*target*, or NAME.1.ext, NAME.2.ext, ... if taken (also by a reason file)."""
    candidate, n = target, 1
    while candidate.exists() or candidate.with_name(candidate.name + ".reason.txt").exists():
        candidate = target.with_name(f"{target.stem}.{n}{target.suffix}")
        n += 1
    return candidate


def safe_relative(name: str, fallback: str = "unnamed") -> Path:
    """A relative path that stays inside its folder: no '..', no absolute part, no NUL."""
    parts = [p.replace("\x00", "") for p in Path(name).parts if p not in ("", ".", "..", "/")]
    return Path(*parts) if parts else Path(fallback)


def keep(original: Path | bytes, folder: Path, name: str, reason: str, *, move: bool = False,
         **details: str) -> Path:
    """Put the original into *folder* as NAME (subfolders kept) beside NAME.reason.txt.

    *move*: the caller gives the file up (the inbox's copy in processing/); else it is copied.
    """
    target = folder / safe_relative(name)
    target.parent.mkdir(parents=True, exist_ok=True)
    target = free_name(target)
    if isinstance(original, bytes):
        target.write_bytes(original)
    elif move:
        os.rename(original, target)
    else:
        shutil.copy2(original, target)
    stamp = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    lines = "".join(f"{key.replace('_', ' ')}: {value}\n" for key, value in details.items() if value)
    target.with_name(target.name + ".reason.txt").write_text(f"{reason}\n\n{lines}at: {stamp}\n", encoding="utf-8")
    return target


def quarantine(original: Path | bytes, name: str, rejection: Rejected, folder: Path, source: str, *,
               move: bool = False) -> Path:
    """Keep a refused original with the rejection's sentence; return where it is now."""
    return keep(original, folder, name, rejection.message, move=move, source=source,
                reason_code=rejection.reason_code)
