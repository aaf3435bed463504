"""Keep a refused original, untouched, beside a one-line reason a clerk can read.

Both files are written under temporary names and renamed into place, so a full disk leaves no
0-byte or truncated copy and no copy without its reason: the write either happens whole or
raises StoreError (the caller reports "failed" and the original stays where it was).
"""

from __future__ import annotations

import os
import secrets
import shutil
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from ..errors import Rejected
from ..storage import StoreError
from .names import fit_name, free_path

REASON_SUFFIX = ".reason.txt"


def quarantine(original: Path | bytes, name: str, rejection: Rejected, folder: Path, source: str, *,
               move: bool = False) -> Path:
    """Keep a refused original in *folder* as NAME beside NAME.reason.txt; return where it is now.

    *move*: the caller gives the file up (the inbox's file in processing/), else it is copied.
    """
    return keep(original, folder, name, rejection.message, move=move, source=source,
                reason_code=rejection.reason_code)


def keep(original: Path | bytes, folder: Path, name: str, reason: str, *, move: bool = False,
         **details: str) -> Path:
    """Keep *original* under *folder*/NAME (subfolders of NAME kept, each name fitted) with its reason.

    The reason file holds the sentence, then the *details* ("inbox file: ...") and the time.
    """
    parts = [fit_name(p.replace("\x00", "")) for p in Path(name).parts if p not in ("", ".", "..", "/")]
    parts = parts or ["unnamed"]
    stamp = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    lines = "".join(f"{key.replace('_', ' ')}: {value}\n" for key, value in details.items() if value)
    return keep_with_reason(original, parts[-1], f"{reason}\n\n{lines}at: {stamp}\n", folder.joinpath(*parts[:-1]),
                            copy=not move)


def keep_with_reason(original: Path | bytes, name: str, reason: str, folder: Path, *, copy: bool) -> Path:
    """Put *original* (copied, or moved when *copy* is False) into *folder* beside NAME.reason.txt."""
    token = secrets.token_hex(4)
    partial_copy = folder / f".quarantine-{token}.part"
    partial_reason = folder / f".quarantine-{token}.reason.part"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        safe = Path(name).name.replace("\x00", "") or "unnamed"
        target = free_path(folder, safe, companion=REASON_SUFFIX)
        if isinstance(original, bytes):
            partial_copy.write_bytes(original)
        elif copy:
            shutil.copy2(original, partial_copy)
        partial_reason.write_text(reason, encoding="utf-8")
        os.replace(partial_copy if copy or isinstance(original, bytes) else original, target)
        os.replace(partial_reason, target.with_name(target.name + REASON_SUFFIX))
    except OSError as exc:
        raise StoreError(f"quarantine {folder} not writable: {exc.strerror or exc}") from exc
    finally:
        partial_copy.unlink(missing_ok=True)
        partial_reason.unlink(missing_ok=True)
    return target


@dataclass(frozen=True)
class QuarantinedFile:
    name: str            # the copy's file name in the quarantine folder
    message: str         # the one-line reason written beside it
    reason_code: str
    source: str
    at: datetime | None


def quarantined(folder: Path) -> list[QuarantinedFile]:
    """What the quarantine folder (and its subfolders) holds, newest first, read from the
    NAME.reason.txt files."""
    entries = []
    for reason_file in folder.rglob("*.reason.txt") if folder.is_dir() else []:
        lines = reason_file.read_text(encoding="utf-8", errors="replace").splitlines()
        fields = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
        try:
            at = datetime.fromisoformat(fields.get("at", ""))
        except ValueError:
            at = datetime.fromtimestamp(reason_file.stat().st_mtime, timezone.utc)
        name = str(reason_file.relative_to(folder))[:-len(".reason.txt")]
        entries.append(QuarantinedFile(name, lines[0] if lines else "", fields.get("reason code", ""),
                                       fields.get("source", fields.get("inbox file", "")), at))
    return sorted(entries, key=lambda e: e.at or datetime.min.replace(tzinfo=timezone.utc), reverse=True)
