"""Finding a case file by number or name among the cases one is responsible for."""

from __future__ import annotations

from ..access import policy
from ..index import case_lookup
from ..index.models import CaseRow
from .actor import Actor
from .runtime import Runtime, operation


def team_cases(actor: Actor, runtime: Runtime, query: str = "", *, limit: int = 100) -> list[CaseRow]:
    """Cases of the actor's teams (all cases for the system) whose number or name matches *query*."""
    with operation(runtime, actor, "case_lookup", None, object_type="case", query=query[:100]) as note:
        scope = policy.scope(actor)
        if actor.role not in policy.CASEWORK_ROLES and not scope.unrestricted:
            policy.require(actor, "case_view")          # refuses with the policy's reason
        found = case_lookup.find(runtime.catalog.engine, query, teams=scope.allowed_teams, limit=limit)
        note.update(cases=len(found))
        return found
