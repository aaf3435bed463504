"""The browser pages on the application: the page kit (pages.py) and the route modules that
register on its router (pages_work, pages_applications, pages_search, pages_privacy). Kept apart from pages.py so that
the route modules import the kit and nothing imports them back."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from . import pages, pages_applications, pages_privacy, pages_search, pages_work  # noqa: F401 - they register their routes


def mount(app: FastAPI) -> None:
    """Add the pages, their static files and the HTML error pages to the application."""
    pages.templates.env.globals["url"] = pages.page_url
    pages.templates.env.globals["static"] = lambda path: pages.page_url("static", path=path)
    app.mount("/static", StaticFiles(directory=str(pages.HERE / "static")), name="static")
    app.include_router(pages.router)
    app.state.render_error = pages.render_error
