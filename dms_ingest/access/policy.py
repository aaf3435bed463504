"""Who may do what: the one place that decides. The service layer asks here before acting.

Roles (DOMAIN.md):
- system: the CLI and runners on the server, everything.
- poststelle: intake, the review queue of documents without a case; no case contents.
- sachbearbeitung: the cases of their teams (and of colleagues they substitute for).
- teamleitung: the same, plus the team's review queue (filing only into the team's cases, or giving
  an item back to the mailroom to forward) and substitutions.
- datenschutz: the access log; no contents.
- admin: users and teams; no contents.

A document belongs to its case's team; a document without a case belongs to the intake. An
actor's `teams` already include the teams reached through an active substitution (resolved when
the actor is authenticated, see access/accounts.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import Forbidden

ROLES = ("system", "poststelle", "sachbearbeitung", "teamleitung", "datenschutz", "admin")
PERSON_ROLES = ROLES[1:]
CONTENT_ROLES = frozenset({"system", "poststelle", "sachbearbeitung", "teamleitung"})
CASEWORK_ROLES = frozenset({"sachbearbeitung", "teamleitung"})


@dataclass(frozen=True)
class Scope:
    """Which documents an actor may see: the filters search applies inside its query."""

    unrestricted: bool
    teams: frozenset[str]
    unassigned: bool           # documents without a case (the intake)

    @property
    def allowed_teams(self) -> list[str] | None:
        return None if self.unrestricted else sorted(self.teams)

    @property
    def empty(self) -> bool:
        return not self.unrestricted and not self.teams and not self.unassigned


def scope(actor) -> Scope:
    """The documents whose contents *actor* may read."""
    if actor.role == "system":
        return Scope(True, frozenset(), True)
    if actor.role in CASEWORK_ROLES:
        return Scope(False, frozenset(actor.teams), False)
    if actor.role == "poststelle":
        return Scope(False, frozenset(), True)
    return Scope(False, frozenset(), False)


def review_scope(actor) -> Scope:
    """Which review items *actor* may see and settle: the mailroom those without a case, a team
    lead those in the team's cases."""
    if actor.role == "system":
        return Scope(True, frozenset(), True)
    if actor.role == "teamleitung":
        return Scope(False, frozenset(actor.teams), False)
    if actor.role == "poststelle":
        return Scope(False, frozenset(), True)
    return Scope(False, frozenset(), False)


def naming_scope(actor) -> Scope:
    """Whose case numbers and registry persons (name, birth date) *actor* may see named where review
    reasons, candidate lists and a document's history mention cases other than the one being read.

    The mailroom distributes the intake to any case (`review_assign` limits the target case for team
    leads only), so its review queue names every candidate; caseworkers and team leads see those of
    their teams' cases (as they may read them); everyone else none. Cases outside stay anonymous: a person's name
    or case number from a file the reader may not open is a data-protection incident."""
    if actor.role in ("system", "poststelle"):
        return Scope(True, frozenset(), False)
    if actor.role in CASEWORK_ROLES:
        return Scope(False, frozenset(actor.teams), False)
    return Scope(False, frozenset(), False)


def in_scope(s: Scope, case_number: str | None, team: str | None) -> bool:
    if s.unrestricted:
        return True
    if not case_number:
        return s.unassigned
    return team is not None and team in s.teams


# Every operation a person or a program can trigger, named as the services name them, and the
# roles that may trigger it at all. Operations on one document or case also check its team below.
_ROLES_FOR: dict[str, frozenset[str]] = {
    "search": CONTENT_ROLES,
    "show": CONTENT_ROLES,
    "get": CONTENT_ROLES,
    "page_image": CONTENT_ROLES,
    "case_view": CASEWORK_ROLES | {"system"},
    "review_list": frozenset({"system", "poststelle", "teamleitung"}),
    "review_assign": frozenset({"system", "poststelle", "teamleitung"}),
    "review_return": frozenset({"system", "teamleitung"}),    # give an item back to the mailroom
    "upload": CONTENT_ROLES,
    "inbox": CASEWORK_ROLES,                         # the team's Posteingang (web pages)
    "intake": frozenset({"system", "poststelle"}),   # the day's intake and the quarantine
    "ingest": frozenset({"system", "poststelle"}),
    "audit_read": frozenset({"system", "datenschutz"}),
    "audit_verify": frozenset({"system", "datenschutz"}),
    "audit_prune": frozenset({"system"}),
    "audit_anchor": frozenset({"system"}),
    "users_manage": frozenset({"system", "admin"}),
    "teams_manage": frozenset({"system", "admin"}),
    "substitute": frozenset({"system", "admin", "teamleitung"}),
    "cases_import": frozenset({"system"}),
    "verify": frozenset({"system"}),
    "hold": frozenset({"system"}),
    "delete": frozenset({"system"}),
    "train": frozenset({"system"}),
    "rebuild": frozenset({"system"}),
    # the server's long-running jobs (services/runners.py), started by its operator through the CLI
    "run_intake": frozenset({"system"}),             # dms watch, dms mail fetch
    "run_migration": frozenset({"system"}),          # dms migrate
    "run_worker": frozenset({"system"}),             # dms worker
    "run_nightly": frozenset({"system"}),            # dms nightly
    "reindex": frozenset({"system"}),                # dms reindex
    # applications on a case (services/applications.py); the checklist itself is a case_view
    "application_open": CASEWORK_ROLES | {"system"},
    "application_close": CASEWORK_ROLES | {"system"},
    "request_letter": CASEWORK_ROLES | {"system"},
    "applications_ready": CASEWORK_ROLES | {"system"},
}
ACTIONS = frozenset(_ROLES_FOR)
# Operations on one case: the case must be one of the actor's (like opening its file).
_CASE_ACTIONS = frozenset({"case_view", "application_open", "application_close", "request_letter"})
_READS = frozenset({"show", "get", "page_image"}) | _CASE_ACTIONS
# Operations on one review item: the item must be in the actor's review queue.
_REVIEW_ACTIONS = frozenset({"review_assign", "review_return"})
# Why a team lead may not file into a case outside their teams. The same words whether the case is
# another team's or not in the registry at all: a different answer would tell which numbers exist.
OUTSIDE_TEAMS = ("Team leads file only into their own teams' cases: give the document back to the mailroom "
                 "(Poststelle), which forwards it.")

