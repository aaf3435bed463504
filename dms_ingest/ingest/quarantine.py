"""Keep a refused original, untouched, beside a one-line reason a clerk can read."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
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


@dataclass(frozen=True)
class QuarantinedFile:
    name: str            # the copy's file name in the quarantine folder
    message: str         # the one-line reason written beside it
    reason_code: str
    source: str
    at: datetime | None


def quarantined(folder: Path) -> list[QuarantinedFile]:
    """What the quarantine folder holds, newest first, read from the NAME.reason.txt files."""
    entries = []
    for reason_file in folder.glob("*.reason.txt") if folder.is_dir() else []:
        lines = reason_file.read_text(encoding="utf-8", errors="replace").splitlines()
        fields = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
        try:
            at = datetime.fromisoformat(fields.get("at", ""))
        except ValueError:
            at = datetime.fromtimestamp(reason_file.stat().st_mtime, timezone.utc)
        entries.append(QuarantinedFile(reason_file.name[:-len(".reason.txt")], lines[0] if lines else "",
                                       fields.get("reason code", ""), fields.get("source", ""), at))
    return sorted(entries, key=lambda e: e.at or datetime.min.replace(tzinfo=timezone.utc), reverse=True)
