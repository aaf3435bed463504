"""Demo accounts for the samples (scripts/demo.sh): one caseworker per team, a team lead, the
mailroom, data protection. Passwords are new random ones on every run and printed once: for the demo home only.

    python -m dms_ingest.web.demo_accounts      # DMS_HOME as for `dms`
"""

from __future__ import annotations

import secrets
import sys

from ..config import load_settings
from ..errors import Invalid
from ..services import people
from ..services.actor import Actor
from ..services.runtime import Runtime

# The samples' surnames fall into three letter ranges (Buchstabenzuständigkeit).
TEAMS = [("A-F", "A-F"), ("G-M", "G-M"), ("N-Z", "N-Z")]
ACCOUNTS = [
    ("sb-af", "sachbearbeitung", ["A-F"], "Sachbearbeitung Team A–F (Ahmadi)"),
    ("sb-gm", "sachbearbeitung", ["G-M"], "Sachbearbeitung Team G–M (Haddad, Kaya, Mensah)"),
    ("sb-nz", "sachbearbeitung", ["N-Z"], "Sachbearbeitung Team N–Z (Nguyen, Okonkwo, Petrenko, …)"),
    ("tl-nz", "teamleitung", ["N-Z"], "Teamleitung Team N–Z: Akten des Teams, Prüfliste, Vertretungen"),
    ("poststelle", "poststelle", [], "Poststelle: Eingang, Quarantäne, Prüfliste"),
    ("datenschutz", "datenschutz", [], "Datenschutz: Zugriffsprotokoll, Auskunft Art. 15"),
]


def create(runtime: Runtime) -> list[tuple[str, str, str]]:
    """Teams and accounts (created, or given a new password); returns (login, password, what)."""
    system = Actor.system(login="demo", client="demo")
    for name, letters in TEAMS:
        people.add_team(system, runtime, name, letters)
    made = []
    for login, role, teams, what in ACCOUNTS:
        password = secrets.token_urlsafe(9)
        try:
            people.add_user(system, runtime, login, role, teams, password)
        except Invalid:
            people.set_password(system, runtime, login, password)     # exists from an earlier run
        made.append((login, password, what))
    return made


def main() -> int:
    runtime = Runtime(load_settings())
    made = create(runtime)
    width = max(len(login) for login, _, _ in made)
    print("Demo-Konten (nur für dieses Demo-Verzeichnis, Passwörter bei jedem Lauf neu):")
    for login, password, what in made:
        print(f"  {login.ljust(width)}  {password}  {what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
