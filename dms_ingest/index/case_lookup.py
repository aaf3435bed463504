"""Looking up registry cases by number or name, within teams."""

from __future__ import annotations

from sqlalchemy import func, or_
from sqlmodel import Session, select

from .models import CaseRow


def find(engine, query: str, *, teams: list[str] | None, limit: int = 100) -> list[CaseRow]:
    """Cases whose number starts with, or whose surname or given names contain, *query*
    (case-insensitive); *teams* None means every case."""
    statement = select(CaseRow)
    if teams is not None:
        if not teams:
            return []
        statement = statement.where(CaseRow.team.in_(teams))
    words = query.split()
    for word in words[:4]:
        pattern = "%" + word.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        statement = statement.where(or_(func.lower(CaseRow.case_number).like(pattern, escape="\\"),
                                        func.lower(CaseRow.surname).like(pattern, escape="\\"),
                                        func.lower(CaseRow.given_names).like(pattern, escape="\\")))
    with Session(engine) as s:
        return list(s.exec(statement.order_by(CaseRow.surname, CaseRow.given_names).limit(limit)))
