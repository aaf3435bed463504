"""The checklist of a case: its open applications, each requirement with the documents that satisfy it.

Fields come from the index; a document whose fields were read for another type (a clerk changed
the type in review) or never read (archived before fields existed) is read again from its stored
page texts, and the new reading is stored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

from ..fields import ExtractedField, extract_fields, fields_from_json
from ..fields.stage import purposes
from ..index import applications as store
from ..index.models import CaseRow
from .status import Applicant, ApplicationStatus, CaseDocument, evaluate


class UnknownCase(LookupError):
    """No such case number in the registry."""


class UnknownApplicationType(ValueError):
    """The application type is not configured."""


@dataclass
class ApplicationEntry:
    id: int
    application_type: str
    state: str
    opened_at: str
    opened_by: str
    source: str
    source_document: str | None
    completed_at: str | None
    status: ApplicationStatus

    def to_json(self) -> dict:
        data = asdict(self)
        data["status"] = self.status.to_json()
        data["complete"] = self.status.complete
        return data


@dataclass
class CaseChecklist:
    case_number: str
    applicant: str
    today: str
    applications: list[ApplicationEntry] = field(default_factory=list)
    documents: list[dict] = field(default_factory=list)   # id, doc_type, title, fields (for display)

    def to_json(self) -> dict:
        return {"case_number": self.case_number, "applicant": self.applicant, "today": self.today,
                "applications": [a.to_json() for a in self.applications], "documents": self.documents}


def case_row(catalog, case_number: str) -> CaseRow:
    row = catalog.case(case_number.strip().upper())
    if row is None:
        raise UnknownCase(f"case {case_number} is not in the registry")
    return row


def applicant_of(row: CaseRow, catalog=None) -> Applicant:
    """The case's owner, with the sponsor the registry records for them (their case, else name and birth)."""
    sponsor = None
    if row.sponsor_case_number and catalog is not None:
        own = catalog.case(row.sponsor_case_number.strip().upper())
        if own is not None and own.case_number != row.case_number and own.date_of_birth is not None:
            sponsor = Applicant(own.surname, own.given_names, own.date_of_birth)
    elif row.sponsor_surname and row.sponsor_date_of_birth is not None:
        sponsor = Applicant(row.sponsor_surname, row.sponsor_given_names or "", row.sponsor_date_of_birth)
    return Applicant(row.surname, row.given_names, row.date_of_birth, sponsor)


def load_case_documents(catalog, settings, case_number: str, today: dt.date) -> list[CaseDocument]:
    """The case's documents with their fields (re-read where the stored reading does not fit)."""
    pairs = store.case_documents(catalog, case_number)
    stored = store.fields_of(catalog, [d.id for d, _ in pairs])
    out = []
    for doc, pages in pairs:
        fields_type, raw = stored.get(doc.id, (None, None))
        if raw is None or fields_type != (doc.doc_type or ""):
            fields = extract_fields(doc.doc_type, pages, min_confidence=settings.applications.min_field_confidence,
                                    today=today, purposes=purposes(settings))
            store.save_fields(catalog, doc.id, doc.doc_type, [f.to_json() for f in fields])
        else:
            fields = fields_from_json(raw)
        out.append(CaseDocument(
            id=doc.id, doc_type=doc.doc_type, fields={f.name: f for f in fields},
            text="\n".join(p.text for p in pages), review=bool(doc.review), title=doc.title,
            created_at=doc.created_at.isoformat(), outgoing=doc.source.startswith("outgoing:")))
    return out


def _field_view(f: ExtractedField) -> dict:
    return {"name": f.name, "value": f.value, "status": f.status, "confidence": f.confidence, "page": f.page,
            "text": f.text}


def case_checklist(catalog, settings, case_number: str, *, today: dt.date | None = None,
                   include_closed: bool = False, with_documents: bool = True,
                   row: CaseRow | None = None) -> CaseChecklist:
    """Every (open) application of the case with the status of each requirement.

    Without *with_documents* (the REST case view) the documents are read only if there is an
    application to check them against, and not listed in the result. *row*: the case's registry
    row if the caller has read it already."""
    today = today or dt.date.today()
    row = row or case_row(catalog, case_number)
    result = CaseChecklist(row.case_number, f"{row.given_names} {row.surname}".strip(), today.isoformat())
    apps = store.applications(catalog, row.case_number, state=None if include_closed else store.OPEN)
    if not apps and not with_documents:
        return result
    documents = load_case_documents(catalog, settings, row.case_number, today)
    if with_documents:
        result.documents = [{"id": d.id, "doc_type": d.doc_type, "title": d.title, "review": d.review,
                             "outgoing": d.outgoing, "fields": [_field_view(f) for f in d.fields.values()]}
                            for d in documents]
    applicant = applicant_of(row, catalog)
    for app in apps:
        app_type = settings.applications.types.get(app.application_type)
        if app_type is None:
            continue  # a type removed from the configuration: shown nowhere rather than wrongly
        status = evaluate(app.application_type, app_type, documents, applicant, today,
                          name_threshold=settings.applications.name_match_threshold)
        if status.complete and app.completed_at is None and app.state == store.OPEN:
            app = store.update_application(catalog, app.id, completed_at=dt.datetime.now(dt.timezone.utc))
            catalog.record_event("system", "application_complete", None, case_number=app.case_number,
                                 application_type=app.application_type, application_id=app.id)
        elif not status.complete and app.completed_at is not None and app.state == store.OPEN:
            # A document expired or was removed: no longer ready.
            app = store.update_application(catalog, app.id, completed_at=None)
        result.applications.append(ApplicationEntry(
            app.id, app.application_type, app.state, app.opened_at.isoformat(), app.opened_by, app.source,
            app.source_document, app.completed_at.isoformat() if app.completed_at else None, status))
    return result


def open_application(catalog, settings, case_number: str, application_type: str, *, by: str,
                     source: str = "manual"):
    if application_type not in settings.applications.types:
        known = ", ".join(settings.applications.types) or "none configured"
        raise UnknownApplicationType(f"unknown application type {application_type!r}; one of: {known}")
    row = case_row(catalog, case_number)
    return store.open_application(catalog, row.case_number, application_type, by=by, source=source)


def ready_cases(catalog, settings, *, today: dt.date | None = None) -> list[dict]:
    """Open applications whose every requirement is satisfied: these cases can get an appointment."""
    today = today or dt.date.today()
    out = []
    for case_number in sorted({a.case_number for a in store.applications(catalog, state=store.OPEN)}):
        try:
            checklist = case_checklist(catalog, settings, case_number, today=today)
        except UnknownCase:
            continue
        for entry in checklist.applications:
            if entry.status.complete:
                out.append({"case_number": case_number, "applicant": checklist.applicant,
                            "application_id": entry.id, "application_type": entry.application_type,
                            "title": entry.status.title, "legal_basis": entry.status.legal_basis,
                            "complete_since": entry.completed_at, "opened_at": entry.opened_at})
    return out
