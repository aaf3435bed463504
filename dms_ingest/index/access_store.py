"""Storage of the people side: users, API tokens, substitutions, teams, browser sessions and
lock-out counters in the index database. `access/` decides (passwords, rules, who may); these
functions only read and write rows, each in one transaction. *db* is a Catalog or an engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Callable

from sqlalchemy import bindparam, text
from sqlmodel import Session, delete, select

from .access_models import (ApiTokenRow, LoginAttemptRow, LoginFailureRow, SessionRow, SubstitutionRow, TeamRow,
                            UserRow, ensure_tables)
from .models import CaseRow
from . import team_scope
from .schema import engine_of, update_row


def _session(db) -> Session:
    return Session(ensure_tables(db), expire_on_commit=False)


# --- users -----------------------------------------------------------------------------------

def insert_user(db, row: UserRow) -> UserRow | None:
    """Add *row*; None when the login exists already."""
    with _session(db) as s:
        if s.get(UserRow, row.login) is not None:
            return None
        s.add(row)
        s.commit()
        s.refresh(row)
        return row


def get_user(db, login: str) -> UserRow | None:
    with _session(db) as s:
        return s.get(UserRow, login)


def list_users(db) -> list[UserRow]:
    with _session(db) as s:
        return list(s.exec(select(UserRow).order_by(UserRow.login)))


def update_user(db, login: str, **changes) -> UserRow | None:
    """Set *changes* on the user's row; None when there is no such user."""
    with _session(db) as s:
        return update_row(s, UserRow, login, **changes)


def save_directory_user(db, login: str, role: str, teams_json: str, display_name: str) -> UserRow | None:
    """Create or update a directory account's row; None when *login* is a local account."""
    with _session(db) as s:
        row = s.get(UserRow, login)
        if row is None:
            row = UserRow(login=login, role=role, source="ldap")
        elif row.source != "ldap":
            return None
        row.role, row.teams, row.display_name = role, teams_json, display_name
        s.add(row)
        s.commit()
        s.refresh(row)
        return row


# --- API tokens ------------------------------------------------------------------------------

def add_token(db, token_hash: str, login: str, label: str) -> None:
    with _session(db) as s:
        s.add(ApiTokenRow(token_hash=token_hash, login=login, label=label))
        s.commit()


# Statements of the per-request look-ups, built once (SQLAlchemy then reuses their compiled form).
_tokens, _users, _subs, _absent = (ApiTokenRow.__table__, UserRow.__table__, SubstitutionRow.__table__,
                                   UserRow.__table__.alias("absent"))
_TOKEN_LOGIN = select(_tokens.c.login, _tokens.c.revoked).where(_tokens.c.token_hash == bindparam("token_hash"))
_USER = select(_users).where(_users.c.login == bindparam("login"))
_SUBSTITUTIONS_OF = (select(_subs.c.until, _subs.c.end_logged, _absent.c.teams)
                     .select_from(_subs.outerjoin(_absent, _absent.c.login == _subs.c.for_login))
                     .where(_subs.c.login == bindparam("login")))


def revoke_tokens(db, login: str) -> int:
    with _session(db) as s:
        rows = list(s.exec(select(ApiTokenRow).where(ApiTokenRow.login == login, ApiTokenRow.revoked == False)))  # noqa: E712
        for row in rows:
            row.revoked = True
            s.add(row)
        s.commit()
        return len(rows)


# --- substitutions ----------------------------------------------------------------------------

def add_substitution(db, row: SubstitutionRow) -> SubstitutionRow:
    with _session(db) as s:
        s.add(row)
        s.commit()
        s.refresh(row)
        return row


def substitutions(db, active_from: date | None = None) -> list[SubstitutionRow]:
    """All substitutions, or those lasting until *active_from* or later."""
    with _session(db) as s:
        q = select(SubstitutionRow).order_by(SubstitutionRow.until, SubstitutionRow.id)
        if active_from is not None:
            q = q.where(SubstitutionRow.until >= active_from)
        return list(s.exec(q))


