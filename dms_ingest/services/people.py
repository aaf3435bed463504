"""Users, teams and substitutions: who works here, in which team, standing in for whom.

Managing them is for `admin` (and `system`, the CLI on the server); a team lead arranges
substitutions within their team. Every change is written to the access log.
"""

from __future__ import annotations

from datetime import date

from .. import office_time
from ..access import accounts, policy, sessions, teams
from ..access.accounts import AccountError
from ..access.teams import TeamError
from ..errors import Invalid, NotFound
from ..index import access_store
from .actor import Actor
from .runtime import Runtime, operation


def _user_json(row) -> dict:
    return {"login": row.login, "role": row.role, "teams": accounts.teams_of(row), "display_name": row.display_name,
            "source": row.source, "disabled": row.disabled, "has_password": row.password_hash is not None,
            "created_at": row.created_at.isoformat(),
            "last_login_at": row.last_login_at.isoformat() if row.last_login_at else None}


def add_user(actor: Actor, runtime: Runtime, login: str, role: str, team_names: list[str],
             password: str | None = None, display_name: str = "") -> dict:
    with operation(runtime, actor, "users_manage", login, object_type="user", change="add", role=role,
                   teams=list(team_names)):
        policy.require(actor, "users_manage")
        try:
            row = accounts.add_user(runtime.catalog, login, role, list(team_names), password, display_name)
        except AccountError as exc:
            raise Invalid(str(exc)) from None
        return _user_json(row)


def list_users(actor: Actor, runtime: Runtime) -> list[dict]:
    policy.require(actor, "users_manage")
    return [_user_json(u) for u in accounts.list_users(runtime.catalog)]


def disable_user(actor: Actor, runtime: Runtime, login: str, disabled: bool = True) -> dict:
    """Disabling ends the user's sessions; their tokens stop working (checked at every request)."""
    with operation(runtime, actor, "users_manage", login, object_type="user",
                   change="disable" if disabled else "enable"):
        policy.require(actor, "users_manage")
        db = runtime.catalog
        try:
            row = accounts.set_disabled(db, login, disabled)
        except AccountError as exc:
            raise NotFound(str(exc)) from None
        if disabled:
            sessions.end_sessions_of(db, row.login)
        return _user_json(row)


def set_password(actor: Actor, runtime: Runtime, login: str, password: str) -> None:
    with operation(runtime, actor, "users_manage", login, object_type="user", change="password"):
        policy.require(actor, "users_manage")
        try:
            accounts.set_password(runtime.catalog, login, password)
        except AccountError as exc:
            raise Invalid(str(exc)) from None


def issue_token(actor: Actor, runtime: Runtime, login: str, label: str = "") -> str:
    """A new API token (shown once; only its hash is stored)."""
    with operation(runtime, actor, "users_manage", login, object_type="user", change="token", label=label):
        policy.require(actor, "users_manage")
        try:
            return accounts.issue_token(runtime.catalog, login, label)
        except AccountError as exc:
            raise NotFound(str(exc)) from None


def revoke_tokens(actor: Actor, runtime: Runtime, login: str) -> int:
    """Revoke all API tokens of *login* (a leaked token); returns how many were active."""
    with operation(runtime, actor, "users_manage", login, object_type="user", change="revoke_tokens") as note:
        policy.require(actor, "users_manage")
        if accounts.get_user(runtime.catalog, login) is None:
            raise NotFound(f"no user {login}")
        note.update(revoked=accounts.revoke_tokens(runtime.catalog, login))
        return note["revoked"]


def add_team(actor: Actor, runtime: Runtime, name: str, surnames: str) -> dict:
    """Create or redefine a team; the cases' teams follow at once (registry overrides stay)."""
    with operation(runtime, actor, "teams_manage", name, object_type="team", surnames=surnames) as note:
        policy.require(actor, "teams_manage")
        try:
            row = teams.add_team(runtime.catalog, name, surnames)
        except TeamError as exc:
            raise Invalid(str(exc)) from None
        counts = team_case_counts(runtime)
        note.update(cases=counts.get(row.name, 0))
        return {"name": row.name, "surnames": row.surnames, "cases": counts.get(row.name, 0)}


def team_case_counts(runtime: Runtime) -> dict[str | None, int]:
    return access_store.cases_per_team(runtime.catalog)


def list_teams(actor: Actor, runtime: Runtime) -> list[dict]:
    policy.require(actor, "teams_manage")
    counts = team_case_counts(runtime)
    members: dict[str, list[str]] = {}
    for user in accounts.list_users(runtime.catalog):
        for team in accounts.teams_of(user):
            members.setdefault(team, []).append(user.login)
    rows = [{"name": t.name, "surnames": t.surnames, "cases": counts.get(t.name, 0),
             "members": members.get(t.name, [])} for t in teams.list_teams(runtime.catalog)]
    if counts.get(None):
        rows.append({"name": None, "surnames": "", "cases": counts[None], "members": []})
    return rows


def substitute(actor: Actor, runtime: Runtime, login: str, for_login: str, until: date) -> dict:
    """*login* works *for_login*'s cases up to and including *until* (ends by itself, logged)."""
    try:
        row = accounts.add_substitution(runtime.catalog, actor, login, for_login, until)
    except AccountError as exc:
        raise Invalid(str(exc)) from None
    return substitution_json(row)


def substitution_json(row) -> dict:
    return {"id": row.id, "login": row.login, "for": row.for_login, "until": row.until.isoformat(),
            "active": row.until >= office_time.today(), "created_by": row.created_by}


def list_substitutions(actor: Actor, runtime: Runtime, active_only: bool = False) -> list[dict]:
    """All substitutions (a team lead sees those touching their teams)."""
    policy.require(actor, "substitute")
    db = runtime.catalog
    accounts.end_expired_substitutions(db)
    rows = accounts.substitutions(db, active_only)
    if actor.role == "teamleitung":
        mine = frozenset(actor.teams)
        teams_by_login = {u.login: set(accounts.teams_of(u)) for u in accounts.list_users(db)}
        rows = [r for r in rows if (teams_by_login.get(r.login, set()) | teams_by_login.get(r.for_login, set())) & mine]
    return [substitution_json(r) for r in rows]


__all__ = ["add_team", "add_user", "disable_user", "issue_token", "list_substitutions", "list_teams", "list_users",
           "revoke_tokens", "set_password", "substitute"]
