"""Pipeline stage: read the fields of a classified document (after type and case are known)."""

from __future__ import annotations

import datetime as dt
import threading
from contextlib import contextmanager
from typing import Callable, Iterator

from . import extract_fields
from .model import PageText

# Who listens to the pages fields are read from (`dms eval --keep-pages`: re-read without OCR later).
_listeners: list[Callable[[str, list[PageText]], None]] = []
_listeners_lock = threading.Lock()


@contextmanager
def listening(callback: Callable[[str, list[PageText]], None]) -> Iterator[None]:
    """Call *callback(source, page texts)* for every document whose fields are read meanwhile."""
    with _listeners_lock:
        _listeners.append(callback)
    try:
        yield
    finally:
        with _listeners_lock:
            _listeners.remove(callback)


def purposes(settings) -> dict[str, list[str]]:
    """Application type → the wording of its purpose on application forms."""
    return {key: app.form_purposes for key, app in settings.applications.types.items() if app.form_purposes}


def read_fields(doc, ctx) -> None:
    """Set ``doc.fields``; a failure to read is never a failure to archive."""
    settings = ctx.settings
    doc.fields = extract_fields(doc.doc_type, doc.pages, min_confidence=settings.applications.min_field_confidence,
                                today=dt.date.today(), purposes=purposes(settings))
    if _listeners:
        texts = [PageText.from_page(p) for p in doc.pages]
        for callback in list(_listeners):
            callback(doc.source, texts)
