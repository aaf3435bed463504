"""Teams and their responsibility: cases by the first letter of the surname
(Buchstabenzuständigkeit), unless the registry names a team for a case.

The effective team of every case is written into the cases table's `team` column (with
`team_source` "registry" or "rule"), so search filters on it inside its query.
"""

from __future__ import annotations

import re

from ..config import TEAM_NAME
from ..index import access_store as store
from ..index.access_models import TeamRow
from ..index.folding import fold_plain

_RANGE = re.compile(r"^([A-Z])(?:-([A-Z]))?$")


class TeamError(ValueError):
    """A team definition that cannot be used; the message is one line."""


def parse_ranges(spec: str) -> list[tuple[str, str]]:
    """"A-F,S" -> [("A", "F"), ("S", "S")]."""
    ranges = []
    for part in (p.strip().upper() for p in spec.split(",")):
        if not part:
            continue
        match = _RANGE.match(part.replace(" ", ""))
        if not match:
            raise TeamError(f"bad surname range {part!r}: use letters like A-F or S, separated by commas")
        first, last = match.group(1), match.group(2) or match.group(1)
        if last < first:
            raise TeamError(f"bad surname range {part!r}: {last} comes before {first}")
        ranges.append((first, last))
    if not ranges:
        raise TeamError("no surname range given (e.g. --surnames A-F)")
    return ranges


def initial(surname: str) -> str:
    """The letter that decides responsibility: Ö counts as O, Ç as C, İ/ı as I."""
    folded = fold_plain(surname.strip()).upper()
    return next((c for c in folded if "A" <= c <= "Z"), "")


def team_for_surname(teams: list[TeamRow], surname: str) -> str | None:
    letter = initial(surname)
    for team in teams:
        if team.surnames and any(a <= letter <= b for a, b in parse_ranges(team.surnames)):
            return team.name
    return None


def list_teams(db) -> list[TeamRow]:
    return store.list_teams(db)


def add_team(db, name: str, surnames: str = "") -> TeamRow:
    """Create or redefine a team; refuses ranges that overlap another team's."""
    if not TEAM_NAME.match(name):
        raise TeamError(f"bad team name {name!r}: letters, digits, space, dot and hyphen, at most 64")
    mine = parse_ranges(surnames) if surnames else []

    def refuse_overlap(others: list[TeamRow]) -> None:
        for other in others:
            for a, b in (parse_ranges(other.surnames) if other.surnames else []):
                for c, d in mine:
                    if a <= d and c <= b:
                        raise TeamError(f"surnames {c}-{d} overlap team {other.name!r} ({other.surnames})")

    row = store.save_team(db, name, ",".join(a if a == b else f"{a}-{b}" for a, b in mine), refuse_overlap)
    apply_rules(db)
    return row


def apply_rules(db) -> int:
    """Recompute the team of every case not named by the registry; returns how many changed."""
    teams = list_teams(db)
    return store.assign_case_teams(db, lambda surname: team_for_surname(teams, surname))


def case_team(db, case_number: str | None) -> tuple[bool, str | None]:
    """(case exists, its team) for a case number."""
    if not case_number:
        return False, None
    return store.case_team(db, case_number)
