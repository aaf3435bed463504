"""The review queue and a clerk's decisions on it; retraining from those decisions."""

from __future__ import annotations

import json

from ..access import policy
from ..errors import Invalid, Unavailable
from ..storage import StoreError
from .actor import Actor
from .documents import document
from .reasons_view import ReasonsView
from .runtime import Runtime, operation


def review_list(actor: Actor, runtime: Runtime) -> list[dict]:
    """Documents waiting for a person, oldest first, with reasons and candidate cases."""
    with operation(runtime, actor, "review_list") as note:
        policy.require(actor, "review_list")
        view = ReasonsView(actor, runtime)
        rows = [{"id": d.id, "source": d.source, "doc_type": d.doc_type,
                 "doc_type_confidence": d.doc_type_confidence, "case_number": d.case_number,
                 **view.of_document(d), "created_at": d.created_at.isoformat()}
                for d in runtime.catalog.review_queue() if policy.allowed(actor, "review_assign", document=d, catalog=runtime.catalog)]
        note.update(documents=len(rows))
        return rows


def review_assign(actor: Actor, runtime: Runtime, doc_id: str, *, case: str | None = None,
                  doc_type: str | None = None) -> dict:
    """A clerk's decision on a document: its case and/or type, stored as a new metadata version."""
    from ..ingest.persist import update_metadata

    with operation(runtime, actor, "review_assign", doc_id, case_number=case, doc_type=doc_type):
        catalog = runtime.catalog
        doc = document(runtime, doc_id)
        policy.require(actor, "review_assign", document=doc, case_number=case, catalog=runtime.catalog)
        changes: dict = {"review": False, "review_reasons": []}
        if case:
            row = next((c for c in catalog.cases() if c.case_number == case.strip().upper()), None)
            if row is None:
                raise Invalid(f"case {case} is not in the registry; import it first (dms cases import)")
            changes.update(case_number=row.case_number, case_method="manual")
        elif not doc.case_number:
            raise Invalid("the document has no case yet: give --case")
        if doc_type:
            taxonomy = runtime.settings.classification.doc_types
            if doc_type not in taxonomy:
                raise Invalid(f"unknown document type {doc_type!r}; one of: {', '.join(taxonomy)}")
            changes.update(doc_type=doc_type, doc_type_confidence=1.0)
        elif not doc.doc_type:
            raise Invalid("the document has no type yet: give --type")
        try:
            row = update_metadata(doc_id, changes, actor=actor.login, action="review_assigned",
                                  store=runtime.store, catalog=catalog)
        except StoreError as exc:
            raise Unavailable(f"object store unavailable: {exc}") from None
        return {"id": row.id, "case_number": row.case_number, "doc_type": row.doc_type, "review": row.review,
                "metadata_version": row.metadata_version, "by": actor.login}


def train(actor: Actor, runtime: Runtime) -> dict:
    """Retrain the document-type classifier from reviewed documents plus the shipped corpus."""
    from ..ingest.classify import retrain_from_reviews

    with operation(runtime, actor, "train") as note:
        policy.require(actor, "train")
        result = retrain_from_reviews(runtime.settings, runtime.catalog)
        note.update(reviewed=result.get("reviewed"))
        return result