def take_ended_substitutions(db, today: date) -> list[SubstitutionRow]:
    """Substitutions whose last day was before *today* and whose end is not yet logged; marks them
    logged in the same transaction, so each end is returned once."""
    with _session(db) as s:
        ended = list(s.exec(select(SubstitutionRow).where(SubstitutionRow.until < today,
                                                         SubstitutionRow.end_logged == False)))  # noqa: E712
        for row in ended:
            row.end_logged = True
            s.add(row)
        s.commit()
        return ended


def teams_reached(db, login: str, today: date, teams_of: Callable[[UserRow], list[str]],
                  substitutes: frozenset[str]) -> tuple[UserRow, set[str], bool] | None:
    """(user, their teams plus those of everyone they substitute for on *today*, whether an ended
    substitution is still unlogged), read in one transaction; None when the user is gone or disabled.
    Substitutions count only for users whose role is in *substitutes*. Read on every request, so
    Core queries on one connection (no ORM session); the rows returned carry the user's columns."""
    with ensure_tables(db).connect() as conn:
        return _teams_reached(conn, login, today, teams_of, substitutes)


def token_teams_reached(db, token_hash: str, today: date, teams_of: Callable[[UserRow], list[str]],
                        substitutes: frozenset[str]) -> tuple[UserRow, set[str], bool] | None:
    """`teams_reached` for the user of an API token, None when the token is unknown or revoked:
    token and user on one connection, as every API request asks (one pool checkout, and on
    PostgreSQL one transaction's round trips, fewer)."""
    with ensure_tables(db).connect() as conn:
        row = conn.execute(_TOKEN_LOGIN, {"token_hash": token_hash}).first()
        if row is None or row.revoked:
            return None
        return _teams_reached(conn, row.login, today, teams_of, substitutes)


def _teams_reached(conn, login: str, today: date, teams_of: Callable[[UserRow], list[str]],
                   substitutes: frozenset[str]) -> tuple[UserRow, set[str], bool] | None:
    user = conn.execute(_USER, {"login": login}).first()
    if user is None or user.disabled:
        return None
    teams = set(teams_of(user))
    expired = False
    if user.role in substitutes:
        subs = conn.execute(_SUBSTITUTIONS_OF, {"login": login}).all()
        for sub in subs:
            if sub.until >= today and sub.teams is not None:
                teams.update(teams_of(sub))
        expired = any(sub.until < today and not sub.end_logged for sub in subs)
    return user, teams, expired


# --- teams -----------------------------------------------------------------------------------

def list_teams(db) -> list[TeamRow]:
    with _session(db) as s:
        return list(s.exec(select(TeamRow).order_by(TeamRow.name)))


def save_team(db, name: str, surnames: str, check_others: Callable[[list[TeamRow]], None]) -> TeamRow:
    """Create or redefine team *name*; *check_others* sees the other teams in the same transaction
    and raises to refuse (overlapping ranges)."""
    with _session(db) as s:
        check_others(list(s.exec(select(TeamRow).where(TeamRow.name != name))))
        row = s.get(TeamRow, name) or TeamRow(name=name)
        row.surnames = surnames
        s.add(row)
        s.commit()
        s.refresh(row)
        return row


def assign_case_teams(db, team_for_surname: Callable[[str], str | None]) -> int:
    """Set the team of every case the registry does not name a team for; returns how many changed."""
    changed = 0
    with _session(db) as s:
        team_scope.lock_for_team_change(s.connection())
        for case in s.exec(select(CaseRow).where((CaseRow.team_source == None) | (CaseRow.team_source != "registry"))):  # noqa: E711
            team = team_for_surname(case.surname)
            if team != case.team or case.team_source != "rule":
                case.team, case.team_source = team, "rule"
                s.add(case)
                changed += 1
        s.flush()
        team_scope.retag(s.connection())     # their pages move to the new teams' tokens in the same transaction
        s.commit()
    return changed


def cases_per_team(db) -> dict[str | None, int]:
    """How many cases each team has (None: cases no team is responsible for)."""
    with engine_of(db).connect() as conn:
        return {team: n for team, n in conn.execute(text("SELECT team, count(*) FROM cases GROUP BY team"))}


def case_team(db, case_number: str) -> tuple[bool, str | None]:
    """(case exists, its team). Asked by the policy for every document read: one Core query."""
    with ensure_tables(db).connect() as conn:
        row = conn.execute(_CASE_TEAM, {"case_number": case_number}).first()
    return (row is not None, row.team if row is not None else None)


