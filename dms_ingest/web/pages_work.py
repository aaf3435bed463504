"""Pages of the daily work: Posteingang, the mailroom's day, case files, documents, page images, upload."""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import threading
import time
from pathlib import Path
from typing import Annotated

from fastapi import File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse

from .. import office_time
from ..errors import NotFound
from ..services import case_lookup, casefile, documents, inbox, page_images
from ..services.reasons_view import ReasonsView
from . import labels, pages_applications
from .api import OptionalDay, _upload_result
from .uploads import receive, scratch_folder
from .highlight import hit_boxes, marked_segments, query_terms
from .pages import PageActor, message, page_cache, page_url, query_string, redirect, render, router, runtime

THUMBNAILS_PER_DOCUMENT = 6
PAGES_RENDERED_AHEAD = 8
INBOX_PAGE = 50
_DOC_ID = r"^[A-Za-z0-9_.-]{1,80}$"
_CASE = r"^[A-Za-z0-9][A-Za-z0-9 ./_-]{0,63}$"


# --- Posteingang ------------------------------------------------------------------------------

@router.get("/posteingang", name="inbox")
def inbox_page(request: Request, actor: PageActor, show: Annotated[str, Query(pattern="^(open|done|all)$")] = "open",
               gesehen: int = 0, erledigt: int = 0, ab: Annotated[int, Query(ge=0, le=100_000)] = 0):
    data = inbox.team_inbox(actor, runtime(request), show=show, limit=INBOX_PAGE, offset=ab)
    request.state.inbox_unseen = data["unseen"]
    items = [{"id": i.document.id, "doc_type_label": labels.doc_type(i.document.doc_type),
              "person": f"{i.case.surname}, {i.case.given_names}".strip(", "),
              "case_number": i.case.case_number, "received": labels.when(i.document.created_at),
              "source_label": labels.source(i.document.source, i.document.part, i.document.message_id),
              "new": not i.seen and not i.done, "done": i.done} for i in data["items"]]
    messages = []
    if gesehen:
        messages.append(message("ok", f"{gesehen} als gesehen markiert."))
    if erledigt:
        messages.append(message("ok", f"{erledigt} als erledigt markiert."))
    path = page_url("inbox")
    older = path + query_string(show=show if show != "open" else "", ab=ab + INBOX_PAGE) if data["more"] else ""
    newer = path + query_string(show=show if show != "open" else "", ab=max(0, ab - INBOX_PAGE)) if ab else ""
    return render(request, "inbox.html", "Posteingang", items=items, teams=data["teams"], show=show,
                  older_href=older, newer_href=newer,
                  new_count=data["unseen"], last_visit=labels.when(data["last_visit"]) if data["last_visit"] else "",
                  messages=messages)


@router.post("/posteingang/markieren", name="inbox_mark")
def inbox_mark(request: Request, actor: PageActor,
               document_id: Annotated[list[str], Form(max_length=80)] = [],  # noqa: B006 - FastAPI form list
               state: Annotated[str, Form(pattern="^(seen|done|open)$")] = "seen",
               show: Annotated[str, Form(pattern="^(open|done|all)$")] = "open"):
    marked = inbox.mark(actor, runtime(request), document_id[:500], state)
    key = "erledigt" if state == "done" else "gesehen"
    return redirect(page_url("inbox") + query_string(show=show if show != "open" else "",
                                                                      **{key: marked}))


# --- the mailroom's day -----------------------------------------------------------------------

@router.get("/poststelle", name="mailroom")
def mailroom_page(request: Request, actor: PageActor, day: Annotated[OptionalDay, Query()] = None):
    rt = runtime(request)
    data = inbox.intake(actor, rt, day)
    view = ReasonsView(actor, rt)
    rows = []
    for doc in data["documents"]:
        outcome = ("review", "zur Prüfung", "warn") if doc.review else (
            ("archived", "archiviert", "ok") if doc.case_number else ("review", "ohne Akte", "warn"))
        reasons = view.of_document(doc)["reasons"]
        rows.append({"time": labels.clock(doc.created_at), "name": labels.source_name(doc.source),
                     "href": page_url("document", doc_id=doc.id) if not doc.case_number else "",
                     "source_label": labels.source(doc.source, doc.part, doc.message_id), "pages": doc.pages,
                     "outcome_label": outcome[1] + (f" → {doc.case_number}" if doc.case_number and not doc.review else ""),
                     "outcome_class": outcome[2], "reason": " ".join(reasons), "at": doc.created_at})
    for item in data["rejected"]:
        rows.append({"time": labels.clock(item.at), "name": item.name, "href": "",
                     "source_label": labels.source(item.source), "pages": "–", "outcome_label": "abgelehnt",
                     "outcome_class": "bad", "reason": labels.REJECTIONS.get(item.reason_code, item.message),
                     "at": item.at})
    rows.sort(key=lambda r: labels._local(r["at"]), reverse=True)
    counts = {"archived": sum(r["outcome_class"] == "ok" for r in rows),
              "review": sum(r["outcome_class"] == "warn" for r in rows),
              "rejected": sum(r["outcome_class"] == "bad" for r in rows)}
    quarantine = [{"at": labels.when(q.at), "name": q.name, "source": labels.source_name(q.source),
                   "reason": labels.REJECTIONS.get(q.reason_code, q.message)} for q in inbox.quarantine(actor, rt)]
    today = data["day"]
    day_label = "heute" if today == office_time.today() else f"am {labels.day(today)}"
    return render(request, "mailroom.html", "Poststelle", intake=rows, quarantine=quarantine, counts=counts,
                  day=today.isoformat(), day_label=day_label)


