"""Stage: classify the document type and match the case (the work lives in dms_ingest.classifiers)."""

from __future__ import annotations

from .context import Context
from .document import Document


def classify_document(doc: Document, ctx: Context) -> None:
    """Set doc_type, case_number and the review flag; when in doubt the document goes to review."""
    if not any(p.text.strip() for p in doc.pages):
        doc.review = True
        doc.review_reasons.append("no text found on any page")
    if doc.hint_case_number:
        doc.review = True
        doc.review_reasons.append(f"cover sheet names case {doc.hint_case_number}; awaiting case registry check")
    if doc.doc_type is None:
        doc.review = True
        doc.review_reasons.append("document type not determined")
