"""Logging in and staying logged in: password or directory check, lock-out after repeated failures,
browser sessions with an idle timeout. All state is in the index database, so any `dms serve`
process behind a load balancer can answer any request."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, delete, select

from ..config import AccessConfig
from ..services.actor import Actor
from . import accounts, audit
from .accounts import AccountError, now, sha256
from .audit import ensure_tables
from .models import LoginFailureRow, SessionRow

_TOUCH_EVERY = timedelta(seconds=30)  # how stale last_seen may get before a request writes it


class LoginFailed(Exception):
    """Login refused; the message is one sentence safe to show (it never says which part was wrong)."""


@dataclass(frozen=True)
class NewSession:
    cookie: str          # the secret for the browser; only its hash is stored
    csrf_token: str
    actor: Actor


def _locked_until(engine, login: str) -> datetime | None:
    with Session(engine, expire_on_commit=False) as s:
        row = s.get(LoginFailureRow, login)
        if row is not None and row.locked_until is not None and row.locked_until > now():
            return row.locked_until
    return None


def _count_failure(engine, cfg: AccessConfig, login: str) -> bool:
    """Count a failed attempt; True when it locks the account."""
    with Session(engine, expire_on_commit=False) as s:
        row = s.get(LoginFailureRow, login) or LoginFailureRow(login=login, failures=0)
        if row.locked_until is not None and row.locked_until <= now():
            row.failures, row.locked_until = 0, None
        row.failures += 1
        row.last_failed_at = now()
        locked = row.failures >= cfg.lockout_failures
        if locked:
            row.locked_until = now() + timedelta(minutes=cfg.lockout_minutes)
        s.add(row)
        s.commit()
        return locked


def _clear_failures(engine, login: str) -> None:
    with Session(engine, expire_on_commit=False) as s:
        s.exec(delete(LoginFailureRow).where(LoginFailureRow.login == login))
        s.commit()


def authenticate(engine, settings, login: str, password: str, client: str) -> Actor:
    """Check a login (local password, else the directory if enabled); every attempt is logged.

    Raises LoginFailed with a message fit for the user."""
    ensure_tables(engine)
    cfg: AccessConfig = settings.access
    try:
        login = accounts.normalise_login(login)
    except AccountError:
        audit.record(engine, Actor(login="-", role="", client=client), "login", None, "denied", object_type="user",
                     reason="malformed login name", attempted=(login or "")[:64])
        raise LoginFailed("Login or password is wrong.") from None
    attempt = Actor(login=login, role="", client=client)
    if _locked_until(engine, login) is not None:
        audit.record(engine, attempt, "login", login, "denied", object_type="user", reason="locked")
        raise LoginFailed(f"Too many failed logins: this account is locked for {cfg.lockout_minutes} minutes.")
    user = accounts.get_user(engine, login)
    ok, reason = False, "wrong credentials"
    if user is not None and user.source == "local":
        ok = accounts.check_password(user.password_hash, password)
    elif cfg.ldap.enabled and (user is None or user.source == "ldap"):
        from .directory import DirectoryUnavailable, authenticate as directory_login

        try:
            found = directory_login(cfg.ldap, login, password)
        except DirectoryUnavailable as exc:
            audit.record(engine, attempt, "login", login, "failed", object_type="user", reason=str(exc))
            raise LoginFailed("The directory cannot be reached; please try again shortly.") from None
        if found is not None and found.role is None:
            reason = "no DMS group in the directory"
        elif found is not None:
            user = accounts.upsert_directory_user(engine, login, found.role, list(found.teams), found.display_name)
            ok = True
    else:
        accounts.check_password(None, password)  # same work as for a real account
    if not ok:
        locked = _count_failure(engine, cfg, login)
        audit.record(engine, attempt, "login", login, "denied", object_type="user", reason=reason,
                     locked=locked)
        raise LoginFailed("Too many failed logins: this account is locked for "
                          f"{cfg.lockout_minutes} minutes." if locked else "Login or password is wrong.")
    _clear_failures(engine, login)
    actor = accounts.actor_for(engine, login, client)
    if actor is None:
        audit.record(engine, attempt, "login", login, "denied", object_type="user", reason="disabled")
        raise LoginFailed("This account is disabled.")
    accounts.mark_login(engine, login)
    audit.record(engine, actor, "login", login, object_type="user", source=user.source)
    return actor


def start_session(engine, cfg: AccessConfig, actor: Actor) -> NewSession:
    """A new session; sessions that ended unnoticed (idle, too old) are swept out on the way."""
    cookie, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    current = now()
    with Session(engine, expire_on_commit=False) as s:
        s.exec(delete(SessionRow).where(
            (SessionRow.last_seen_at < current - timedelta(minutes=cfg.session_idle_minutes))
            | (SessionRow.created_at < current - timedelta(hours=cfg.session_max_hours))))
        s.add(SessionRow(id_hash=sha256(cookie), login=actor.login, csrf_token=csrf, client=actor.client))
        s.commit()
    return NewSession(cookie, csrf, actor)


@dataclass(frozen=True)
class ActiveSession:
    login: str
    csrf_token: str


def find_session(engine, cfg: AccessConfig, cookie: str) -> ActiveSession | None:
    """The live session for a cookie value, or None when unknown, idle too long or too old
    (an expired session is deleted)."""
    if not cookie or len(cookie) > 200:
        return None
    ensure_tables(engine)
    key, current = sha256(cookie), now()
    with Session(engine, expire_on_commit=False) as s:
        row = s.get(SessionRow, key)
        if row is None:
            return None
        if (current - row.last_seen_at > timedelta(minutes=cfg.session_idle_minutes)
                or current - row.created_at > timedelta(hours=cfg.session_max_hours)):
            s.delete(row)
            s.commit()
            return None
        if current - row.last_seen_at > _TOUCH_EVERY:
            row.last_seen_at = current
            s.add(row)
            s.commit()
        return ActiveSession(row.login, row.csrf_token)


def end_session(engine, cookie: str) -> bool:
    with Session(engine, expire_on_commit=False) as s:
        row = s.get(SessionRow, sha256(cookie or ""))
        if row is None:
            return False
        s.delete(row)
        s.commit()
        return True


def end_sessions_of(engine, login: str) -> int:
    with Session(engine, expire_on_commit=False) as s:
        rows = list(s.exec(select(SessionRow).where(SessionRow.login == login)))
        for row in rows:
            s.delete(row)
        s.commit()
        return len(rows)
