"""Logging in and staying logged in: password or directory check, lock-out after repeated failures,
browser sessions with an idle timeout. All state is in the index database, so any `dms serve`
process behind a load balancer can answer any request."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from ..config import AccessConfig
from ..index import access_store as store
from ..index.access_models import SessionRow
from ..services.actor import Actor
from . import accounts, audit
from .accounts import AccountError, now, sha256

_TOUCH_EVERY = timedelta(seconds=30)  # how stale last_seen may get before a request writes it


class LoginFailed(Exception):
    """Login refused; the message is one sentence safe to show (it never says which part was wrong)."""


@dataclass(frozen=True)
class NewSession:
    cookie: str          # the secret for the browser; only its hash is stored
    csrf_token: str
    actor: Actor


def authenticate(db, settings, login: str, password: str, client: str) -> Actor:
    """Check a login (local password, else the directory if enabled); every attempt is logged.

    Raises LoginFailed with a message fit for the user."""
    cfg: AccessConfig = settings.access
    try:
        login = accounts.normalise_login(login)
    except AccountError:
        audit.record(db, Actor(login="-", role="", client=client), "login", None, "denied", object_type="user",
                     reason="malformed login name", attempted=(login or "")[:64])
        raise LoginFailed("Login or password is wrong.") from None
    attempt = Actor(login=login, role="", client=client)
    blocked = store.login_blocked(db, login, client, now())
    if blocked is not None:
        audit.record(db, attempt, "login", login, "denied", object_type="user", reason=blocked.reason)
        raise LoginFailed(_blocked_message(blocked.reason, cfg))
    user = accounts.get_user(db, login)
    ok, reason = False, "wrong credentials"
    if user is not None and user.source == "local":
        ok = accounts.check_password(user.password_hash, password)
    elif cfg.ldap.enabled and (user is None or user.source == "ldap"):
        from .directory import DirectoryUnavailable, authenticate as directory_login

        try:
            found = directory_login(cfg.ldap, login, password)
        except DirectoryUnavailable as exc:
            audit.record(db, attempt, "login", login, "failed", object_type="user", reason=str(exc))
            raise LoginFailed("The directory cannot be reached; please try again shortly.") from None
        if found is not None and found.role is None:
            reason = "no DMS group in the directory"
        elif found is not None:
            user = accounts.upsert_directory_user(db, login, found.role, list(found.teams), found.display_name)
            ok = True
    else:
        accounts.check_password(None, password)  # same work as for a real account
    if not ok:
        locked = store.count_failure(db, login, client, now(), cfg.lockout_failures,
                                     timedelta(minutes=cfg.lockout_minutes), cfg.throttle_failures,
                                     timedelta(seconds=cfg.throttle_seconds))
        audit.record(db, attempt, "login", login, "denied", object_type="user", reason=reason,
                     locked=locked)
        raise LoginFailed(_blocked_message("locked", cfg) if locked else "Login or password is wrong.")
    store.clear_failures(db, login, client)
    actor = accounts.actor_for(db, login, client)
    if actor is None:
        audit.record(db, attempt, "login", login, "denied", object_type="user", reason="disabled")
        raise LoginFailed("This account is disabled.")
    accounts.mark_login(db, login)
    audit.record(db, actor, "login", login, object_type="user", source=user.source)
    return actor


def _blocked_message(reason: str, cfg: AccessConfig) -> str:
    if reason == "locked":
        return (f"Too many failed logins: this account is locked for {cfg.lockout_minutes} minutes "
                "from this address.")
    return (f"Too many failed logins for this account from several addresses: it takes one attempt per "
            f"{cfg.throttle_seconds} seconds; please try again shortly.")


def start_session(db, cfg: AccessConfig, actor: Actor) -> NewSession:
    """A new session; sessions that ended unnoticed (idle, too old) are swept out on the way."""
    cookie, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    current = now()
    store.add_session(db, SessionRow(id_hash=sha256(cookie), login=actor.login, csrf_token=csrf, client=actor.client),
                      idle_before=current - timedelta(minutes=cfg.session_idle_minutes),
                      created_before=current - timedelta(hours=cfg.session_max_hours))
    return NewSession(cookie, csrf, actor)


@dataclass(frozen=True)
class ActiveSession:
    login: str
    csrf_token: str


def find_session(db, cfg: AccessConfig, cookie: str) -> ActiveSession | None:
    """The live session for a cookie value, or None when unknown, idle too long or too old
    (an expired session is deleted)."""
    if not cookie or len(cookie) > 200:
        return None
    row = store.live_session(db, sha256(cookie), now(), timedelta(minutes=cfg.session_idle_minutes),
                             timedelta(hours=cfg.session_max_hours), _TOUCH_EVERY)
    return None if row is None else ActiveSession(row.login, row.csrf_token)


def end_session(db, cookie: str) -> bool:
    return store.delete_session(db, sha256(cookie or ""))


def end_sessions_of(db, login: str) -> int:
    return store.delete_sessions_of(db, login)
