"""Scratch space per process, swept when its process is gone.

Temporary folders hold extracted attachments, repaired PDFs and archive copies while a document
is processed. A process killed with SIGKILL cannot clean up after itself, so each process works
in work/HOST_PID_START/ and every process, when it first asks for its folder, removes the folders
of processes on this host that no longer run (and leftovers of older versions after a day). A
process that ends normally removes its own folder, so only a killed one leaves something to sweep.
"""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import time
from pathlib import Path

from ..processes import holder_alive, worker_id

log = logging.getLogger(__name__)

_LEGACY_AGE = 24 * 3600
_swept: set[tuple[Path, int]] = set()


def _holder(name: str) -> str | None:
    parts = name.rsplit("_", 2)
    return ":".join(parts) if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit() else None


def sweep(root: Path) -> list[Path]:
    """Remove the work folders of dead processes of this host; returns what was removed."""
    removed = []
    try:
        entries = list(root.iterdir())
    except FileNotFoundError:
        return removed
    now = time.time()
    for entry in entries:
        holder = _holder(entry.name)
        try:
            if holder is not None:
                dead = holder_alive(holder) is False
            else:   # a folder of an older version (tmpXXXX): only when nobody can still be using it
                dead = entry.name.startswith("tmp") and now - entry.stat().st_mtime > _LEGACY_AGE
            if dead and entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry)
        except OSError:
            continue
    if removed:
        log.warning("removed %d work folder(s) left by processes that were killed", len(removed))
    return removed


def _remove_own(path: Path, pid: int) -> None:
    if os.getpid() == pid:      # a forked child inherits the hook; the folder is its parent's
        shutil.rmtree(path, ignore_errors=True)


def process_work_dir(root: Path) -> Path:
    """This process's scratch folder under *root* (created; dead processes' folders swept first;
    removed when the process exits normally)."""
    key = (root, os.getpid())
    path = root / worker_id().replace(":", "_")
    if key not in _swept:
        _swept.add(key)
        sweep(root)
        atexit.register(_remove_own, path, os.getpid())
    path.mkdir(parents=True, exist_ok=True)
    return path