# --- case files -------------------------------------------------------------------------------

@router.get("/akten", name="cases")
def cases_page(request: Request, actor: PageActor, q: Annotated[str, Query(max_length=100)] = ""):
    query = q.strip()
    if re.fullmatch(_CASE, query) and any(c.isdigit() for c in query):
        return redirect(page_url("case", case_number=query.upper()))
    found = case_lookup.team_cases(actor, runtime(request), query)
    cases = [{"case_number": c.case_number, "name": f"{c.surname}, {c.given_names}".strip(", "),
              "date_of_birth": labels.day(c.date_of_birth), "team": c.team} for c in found]
    return render(request, "cases.html", "Fallakten", cases=cases, query=query)


@router.get("/akten/{case_number}", name="case")
def case_page(request: Request, actor: PageActor, case_number: str, antrag: str = "", neu: int = 0,
              nachforderung: str = "", ohne_anschrift: int = 0):
    rt = runtime(request)
    data = casefile.case_file(actor, rt, case_number, applications=True)    # one read, one access-log entry
    groups: dict[str, list] = {}
    for doc in data["documents"]:
        numbers = list(range(1, doc["pages"] + 1))
        groups.setdefault(doc["doc_type"] or "", []).append({
            "id": doc["id"], "title": _title(doc["title"], doc["doc_type"], doc["source"]),
            "received": labels.when(doc["received"]), "source_label": labels.source(doc["source"]),
            "pages": doc["pages"], "review": doc["review"], "page_numbers": numbers[:THUMBNAILS_PER_DOCUMENT],
            "more_pages": max(0, len(numbers) - THUMBNAILS_PER_DOCUMENT)})
    order = list(labels.DOC_TYPES)
    ordered = sorted(groups.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order))
    person = data["person"]
    case = {"case_number": data["case_number"], "team": data["team"], "document_count": len(data["documents"]),
            "person": {**person, "date_of_birth": labels.day(person.get("date_of_birth"))},
            "groups": [{"label": labels.doc_type(code or None), "documents": docs} for code, docs in ordered]}
    titles = {doc["id"]: doc["title"] for docs in groups.values() for doc in docs}
    open_types = {a["application_type"] for a in data["applications"]}
    offered = [(key, f"{t.title} ({t.legal_basis})" if t.legal_basis else t.title)
               for key, t in rt.settings.applications.types.items() if key not in open_types]
    notice = pages_applications.opened_notice(rt.settings, data["applications"], antrag, bool(neu))
    messages = [message("ok", notice)] if notice else []
    letter = pages_applications.latest_letter(data["documents"])
    return render(request, "case.html", f"Fallakte {data['case_number']}", case=case, messages=messages,
                  applications=pages_applications.checklist_view(data["applications"], titles),
                  application_types=offered, letter=letter,
                  letter_written=bool(nachforderung) and letter is not None and letter["id"] == nachforderung,
                  letter_without_address=bool(ohne_anschrift))


def _title(title: str | None, doc_type: str | None, source: str | None) -> str:
    """Type and file name: the pipeline's title repeats the type code, so it is not shown."""
    return f"{labels.doc_type(doc_type)} – {labels.source_name(source)}"


# --- documents --------------------------------------------------------------------------------

