"""The acting user: who triggers an operation, in which role and teams, through which client."""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("system", "poststelle", "sachbearbeitung", "teamleitung", "datenschutz", "admin")


@dataclass(frozen=True)
class Actor:
    login: str
    role: str = "system"
    teams: frozenset[str] = frozenset()
    client: str = "cli"

    @classmethod
    def system(cls, login: str = "system", client: str = "cli") -> "Actor":
        """The server itself (CLI on the server, runners): may do everything."""
        return cls(login=login, role="system", client=client)
