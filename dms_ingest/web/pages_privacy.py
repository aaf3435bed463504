"""Pages of the data-protection officer: the access log with filters and the Art. 15 report, each
exportable as CSV and PDF. Reading them is logged by the service layer like any other read."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import Response

from .. import office_time
from ..services import audit_log
from . import exports, labels
from .api import OptionalDay
from .pages import PageActor, page_url, query_string, render, router, runtime

SHOWN = 500
OUTCOMES = [(code, label) for code, label in labels.ACCESS_OUTCOMES.items()]
_COLUMNS = [("seq", "Nr.", 14), ("at", "Zeit", 34), ("login", "Benutzer", 28), ("role", "Rolle", 28),
            ("action", "Zugriff", 36), ("object", "Objekt", 60), ("case_number", "Akte", 30),
            ("outcome", "Ergebnis", 22), ("client", "Adresse", 25)]


def _row(entry: dict) -> dict:
    detail = entry.get("detail") or {}
    kind = entry.get("object_type") or ""
    obj = " ".join(p for p in (labels.OBJECT_TYPES.get(kind, kind), entry.get("object_id")) if p)
    if entry.get("action") == "search" and detail.get("query"):
        obj = f"Suche „{detail['query']}“"
    if detail.get("page"):
        obj += f", Seite {detail['page']}"
    return {"seq": entry.get("seq"), "at": labels.when(entry.get("at")), "login": entry.get("login"),
            "role": labels.ROLES.get(entry.get("role") or "", entry.get("role")),
            "action": labels.ACCESS_ACTIONS.get(entry.get("action") or "", entry.get("action")),
            "object": obj, "case_number": entry.get("case_number") or "",
            "outcome": labels.ACCESS_OUTCOMES.get(entry.get("outcome") or "", entry.get("outcome")),
            "outcome_code": entry.get("outcome"), "client": entry.get("client")}


def _entries(request: Request, actor, case: str, user: str, from_: date | None, to: date | None,
             outcome: str, limit: int = 1_000_000) -> list[dict]:
    """Matching entries, newest first (at most *limit*)."""
    since, until = office_time.office_day_bounds(from_, to)
    found = audit_log.entries(actor, runtime(request), case_number=case or None, login=user or None,
                              since=since, until=until, outcome=outcome or None, limit=limit, newest_first=True)
    return [_row(e) for e in found]


@router.get("/datenschutz", name="privacy")
def privacy_page(request: Request, actor: PageActor,
                 case: Annotated[str, Query(max_length=64)] = "", user: Annotated[str, Query(max_length=64)] = "",
                 from_: Annotated[OptionalDay, Query(alias="from")] = None,
                 to: Annotated[OptionalDay, Query()] = None,
                 outcome: Annotated[str, Query(pattern="^(|ok|denied|refused|failed)$")] = "",
                 pruefen: int = 0):
    case = case.strip().upper()
    rows = _entries(request, actor, case, user.strip(), from_, to, outcome, limit=SHOWN + 1)
    chain = None
    if pruefen:
        result = audit_log.verify(actor, runtime(request))
        chain = {"ok": result.ok, "label": "Hash-Kette unverändert" if result.ok
                 else f"Hash-Kette verletzt: {len(result.problems)} Auffälligkeiten"}
    params = dict(case=case, user=user.strip(), outcome=outcome,
                  **{"from": from_.isoformat() if from_ else "", "to": to.isoformat() if to else ""})
    form = {"case": case, "user": user.strip(), "outcome": outcome,
            "date_from": params["from"], "date_to": params["to"]}
    return render(request, "privacy.html", "Zugriffsprotokoll", rows=rows[:SHOWN], more=len(rows) > SHOWN, form=form,
                  outcomes=OUTCOMES, chain=chain,
                  verify_href=page_url("privacy") + query_string(**params, pruefen=1),
                  export_csv=page_url("privacy_export", fmt="csv") + query_string(**params),
                  export_pdf=page_url("privacy_export", fmt="pdf") + query_string(**params))


@router.get("/datenschutz/protokoll.{fmt}", name="privacy_export")
def privacy_export(request: Request, actor: PageActor, fmt: str,
                   case: Annotated[str, Query(max_length=64)] = "", user: Annotated[str, Query(max_length=64)] = "",
                   from_: Annotated[OptionalDay, Query(alias="from")] = None,
                   to: Annotated[OptionalDay, Query()] = None,
                   outcome: Annotated[str, Query(pattern="^(|ok|denied|refused|failed)$")] = ""):
    case = case.strip().upper()
    rows = _entries(request, actor, case, user.strip(), from_, to, outcome)
    filters = ", ".join(f"{k}: {v}" for k, v in (("Akte", case), ("Benutzer", user), ("von", from_), ("bis", to),
                                                  ("Ergebnis", outcome)) if v) or "keine"
    lines = [f"Filter: {filters}", f"{len(rows)} Einträge · erstellt {labels.when(datetime.now().astimezone())} "
                                   f"von {actor.login}"]
    return _export(fmt, "zugriffsprotokoll", "Zugriffsprotokoll", lines, _COLUMNS, rows)


def _export(fmt: str, stem: str, title: str, lines: list[str], columns, rows: list[dict]) -> Response:
    if fmt == "csv":
        body, media = exports.to_csv([(k, h) for k, h, _ in columns], rows), "text/csv; charset=utf-8"
    elif fmt == "pdf":
        body, media = exports.to_pdf(title, lines, columns, rows), "application/pdf"
    else:
        from ..errors import NotFound

        raise NotFound("no such export format")
    name = f"{stem}_{office_time.today().isoformat()}.{fmt}"
    return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


# --- Art. 15 -----------------------------------------------------------------------------------

_REPORT_COLUMNS = [("at", "Zeit", 38), ("login", "Benutzer", 34), ("role", "Rolle", 32), ("action", "Zugriff", 44),
                   ("object", "Objekt", 76), ("outcome", "Ergebnis", 26), ("client", "Adresse", 27)]


def _report(request: Request, actor, case_number: str) -> dict:
    data = audit_log.report(actor, runtime(request), case_number)
    rows = [_row(e) for e in data["accesses"]]
    person = data.get("person") or {}
    return {"case_number": data["case_number"], "rows": rows, "total": data["total"],
            "people": sorted(data.get("by_user", {})),
            "person": ", ".join(p for p in (person.get("surname"), person.get("given_names")) if p)}


@router.get("/datenschutz/auskunft", name="privacy_report")
def privacy_report(request: Request, actor: PageActor, case: Annotated[str, Query(max_length=64)] = ""):
    case = case.strip().upper()
    report = None
    if case:
        report = _report(request, actor, case)
        base = query_string(case=case)
        report.update(created=labels.when(datetime.now().astimezone()),
                      csv_href=page_url("privacy_report_export", fmt="csv") + base,
                      pdf_href=page_url("privacy_report_export", fmt="pdf") + base)
    else:
        from ..access import policy

        policy.require(actor, "audit_read")
    return render(request, "privacy_report.html", "Auskunft Art. 15", case_number=case, report=report)


@router.get("/datenschutz/auskunft.{fmt}", name="privacy_report_export")
def privacy_report_export(request: Request, actor: PageActor, fmt: str,
                          case: Annotated[str, Query(min_length=1, max_length=64)]):
    report = _report(request, actor, case.strip().upper())
    lines = [f"Akte {report['case_number']}" + (f" ({report['person']})" if report["person"] else ""),
             f"{report['total']} Zugriffe von {len(report['people'])} Personen: {', '.join(report['people'])}",
             f"Erstellt {labels.when(datetime.now().astimezone())} von {actor.login} (Art. 15 DSGVO)."]
    stem = "auskunft_" + "".join(c if c.isalnum() or c in "-_" else "-" for c in report["case_number"])
    return _export(fmt, stem, "Auskunft nach Art. 15 DSGVO: Zugriffe auf die Akte", lines, _REPORT_COLUMNS,
                   report["rows"])


