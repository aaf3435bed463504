"""Who is asking: a session cookie (browsers) or `Authorization: Bearer <token>` (programs) turned
into an Actor, CSRF checks for cookie-authenticated changes, and the login/logout primitives the
API and the pages share.

Cookies are HttpOnly and SameSite=Strict, Secure when the request came over TLS (or always, by
configuration). Secrets never appear in URLs or logs: the session id and API tokens are stored only
as SHA-256 hashes, and requests carrying them are logged without them.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request, Response
from starlette.concurrency import run_in_threadpool

from ..access import accounts, audit, sessions
from ..access.sessions import LoginFailed
from ..services.actor import Actor

SESSION_COOKIE = "dms_session"
LOGIN_CSRF_COOKIE = "dms_login_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class NotAuthenticated(Exception):
    """No valid credentials (HTTP 401); the message is one sentence."""

    def __init__(self, message: str = "Please log in: no valid session or API token was sent.",
                 expired: bool = False):
        super().__init__(message)
        self.expired = expired


class CsrfFailed(Exception):
    """A state-changing request from a browser session without the session's CSRF token (HTTP 403)."""


def _catalog(request: Request):
    return request.app.state.runtime.catalog


def _settings(request: Request):
    return request.app.state.runtime.settings


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


async def _csrf_from_request(request: Request) -> str:
    token = request.headers.get(CSRF_HEADER, "")
    if not token and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()  # cached by Starlette: the endpoint can still read it
        token = str(form.get(CSRF_FIELD, ""))
    return token


def _resolve(request: Request) -> tuple[Actor | None, str | None]:
    """(actor, session CSRF token) from the request's credentials; blocking database work."""
    db, client = _catalog(request), client_address(request)
    token = _bearer(request)
    if token is not None:
        actor = accounts.actor_for_token(db, token, client)
        if actor is None:
            raise NotAuthenticated("The API token is not valid (unknown, revoked, or its user is disabled).")
        return actor, None
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None, None
    found = sessions.find_session(db, _settings(request).access, cookie)
    if found is None:
        raise NotAuthenticated("Your session has ended; please log in again.", expired=True)
    actor = accounts.actor_for(db, found.login, client)
    if actor is None:
        sessions.end_session(db, cookie)
        raise NotAuthenticated("This account is disabled.")
    return actor, found.csrf_token


async def authenticate_request(request: Request) -> Actor | None:
    """The actor behind *request*, or None. Sets request.state.actor and .csrf_token for templates.

    Raises NotAuthenticated(expired=True) for a cookie whose session ended, so pages can say so, and
    CsrfFailed for a cookie-authenticated change without the right CSRF token."""
    if hasattr(request.state, "actor"):
        return request.state.actor
    actor, csrf = await run_in_threadpool(_resolve, request)
    if csrf is not None and request.method not in _SAFE_METHODS:
        sent = await _csrf_from_request(request)
        if not sent or not hmac.compare_digest(sent, csrf):
            raise CsrfFailed("The form was out of date or not sent by this application (CSRF check); "
                             "please reload the page and try again.")
    request.state.actor, request.state.csrf_token = actor, csrf
    return actor


async def current_actor(request: Request) -> Actor:
    """FastAPI dependency: the authenticated actor, or 401."""
    actor = await authenticate_request(request)
    if actor is None:
        raise NotAuthenticated()
    return actor


async def optional_actor(request: Request) -> Actor | None:
    """FastAPI dependency for pages that also show something to anonymous visitors (the login page)."""
    try:
        return await authenticate_request(request)
    except NotAuthenticated:
        request.state.actor, request.state.csrf_token = None, None
        return None


def csrf_token(request: Request) -> str | None:
    """The CSRF token of the request's session, for forms (hidden field `csrf_token`)."""
    return getattr(request.state, "csrf_token", None)


def _secure(request: Request) -> bool:
    return _settings(request).web.secure_cookies == "always" or request.url.scheme == "https"


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int | None = None) -> None:
    response.set_cookie(name, value, max_age=max_age, path="/", httponly=True, samesite="strict",
                        secure=_secure(request))


def login(request: Request, response: Response, login_name: str, password: str) -> sessions.NewSession:
    """Check credentials, start a session and set its cookie. Raises LoginFailed."""
    db = _catalog(request)
    actor = sessions.authenticate(db, _settings(request), login_name, password, client_address(request))
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        sessions.end_session(db, old)  # a new session id at every login (no session fixation)
    new = sessions.start_session(db, _settings(request).access, actor)
    set_cookie(request, response, SESSION_COOKIE, new.cookie)
    request.state.actor, request.state.csrf_token = actor, new.csrf_token
    return new


def logout(request: Request, response: Response) -> None:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie and sessions.end_session(_catalog(request), cookie):
        actor = getattr(request.state, "actor", None)
        if actor is not None:
            audit.record(_catalog(request), actor, "logout", actor.login, object_type="user")
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict", secure=_secure(request))


# --- CSRF for the login form (there is no session yet): a double-submit token ------------------

def issue_login_csrf(request: Request, response: Response) -> str:
    """A token for the login form's hidden field, also set as a cookie; `check_login_csrf` compares."""
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)
    set_cookie(request, response, LOGIN_CSRF_COOKIE, token)
    return token


def check_login_csrf(request: Request, form_token: str) -> bool:
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    return bool(cookie) and bool(form_token) and hmac.compare_digest(cookie, form_token)


__all__ = ["CsrfFailed", "LoginFailed", "NotAuthenticated", "authenticate_request", "check_login_csrf",
           "client_address", "csrf_token", "current_actor", "issue_login_csrf", "login", "logout",
           "optional_actor", "set_cookie"]
