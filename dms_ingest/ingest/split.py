"""Split a scanned batch into documents at separator and cover sheets.

A `DMS-SEPARATOR` code (or a PATCH-T sheet) ends a document; an `AZ:<case number>` cover sheet
ends one too and names the case of the documents after it. Neither kind of sheet is archived.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .document import Page
from .pages import COVER_PREFIX


@dataclass
class PageGroup:
    pages: list[Page] = field(default_factory=list)
    cover_case_number: str | None = None
    sheets: list[int] = field(default_factory=list)   # page numbers of the sheets before this group


def split_batch(pages: list[Page]) -> tuple[list[PageGroup], list[int]]:
    """Groups of content pages, and the page numbers of all separator/cover sheets."""
    groups: list[PageGroup] = []
    sheets: list[int] = []
    current = PageGroup()
    cover: str | None = None
    for page in pages:
        if page.separator is None:
            current.pages.append(page)
            continue
        sheets.append(page.number)
        if page.separator.upper().startswith(COVER_PREFIX):
            cover = page.separator[len(COVER_PREFIX):].strip() or None
        if current.pages:
            groups.append(current)
            current = PageGroup(cover_case_number=cover, sheets=[page.number])
        else:  # consecutive sheets (cover then separator) belong to the same next document
            current.cover_case_number = cover
            current.sheets.append(page.number)
    if current.pages:
        groups.append(current)
    return groups, sheets
