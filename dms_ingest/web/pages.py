"""The browser pages (server-rendered, German) on the API's application: shared machinery.

Pages call the service layer only; rights come from access/policy.py through it. Templates get
plain values and escape everything (Jinja2 autoescape), so text from scans, e-mails, file names
and the registry can never become markup. Forms carry the session's CSRF token; scripts are
files under /static (the CSP forbids inline scripts).

The routes themselves are in pages_work.py (inbox, mailroom, case file, document, upload),
pages_search.py (search, review queue) and pages_privacy.py (access log, Art. 15 report);
site.py mounts them on the application.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader

from ..access import policy
from ..services.actor import Actor
from . import auth, labels

HERE = Path(__file__).resolve().parent
# autoescape for every template, whatever its name: untrusted text never becomes markup.
templates = Jinja2Templates(env=Environment(loader=FileSystemLoader(str(HERE / "templates")), autoescape=True))
router = APIRouter(include_in_schema=False)
PageActor = Annotated[Actor, Depends(auth.current_actor)]


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    count: int | None = None
    current: bool = False
    count_id: str = ""


def page_url(name: str, **params) -> str:
    """The path of a page route by name, like `app.url_path_for` but a dictionary look-up and a
    format: templates call it for every link, and the router's own search over all routes is slow."""
    template = _PATHS.get(name)
    if template is None:
        _PATHS.update({r.name: r.path_format for r in router.routes if getattr(r, "name", None)})
        template = _PATHS[name]
    return template.format(**{k: quote(str(v), safe="/" if name == "static" else "") for k, v in params.items()})


_PATHS: dict[str, str] = {"static": "/static/{path}"}


def runtime(request: Request):
    return request.app.state.runtime


def page_cache(request: Request):
    """The page-image cache of this application (one per process, files shared on disk)."""
    from .page_images import PageImageCache

    cache = getattr(request.app.state, "page_images", None)
    if cache is None:
        cache = PageImageCache(runtime(request).settings.home / "cache" / "pages")
        request.app.state.page_images = cache
    return cache


def _navigation(request: Request, actor: Actor) -> list[NavItem]:
    from ..services import inbox

    path = request.url.path
    items: list[NavItem] = []

    def add(label: str, name: str, count: int | None = None) -> None:
        href = page_url(name)
        current = path == href or (href != "/" and path.startswith(href + "/"))
        items.append(NavItem(label, href, count, current, "posteingang-zahl" if name == "inbox" else ""))

    if policy.allowed(actor, "inbox"):
        count = getattr(request.state, "inbox_unseen", None)    # the inbox page has just counted
        add("Posteingang", "inbox", inbox.unseen_count(actor, runtime(request)) if count is None else count)
    if policy.allowed(actor, "intake"):
        add("Eingang heute", "mailroom")
    if actor.role in policy.CASEWORK_ROLES or actor.role == "system":
        add("Fallakten", "cases")
    if policy.allowed(actor, "applications_ready"):
        add("Terminreif", "applications_ready")
    if policy.allowed(actor, "search"):
        add("Suche", "search")
    if policy.allowed(actor, "review_list"):
        add("Prüfliste", "review")
    if policy.allowed(actor, "audit_read"):
        add("Zugriffsprotokoll", "privacy")
        add("Auskunft Art. 15", "privacy_report")
    return items


def render(request: Request, template: str, title: str, status: int = 200, **values: Any) -> HTMLResponse:
    actor = getattr(request.state, "actor", None)
    context = {"request": request, "title": title, "user": actor, "messages": values.pop("messages", []),
               "csrf_token": auth.csrf_token(request) or values.pop("login_csrf", ""),
               "nav": _navigation(request, actor) if actor else [],
               "role_label": labels.ROLES.get(actor.role, actor.role) if actor else "", **values}
    return templates.TemplateResponse(request, template, context, status_code=status)


def message(kind: str, text: str) -> dict:
    return {"kind": kind, "text": text}


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def query_string(**params: Any) -> str:
    kept = {k: v for k, v in params.items() if v not in (None, "", 0)}
    return ("?" + urlencode(kept)) if kept else ""


