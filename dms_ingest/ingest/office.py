"""The LibreOffice wrapper: Office documents (Word, Excel, ODF, RTF) converted to PDF for archiving.

The only place that knows LibreOffice. Each conversion runs headless in its own throwaway user
profile (parallel conversions would otherwise fight over one profile's lock), bounded in time.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import Rejected

OFFICE_TIMEOUT = 180
_OFFICE_EXTENSIONS = {".doc", ".docx", ".odt", ".rtf", ".docm", ".dot", ".dotx", ".xls", ".xlsx", ".ods",
                      ".ppt", ".pptx", ".odp"}
_OFFICE_TYPES = {"application/msword", "application/rtf", "text/rtf", "application/vnd.ms-excel",
                 "application/vnd.ms-powerpoint"}
_OFFICE_TYPE_PREFIXES = ("application/vnd.openxmlformats-officedocument.", "application/vnd.oasis.opendocument.")


def office_converter() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def is_office(name: str, content_type: str, head: bytes) -> bool:
    """An Office document by its name, its declared type or (RTF) its first bytes."""
    ext = Path(name).suffix.lower()
    if ext in _OFFICE_EXTENSIONS or content_type in _OFFICE_TYPES or content_type.startswith(_OFFICE_TYPE_PREFIXES):
        return True
    return head[:5] == b"{\\rtf"


def convert_to_pdf(path: Path, target: Path) -> list[str]:
    """Convert *path* to the PDF *target*; returns the warning for the record. Refuses on failure."""
    binary = office_converter()
    if binary is None:
        raise Rejected("office_document", "LibreOffice not installed")
    with tempfile.TemporaryDirectory() as tmp:
        profile = Path(tmp) / "profile"
        try:
            run = subprocess.run(
                [binary, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                 "--convert-to", "pdf", "--outdir", tmp, str(path)],
                capture_output=True, timeout=OFFICE_TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise Rejected("office_document", f"LibreOffice did not finish within {OFFICE_TIMEOUT} s") from None
        produced = Path(tmp) / (path.stem + ".pdf")
        if run.returncode != 0 or not produced.exists():
            detail = (run.stderr or run.stdout).decode("utf-8", "replace").strip().splitlines()
            raise Rejected("office_document", "LibreOffice could not convert it"
                           + (f": {detail[-1][:120]}" if detail else ""))
        shutil.move(str(produced), target)
    return ["converted from an Office document with LibreOffice"]
