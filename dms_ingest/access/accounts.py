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
from .. import office_time
from ..errors import Forbidden
from ..index import access_store as store
from ..index.access_models import SubstitutionRow, UserRow
from ..services.actor import Actor
from . import audit
from .policy import CASEWORK_ROLES, PERSON_ROLES

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

def add_user(db, login: str, role: str, teams: list[str] = (), password: str | None = None,
             display_name: str = "", source: str = "local") -> UserRow:
    login = normalise_login(login)
    if role not in PERSON_ROLES:
        raise AccountError(f"unknown role {role!r}; one of: {', '.join(PERSON_ROLES)}")
    if role in CASEWORK_ROLES and not teams:
        raise AccountError(f"role {role} needs at least one --team")
    known = {t.name for t in store.list_teams(db)}
    unknown = [t for t in teams if t not in known]
    if unknown and source == "local":
        raise AccountError(f"unknown team(s): {', '.join(unknown)} (create with `dms teams add`)")
    row = store.insert_user(db, UserRow(login=login, role=role, teams=json.dumps(sorted(set(teams))),
                                        display_name=display_name, source=source,
                                        password_hash=hash_password(password) if password else None))
    if row is None:
        raise AccountError(f"user {login} exists already")
    return row


def get_user(db, login: str) -> UserRow | None:
    return store.get_user(db, login)


def list_users(db) -> list[UserRow]:
    return store.list_users(db)


def _update(db, login: str, **changes) -> UserRow:
    row = store.update_user(db, normalise_login(login), **changes)
    if row is None:
        raise AccountError(f"no user {login}")
    return row


def set_disabled(db, login: str, disabled: bool = True) -> UserRow:
    """A disabled user's sessions and tokens stop working at their next request."""
    return _update(db, login, disabled=disabled)


def set_password(db, login: str, password: str) -> None:
    _update(db, login, password_hash=hash_password(password))


def upsert_directory_user(db, login: str, role: str, teams: list[str], display_name: str) -> UserRow:
    """Record a directory login: role and teams follow the directory's groups at every login."""
    row = store.save_directory_user(db, login, role, json.dumps(sorted(set(teams))), display_name)
    if row is None:
        raise AccountError(f"{login} is a local account")
    return row


def mark_login(db, login: str) -> None:
    store.update_user(db, login, last_login_at=now())


# --- API tokens ------------------------------------------------------------------------------

def issue_token(db, login: str, label: str = "") -> str:
    """A new API token for *login*; the token is shown once, only its hash is kept."""
    user = get_user(db, normalise_login(login))
    if user is None:
        raise AccountError(f"no user {login}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    store.add_token(db, sha256(token), user.login, label)
    return token


def actor_for_token(db, token: str, client: str) -> Actor | None:
    """The Actor of an API token, or None if the token is malformed, unknown or revoked, or its
    user is gone or disabled (see `actor_for`)."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    today = office_time.today()
    return _actor(db, store.token_teams_reached(db, sha256(token), today, teams_of, CASEWORK_ROLES), today, client)


def revoke_tokens(db, login: str) -> int:
    return store.revoke_tokens(db, login)


# --- substitutions ----------------------------------------------------------------------------

def add_substitution(db, actor: Actor, login: str, for_login: str, until: date) -> SubstitutionRow:
    """*login* works *for_login*'s cases up to and including *until*; checked by the policy, logged."""
    from .policy import require, require_substitution

    try:
        require(actor, "substitute")    # before anything else: no probing of who exists
    except Forbidden:
        audit.record(db, actor, "substitute", login[:64], "denied", object_type="user", for_login=for_login[:64])
        raise
    login, for_login = normalise_login(login), normalise_login(for_login)
    if login == for_login:
        raise AccountError("a person cannot substitute for themselves")
    if until < office_time.today():
        raise AccountError(f"the end date {until.isoformat()} has passed")
    substitute, absent = get_user(db, login), get_user(db, for_login)
    if substitute is None or absent is None:
        raise AccountError(f"no user {login if substitute is None else for_login}")
    if substitute.role not in CASEWORK_ROLES:
        raise AccountError(f"{login} is not a caseworker (role {substitute.role})")
    try:
        require_substitution(actor, frozenset(teams_of(substitute)), frozenset(teams_of(absent)))
    except Forbidden:
        audit.record(db, actor, "substitute", login, "denied", object_type="user", for_login=for_login,
                     until=until.isoformat())
        raise
    row = store.add_substitution(db, SubstitutionRow(login=login, for_login=for_login, until=until,
                                                     created_by=actor.login))
    audit.record(db, actor, "substitute", login, object_type="user", for_login=for_login,
                 until=until.isoformat(), teams=teams_of(absent))
    return row


def substitutions(db, active_only: bool = False) -> list[SubstitutionRow]:
    return store.substitutions(db, office_time.today() if active_only else None)


def end_expired_substitutions(db, today: date | None = None) -> int:
    """Write the end of every substitution whose last day has passed to the access log (once)."""
    ended = store.take_ended_substitutions(db, today or office_time.today())
    for row in ended:
        audit.record(db, Actor.system(), "substitution_ended", row.login, object_type="user",
                     for_login=row.for_login, until=row.until.isoformat())
    return len(ended)


# --- the actor behind a request ---------------------------------------------------------------

def actor_for(db, login: str, client: str) -> Actor | None:
    """The Actor for an authenticated login, or None if the account is gone or disabled.

    Teams = the user's own teams + the teams of everyone they substitute for today."""
    today = office_time.today()
    return _actor(db, store.teams_reached(db, login, today, teams_of, CASEWORK_ROLES), today, client)


def _actor(db, found: tuple | None, today: date, client: str) -> Actor | None:
    """The Actor from `teams_reached`'s answer; logs the end of substitutions that ended unlogged."""
    if found is None:
        return None
    user, teams, expired = found
    if expired:
        end_expired_substitutions(db, today)
    return Actor(login=user.login, role=user.role, teams=frozenset(teams), client=client)