_ROLE_NAMES = {"poststelle": "the mailroom", "sachbearbeitung": "caseworkers", "teamleitung": "team leads",
               "datenschutz": "data protection", "admin": "administrators", "system": "the system"}
_VERBS = {"search": "search documents", "show": "open documents", "get": "download documents",
          "page_image": "see page images", "case_view": "open case files", "review_list": "see the review queue",
          "review_assign": "settle review items", "review_return": "give review items back to the mailroom",
          "upload": "add documents", "inbox": "see a team inbox",
          "intake": "see the intake and quarantine", "ingest": "ingest documents",
          "audit_read": "read the access log", "audit_verify": "verify the access log",
          "audit_prune": "prune the access log", "audit_anchor": "anchor the access log", "users_manage": "manage users", "teams_manage": "manage teams",
          "substitute": "arrange substitutions", "cases_import": "import the case registry",
          "verify": "verify the archive", "hold": "set a legal hold", "delete": "delete documents",
          "train": "train the classifier", "rebuild": "rebuild index rows from the stored records",
          "run_intake": "run the intake (inbox watcher, mail fetch)", "run_migration": "run a migration",
          "run_worker": "run a migration worker", "run_nightly": "run the nightly batch",
          "reindex": "rebuild the search index", "application_open": "open applications",
          "application_close": "close applications", "request_letter": "request missing documents",
          "applications_ready": "list complete applications"}
_UNSET = object()


def _team(case_number: str | None, team, catalog) -> str | None:
    if team is not _UNSET:
        return team
    if not case_number or catalog is None:
        return None  # unknown team: only the unrestricted scope reaches the document
    from .teams import case_team

    return case_team(catalog, case_number)[1]


def decide(actor, action: str, *, case_number: str | None = None, document: Any = None, team=_UNSET,
           target_team=_UNSET, catalog=None) -> str | None:
    """None if *actor* may do *action*, else the reason in one sentence.

    *document*: the document acted on (its case decides); *case_number*: the case acted on (a case
    view, an upload's target case, the case a review item is filed into); *team*: the team of the
    document's case (or, without a document, of *case_number*) if the caller knows it, *target_team*
    that of the case a review item is filed into; else they are looked up through *catalog* (without
    either, only unrestricted actors get through)."""
    roles = _ROLES_FOR.get(action)
    if roles is None:
        raise ValueError(f"unknown action {action!r}")
    if actor.role not in roles:
        return f"{_ROLE_NAMES.get(actor.role, actor.role).capitalize()} may not {_VERBS[action]}."
    if actor.role == "system":
        return None
    if action in _READS:
        target_case = document.case_number if document is not None else case_number
        if action in _CASE_ACTIONS and not target_case:
            return "No case was named."
        if not in_scope(scope(actor), target_case, _team(target_case, team, catalog)):
            what = "this case file" if action in _CASE_ACTIONS else "this document"
            return (f"You may not open {what}: it belongs to "
                    + (f"case {target_case}, which is not one of your cases." if target_case
                       else "the intake (no case assigned yet)."))
    elif action in _REVIEW_ACTIONS:
        if document is not None:
            current = document.case_number
            if not in_scope(review_scope(actor), current, _team(current, team, catalog)):
                return "This document is not in your review queue."
        # The mailroom distributes to every case; a team lead files within the team (an unknown
        # number is refused alike, so the registry is not probed through the answer).
        if action == "review_assign" and case_number and actor.role in CASEWORK_ROLES \
                and not in_scope(scope(actor), case_number, _team(case_number, target_team, catalog)):
            return OUTSIDE_TEAMS
    elif action == "upload" and actor.role in CASEWORK_ROLES:
        if not in_scope(scope(actor), case_number, _team(case_number, team, catalog)):
            return (f"You may not add documents to case {case_number}: it is not one of your cases."
                    if case_number else "Caseworkers add documents to one of their cases.")
    return None


def allowed(actor, action: str, **target) -> bool:
    """May *actor* do *action* (on *document*, or within *case_number*)? See `decide`."""
    return decide(actor, action, **target) is None


def require(actor, action: str, **target) -> None:
    """Raise Forbidden unless *actor* may do *action*."""
    reason = decide(actor, action, **target)
    if reason is not None:
        raise Forbidden(reason)


def require_substitution(actor, substitute_teams: frozenset[str], absent_teams: frozenset[str]) -> None:
    """A team lead arranges substitutions within their own teams; an admin for anyone."""
    require(actor, "substitute")
    if actor.role == "teamleitung" and not (absent_teams & frozenset(actor.teams)):
        raise Forbidden("Team leads may only arrange substitutions for members of their own team.")