def _safe_next(target: str | None) -> str:
    """Only a path of this site may follow a login (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


# --- errors as pages --------------------------------------------------------------------------

_ERRORS = {
    403: ("Kein Zugriff", "Sie haben keine Berechtigung für diese Seite oder dieses Dokument. "
                          "Der Zugriffsversuch wurde protokolliert."),
    404: ("Nicht gefunden", "Unter dieser Adresse gibt es nichts – das Dokument oder die Akte existiert nicht."),
    409: ("Nicht möglich", "Dieser Vorgang ist für das Dokument derzeit nicht erlaubt."),
    422: ("Eingabe nicht verwendbar", "Bitte prüfen Sie Ihre Eingabe."),
    503: ("Vorübergehend nicht erreichbar", "Der Archivspeicher antwortet nicht. Bitte versuchen Sie es "
                                            "in einigen Minuten erneut; es wurde nichts verändert."),
}


def render_error(request: Request, status: int, text: str, extra: dict) -> Response:
    """The application's error answer for browsers (installed as app.state.render_error)."""
    if status == 401:
        here = request.url.path + (("?" + request.url.query) if request.url.query else "")
        params = {"next": here if request.method == "GET" and not request.headers.get("hx-request") else "/"}
        if extra.get("expired"):
            params["abgelaufen"] = "1"
        target = page_url("login") + "?" + urlencode(params)
        if request.headers.get("hx-request"):           # htmx would put the login into a table row
            return Response(status_code=204, headers={"HX-Redirect": target})
        response = redirect(target)
        if extra.get("expired"):
            response.delete_cookie(auth.SESSION_COOKIE, path="/")
        return response
    if request.headers.get("hx-request") and status >= 400:
        return Response(status_code=204, headers={"HX-Refresh": "true"})   # show the full page again
    if status == 403 and "CSRF" in text:
        heading, explanation = ("Formular abgelaufen", "Das Formular war nicht mehr gültig (Schutz vor "
                                "untergeschobenen Anfragen). Bitte laden Sie die Seite neu und versuchen Sie es erneut.")
    else:
        heading, explanation = _ERRORS.get(status, ("Fehler", "Die Anfrage konnte nicht ausgeführt werden."))
    if status == 403 and "/dokumente/" in request.url.path:
        explanation = ("Dieses Dokument gehört nicht zu den Akten, für die Sie zuständig sind. "
                       "Der Zugriffsversuch wurde protokolliert.")
    detail = text if status in (409, 422) else ""
    if extra.get("parameter"):      # the validator's English sentence is for programs; say it here in German
        detail = f"Die Angabe „{extra['parameter']}“ ist ungültig."
    if not hasattr(request.state, "actor"):     # the error came before anyone was recognised
        request.state.actor, request.state.csrf_token = None, None
    return render(request, "error.html", heading, status=status, heading=heading, explanation=explanation,
                  detail=detail, back_href="/", back_label="Zur Startseite")


# --- login, logout, start page ----------------------------------------------------------------

@router.get("/anmelden", name="login")
async def login_form(request: Request, next: str = "/", abgelaufen: str = "", abgemeldet: str = ""):
    actor = await auth.optional_actor(request)
    if actor is not None:
        return redirect(_safe_next(next))
    messages = []
    if abgelaufen:
        idle = runtime(request).settings.access.session_idle_minutes
        messages.append(message("warn", f"Ihre Sitzung ist abgelaufen (nach {idle} Minuten ohne Aktivität "
                                        "oder nach Ende der Höchstdauer). Bitte melden Sie sich erneut an."))
    if abgemeldet:
        messages.append(message("ok", "Sie sind abgemeldet."))
    return _login_page(request, messages, next)


def _login_page(request: Request, messages: list, next_url: str, login_name: str = "", status: int = 200):
    probe = HTMLResponse()
    token = auth.issue_login_csrf(request, probe)
    response = render(request, "login.html", "Anmelden", status=status, messages=messages, login_csrf=token,
                      next_url=_safe_next(next_url), login_name=login_name,
                      idle_minutes=runtime(request).settings.access.session_idle_minutes)
    for key, value in probe.raw_headers:
        if key == b"set-cookie":
            response.raw_headers.append((key, value))
    return response


@router.post("/anmelden")
def login_submit(request: Request, login: Annotated[str, Form(max_length=64)] = "",
                 password: Annotated[str, Form(max_length=1024)] = "",
                 csrf_token: Annotated[str, Form(max_length=200)] = "",
                 next: Annotated[str, Form(max_length=2000)] = "/"):
    request.state.actor, request.state.csrf_token = None, None
    if not auth.check_login_csrf(request, csrf_token):
        return _login_page(request, [message("error", "Das Anmeldeformular war abgelaufen. Bitte erneut anmelden.")],
                           next, login, status=403)
    response = redirect(_safe_next(next))
    try:
        auth.login(request, response, login, password)
    except auth.LoginFailed as exc:
        return _login_page(request, [message("error", _login_failure(str(exc)))], next, login, status=401)
    return response


def _login_failure(reason: str) -> str:
    if "locked" in reason:
        return "Zu viele fehlgeschlagene Anmeldungen: das Konto ist von diesem Rechner aus vorübergehend gesperrt."
    if "one attempt per" in reason:
        return ("Zu viele fehlgeschlagene Anmeldungen für dieses Konto: es nimmt gerade nur alle paar Sekunden "
                "einen Versuch an. Bitte versuchen Sie es gleich noch einmal.")
    if "directory" in reason:
        return "Das Verzeichnis ist nicht erreichbar. Bitte versuchen Sie es gleich noch einmal."
    if "disabled" in reason:
        return "Dieses Konto ist gesperrt."
    return "Benutzername oder Passwort ist falsch."


@router.post("/abmelden", name="logout")
async def logout(request: Request):
    await auth.authenticate_request(request)     # checks the CSRF token of a live session
    response = redirect(page_url("login") + "?abgemeldet=1")
    auth.logout(request, response)
    return response


@router.get("/", name="home")
def home(request: Request, actor: PageActor):
    for item in _navigation(request, actor):
        return redirect(item.href)
    return render(request, "home.html", "Start")