@router.get("/dokumente/{doc_id}", name="document")
def document_page(request: Request, actor: PageActor, doc_id: Annotated[str, ...],
                  q: Annotated[str, Query(max_length=300)] = ""):
    rt = runtime(request)
    data = documents.show(actor, rt, doc_id, text=True)       # checks the right and logs the read
    terms = query_terms(q)
    cache = page_cache(request)
    views, hit_total, hit_pages = [], 0, []
    row = _DocumentRef(data)
    for page in data["page_details"]:
        segments = marked_segments(page.get("text") or "", terms)
        hits_here = sum(1 for _, marked in segments if marked)
        view = {"number": page["number"], "width": 1000, "height": 1414, "hits": [], "segments": segments,
                "blank": page.get("blank"), "lazy": True}
        if page["number"] <= PAGES_RENDERED_AHEAD or hits_here:
            # Rendered now (once; then from the cache) for its size and word boxes; later pages of a
            # long document without hits load as plain images when scrolled to.
            rendered = cache.page(data["archive_sha256"], page["number"], lambda: page_images.archive_bytes(rt, row))
            view.update(width=rendered.width, height=rendered.height, hits=hit_boxes(rendered.words, terms),
                        lazy=False)
        if view["hits"] or hits_here:
            hit_pages.append(page["number"])
        hit_total += hits_here
        views.append(view)
    if actor.role in ("sachbearbeitung", "teamleitung"):
        inbox.mark(actor, rt, [doc_id], "seen")
    view = {"id": data["id"], "title": _title(data.get("title"), data.get("doc_type"), data.get("source")),
            "doc_type_label": labels.doc_type(data.get("doc_type")), "case_number": data.get("case_number"),
            "person": "", "received": labels.when(data.get("created_at")),
            "source_label": labels.source(data.get("source"), data.get("part"), data.get("message_id")),
            "pages": data.get("pages"), "review": data.get("review"), "review_reasons": data.get("review_reasons", []),
            "archive_sha256": data["archive_sha256"],
            "original_label": (data.get("original_ext") or "").lstrip(".").upper() or "Datei",
            "page_views": views, "fields": [_field_view(f) for f in data.get("fields") or []]}
    return render(request, "document.html", view["title"], doc=view, query=q, hit_total=hit_total,
                  hit_pages=hit_pages)


def _field_view(read: dict) -> dict:
    """One field read from the document (fields/), as the clerk checks it: value, how sure, where."""
    return {"label": labels.field(read["name"]), "read": read["status"] == "read",
            "value": labels.field_value(read["name"], read["value"]),
            "confidence": round(100 * (read.get("confidence") or 0)), "page": read.get("page"),
            "text": read.get("text") or ""}


class _DocumentRef:
    """The fields of `documents.show` that loading the archive needs."""

    def __init__(self, data: dict):
        self.id, self.archive_key, self.archive_sha256 = data["id"], data["archive_key"], data["archive_sha256"]


@router.get("/dokumente/{doc_id}/seiten/{number}/{size}.png", name="page_image")
def page_image(request: Request, actor: PageActor, doc_id: str, number: int,
               size: Annotated[str, ...]):
    if size not in ("view", "thumb"):
        raise NotFound("no such image size")
    rt = runtime(request)
    doc, load = page_images.page_image(actor, rt, doc_id, number)
    rendered = page_cache(request).page(doc.archive_sha256, number, load)
    etag = f'"{rendered.checksums[size]}"'
    return FileResponse(rendered.path(size), media_type="image/png",
                        headers={"ETag": etag, "Cache-Control": "private, no-store"})


@router.get("/dokumente/{doc_id}/herunterladen/{role}", name="download")
def download(request: Request, actor: PageActor, doc_id: str, role: str):
    """The PDF/A or the original, through the API's verified download (safe file name)."""
    from .api import api_archive, api_original

    if role == "pdfa":
        return api_archive(request, actor, doc_id)
    if role == "original":
        return api_original(request, actor, doc_id)
    raise NotFound("no such download")


# --- upload into a case -----------------------------------------------------------------------

@router.get("/akten/{case_number}/hochladen", name="upload_form")
def upload_form(request: Request, actor: PageActor, case_number: str):
    data = casefile.case_file(actor, runtime(request), case_number)
    person = data["person"]
    return render(request, "upload.html", f"Hochladen in {data['case_number']}", case_number=data["case_number"],
                  person=f"{person['surname']}, {person['given_names']}",
                  max_mb=runtime(request).settings.web.max_upload_mb)


@router.post("/akten/{case_number}/hochladen", name="upload")
def upload_submit(request: Request, actor: PageActor, case_number: str,
                  file: Annotated[UploadFile, File()]):
    rt = runtime(request)
    data = casefile.case_file(actor, rt, case_number)          # the case must exist and be the user's
    upload = receive(file, rt, lang="de")
    job = UploadJobs(rt).start(actor, data["case_number"], upload.name, upload.path, upload.folder)
    return redirect(page_url("upload_job", job_id=job))


