"""Applications on a case: open one, its checklist, the cases ready for an appointment, the letter
asking for what is missing. The web case file and the REST API show `case_status`."""

from __future__ import annotations

import datetime as dt

from ..access import policy
from ..applications import checklist
from ..applications.address import BadAddress, typed_address
from ..applications.letter import NothingToRequest, compose, file_letter
from ..applications.sponsor import file_waiting_sponsor_documents
from ..errors import Invalid, NotFound, Unavailable
from ..index import applications as store
from ..storage import StoreError
from .actor import Actor
from .runtime import Runtime, operation


def _about(case_number: str) -> dict:
    """The access log's subject of a case operation: the case (so an Art. 15 report finds it)."""
    return {"object_type": "case", "case_number": case_number.strip().upper()}


def _case(runtime: Runtime, case_number: str):
    try:
        return checklist.case_row(runtime.catalog, case_number)
    except checklist.UnknownCase as exc:
        raise NotFound(str(exc)) from None


def case_status(actor: Actor, runtime: Runtime, case_number: str, *, today: dt.date | None = None,
                include_closed: bool = False) -> dict:
    """The checklist of a case: each open application, each requirement satisfied (by which documents
    and fields), missing, expired, insufficient or unread."""
    with operation(runtime, actor, "case_status", case_number, **_about(case_number)) as note:
        row = _case(runtime, case_number)
        policy.require(actor, "case_view", case_number=row.case_number, catalog=runtime.catalog)
        result = checklist.case_checklist(runtime.catalog, runtime.settings, row.case_number, today=today,
                                          include_closed=include_closed).to_json()
        note.update(applications=len(result["applications"]))
        return result


def open_application(actor: Actor, runtime: Runtime, case_number: str, application_type: str, *,
                     source: str = "manual") -> dict:
    """Open an application of *application_type* on the case (an open one of that type is kept)."""
    with operation(runtime, actor, "application_open", case_number, application_type=application_type,
                   **_about(case_number)) as note:
        row = _case(runtime, case_number)
        policy.require(actor, "application_open", case_number=row.case_number, catalog=runtime.catalog)
        try:
            app, created = checklist.open_application(runtime.catalog, runtime.settings, row.case_number,
                                                      application_type, by=actor.login, source=source)
        except checklist.UnknownApplicationType as exc:
            raise Invalid(str(exc)) from None
        # The sponsor's papers that came before the application now go into the case.
        try:
            filed = file_waiting_sponsor_documents(runtime.catalog, runtime.settings, runtime.store, row.case_number,
                                                   application_type, actor=actor.login)
        except StoreError as exc:
            raise Unavailable(f"object store unavailable: {exc}") from None
        note.update(application_id=app.id, created=created, sponsor_documents_filed=len(filed))
        title = runtime.settings.applications.types[application_type].title
        return {"id": app.id, "case_number": app.case_number, "application_type": app.application_type,
                "title": title, "state": app.state, "opened_at": app.opened_at.isoformat(),
                "opened_by": app.opened_by, "source": app.source, "created": created,
                "sponsor_documents_filed": filed}


def close_application(actor: Actor, runtime: Runtime, case_number: str, application_type: str, *,
                      reason: str = "") -> dict:
    """Close the open application of that type (decided, withdrawn): it leaves the ready list."""
    with operation(runtime, actor, "application_close", case_number, application_type=application_type,
                   **_about(case_number)):
        row = _case(runtime, case_number)
        policy.require(actor, "application_close", case_number=row.case_number, catalog=runtime.catalog)
        app = next((a for a in store.applications(runtime.catalog, row.case_number)
                    if a.application_type == application_type), None)
        if app is None:
            raise NotFound(f"case {row.case_number} has no open application of type {application_type}")
        app = store.close_application(runtime.catalog, app.id, by=actor.login, reason=reason)
        return {"id": app.id, "case_number": app.case_number, "application_type": app.application_type,
                "state": app.state}


