"""Pipeline stage: read the fields of a classified document (after type and case are known)."""

from __future__ import annotations

import datetime as dt

from . import extract_fields


def purposes(settings) -> dict[str, list[str]]:
    """Application type → the wording of its purpose on application forms."""
    return {key: app.form_purposes for key, app in settings.applications.types.items() if app.form_purposes}


def read_fields(doc, ctx) -> None:
    """Set ``doc.fields``; a failure to read is never a failure to archive."""
    settings = ctx.settings
    doc.fields = extract_fields(doc.doc_type, doc.pages, min_confidence=settings.applications.min_field_confidence,
                                today=dt.date.today(), purposes=purposes(settings))
