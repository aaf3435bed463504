"""Keep a refused original, untouched, beside a one-line reason a clerk can read."""

from __future__ import annotations

import shutil
from datetime import datetime, timezone
from pathlib import Path

from ..errors import Rejected


def _free_name(folder: Path, name: str) -> Path:
    candidate = folder / name
    stem, suffix = Path(name).stem, Path(name).suffix
    n = 1
    while candidate.exists() or candidate.with_name(candidate.name + ".reason.txt").exists():
        candidate = folder / f"{stem}.{n}{suffix}"
        n += 1
    return candidate


def quarantine(original: Path | bytes, name: str, rejection: Rejected, folder: Path, source: str) -> Path:
    """Copy the original into *folder* as NAME and write NAME.reason.txt; return the copy's path."""
    folder.mkdir(parents=True, exist_ok=True)
    safe = Path(name).name.replace("\x00", "") or "unnamed"
    target = _free_name(folder, safe)
    if isinstance(original, bytes):
        target.write_bytes(original)
    else:
        shutil.copy2(original, target)
    stamp = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    target.with_name(target.name + ".reason.txt").write_text(
        f"{rejection.message}\n\nsource: {source}\nreason code: {rejection.reason_code}\nat: {stamp}\n",
        encoding="utf-8")
    return target
