"""An incoming application form opens the application it asks for (the ticked purpose)."""

from __future__ import annotations

import logging

from ..index.applications import open_application
from .sponsor import file_waiting_sponsor_documents

log = logging.getLogger(__name__)


def open_from_form(ctx, doc, document_id: str) -> None:
    """Open the ticked application on the form's case; only for a certain type, case and purpose."""
    if doc.doc_type != "antrag" or doc.review or not doc.case_number or doc.direction != "incoming":
        return
    purpose = next((f for f in doc.fields if f.name == "purpose" and f.read), None)
    if purpose is None or purpose.value not in ctx.settings.applications.types:
        return
    try:
        open_application(ctx.catalog, doc.case_number, purpose.value, by="pipeline", source="form",
                         source_document=document_id)
        file_waiting_sponsor_documents(ctx.catalog, ctx.settings, ctx.store, doc.case_number, purpose.value,
                                       actor="pipeline")
    except Exception:  # the document is archived; a failed bookkeeping step must not undo that
        log.exception("could not open the application of form %s", document_id)
