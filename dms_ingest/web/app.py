"""The web application (FastAPI): REST API under /api, the pages (web/pages*.py) on the same app.

`create_app(settings)` builds it over one service Runtime; `dms serve` runs it with uvicorn.
Every response carries a restrictive Content-Security-Policy and friends; errors under /api are
`{"error": "<one readable sentence>"}` with 401/403/404/422 (and 409/503 for refused/unavailable).
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..access import audit
from ..config import Settings, load_settings
from ..errors import Forbidden, Invalid, NotFound, Refused, ServiceError, Unavailable
from ..services.runtime import Runtime
from .auth import CsrfFailed, NotAuthenticated

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
STATUS = {NotFound: 404, Invalid: 422, Forbidden: 403, Refused: 409, Unavailable: 503}
log = logging.getLogger("dms_ingest.web")


class SecurityHeaders:
    """Pure ASGI middleware: the security headers on every response (pages, API, errors, files);
    no caching of anything but static files, which may hold nothing personal. Also a
    `Server-Timing: app;dur=MS` header (time in the application until the response starts), so
    monitoring and benchmarks can tell server time from network and client time."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        static = scope.get("path", "").startswith("/static/")
        started = time.perf_counter()

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.lower() not in {h for h, _ in SECURITY_HEADERS}]
                headers.extend(SECURITY_HEADERS)
                if not static and not any(k.lower() == b"cache-control" for k, _ in headers):
                    headers.append((b"cache-control", b"no-store"))
                if scope.get("scheme") == "https":
                    headers.append((b"strict-transport-security", b"max-age=31536000"))
                headers.append((b"server-timing", f"app;dur={(time.perf_counter() - started) * 1000:.1f}".encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("dms-ingest")
    except PackageNotFoundError:
        return "0"


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api") or "text/html" not in request.headers.get("accept", "")


def error_response(request: Request, status: int, message: str, **extra):
    """JSON `{"error": ...}` for the API and programs; pages may install `app.state.render_error`
    (request, status, message, extra) to show an HTML page instead."""
    render = getattr(request.app.state, "render_error", None)
    if render is not None and not wants_json(request):
        return render(request, status, message, extra)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(NotAuthenticated)
    async def _unauthenticated(request: Request, exc: NotAuthenticated):
        return error_response(request, 401, str(exc), expired=exc.expired)

    @app.exception_handler(CsrfFailed)
    async def _csrf(request: Request, exc: CsrfFailed):
        return error_response(request, 403, str(exc))

    @app.exception_handler(ServiceError)
    async def _service(request: Request, exc: ServiceError):
        status = next((code for kind, code in STATUS.items() if isinstance(exc, kind)), 400)
        return error_response(request, status, str(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("query", "body", "path"))
        if first.get("type") == "json_invalid":     # its location is a byte offset, no parameter
            message = "The request body is not valid JSON."
        elif where:
            message = f"Bad parameter {where}: {first.get('msg', 'invalid')}."
        elif first.get("loc", ("",))[0] == "body":
            message = "The request body is missing or is not the JSON this address expects."
        else:
            message = "Bad request."
        return error_response(request, 422, message, parameter=where)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        message = exc.detail if isinstance(exc.detail, str) and exc.status_code != 404 else (
            "There is nothing at this address." if exc.status_code == 404 else "The request failed.")
        return error_response(request, exc.status_code, message)

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        response = error_response(request, 500, "Internal error; it has been logged.")
        # Starlette answers unhandled errors outside all middleware: set the headers here too.
        for name, value in SECURITY_HEADERS:
            response.headers[name.decode()] = value.decode()
        response.headers["cache-control"] = "no-store"
        return response


def create_app(settings: Settings | None = None, *, runtime: Runtime | None = None) -> FastAPI:
    """The application over one Runtime (catalog and store opened once, shared by all requests)."""
    runtime = runtime or Runtime(settings or load_settings())
    settings = runtime.settings
    audit.log_reads = settings.access.log_reads
    app = FastAPI(title="dms-ingest", version=_version(),
                  description="REST API of the e-Akte: search, case files, documents, review, upload, access log. "
                              "Authenticate with a session cookie (POST /api/login) or "
                              "`Authorization: Bearer <token>` (`dms users token LOGIN`).",
                  openapi_url="/api/openapi.json", docs_url=None, redoc_url=None)
    app.state.runtime = runtime
    app.state.render_error = None
    _install_error_handlers(app)

    from . import api, api_applications, site

    app.include_router(api.router)
    app.include_router(api_applications.router)
    site.mount(app)
    app.add_middleware(SecurityHeaders)
    return app


def create_app_from_env() -> FastAPI:
    """Factory for uvicorn worker processes (`dms serve --workers N`): config and home from the
    environment that `dms serve` set."""
    config = os.environ.get("DMS_CONFIG")
    return create_app(load_settings(Path(config) if config else None, None))