def ready_cases(actor: Actor, runtime: Runtime, *, today: dt.date | None = None) -> list[dict]:
    """Open applications whose required documents are all on file: cases to offer an appointment.
    Lists only the cases *actor* may see."""
    with operation(runtime, actor, "applications_ready") as note:
        policy.require(actor, "applications_ready")
        rows = [r for r in checklist.ready_cases(runtime.catalog, runtime.settings, today=today)
                if policy.allowed(actor, "case_view", case_number=r["case_number"], catalog=runtime.catalog)]
        note.update(ready=len(rows))
        return rows


class InvalidAddress(Invalid):
    """A typed address refused (address.BadAddress); `german` says the same for a page."""

    def __init__(self, exc: BadAddress):
        super().__init__(str(exc))
        self.german = exc.german


def request_letter(actor: Actor, runtime: Runtime, case_number: str, *, application_type: str | None = None,
                   today: dt.date | None = None, address: str | list[str] | None = None) -> list[dict]:
    """Write the letter asking for the missing and expired documents (PDF/A, German, from the
    template in config) and file it into the case as an outgoing document; one per open application
    with something to ask for. *address* (typed by the actor: one text or lines) replaces the address
    the case file's documents give; the access log and the letter's event record that it was typed."""
    today = today or dt.date.today()
    with operation(runtime, actor, "request_letter", case_number, application_type=application_type,
                   **_about(case_number)) as note:
        row = _case(runtime, case_number)
        policy.require(actor, "request_letter", case_number=row.case_number, catalog=runtime.catalog)
        if address is not None:
            note.update(address_typed=True)             # the entry names who typed it, used or refused
        typed = _typed(address)
        status = checklist.case_checklist(runtime.catalog, runtime.settings, row.case_number, today=today)
        entries = [a for a in status.applications if application_type in (None, a.application_type)]
        if not entries:
            raise Invalid(f"case {row.case_number} has no open application"
                          + (f" of type {application_type}" if application_type else "")
                          + "; open one with: dms cases apply " + row.case_number + " --type TYPE")
        config = runtime.settings.applications.letter
        lines = typed if typed is not None else _address(status.documents)
        source = "typed" if typed is not None else ("case_file" if lines else None)
        letters, unread = [], []
        for entry in entries:
            unread += [r.label for r in entry.status.requirements if r.state == "unread"]
            try:
                letter = compose(config, case_number=row.case_number, applicant_name=status.applicant,
                                 address=lines, status=entry.status, today=today)
            except NothingToRequest:
                continue
            try:
                with runtime.pipeline(workers=1) as ctx:
                    doc_id = file_letter(ctx, letter, doc_type=config.doc_type)
            except StoreError as exc:
                raise Unavailable(f"object store unavailable: {exc}") from None
            store.update_application(runtime.catalog, entry.id, last_letter=doc_id)
            runtime.catalog.record_event(actor.login, "request_letter_filed", doc_id, case_number=row.case_number,
                                         application_type=entry.application_type, items=letter.items,
                                         address_typed=typed is not None)
            letters.append({"id": doc_id, "case_number": row.case_number, "application_type": entry.application_type,
                            "subject": letter.subject, "items": letter.items, "address_known": bool(lines),
                            "address": lines, "address_source": source, "unread_to_check": unread})
        if not letters:
            reason = ("; the office must first check: " + ", ".join(unread)) if unread else ""
            raise Invalid(f"nothing to request for case {row.case_number}: every requirement is satisfied{reason}")
        note.update(letters=[l["id"] for l in letters])
        return letters


def _typed(address: str | list[str] | None) -> list[str] | None:
    if address is None:
        return None
    try:
        return typed_address(address)
    except BadAddress as exc:
        raise InvalidAddress(exc) from None


def _address(documents: list[dict]) -> list[str]:
    """The applicant's address from the newest registration certificate or tenancy that names one."""
    for doc in reversed(documents):
        if doc["doc_type"] not in ("meldebescheinigung", "mietvertrag") or doc["outgoing"]:
            continue
        for f in doc["fields"]:
            if f["name"] == "address" and f["status"] == "read" and f["value"]:
                street, _, city = f["value"].partition(", ")
                return [street, city] if city else [f["value"]]
    return []
