"""Who may do what: the one place that decides. Services call `require` before acting.

Today's rule is the safe minimum: the `system` role (the CLI and the runners on the server) may do
everything, every other role nothing. The web application's roles get their rights here.
"""

from __future__ import annotations

from typing import Any

from ..errors import Forbidden
from ..services.actor import Actor

# Every operation a person or a program can trigger, named as the services name them.
ACTIONS = frozenset({
    "ingest", "upload", "search", "show", "get", "verify", "hold", "delete", "cases_import",
    "review_list", "review_assign", "train",
})


def allowed(actor: Actor, action: str, *, case_number: str | None = None, document: Any = None) -> bool:
    """May *actor* do *action* (on *document*, or within *case_number*)?"""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    return actor.role == "system"


def require(actor: Actor, action: str, *, case_number: str | None = None, document: Any = None) -> None:
    """Raise Forbidden unless *actor* may do *action*."""
    if not allowed(actor, action, case_number=case_number, document=document):
        raise Forbidden(f"{actor.login} ({actor.role}) may not {action.replace('_', ' ')}")
