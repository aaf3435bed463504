"""The case file's applications: the checklist in a clerk's words, and its two actions in the
browser - opening an application of a configured type and writing the letter for what is missing
(services/applications.py checks the rights and writes the access log, as for the CLI and the API)."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Form, Request

from ..errors import Invalid
from ..services import applications
from . import labels
from .pages import PageActor, page_url, query_string, redirect, render, router, runtime

STATES = {"satisfied": ("erfüllt", "badge-ok"), "missing": ("fehlt", "badge-bad"),
          "expired": ("abgelaufen", "badge-bad"), "insufficient": ("nicht ausreichend", "badge-bad"),
          "unread": ("nicht sicher erkannt – bitte prüfen", "badge-warn")}
# How one document fared against a requirement (status.DocumentCheck.outcome).
OUTCOMES = {"ok": "zählt", "expired": "abgelaufen", "insufficient": "nicht ausreichend",
            "unread": "nicht sicher gelesen", "other_person": "nennt eine andere Person",
            "in_review": "noch in Prüfung"}
_DOC_ID = re.compile(r"\b\d{8}-\d{6}-[0-9a-f]{8}\b")
LETTER_SOURCE = "outgoing:nachforderung/"


def _named(text: str, titles: dict[str, str]) -> str:
    """The service's sentence with each document id replaced by the document's title."""
    return _DOC_ID.sub(lambda m: titles.get(m.group(), "ein Dokument"), text or "")


def checklist_view(entries: list[dict], titles: dict[str, str]) -> list[dict]:
    """The case's open applications (case_status()["applications"]) as the case file shows them."""
    shown = []
    for entry in entries:
        status = entry["status"]
        rows = []
        for req in status["requirements"]:
            label, badge = STATES.get(req["state"], (req["state"], "badge-warn"))
            documents = [{"id": check["id"], "title": titles.get(check["id"], check["id"]),
                          "outcome": OUTCOMES.get(check["outcome"], check["outcome"]),
                          "counts": check["outcome"] == "ok", "reason": check.get("reason") or "",
                          "fields": [(labels.field(name), labels.field_value(name, value))
                                     for name, value in sorted(check.get("fields", {}).items())]}
                         for check in req["documents"]]
            rows.append({"label": req["label"], "state": req["state"], "state_label": label, "badge": badge,
                         "documents": documents,
                         "hint": "" if req["state"] == "satisfied" else _named(req["reason"], titles)})
        shown.append({"id": entry["id"], "application_type": entry["application_type"], "title": status["title"],
                      "legal_basis": status["legal_basis"], "complete": entry["complete"], "requirements": rows,
                      "to_request": [r["label"] for r in rows if r["state"] in ("missing", "expired", "insufficient")],
                      "to_check": [r["label"] for r in rows if r["state"] == "unread"]})
    return shown


def latest_letter(documents: list[dict]) -> dict | None:
    """The newest letter asking for missing documents in the case (the office's own, outgoing)."""
    letters = [d for d in documents if (d.get("source") or "").startswith(LETTER_SOURCE)]
    if not letters:
        return None
    newest = max(letters, key=lambda d: d["received"])
    return {"id": newest["id"], "received": labels.when(newest["received"])}


@router.post("/akten/{case_number}/antraege", name="application_open")
def application_open(request: Request, actor: PageActor, case_number: str,
                     application_type: Annotated[str, Form(max_length=64)] = ""):
    rt = runtime(request)
    if application_type not in rt.settings.applications.types:
        raise Invalid("Bitte eine der angebotenen Antragsarten wählen.")
    opened = applications.open_application(actor, rt, case_number, application_type)
    # The address names the type, never a sentence: nobody can put words on the case file by a link.
    return redirect(page_url("case", case_number=opened["case_number"])
                    + query_string(antrag=application_type, neu=int(opened["created"])) + "#antraege")


def opened_notice(settings, entries: list[dict], application_type: str, created: bool) -> str:
    """The notice after opening: only for a configured type that is open on the case."""
    kind = settings.applications.types.get(application_type)
    if kind is None or application_type not in {e["application_type"] for e in entries}:
        return ""
    return f"Antrag „{kind.title}“ " + ("eröffnet." if created else "war bereits offen.")


@router.post("/akten/{case_number}/nachforderung", name="request_letter")
def request_letter(request: Request, actor: PageActor, case_number: str,
                   application_type: Annotated[str, Form(max_length=64)] = "",
                   address: Annotated[str, Form(max_length=500)] = ""):
    rt = runtime(request)
    try:
        # A blank field: the address the case file's documents give.
        letters = applications.request_letter(actor, rt, case_number, application_type=application_type or None,
                                              address=address if address.strip() else None)
    except applications.InvalidAddress as exc:
        raise Invalid(exc.german) from None
    except Invalid:
        # The service's reason is for programs; the form is offered only when something is missing,
        # so what is left is an application whose doubts the office must settle first.
        raise Invalid("Es gibt nichts nachzufordern: jede Unterlage liegt vor oder wartet darauf, dass "
                      "ein Dokument in der Akte geprüft wird („bitte prüfen“).") from None
    return redirect(page_url("case", case_number=letters[0]["case_number"])
                    + query_string(nachforderung=letters[0]["id"], ohne_anschrift=int(not letters[0]["address_known"]))
                    + "#antraege")


@router.get("/antraege/terminreif", name="applications_ready")
def applications_ready(request: Request, actor: PageActor):
    """`dms cases ready` for the browser: the open applications whose documents are all on file, in
    the cases the user may see, to offer an appointment."""
    rows = [{"case_number": r["case_number"], "applicant": r["applicant"],
             "application": f"{r['title']} ({r['legal_basis']})" if r.get("legal_basis") else r["title"],
             "since": labels.when(r["complete_since"]) if r.get("complete_since") else "–",
             "opened": labels.when(r["opened_at"]) if r.get("opened_at") else "–"}
            for r in applications.ready_cases(actor, runtime(request))]
    return render(request, "applications_ready.html", "Terminreife Anträge", rows=rows)
