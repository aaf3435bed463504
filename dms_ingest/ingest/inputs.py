"""Which files of the named paths are ingested, and why the others are not (said, never silent).

Folders are walked without following symbolic links: a link inside an input folder could point
at /etc/shadow or at another clerk's folder, and what is not inside the folder is not ours to
take. Hidden files, dangling links and things that are not regular files (a FIFO would block the
reader forever) are reported as skipped. A file named explicitly is taken as named, link or not.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Skipped:
    path: Path
    reason_code: str        # symlink_outside | symlink | dangling_link | hidden | not_regular
    message: str


@dataclass
class InputScan:
    files: list[Path] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def _inside(target: Path, root: Path) -> bool:
    try:
        target.relative_to(root)
        return True
    except ValueError:
        return False


def _link(path: Path, root: Path) -> Skipped:
    try:
        target = path.resolve(strict=True)
    except (FileNotFoundError, RuntimeError, OSError):
        return Skipped(path, "dangling_link", "symbolic link to a missing file: skipped")
    if not _inside(target, root):
        return Skipped(path, "symlink_outside",
                       f"symbolic link to {'a folder' if target.is_dir() else 'a file'} outside the input folder: "
                       f"not followed")
    return Skipped(path, "symlink", "symbolic link inside the input folder: not followed "
                                    "(its target is ingested under its own name)")


def _walk(root: Path, scan: InputScan) -> None:
    real_root = root.resolve()
    found: list[Path] = []
    for folder, dirs, names in os.walk(root, followlinks=False):
        here = Path(folder)
        for name in sorted(dirs):
            path = here / name
            if path.is_symlink():
                scan.skipped.append(_link(path, real_root))
            elif name.startswith("."):
                scan.skipped.append(Skipped(path, "hidden", "hidden folder: not ingested"))
        dirs[:] = [d for d in dirs if not d.startswith(".") and not (here / d).is_symlink()]
        for name in names:
            path = here / name
            try:
                mode = path.lstat().st_mode
            except OSError:
                continue   # vanished while we looked
            if stat.S_ISLNK(mode):
                scan.skipped.append(_link(path, real_root))
            elif name.startswith("."):
                scan.skipped.append(Skipped(path, "hidden", "hidden file: not ingested"))
            elif not stat.S_ISREG(mode):
                scan.skipped.append(Skipped(path, "not_regular", "not a regular file (device, pipe or socket)"))
            else:
                found.append(path)
    scan.files.extend(sorted(found))


def scan_inputs(paths: list[Path]) -> InputScan:
    """The files to ingest from *paths* (folders recursively) and the entries skipped, with reasons.

    Raises FileNotFoundError for a path that does not exist at all.
    """
    scan = InputScan()
    for path in paths:
        path = Path(path)
        if path.is_dir() and not path.is_symlink():
            _walk(path, scan)
        elif path.is_dir():
            _walk(Path(os.path.realpath(path)), scan)   # a link named explicitly is followed
        elif path.is_file():
            scan.files.append(path)
        elif path.is_symlink():
            scan.skipped.append(Skipped(path, "dangling_link", "symbolic link to a missing file: skipped"))
        elif path.exists():
            scan.skipped.append(Skipped(path, "not_regular", "not a regular file (device, pipe or socket)"))
        else:
            raise FileNotFoundError(str(path))
    return scan
