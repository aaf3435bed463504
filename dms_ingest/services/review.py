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
    case = case.strip().upper() if case and case.strip() else None
    with operation(runtime, actor, "review_assign", doc_id, case_number=case, doc_type=doc_type):
        catalog = runtime.catalog
        doc = document(runtime, doc_id)
        # The policy before the registry: a team lead learns nothing of a case outside the team,
        # not even whether it exists.
        policy.require(actor, "review_assign", document=doc, case_number=case, catalog=catalog)
        changes: dict = {"review": False, "review_reasons": []}
        if case:
            row = catalog.case(case)
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
        row = _store_change(runtime, actor, doc_id, changes, "review_assigned")
        return {"id": row.id, "case_number": row.case_number, "doc_type": row.doc_type, "review": row.review,
                "metadata_version": row.metadata_version, "by": actor.login}


NOTE_MAX = 500


def review_return(actor: Actor, runtime: Runtime, doc_id: str, *, note: str) -> dict:
    """A team lead gives a review item back to the mailroom (Poststelle), e.g. because it belongs
    into another team's case: it leaves the case and waits in the intake's review queue, the note
    (who gave it back, from which case, why) first among its reasons."""
    with operation(runtime, actor, "review_return", doc_id) as logged:
        doc = document(runtime, doc_id)
        logged.update(case_number=doc.case_number)     # the file it leaves, for the Art. 15 report
        policy.require(actor, "review_return", document=doc, catalog=runtime.catalog)
        text = " ".join((note or "").split())
        if not text:
            raise Invalid("say in a few words why the document goes back to the mailroom (--note)")
        if len(text) > NOTE_MAX:
            raise Invalid(f"the note is longer than {NOTE_MAX} characters")
        if not doc.case_number:
            raise Invalid("the document has no case: it is already in the mailroom's intake")
        if not doc.review:
            raise Invalid("the document is not waiting for review; only review items go back to the mailroom")
        reasons = [f"Von {actor.login} aus Akte {doc.case_number} an die Poststelle zurückgegeben: {text}",
                   *json.loads(doc.review_reasons or "[]")]
        row = _store_change(runtime, actor, doc_id, {"case_number": None, "case_method": None, "review": True,
                                                     "review_reasons": reasons}, "review_returned")
        return {"id": row.id, "case_number": row.case_number, "returned_from": doc.case_number,
                "doc_type": row.doc_type, "review": row.review, "note": text,
                "metadata_version": row.metadata_version, "by": actor.login}


def _store_change(runtime: Runtime, actor: Actor, doc_id: str, changes: dict, action: str):
    from ..ingest.persist import update_metadata

    try:
        return update_metadata(doc_id, changes, actor=actor.login, action=action, store=runtime.store,
                               catalog=runtime.catalog)
    except StoreError as exc:
        raise Unavailable(f"object store unavailable: {exc}") from None


def train(actor: Actor, runtime: Runtime) -> dict:
    """Retrain the document-type classifier from reviewed documents plus the shipped corpus."""
    from ..ingest.classify import retrain_from_reviews

    with operation(runtime, actor, "train") as note:
        policy.require(actor, "train")
        result = retrain_from_reviews(runtime.settings, runtime.catalog)
        note.update(reviewed=result.get("reviewed"))
        return result
