"""The REST API: thin over the service layer, which checks the rights and writes the access log.

Field names are a public contract like the CLI's `--json`: kept, only added to.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated, Optional

from fastapi import APIRouter, Depends, File, Query, Request, Response, UploadFile
from fastapi.encoders import jsonable_encoder
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, BeforeValidator, Field
from starlette.background import BackgroundTask

from .. import office_time
from ..errors import Invalid
from ..services.actor import Actor
from . import auth
from .uploads import receive, safe_filename, scratch_folder

# response_model=None: the services return plain JSON-ready dicts; validating them again would cost
# a thread hop per request.
router = APIRouter(prefix="/api")
CurrentActor = Annotated[Actor, Depends(auth.current_actor)]
_DOC_ID = r"^[A-Za-z0-9_.-]{1,80}$"
_CASE = r"^[A-Za-z0-9][A-Za-z0-9 ./_-]{0,63}$"


def _blank_is_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


# A day filter: a form's empty date field arrives as `from=` and means no filter, not a bad date.
OptionalDay = Annotated[Optional[date], BeforeValidator(_blank_is_none)]


def _runtime(request: Request):
    return request.app.state.runtime


class ReadyJSON(JSONResponse):
    """The JSON of a service's JSON-ready dict, rendered as it is. For a returned dict FastAPI would
    first walk every value through jsonable_encoder (a search page or case file: 200-400 calls,
    0.3 ms CPU per request) only to find it JSON-ready; whatever is not (a date) still goes through it."""

    def render(self, content) -> bytes:
        return json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":"),
                          default=jsonable_encoder).encode("utf-8")


# --- login -------------------------------------------------------------------------------------

class LoginRequest(BaseModel):
    login: str = Field(..., max_length=64)
    password: str = Field(..., max_length=1024)


def _me(actor: Actor, csrf: str | None) -> dict:
    return {"login": actor.login, "role": actor.role, "teams": sorted(actor.teams), "csrf_token": csrf}


@router.post("/login", response_model=None, tags=["session"], summary="Log in; sets the session cookie")
def api_login(body: LoginRequest, request: Request, response: Response) -> dict:
    """JSON only (a cross-site form cannot send it). Returns the CSRF token for later changes."""
    try:
        new = auth.login(request, response, body.login, body.password)
    except auth.LoginFailed as exc:
        raise auth.NotAuthenticated(str(exc)) from None
    return _me(new.actor, new.csrf_token)


@router.post("/logout", response_model=None, tags=["session"], summary="End the session")
def api_logout(request: Request, response: Response, actor: CurrentActor) -> dict:
    auth.logout(request, response)
    return {"logged_out": actor.login}


@router.get("/me", response_model=None, tags=["session"], summary="Who is logged in")
def api_me(request: Request, actor: CurrentActor) -> dict:
    return _me(actor, auth.csrf_token(request))


# --- search, cases, documents -----------------------------------------------------------------

@router.get("/search", response_model=None, tags=["search"], summary="Full-text search within the documents one may see")
def api_search(request: Request, actor: CurrentActor,
               q: Annotated[str, Query(max_length=500)] = "",
               case: Annotated[Optional[str], Query(max_length=64)] = None,
               type: Annotated[Optional[str], Query(max_length=40)] = None,  # noqa: A002 - public name
               from_: Annotated[OptionalDay, Query(alias="from")] = None,
               to: Annotated[OptionalDay, Query()] = None,
               review: Annotated[Optional[bool], Query(description="true: only documents in review; "
                                                                   "false: only settled ones")] = None,
               limit: Annotated[int, Query(ge=1, le=200)] = 20,
               offset: Annotated[int, Query(ge=0, le=100_000)] = 0) -> ReadyJSON:
    from ..services import documents

    if from_ and to and from_ > to:
        raise Invalid("'from' lies after 'to'.")
    start, end = office_time.office_day_bounds(from_, to)
    return ReadyJSON(documents.search_page(actor, _runtime(request), q, case_number=case, doc_type=type,
                                           received_from=start, received_to=end, review=review,
                                           limit=limit, offset=offset))


@router.get("/cases/{case_number}", response_model=None, tags=["cases"], summary="A person's case file")
def api_case(request: Request, actor: CurrentActor, case_number: str) -> ReadyJSON:
    from ..services import casefile

    # With the checklist of the case's open applications (GET /api/cases/{case}/applications has it
    # in full): one service operation, so one access-log entry per request.
    return ReadyJSON(casefile.case_file(actor, _runtime(request), case_number, applications=True))


@router.get("/documents/{doc_id}", response_model=None, tags=["documents"], summary="A document's metadata")
def api_document(request: Request, actor: CurrentActor, doc_id: str) -> ReadyJSON:
    from ..services import documents

    return ReadyJSON(documents.show(actor, _runtime(request), doc_id))


def _download(request: Request, actor: Actor, doc_id: str, original: bool) -> FileResponse:
    from ..services import documents

    runtime = _runtime(request)
    folder = Path(tempfile.mkdtemp(prefix="dms-dl-", dir=scratch_folder(runtime)))
    target = folder / "file"
    try:
        documents.get(actor, runtime, doc_id, target, original=original)
        doc = runtime.catalog.get(doc_id)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    ext = (doc.original_ext or "").lstrip(".") if original else "pdf"
    media = (doc.media_type or "application/octet-stream") if original else "application/pdf"
    stem = f"{doc.case_number or 'eingang'}_{doc.doc_type or 'dokument'}_{doc.id}" + ("_original" if original else "")
    name = safe_filename(stem, ext)
    return FileResponse(target, media_type=media, filename=name, content_disposition_type="attachment",
                        background=BackgroundTask(shutil.rmtree, folder, True))


@router.get("/documents/{doc_id}/archive", response_model=None, tags=["documents"], summary="The archival PDF/A (checksum verified)",
            response_class=FileResponse)
def api_archive(request: Request, actor: CurrentActor, doc_id: str):
    return _download(request, actor, doc_id, original=False)


@router.get("/documents/{doc_id}/original", response_model=None, tags=["documents"], summary="The original, byte for byte (verified)",
            response_class=FileResponse)
def api_original(request: Request, actor: CurrentActor, doc_id: str):
    return _download(request, actor, doc_id, original=True)


# --- review --------------------------------------------------------------------------------

class ReviewDecision(BaseModel):
    case_number: Optional[str] = Field(None, max_length=64)
    doc_type: Optional[str] = Field(None, max_length=40)


@router.get("/review", response_model=None, tags=["review"], summary="The review queue one may settle")
def api_review(request: Request, actor: CurrentActor) -> dict:
    from ..services import review

    items = review.review_list(actor, _runtime(request))
    return {"total": len(items), "items": items}


@router.post("/review/{doc_id}", response_model=None, tags=["review"], summary="Settle a review item: its case and/or type")
def api_review_assign(request: Request, actor: CurrentActor, doc_id: str, decision: ReviewDecision) -> dict:
    from ..services import review

    if not decision.case_number and not decision.doc_type:
        raise Invalid("Give case_number, doc_type or both.")
    return review.review_assign(actor, _runtime(request), doc_id, case=decision.case_number,
                                doc_type=decision.doc_type)


class ReviewReturn(BaseModel):
    note: str = Field(..., max_length=500)


@router.post("/review/{doc_id}/return", response_model=None, tags=["review"],
             summary="Give a review item back to the mailroom to forward (team leads)")
def api_review_return(request: Request, actor: CurrentActor, doc_id: str, body: ReviewReturn) -> dict:
    from ..services import review

    return review.review_return(actor, _runtime(request), doc_id, note=body.note)


# --- upload --------------------------------------------------------------------------------

@router.post("/cases/{case_number}/documents", response_model=None, tags=["cases"], status_code=201,
             summary="Upload a document into a case; the pipeline runs with the case as the hint")
def api_upload(request: Request, actor: CurrentActor, case_number: str,
               file: Annotated[UploadFile, File(description="PDF, image or .eml")]) -> dict:
    from ..services import documents

    runtime = _runtime(request)
    upload = receive(file, runtime)
    try:
        results = documents.upload(actor, runtime, upload.path, display_name=upload.name,
                                   case_number=case_number)
    finally:
        shutil.rmtree(upload.folder, ignore_errors=True)
    return {"case_number": case_number, "documents": [_upload_result(r) for r in results]}


def _upload_result(result) -> dict:
    data = result.to_json()
    return {key: data.get(key) for key in ("id", "status", "pages", "doc_type", "case_number", "review",
                                          "review_reasons", "error", "reason_code", "duplicate_of")}


# --- access log ------------------------------------------------------------------------------

@router.get("/audit", response_model=None, tags=["audit"], summary="The access log (data protection only)")
def api_audit(request: Request, actor: CurrentActor,
              case: Annotated[Optional[str], Query(max_length=64)] = None,
              user: Annotated[Optional[str], Query(max_length=64)] = None,
              from_: Annotated[OptionalDay, Query(alias="from")] = None,
              to: Annotated[OptionalDay, Query()] = None,
              limit: Annotated[int, Query(ge=1, le=5000)] = 500,
              offset: Annotated[int, Query(ge=0)] = 0) -> dict:
    from ..services import audit_log

    since, until = office_time.office_day_bounds(from_, to)
    entries = audit_log.entries(actor, _runtime(request), case_number=case, login=user,
                                since=since, until=until, limit=limit, offset=offset)
    return {"total": len(entries), "entries": entries}


# --- substitutions (team leads for their team, admins) ---------------------------------------

class SubstitutionRequest(BaseModel):
    login: str = Field(..., max_length=64, description="The substitute")
    for_: str = Field(..., alias="for", max_length=64, description="The absent colleague")
    until: date = Field(..., description="Last day of the substitution (inclusive)")


@router.get("/substitutions", response_model=None, tags=["teams"], summary="Substitutions (team leads and admins)")
def api_substitutions(request: Request, actor: CurrentActor, active: bool = False) -> dict:
    from ..services import people

    rows = people.list_substitutions(actor, _runtime(request), active)
    return {"total": len(rows), "substitutions": rows}


@router.post("/substitutions", response_model=None, tags=["teams"], status_code=201,
             summary="Let LOGIN work FOR's cases until a date (ends by itself; logged)")
def api_substitute(request: Request, actor: CurrentActor, body: SubstitutionRequest) -> dict:
    from ..services import people

    return people.substitute(actor, _runtime(request), body.login, body.for_, body.until)
