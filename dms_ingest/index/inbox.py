"""The team inbox's memory: who has seen which document, which are settled, when each user last looked.

"Seen" is personal (each caseworker of a team sees a new letter once); "erledigt" is the team's
(when one colleague has dealt with a letter it leaves everybody's open list).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Index, and_, exists, func
from sqlmodel import Field, Session, SQLModel, select

from .models import CaseRow, DocumentRow, utcnow


class InboxSeen(SQLModel, table=True):
    __tablename__ = "inbox_seen"

    login: str = Field(primary_key=True)
    document_id: str = Field(primary_key=True)
    at: datetime = Field(default_factory=utcnow)


class InboxDone(SQLModel, table=True):
    __tablename__ = "inbox_done"

    document_id: str = Field(primary_key=True)
    login: str
    at: datetime = Field(default_factory=utcnow)


class InboxVisit(SQLModel, table=True):
    __tablename__ = "inbox_visits"

    login: str = Field(primary_key=True)
    last_visit: datetime = Field(default_factory=utcnow)


_TABLES = [InboxSeen.__table__, InboxDone.__table__, InboxVisit.__table__]


@dataclass
class InboxItem:
    document: DocumentRow
    case: CaseRow
    seen: bool
    done: bool


# Built once: an Index joins its table's metadata when made, so one made per call would be a
# second index of the same name, which the next create_all (a new database) fails to create.
_TIME_INDEXES = [Index(f"ix_documents_{column}", DocumentRow.__table__.c[column])
                 for column in ("created_at", "updated_at")]


def ensure_tables(engine) -> None:
    """The inbox tables, and indexes on the receipt and filing times that the inbox and the
    mailroom's day read by."""
    SQLModel.metadata.create_all(engine, tables=_TABLES)
    for index in _TIME_INDEXES:
        index.create(engine, checkfirst=True)


def _filed_for(teams: list[str], since: datetime):
    """Conditions for documents filed into the teams' cases (not waiting for review) since *since*.

    The plan starts from the receipt-time index (the last weeks' intake, which does not grow with
    the archive) and looks each case up by its number; `coalesce` keeps SQLite from starting at
    the review index (nearly every document) or the team index (all of a team's documents ever)."""
    named = [t for t in teams if t]     # coalesce makes a case without a team "": a team "" must not match it
    return (func.coalesce(CaseRow.team, "").in_(named), func.coalesce(DocumentRow.review, False) == False,  # noqa: E712
            DocumentRow.updated_at >= since)


def _team_documents(teams: list[str], since: datetime):
    return (select(DocumentRow, CaseRow).join(CaseRow, CaseRow.case_number == DocumentRow.case_number)
            .where(*_filed_for(teams, since)))


def _seen_by(login: str):
    return exists().where(and_(InboxSeen.document_id == DocumentRow.id, InboxSeen.login == login))


def _done():
    return exists().where(InboxDone.document_id == DocumentRow.id)


def items(engine, teams: list[str], login: str, *, show: str = "open", window_days: int = 30,
          limit: int = 50, offset: int = 0) -> list[InboxItem]:
    """The teams' documents, newest filing first; *show* is open, done or all."""
    if not teams:
        return []
    since = utcnow() - timedelta(days=window_days)
    query = _team_documents(teams, since).add_columns(_seen_by(login), _done())
    if show == "open":
        query = query.where(~_done())
    elif show == "done":
        query = query.where(_done())
    query = query.order_by(DocumentRow.updated_at.desc(), DocumentRow.id).offset(offset).limit(limit)
    with Session(engine) as s:
        return [InboxItem(doc, case, bool(seen), bool(done)) for doc, case, seen, done in s.exec(query)]


def unseen_count(engine, teams: list[str], login: str, *, window_days: int = 30) -> int:
    """Open documents of the teams this user has not seen yet: the number in the navigation."""
    if not teams:
        return 0
    since = utcnow() - timedelta(days=window_days)
    query = (select(func.count()).select_from(DocumentRow)
             .join(CaseRow, CaseRow.case_number == DocumentRow.case_number)
             .where(*_filed_for(teams, since), ~_done(), ~_seen_by(login)))
    with Session(engine) as s:
        return int(s.exec(query).one())


def mark(engine, login: str, document_ids: list[str], state: str) -> None:
    """Record *state* (seen: for this user; done: for the team, and seen too) for the documents."""
    with Session(engine) as s:
        for doc_id in document_ids:
            if s.get(InboxSeen, (login, doc_id)) is None:
                s.add(InboxSeen(login=login, document_id=doc_id))
            if state == "done" and s.get(InboxDone, doc_id) is None:
                s.add(InboxDone(document_id=doc_id, login=login))
            if state == "open":
                done = s.get(InboxDone, doc_id)
                if done is not None:
                    s.delete(done)
        s.commit()


def visit(engine, login: str) -> datetime | None:
    """Record that the user looks at the inbox now; returns when they looked before (None: never)."""
    with Session(engine) as s:
        row = s.get(InboxVisit, login)
        previous = row.last_visit if row else None
        row = row or InboxVisit(login=login)
        row.last_visit = utcnow()
        s.add(row)
        s.commit()
        return previous


def created_between(engine, start: datetime, end: datetime, limit: int = 1000) -> list[DocumentRow]:
    """Every document archived in [start, end), newest first (the mailroom's day)."""
    with Session(engine) as s:
        return list(s.exec(select(DocumentRow).where(DocumentRow.created_at >= start, DocumentRow.created_at < end)
                           .order_by(DocumentRow.created_at.desc()).limit(limit)))
