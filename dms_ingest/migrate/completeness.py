"""The completeness proof of one paper file, from independent counts.

    pages in  =  pages archived  +  blank pages dropped  +  cover/separator sheets

*pages in* is counted from the source (page images, PDF pages, TIFF frames) before the pipeline
sees it; *pages archived* is counted in the archive PDFs as they are stored (downloaded, checksum
verified, pages counted); dropped blank pages and sheets come from the index and the splitter.
Beyond the sum, the page numbers must tile 1..pages in exactly: every source page is in exactly
one document or is a sheet - nothing lost, nothing twice.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Proof:
    pages_in: int
    pages_archived: int = 0
    blank_pages: int = 0
    blank_dropped: int = 0
    sheets: list[int] = field(default_factory=list)
    review: int = 0
    case_numbers: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.problems


def _archive_page_count(store, key: str, sha256: str, work_dir: Path) -> int:
    import pikepdf

    with tempfile.TemporaryDirectory(dir=work_dir) as tmp:
        local = Path(tmp) / "archive.pdf"
        store.download(key, local, sha256)   # verifies the SHA-256 on the way
        with pikepdf.open(local) as pdf:
            return len(pdf.pages)


def prove(document_ids: list[str], sheets: list[int], pages_in: int | None, ctx, *,
          count_archives: bool = True) -> Proof:
    """Check one paper file's documents against its page count; problems name every difference."""
    proof = Proof(pages_in or 0, sheets=sorted(sheets))
    if not pages_in:
        proof.problems.append("the pages of the source could not be counted")
    numbers: list[int] = []
    for doc_id in document_ids:
        doc = ctx.catalog.get(doc_id)
        if doc is None:
            proof.problems.append(f"document {doc_id} is not in the index")
            continue
        pages = ctx.catalog.pages(doc_id)
        numbers.extend(p.number for p in pages)
        blank = sum(1 for p in pages if p.blank)
        proof.blank_pages += blank
        proof.review += int(bool(doc.review))
        if doc.case_number and doc.case_number not in proof.case_numbers:
            proof.case_numbers.append(doc.case_number)
        if count_archives:
            try:
                archived = _archive_page_count(ctx.store, doc.archive_key, doc.archive_sha256, ctx.work_dir())
            except Exception as exc:
                proof.problems.append(f"archive of {doc_id} cannot be read back: {str(exc)[:120]}")
                continue
        else:
            archived = len(pages) - (blank if ctx.settings.imaging.drop_blank_pages and blank < len(pages) else 0)
        dropped = len(pages) - archived
        if dropped < 0 or dropped > blank:
            proof.problems.append(f"document {doc_id}: {len(pages)} pages indexed, {archived} in the archive, "
                                  f"{blank} blank")
        proof.pages_archived += archived
        proof.blank_dropped += max(0, dropped)
    if pages_in:
        total = proof.pages_archived + proof.blank_dropped + len(proof.sheets)
        if total != pages_in:
            proof.problems.append(f"{pages_in} pages in, but {proof.pages_archived} archived + "
                                  f"{proof.blank_dropped} blank dropped + {len(proof.sheets)} sheets = {total}")
        seen = sorted(numbers + proof.sheets)
        twice = sorted(n for n, k in Counter(seen).items() if k > 1)
        missing = sorted(set(range(1, pages_in + 1)) - set(seen))
        foreign = sorted(set(seen) - set(range(1, pages_in + 1)))
        if twice:
            proof.problems.append(f"pages in more than one document: {_ranges(twice)}")
        if missing:
            proof.problems.append(f"pages in no document: {_ranges(missing)}")
        if foreign:
            proof.problems.append(f"page numbers beyond the source: {_ranges(foreign)}")
    return proof


def _ranges(numbers: list[int]) -> str:
    parts, start, prev = [], None, None
    for n in numbers:
        if start is None:
            start = prev = n
        elif n == prev + 1:
            prev = n
        else:
            parts.append(f"{start}-{prev}" if start != prev else str(start))
            start = prev = n
    if start is not None:
        parts.append(f"{start}-{prev}" if start != prev else str(start))
    return ", ".join(parts[:20]) + (" …" if len(parts) > 20 else "")
