"""An incoming application form opens the application it asks for (the ticked purpose)."""

from __future__ import annotations

import logging

from ..classifiers.matching import cases_waiting_for_application
from ..index.applications import OPEN, applications, open_application
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


def file_if_application_opened(ctx, doc) -> None:
    """A sponsor's document that was judged while its case had no open application, and archived after a
    form opened one (two documents in the pipeline at once): the form found nothing waiting yet, so the
    document files itself now, by the same rule as when the application opens."""
    if not doc.review:
        return
    for case_number in sorted(cases_waiting_for_application(doc.review_reasons)):
        try:
            for app in applications(ctx.catalog, case_number, state=OPEN):
                file_waiting_sponsor_documents(ctx.catalog, ctx.settings, ctx.store, case_number,
                                               app.application_type, actor="pipeline")
        except Exception:  # the document is archived and waits in review; a clerk can still file it
            log.exception("could not file the waiting sponsor document of case %s", case_number)
