"""The access log: who did what to which document or case, when, from where, and how it ended.

Every service writes one entry per operation, including refused and failed ones.
"""

from __future__ import annotations

from ..index.catalog import Catalog
from ..services.actor import Actor


def record(catalog: Catalog, actor: Actor, action: str, target: str | None = None, outcome: str = "ok",
           **detail) -> None:
    """Append one entry: *outcome* is ok, denied, refused or failed."""
    catalog.record_event(actor.login, "access", None, operation=action, target=target, outcome=outcome,
                         role=actor.role, client=actor.client, detail=detail)
