"""Receiving an uploaded file: the one place that streams it to disk within the size limit.

Both the REST API and the upload page take files this way; only the language of the refusal differs.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from fastapi import UploadFile

from ..errors import Invalid

_MESSAGES = {
    "en": {"too_large": "The file is larger than {mb} MB.", "empty": "The file is empty."},
    "de": {"too_large": "Die Datei ist größer als {mb} MB.", "empty": "Die Datei ist leer."},
}


@dataclass(frozen=True)
class ReceivedFile:
    name: str        # the name the browser sent (untrusted: for display and the record only)
    path: Path       # where the bytes are, under a name of our own
    folder: Path     # the scratch folder to remove when done


def scratch_folder(runtime) -> Path:
    """The web application's scratch space under the work folder."""
    path = runtime.settings.work_dir / "web"
    path.mkdir(parents=True, exist_ok=True)
    return path


def safe_filename(stem: str, ext: str) -> str:
    """A file name reduced to characters every system accepts (downloads and saved uploads)."""
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", stem).strip(".-")[:120] or "dokument"
    ext = re.sub(r"[^A-Za-z0-9]+", "", ext)[:8]
    return f"{stem}.{ext}" if ext else stem


def receive(file: UploadFile, runtime, *, lang: str = "en") -> ReceivedFile:
    """Stream *file* into a fresh scratch folder; refuse (Invalid) an empty or oversized file,
    leaving nothing behind."""
    max_mb = runtime.settings.web.max_upload_mb
    messages = _MESSAGES[lang]
    name = Path((file.filename or "upload").replace("\\", "/")).name or "upload"
    folder = Path(tempfile.mkdtemp(prefix="dms-up-", dir=scratch_folder(runtime)))
    target = folder / safe_filename(Path(name).stem, Path(name).suffix)
    size = 0
    try:
        with open(target, "wb") as out:
            while chunk := file.file.read(1024 * 1024):
                size += len(chunk)
                if size > max_mb * 1024 * 1024:
                    raise Invalid(messages["too_large"].format(mb=max_mb))
                out.write(chunk)
        if size == 0:
            raise Invalid(messages["empty"])
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return ReceivedFile(name, target, folder)
