"""The team inbox (Posteingang) and the mailroom's day: what arrived, for whom, and how it ended."""

from __future__ import annotations

import weakref
from datetime import date, timedelta

from .. import office_time
from ..access import policy
from ..errors import Invalid
from ..index import inbox as store
from ..ingest import inbox_folder
from ..ingest.quarantine import QuarantinedFile, quarantined
from .actor import Actor
from .runtime import Runtime, operation

STATES = ("seen", "done", "open")


_ready: "weakref.WeakSet" = weakref.WeakSet()     # engines whose inbox tables exist


def _engine(runtime: Runtime):
    engine = runtime.catalog.engine
    if engine not in _ready:
        store.ensure_tables(engine)
        _ready.add(engine)
    return engine


def team_inbox(actor: Actor, runtime: Runtime, *, show: str = "open", limit: int = 50, offset: int = 0) -> dict:
    """The documents filed into the actor's teams' cases, newest first, with seen/erledigt state."""
    if show not in ("open", "done", "all"):
        raise Invalid("show must be open, done or all")
    with operation(runtime, actor, "inbox", None, show=show) as note:
        policy.require(actor, "inbox")
        engine = _engine(runtime)
        teams = sorted(actor.teams)
        items = store.items(engine, teams, actor.login, show=show, limit=limit + 1, offset=offset)
        previous = store.visit(engine, actor.login)
        note.update(documents=len(items))
        return {"teams": teams, "items": items[:limit], "more": len(items) > limit, "last_visit": previous,
                "unseen": store.unseen_count(engine, teams, actor.login)}


def unseen_count(actor: Actor, runtime: Runtime) -> int:
    """The number in the navigation: open documents of the actor's teams not yet seen (not logged:
    it reveals no contents, and every page asks for it)."""
    if not policy.allowed(actor, "inbox"):
        return 0
    return store.unseen_count(_engine(runtime), sorted(actor.teams), actor.login)


def mark(actor: Actor, runtime: Runtime, document_ids: list[str], state: str) -> int:
    """Mark documents as seen (for the actor), erledigt (for the team) or open again."""
    if state not in STATES:
        raise Invalid(f"state must be one of {', '.join(STATES)}")
    with operation(runtime, actor, "inbox_mark", None, state=state, documents=document_ids[:50]) as note:
        policy.require(actor, "inbox")
        catalog = runtime.catalog
        allowed = []
        for doc_id in document_ids:
            doc = catalog.get(doc_id)
            if doc is not None and policy.allowed(actor, "show", document=doc, catalog=catalog):
                allowed.append(doc_id)
        store.mark(_engine(runtime), actor.login, allowed, state)
        note.update(marked=len(allowed))
        return len(allowed)


def intake(actor: Actor, runtime: Runtime, day: date | None = None) -> dict:
    """The mailroom's day: documents archived that day (assigned or for review) and files refused."""
    day = day or office_time.today()
    with operation(runtime, actor, "intake", None, day=day.isoformat()) as note:
        policy.require(actor, "intake")
        start, end = office_time.day_start(day), office_time.day_start(day + timedelta(days=1))
        documents = store.created_between(_engine(runtime), start, end)
        refused = [q for q in _quarantine(runtime) if q.at is not None and start <= q.at < end]
        note.update(documents=len(documents), rejected=len(refused))
        return {"day": day, "documents": documents, "rejected": refused}


def quarantine(actor: Actor, runtime: Runtime) -> list[QuarantinedFile]:
    """Every refused file kept in quarantine with its reason, newest first."""
    with operation(runtime, actor, "quarantine_list") as note:
        policy.require(actor, "intake")
        files = _quarantine(runtime)
        note.update(files=len(files))
        return files


def _quarantine(runtime: Runtime) -> list[QuarantinedFile]:
    """The pipeline's quarantine and the watched inbox's own quarantine folder, newest first."""
    settings = runtime.settings
    folders = dict.fromkeys([settings.quarantine_dir, settings.inbox_dir / inbox_folder.QUARANTINE])
    files = [f for folder in folders for f in quarantined(folder)]
    return sorted(files, key=lambda f: f.at.timestamp() if f.at else 0, reverse=True)