@router.get("/hochladen/{job_id}", name="upload_job")
def upload_job(request: Request, actor: PageActor, job_id: str):
    job = UploadJobs(runtime(request)).read(actor, job_id)
    running = job["finished"] is None
    results = []
    for result in job.get("results", []):
        status = result.get("status")
        outcome = {"archived": ("archiviert", "ok"), "duplicate": ("schon vorhanden", "warn"),
                   "rejected": ("abgelehnt", "bad")}.get(status, (status or "fehlgeschlagen", "bad"))
        if status == "archived" and result.get("review"):
            outcome = ("archiviert, zur Prüfung", "warn")
        note = " ".join(result.get("review_reasons") or [])
        if status == "rejected":
            note = labels.REJECTIONS.get(result.get("reason_code") or "", result.get("error") or "")
        elif status == "duplicate":
            note = "Diese Datei wurde bereits archiviert."
        elif status not in ("archived",):
            note = result.get("error") or ""
        doc_id = result.get("id") or (result.get("duplicate_of") or [None])[0]
        if status in ("archived", "duplicate") and not doc_id:      # the service kept back whose file it is
            where = ("Die Zuordnung wird geprüft; danach erscheint es in der richtigen Akte." if result.get("review")
                     else "Das Dokument liegt in einer Akte, die Sie nicht öffnen dürfen.")
            note = f"{note} {where}".strip()
        results.append({"name": job["name"], "outcome_label": outcome[0], "outcome_class": outcome[1],
                        "href": page_url("document", doc_id=doc_id) if doc_id else "",
                        "doc_type_label": labels.doc_type(result.get("doc_type")) if doc_id else "–",
                        "case_number": result.get("case_number"), "pages": result.get("pages") or "–", "note": note})
    view = {**job, "running": running, "results": results,
            "seconds": int(time.time() - job["started"])}
    return render(request, "upload_job.html", "Hochladen", job=view, refresh_seconds=2 if running else 0)


class UploadJobs:
    """Uploads run in a background thread; their state is a small JSON file per job under the work
    folder, so any request (and any server process on this machine) can show the progress."""

    def __init__(self, rt):
        self.rt = rt
        self.folder = scratch_folder(rt) / "jobs"
        self.folder.mkdir(parents=True, exist_ok=True)

    def _path(self, job_id: str) -> Path:
        if not re.fullmatch(r"[A-Za-z0-9_-]{16,64}", job_id):
            raise NotFound("no such upload")
        return self.folder / f"{job_id}.json"

    def _write(self, job_id: str, state: dict) -> None:
        temporary = self._path(job_id).with_suffix(".tmp")
        temporary.write_text(json.dumps(state), encoding="utf-8")
        os.replace(temporary, self._path(job_id))

    def start(self, actor, case_number: str, name: str, path: Path, folder: Path) -> str:
        job_id = secrets.token_urlsafe(18)
        state = {"id": job_id, "login": actor.login, "case_number": case_number, "name": name,
                 "started": time.time(), "finished": None, "results": [], "error": ""}
        self._write(job_id, state)

        def run() -> None:
            try:
                results = documents.upload(actor, self.rt, path, display_name=name, case_number=case_number)
                state["results"] = [_upload_result(r) for r in results]
            except Exception as exc:  # noqa: BLE001 - shown to the user, logged by the service
                state["error"] = _upload_error(exc)
            finally:
                shutil.rmtree(folder, ignore_errors=True)
                state["finished"] = time.time()
                self._write(job_id, state)

        threading.Thread(target=run, name=f"upload-{job_id[:6]}", daemon=True).start()
        return job_id

    def read(self, actor, job_id: str) -> dict:
        try:
            state = json.loads(self._path(job_id).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise NotFound("no such upload") from None
        if state.get("login") != actor.login:
            raise NotFound("no such upload")           # another user's upload does not exist for you
        return state


def _upload_error(exc: Exception) -> str:
    from ..errors import Forbidden, Unavailable

    if isinstance(exc, Forbidden):
        return "Sie dürfen dieser Akte keine Dokumente hinzufügen."
    if isinstance(exc, Unavailable):
        return "Der Archivspeicher ist nicht erreichbar; das Dokument wurde nicht archiviert. Bitte später erneut hochladen."
    return "Die Verarbeitung ist fehlgeschlagen; das Dokument wurde nicht archiviert."
