"""Accounts: users, Argon2id passwords, API tokens, substitutions, and turning a login into an Actor.

Passwords are stored only as Argon2id hashes, API tokens and session ids only as SHA-256 hashes
(they are 256-bit random values, so a fast hash suffices). An actor's teams include the teams of
colleagues they currently substitute for; a substitution ends by itself after its last day, and
its end is written to the access log the first time it is noticed.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from datetime import date, datetime, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from ..errors import Forbidden
from ..services.actor import Actor
from . import audit
from .audit import ensure_tables
from .models import ApiTokenRow, SubstitutionRow, UserRow
from .policy import PERSON_ROLES

LOGIN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
TOKEN_PREFIX = "dms_"
_hasher = PasswordHasher()  # Argon2id with the library's current recommended parameters
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


class AccountError(ValueError):
    """A request about accounts that cannot be carried out; the message is one line."""


def now() -> datetime:
    return datetime.now(timezone.utc)


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def normalise_login(login: str) -> str:
    login = (login or "").strip().lower()
    if not LOGIN.match(login):
        raise AccountError("a login is 1-64 lower-case letters, digits, dots, hyphens or underscores")
    return login


def hash_password(password: str) -> str:
    if len(password) < 8:
        raise AccountError("a password needs at least 8 characters")
    return _hasher.hash(password)


def check_password(stored_hash: str | None, password: str) -> bool:
    """Constant work whether or not an account has a password, so timing tells nothing."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def teams_of(user: UserRow) -> list[str]:
    return list(json.loads(user.teams or "[]"))


# --- users ---------------------------------------------------------------------------------

def add_user(engine, login: str, role: str, teams: list[str] = (), password: str | None = None,
             display_name: str = "", source: str = "local") -> UserRow:
    login = normalise_login(login)
    if role not in PERSON_ROLES:
        raise AccountError(f"unknown role {role!r}; one of: {', '.join(PERSON_ROLES)}")
    if role in ("sachbearbeitung", "teamleitung") and not teams:
        raise AccountError(f"role {role} needs at least one --team")
    ensure_tables(engine)
    from .teams import list_teams

    known = {t.name for t in list_teams(engine)}
    unknown = [t for t in teams if t not in known]
    if unknown and source == "local":
        raise AccountError(f"unknown team(s): {', '.join(unknown)} (create with `dms teams add`)")
    with Session(engine, expire_on_commit=False) as s:
        if s.get(UserRow, login) is not None:
            raise AccountError(f"user {login} exists already")
        row = UserRow(login=login, role=role, teams=json.dumps(sorted(set(teams))), display_name=display_name,
                      source=source, password_hash=hash_password(password) if password else None)
        s.add(row)
        s.commit()
        s.refresh(row)
        return row


def get_user(engine, login: str) -> UserRow | None:
    ensure_tables(engine)
    with Session(engine, expire_on_commit=False) as s:
        return s.get(UserRow, login)


def list_users(engine) -> list[UserRow]:
    ensure_tables(engine)
    with Session(engine, expire_on_commit=False) as s:
        return list(s.exec(select(UserRow).order_by(UserRow.login)))


def set_disabled(engine, login: str, disabled: bool = True) -> UserRow:
    """A disabled user's sessions and tokens stop working at their next request."""
    with Session(engine, expire_on_commit=False) as s:
        row = s.get(UserRow, normalise_login(login))
        if row is None:
            raise AccountError(f"no user {login}")
        row.disabled = disabled
        s.add(row)
        s.commit()
        s.refresh(row)
        return row


def set_password(engine, login: str, password: str) -> None:
    with Session(engine, expire_on_commit=False) as s:
        row = s.get(UserRow, normalise_login(login))
        if row is None:
            raise AccountError(f"no user {login}")
        row.password_hash = hash_password(password)
        s.add(row)
        s.commit()


def upsert_directory_user(engine, login: str, role: str, teams: list[str], display_name: str) -> UserRow:
    """Record a directory login: role and teams follow the directory's groups at every login."""
    ensure_tables(engine)
    with Session(engine, expire_on_commit=False) as s:
        row = s.get(UserRow, login)
        if row is None:
            row = UserRow(login=login, role=role, source="ldap")
        elif row.source != "ldap":
            raise AccountError(f"{login} is a local account")
        row.role, row.teams, row.display_name = role, json.dumps(sorted(set(teams))), display_name
        s.add(row)
        s.commit()
        s.refresh(row)
        return row


def mark_login(engine, login: str) -> None:
    with Session(engine, expire_on_commit=False) as s:
        row = s.get(UserRow, login)
        if row is not None:
            row.last_login_at = now()
            s.add(row)
            s.commit()


# --- API tokens ------------------------------------------------------------------------------