_CASE_TEAM = select(CaseRow.__table__.c.team).where(CaseRow.__table__.c.case_number == bindparam("case_number"))


# --- login failures and browser sessions ------------------------------------------------------

@dataclass(frozen=True)
class LoginBlock:
    """Why a login attempt is not checked at all, and until when."""

    reason: str              # "locked": this address, "throttled": this login from any address
    until: datetime


def login_blocked(db, login: str, client: str, now: datetime) -> LoginBlock | None:
    """The lock-out of (*login*, *client*) or the throttle of *login*, if either holds at *now*."""
    with _session(db) as s:
        mine = s.get(LoginAttemptRow, (login, client))
        if mine is not None and mine.locked_until is not None and mine.locked_until > now:
            return LoginBlock("locked", mine.locked_until)
        every = s.get(LoginFailureRow, login)
        if every is not None and every.locked_until is not None and every.locked_until > now:
            return LoginBlock("throttled", every.locked_until)
    return None


def count_failure(db, login: str, client: str, now: datetime, lock_after: int, lock_for: timedelta,
                  throttle_after: int, throttle_every: timedelta) -> bool:
    """Count a failed attempt of *login* from *client*, in one transaction: *lock_after* failures in
    a row from one address lock that address out for *lock_for* (a lock that has run out starts
    its count afresh); from *throttle_after* failures from all addresses on, the login takes one
    attempt per *throttle_every*. True when this attempt locks the address."""
    with _session(db) as s:
        mine = s.get(LoginAttemptRow, (login, client)) or LoginAttemptRow(login=login, client=client, failures=0)
        if mine.locked_until is not None and mine.locked_until <= now:
            mine.failures, mine.locked_until = 0, None
        mine.failures += 1
        mine.last_failed_at = now
        locked = mine.failures >= lock_after
        if locked:
            mine.locked_until = now + lock_for
        every = s.get(LoginFailureRow, login) or LoginFailureRow(login=login, failures=0)
        every.failures += 1
        every.last_failed_at = now
        if every.failures >= throttle_after:
            every.locked_until = now + throttle_every
        s.add(mine)
        s.add(every)
        s.commit()
        return locked


def clear_failures(db, login: str, client: str) -> None:
    """After a successful login: the address's count and the login's throttle start afresh (the
    locks of other addresses stay until they run out)."""
    with _session(db) as s:
        s.exec(delete(LoginAttemptRow).where(LoginAttemptRow.login == login, LoginAttemptRow.client == client))
        s.exec(delete(LoginFailureRow).where(LoginFailureRow.login == login))
        s.commit()


def add_session(db, row: SessionRow, idle_before: datetime, created_before: datetime) -> None:
    """Store a new session; sessions last seen before *idle_before* or created before
    *created_before* are swept out on the way."""
    with _session(db) as s:
        s.exec(delete(SessionRow).where((SessionRow.last_seen_at < idle_before)
                                        | (SessionRow.created_at < created_before)))
        s.add(row)
        s.commit()


def live_session(db, id_hash: str, now: datetime, idle: timedelta, max_age: timedelta,
                 touch_every: timedelta) -> SessionRow | None:
    """The session row if it is live (an expired one is deleted); its last_seen is written when
    older than *touch_every*."""
    with _session(db) as s:
        row = s.get(SessionRow, id_hash)
        if row is None:
            return None
        if now - row.last_seen_at > idle or now - row.created_at > max_age:
            s.delete(row)
            s.commit()
            return None
        if now - row.last_seen_at > touch_every:
            row.last_seen_at = now
            s.add(row)
            s.commit()
        return row


def delete_session(db, id_hash: str) -> bool:
    with _session(db) as s:
        row = s.get(SessionRow, id_hash)
        if row is None:
            return False
        s.delete(row)
        s.commit()
        return True


def delete_sessions_of(db, login: str) -> int:
    with _session(db) as s:
        rows = list(s.exec(select(SessionRow).where(SessionRow.login == login)))
        for row in rows:
            s.delete(row)
        s.commit()
        return len(rows)
