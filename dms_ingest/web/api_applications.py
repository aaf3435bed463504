"""REST API for applications on a case: the checklist, opening one, the ready list, the letter.

Thin over services/applications.py (rights and access log there). Field names as in the CLI's --json.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Optional, Union

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from ..services import applications
from .api import CurrentActor, _runtime

router = APIRouter(prefix="/api")


class ApplicationRequest(BaseModel):
    application_type: str = Field(..., max_length=64)


class LetterRequest(BaseModel):
    application_type: Optional[str] = Field(None, max_length=64)
    # Checked in the service (applications/address.py); the access log records who typed it.
    address: Optional[Union[Annotated[str, Field(max_length=500)],
                            Annotated[list[Annotated[str, Field(max_length=200)]], Field(max_length=20)]]] = Field(
        None, description="The recipient's address instead of the one the case file's documents give: one text "
                          "(lines split at newlines and commas) or a list of lines; at most 5 lines")


@router.get("/cases/{case_number}/applications", tags=["applications"],
            summary="The case's checklist: each requirement satisfied (by which documents and fields), missing, "
                    "expired, insufficient or unread")
def api_case_status(request: Request, actor: CurrentActor, case_number: str,
                    today: Annotated[Optional[date], Query()] = None,
                    include_closed: Annotated[bool, Query(alias="all")] = False) -> dict:
    return applications.case_status(actor, _runtime(request), case_number, today=today,
                                    include_closed=include_closed)


@router.post("/cases/{case_number}/applications", tags=["applications"], status_code=201,
             summary="Open an application of a configured type on the case")
def api_open_application(request: Request, actor: CurrentActor, case_number: str, body: ApplicationRequest) -> dict:
    return applications.open_application(actor, _runtime(request), case_number, body.application_type)


@router.post("/cases/{case_number}/requests", tags=["applications"], status_code=201,
             summary="Write the letter asking for missing and expired documents and file it into the case")
def api_request_letter(request: Request, actor: CurrentActor, case_number: str, body: LetterRequest) -> dict:
    letters = applications.request_letter(actor, _runtime(request), case_number,
                                          application_type=body.application_type, address=body.address)
    return {"case_number": case_number, "letters": letters}


@router.get("/applications/ready", tags=["applications"],
            summary="Open applications whose required documents are all on file (cases one may see)")
def api_ready(request: Request, actor: CurrentActor, today: Annotated[Optional[date], Query()] = None) -> dict:
    ready = applications.ready_cases(actor, _runtime(request), today=today)
    return {"total": len(ready), "items": ready}