def issue_token(engine, login: str, label: str = "") -> str:
    """A new API token for *login*; the token is shown once, only its hash is kept."""
    user = get_user(engine, normalise_login(login))
    if user is None:
        raise AccountError(f"no user {login}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with Session(engine, expire_on_commit=False) as s:
        s.add(ApiTokenRow(token_hash=sha256(token), login=user.login, label=label))
        s.commit()
    return token


def login_for_token(engine, token: str) -> str | None:
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    ensure_tables(engine)
    with Session(engine, expire_on_commit=False) as s:
        row = s.get(ApiTokenRow, sha256(token))
        return None if row is None or row.revoked else row.login


def revoke_tokens(engine, login: str) -> int:
    with Session(engine, expire_on_commit=False) as s:
        rows = list(s.exec(select(ApiTokenRow).where(ApiTokenRow.login == login, ApiTokenRow.revoked == False)))  # noqa: E712
        for row in rows:
            row.revoked = True
            s.add(row)
        s.commit()
        return len(rows)


# --- substitutions ----------------------------------------------------------------------------

def add_substitution(engine, actor: Actor, login: str, for_login: str, until: date) -> SubstitutionRow:
    """*login* works *for_login*'s cases up to and including *until*; checked by the policy, logged."""
    from .policy import require, require_substitution

    try:
        require(actor, "substitute")    # before anything else: no probing of who exists
    except Forbidden:
        audit.record(engine, actor, "substitute", login[:64], "denied", object_type="user", for_login=for_login[:64])
        raise
    login, for_login = normalise_login(login), normalise_login(for_login)
    if login == for_login:
        raise AccountError("a person cannot substitute for themselves")
    if until < date.today():
        raise AccountError(f"the end date {until.isoformat()} has passed")
    substitute, absent = get_user(engine, login), get_user(engine, for_login)
    if substitute is None or absent is None:
        raise AccountError(f"no user {login if substitute is None else for_login}")
    if substitute.role not in ("sachbearbeitung", "teamleitung"):
        raise AccountError(f"{login} is not a caseworker (role {substitute.role})")
    try:
        require_substitution(actor, frozenset(teams_of(substitute)), frozenset(teams_of(absent)))
    except Forbidden:
        audit.record(engine, actor, "substitute", login, "denied", object_type="user", for_login=for_login,
                     until=until.isoformat())
        raise
    with Session(engine, expire_on_commit=False) as s:
        row = SubstitutionRow(login=login, for_login=for_login, until=until, created_by=actor.login)
        s.add(row)
        s.commit()
        s.refresh(row)
    audit.record(engine, actor, "substitute", login, object_type="user", for_login=for_login,
                 until=until.isoformat(), teams=teams_of(absent))
    return row


def substitutions(engine, active_only: bool = False) -> list[SubstitutionRow]:
    ensure_tables(engine)
    with Session(engine, expire_on_commit=False) as s:
        q = select(SubstitutionRow).order_by(SubstitutionRow.until, SubstitutionRow.id)
        if active_only:
            q = q.where(SubstitutionRow.until >= date.today())
        return list(s.exec(q))


def end_expired_substitutions(engine, today: date | None = None) -> int:
    """Write the end of every substitution whose last day has passed to the access log (once)."""
    today = today or date.today()
    ensure_tables(engine)
    with Session(engine, expire_on_commit=False) as s:
        ended = list(s.exec(select(SubstitutionRow).where(SubstitutionRow.until < today,
                                                         SubstitutionRow.end_logged == False)))  # noqa: E712
        for row in ended:
            row.end_logged = True
            s.add(row)
        s.commit()
    for row in ended:
        audit.record(engine, Actor.system(), "substitution_ended", row.login, object_type="user",
                     for_login=row.for_login, until=row.until.isoformat())
    return len(ended)


# --- the actor behind a request ---------------------------------------------------------------

def actor_for(engine, login: str, client: str) -> Actor | None:
    """The Actor for an authenticated login, or None if the account is gone or disabled.

    Teams = the user's own teams + the teams of everyone they substitute for today."""
    today = date.today()
    with Session(engine, expire_on_commit=False) as s:
        user = s.get(UserRow, login)
        if user is None or user.disabled:
            return None
        teams = set(teams_of(user))
        if user.role in ("sachbearbeitung", "teamleitung"):
            subs = list(s.exec(select(SubstitutionRow).where(SubstitutionRow.login == login)))
            for sub in subs:
                if sub.until >= today:
                    absent = s.get(UserRow, sub.for_login)
                    if absent is not None:
                        teams.update(teams_of(absent))
            expired = any(sub.until < today and not sub.end_logged for sub in subs)
        else:
            expired = False
    if expired:
        end_expired_substitutions(engine, today)
    return Actor(login=user.login, role=user.role, teams=frozenset(teams), client=client)
