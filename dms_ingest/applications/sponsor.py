"""A sponsor's documents that arrived before the family reunification application was opened.

The case matching files the registered sponsor's payslip or tenancy into the applicant's case only
while an application there asks for it; one that came earlier waits in review with a reason naming
the case (matching.SPONSOR_WAITING). Opening the application files exactly those documents: the
matching already found everything else in order, and their type must still be certain.
"""

from __future__ import annotations

import json
import logging

from ..classifiers.matching import cases_waiting_for_application

log = logging.getLogger(__name__)


def file_waiting_sponsor_documents(catalog, settings, store, case_number: str, application_type: str, *,
                                   actor: str) -> list[str]:
    """File the sponsor documents waiting for *application_type* on *case_number*; their ids."""
    from ..ingest.persist import update_metadata

    app = settings.applications.types.get(application_type)
    kinds = {r.doc_type for r in app.requirements if r.from_sponsor} if app else set()
    if not kinds:
        return []
    threshold = settings.classification.review_threshold
    filed = []
    for doc in catalog.review_queue():
        reasons = json.loads(doc.review_reasons or "[]")
        if doc.case_number or doc.doc_type not in kinds or (doc.doc_type_confidence or 0.0) < threshold \
                or case_number not in cases_waiting_for_application(reasons):
            continue
        evidence = [r for r in reasons if case_number in cases_waiting_for_application([r])]
        evidence.append(f"Der Antrag ({application_type}) ist jetzt offen: das Dokument der Referenzperson gehört "
                        f"in die Akte {case_number}.")
        update_metadata(doc.id, {"case_number": case_number, "case_method": "sponsor", "review": False,
                                 "review_reasons": [], "case_evidence": evidence},
                        actor=actor, action="sponsor_document_filed", store=store, catalog=catalog)
        filed.append(doc.id)
    return filed
