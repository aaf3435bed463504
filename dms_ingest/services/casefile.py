"""A person's case file (Fallakte): the person, the responsible team, the documents in order of
receipt. Unknown case: NotFound; a known case outside one's rights: Forbidden (and logged)."""

from __future__ import annotations

from ..access import policy
from ..errors import NotFound
from .actor import Actor
from .runtime import Runtime, operation


def document_summary(doc) -> dict:
    return {"id": doc.id, "doc_type": doc.doc_type, "received": doc.created_at.isoformat(), "pages": doc.pages,
            "review": doc.review, "title": doc.title, "source": doc.source, "case_method": doc.case_method,
            "status": doc.status}


def case_file(actor: Actor, runtime: Runtime, case_number: str, *, applications: bool = False) -> dict:
    """The case file; with *applications* also the checklist of its open applications (the REST
    case view), read under the same access-log entry."""
    catalog = runtime.catalog
    number = case_number.strip()
    with operation(runtime, actor, "case_view", number, object_type="case", case_number=number) as note:
        case = catalog.case(number) or catalog.case(number.upper())
        if case is None:
            raise NotFound(f"There is no case {number} in the registry.")
        policy.require(actor, "case_view", case_number=case.case_number, team=case.team)
        documents = catalog.documents_of_case(case.case_number)
        result = {"case_number": case.case_number,
                "person": {"surname": case.surname, "given_names": case.given_names,
                           "date_of_birth": case.date_of_birth.isoformat() if case.date_of_birth else None,
                           "nationality": case.nationality},
                "team": case.team,
                "documents": [document_summary(d) for d in documents]}
        if applications:
            from ..applications import checklist

            result["applications"] = checklist.case_checklist(
                catalog, runtime.settings, case.case_number, with_documents=False, row=case).to_json()["applications"]
            note.update(applications=len(result["applications"]))
        return result
