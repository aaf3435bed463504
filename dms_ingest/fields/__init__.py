"""Fields read from documents: a passport's number and expiry (MRZ, check digits), a payslip's month
and pay, a tenancy's start and rent, an insurance's period, a certificate's level, a decision's
date and subject. Each field keeps its source (page, text) and confidence; below the bar it is
"unread" and carries no value.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from .extractors import EXPECTED_FIELDS, KNOWN_FIELDS, run_extractor
from .model import READ, UNREAD, ExtractedField, PageText
from .purpose import ticked_purpose

__all__ = ["EXPECTED_FIELDS", "KNOWN_FIELDS", "ExtractedField", "PageText", "READ", "UNREAD", "extract_fields", "fields_from_json",
           "fields_to_json"]


def extract_fields(doc_type: str | None, pages, *, min_confidence: float, today: dt.date | None = None,
                   purposes: dict[str, list[str]] | None = None) -> list[ExtractedField]:
    """Read the fields of a document of *doc_type* from its pages (pipeline Pages or index PageRows)."""
    if not doc_type:
        return []
    today = today or dt.date.today()
    texts = [p if isinstance(p, PageText) else PageText.from_page(p) for p in pages]
    texts = [p for p in texts if p.text.strip()]
    found = run_extractor(doc_type, texts, today)
    if doc_type == "antrag" and purposes:
        found.append(ticked_purpose(texts, purposes))
    out = []
    for f in found:
        if f.status == READ and (f.value is None or f.confidence < min_confidence):
            # Below the bar: not a value anyone may rely on. The reading stays visible as source text.
            shown = f"{f.value} ?  ({f.text})" if f.value else f.text
            f = replace(f, value=None, status=UNREAD, text=shown[:240])
        out.append(f)
    return out


def fields_to_json(fields: list[ExtractedField]) -> list[dict]:
    return [f.to_json() for f in fields]


def fields_from_json(data) -> list[ExtractedField]:
    return [ExtractedField.from_json(d) for d in (data or [])]
