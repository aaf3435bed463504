"""The inbox folder: its layout and the moves of a file between its parts (no threads, no pipeline;
the watcher in watcher.py decides when a file moves).

Layout under the inbox folder::

    INBOX/              scanners and clerks drop files here (subfolders too)
    INBOX/processing/   taken files, renamed here atomically; a crash leaves them here to be redone
    INBOX/done/         originals whose archive is stored, verified and indexed (or were duplicates)
    INBOX/quarantine/   refused originals, each beside NAME.reason.txt

A file is taken with one ``os.rename`` into ``processing/`` under a unique name that keeps its inbox
path, so a restart knows where it came from.
"""

from __future__ import annotations

import fnmatch
import logging
import os
import secrets
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable
from urllib.parse import quote, unquote

from .names import NAME_MAX, fit_name, free_path, readable
from .quarantine import REASON_SUFFIX, keep

log = logging.getLogger(__name__)

PROCESSING, DONE, QUARANTINE = "processing", "done", "quarantine"
NAMES = ".names"        # processing/.names/STAMP: the inbox path of a taken file whose name had to be cut
RESERVED = {PROCESSING, DONE, QUARANTINE}
_SEPARATOR = "--"


class Inbox:
    """The folder layout and the moves between its parts (no threads, no pipeline)."""

    def __init__(self, root: Path, ignore_patterns: list[str]):
        self.root = Path(root).resolve()
        self.processing = self.root / PROCESSING
        self.done = self.root / DONE
        self.quarantine = self.root / QUARANTINE
        self.ignore_patterns = list(ignore_patterns)
        for folder in (self.root, self.processing, self.done, self.quarantine):
            folder.mkdir(parents=True, exist_ok=True)

    def ignored(self, name: str) -> bool:
        return any(fnmatch.fnmatch(name, pattern) for pattern in self.ignore_patterns)

    def relative(self, path: Path) -> str | None:
        """The inbox-relative name of a droppable file, or None (reserved folders, ignored names)."""
        try:
            rel = Path(path).resolve().relative_to(self.root) if Path(path).is_absolute() else Path(path)
        except ValueError:
            try:
                rel = Path(os.path.abspath(path)).relative_to(self.root)
            except ValueError:
                return None
        parts = rel.parts
        if not parts or parts[0] in RESERVED or any(self.ignored(p) for p in parts):
            return None
        return rel.as_posix()

    def scan(self) -> list[str]:
        """Every candidate file in the inbox and its subfolders, reserved folders excepted."""
        found = []
        for folder, dirs, files in os.walk(self.root):
            here = Path(folder)
            if here == self.root:
                dirs[:] = [d for d in dirs if d not in RESERVED and not self.ignored(d)]
            else:
                dirs[:] = [d for d in dirs if not self.ignored(d)]
            for name in files:
                if self.ignored(name):
                    continue
                path = here / name
                if path.is_symlink() or path.is_file():   # links are reported by the watcher, never followed
                    found.append(path.relative_to(self.root).as_posix())
        return found

    def take(self, rel: str) -> Path | None:
        """Rename an inbox file into processing/ under a unique name; None if it is gone.

        The name keeps the inbox path (quoted) so a restart knows where the file came from; a
        path too long for one file name is kept in processing/.names/ instead.
        """
        stamp = f"{datetime.now(timezone.utc).strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(4)}"
        flat = quote(rel, safe=" ()[]{}+,;=@&'!~^$", errors="surrogateescape")   # names that are not UTF-8 too
        name = f"{stamp}{_SEPARATOR}{flat}"
        sidecar = self.processing / NAMES / stamp
        if len(name.encode()) > NAME_MAX:
            name = f"{stamp}{_SEPARATOR}{fit_name(quote(readable(Path(rel).name), safe=' '), len(stamp) + 2)}"
            sidecar.parent.mkdir(exist_ok=True)
            sidecar.write_text(rel, encoding="utf-8", errors="surrogateescape")
        target = self.processing / name
        try:
            os.rename(self.root / rel, target)
        except FileNotFoundError:
            sidecar.unlink(missing_ok=True)
            return None
        return target

    def in_processing(self) -> list[tuple[Path, str]]:
        """What a previous run left in processing/, with the names the files had in the inbox."""
        left = []
        for path in sorted(self.processing.iterdir()):
            if path.is_file():
                left.append((path, self.original_name(path)))
        return left

    def original_name(self, path: Path) -> str:
        name = path.name
        if _SEPARATOR not in name:
            return name
        stamp, flat = name.split(_SEPARATOR, 1)
        try:
            return (self.processing / NAMES / stamp).read_text(encoding="utf-8", errors="surrogateescape")
        except FileNotFoundError:
            return unquote(flat, errors="surrogateescape")

    def _forget_name(self, path: Path) -> None:
        if _SEPARATOR in path.name:
            (self.processing / NAMES / path.name.split(_SEPARATOR, 1)[0]).unlink(missing_ok=True)

    def _place(self, path: Path, folder: Path, rel: str) -> Path:
        rel_path = Path(rel)
        parts = [fit_name(p) for p in rel_path.parts if p not in ("", ".", "..")] or [path.name]
        target_folder = folder.joinpath(*parts[:-1])
        target_folder.mkdir(parents=True, exist_ok=True)
        target = free_path(target_folder, parts[-1], companion=REASON_SUFFIX)
        os.rename(path, target)
        self._forget_name(path)
        return target

    def to_done(self, path: Path, rel: str) -> Path:
        target = self._place(path, self.done, rel)
        os.utime(target)   # keep_done_days counts from now, not from when the scanner wrote it
        return target

    def to_quarantine(self, path: Path, rel: str, reason: str) -> Path:
        target = keep(path, self.quarantine, rel, reason, move=True, inbox_file=rel)
        self._forget_name(path)
        return target

    def quarantined_by_pipeline(self, path: Path, kept: str) -> Path:
        """The pipeline moved a refused file from processing/ into quarantine/ itself."""
        self._forget_name(path)
        return Path(kept)

    def expire_done(self, keep_days: int, is_archived: Callable[[Path], bool]) -> int:
        """Delete originals from done/ older than keep_days, each only if its archive is in the catalog."""
        limit = time.time() - keep_days * 86400
        removed = 0
        for folder, _, files in os.walk(self.done):
            for name in files:
                path = Path(folder) / name
                try:
                    st = path.stat()
                except FileNotFoundError:
                    continue
                if st.st_mtime >= limit:
                    continue
                if is_archived(path):
                    path.unlink()
                    removed += 1
                else:
                    log.warning("%s is in done/ but no archived document has its SHA-256: kept", path)
        return removed
