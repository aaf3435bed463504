"""`dms users`, `dms teams`, `dms audit`, `dms serve`: people, teams, the access log, the web server.

The CLI runs on the server as the `system` actor; what it changes is written to the access log.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import date, datetime, time, timezone
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from .console import actor, command, fail, group, out, runtime as _runtime, service_errors, settings, state

users_app = group("users", "People who log in: roles, teams, passwords, API tokens.")
teams_app = group("teams", "Teams, their surname letters, substitutions.")
audit_app = group("audit", "The hash-chained access log (data protection).")


def _run(call, *args, **kwargs):
    """Call a service as the system actor; service errors become one-line messages and exit codes."""
    with service_errors():
        return call(actor(), *args, **kwargs)


def _emit(rows: list[dict], columns: tuple[str, ...], title: str, json_output: bool) -> None:
    if json_output:
        for row in rows:
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
        return
    table = Table(title=title)
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*(", ".join(v) if isinstance(v, list) else ("" if v is None else str(v))
                        for v in (row.get(c) for c in columns)))
    out.print(table)


def _read_password() -> str:
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        fail("no password on standard input")
    return password


# --- users -----------------------------------------------------------------------------------

@users_app.command("add")
def users_add(login: str = typer.Argument(..., metavar="LOGIN"),
              role: str = typer.Option(..., "--role", help="poststelle, sachbearbeitung, teamleitung, datenschutz, admin"),
              team: list[str] = typer.Option([], "--team", help="A team (repeat for several)."),
              password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from stdin."),
              name: str = typer.Option("", "--name", help="Display name."),
              json_output: bool = typer.Option(False, "--json")) -> None:
    """Create a local account (Argon2id password hash; without a password: token or directory only)."""
    from ..services import people

    password = _read_password() if password_stdin else None
    row = _run(people.add_user, _runtime(), login, role, team, password, name)
    if json_output:
        sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
    else:
        out.print(f"user {row['login']} ({row['role']}{', ' + ', '.join(row['teams']) if row['teams'] else ''}) "
                  f"created{'' if password else ' without a password'}")


@users_app.command("list")
def users_list(json_output: bool = typer.Option(False, "--json")) -> None:
    """All accounts with role, teams and state."""
    from ..services import people

    rows = _run(people.list_users, _runtime())
    _emit(rows, ("login", "role", "teams", "source", "disabled", "last_login_at"), f"{len(rows)} users", json_output)


@users_app.command("disable")
def users_disable(login: str = typer.Argument(..., metavar="LOGIN")) -> None:
    """Disable an account: its sessions end, its API tokens stop working."""
    from ..services import people

    row = _run(people.disable_user, _runtime(), login, True)
    out.print(f"user {row['login']} disabled")


@users_app.command("enable")
def users_enable(login: str = typer.Argument(..., metavar="LOGIN")) -> None:
    """Enable a disabled account again."""
    from ..services import people

    row = _run(people.disable_user, _runtime(), login, False)
    out.print(f"user {row['login']} enabled")


@users_app.command("password")
def users_password(login: str = typer.Argument(..., metavar="LOGIN"),
                   password_stdin: bool = typer.Option(True, "--password-stdin",
                                                       help="Read the new password from stdin.")) -> None:
    """Set a local account's password (read from standard input, never from the command line)."""
    from ..services import people

    _run(people.set_password, _runtime(), login, _read_password())
    out.print(f"password of {login} set")


@users_app.command("token")
def users_token(login: str = typer.Argument(..., metavar="LOGIN"),
                label: str = typer.Option("", "--label", help="What the token is for (e.g. Fachverfahren).")) -> None:
    """Issue an API token (`Authorization: Bearer <token>`); printed once, stored only as a hash."""
    from ..services import people

    token = _run(people.issue_token, _runtime(), login, label)
    sys.stdout.write(token + "\n")


@users_app.command("revoke")
def users_revoke(login: str = typer.Argument(..., metavar="LOGIN")) -> None:
    """Revoke all API tokens of an account (the account itself stays usable)."""
    from ..services import people

    count = _run(people.revoke_tokens, _runtime(), login)
    out.print(f"{count} token(s) of {login} revoked")


# --- teams -----------------------------------------------------------------------------------

@teams_app.command("add")
def teams_add(name: str = typer.Argument(..., metavar="NAME"),
              surnames: str = typer.Option("", "--surnames", help="Initial letters, e.g. A-F or A-C,S."),
              json_output: bool = typer.Option(False, "--json")) -> None:
    """Create (or redefine) a team responsible for surnames starting with these letters."""
    from ..services import people

    row = _run(people.add_team, _runtime(), name, surnames)
    if json_output:
        sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
    else:
        out.print(f"team {row['name']}: surnames {row['surnames'] or '-'}, {row['cases']} cases")


@teams_app.command("list")
def teams_list(json_output: bool = typer.Option(False, "--json")) -> None:
    """Teams with their letters, case counts and members (cases without a team as a last row)."""
    from ..services import people

    rows = _run(people.list_teams, _runtime())
    _emit(rows, ("name", "surnames", "cases", "members"), f"{len(rows)} teams", json_output)


def _parse_day(value: str, option: str) -> date:
    for parse in (date.fromisoformat, lambda v: datetime.strptime(v, "%d.%m.%Y").date()):
        try:
            return parse(value)
        except ValueError:
            continue
    fail(f"{option}: not a date: {value!r} (use YYYY-MM-DD or DD.MM.YYYY)")


@teams_app.command("substitute")
def teams_substitute(login: str = typer.Argument(..., metavar="LOGIN"),
                     for_login: str = typer.Option(..., "--for", help="The absent colleague."),
                     until: str = typer.Option(..., "--until", help="Last day (inclusive), YYYY-MM-DD.")) -> None:
    """LOGIN works OTHER's cases up to and including DATE; it ends by itself and is logged."""
    from ..services import people

    row = _run(people.substitute, _runtime(), login, for_login, _parse_day(until, "--until"))
    out.print(f"{row['login']} substitutes for {row['for']} until {row['until']}")


@teams_app.command("substitutions")
def teams_substitutions(active: bool = typer.Option(False, "--active", help="Only those still running."),
                        json_output: bool = typer.Option(False, "--json")) -> None:
    """Substitutions, ended ones included unless --active."""
    from ..services import people

    rows = _run(people.list_substitutions, _runtime(), active)
    _emit(rows, ("login", "for", "until", "active", "created_by"), f"{len(rows)} substitutions", json_output)


# --- audit -----------------------------------------------------------------------------------

@audit_app.command("verify")
def audit_verify(json_output: bool = typer.Option(False, "--json")) -> None:
    """Recompute the hash chain and check it against the external anchors; exit 1 if any entry was
    altered, deleted or reordered, or the log no longer holds an anchored head."""
    from ..services import audit_log

    result = _run(audit_log.verify, _runtime())
    if json_output:
        sys.stdout.write(json.dumps(result.to_json()) + "\n")
    elif result.ok:
        out.print(f"access log intact: {result.entries} entries (#{result.first_seq}-#{result.last_seq}), "
                  f"head {result.head_hash[:16]}")
    else:
        for problem in result.problems:
            out.print(f"[red]{problem}[/red]", highlight=False)
    if result.ok and not json_output and result.anchors:
        out.print(f"{result.anchors} external anchors match")
    if not result.ok:
        raise typer.Exit(1)


@audit_app.command("anchor")
def audit_anchor(json_output: bool = typer.Option(False, "--json")) -> None:
    """Verify the chain, then write its head (entry number + hash, HMAC-signed with the key in
    DMS_AUDIT_ANCHOR_KEY) to access.anchor_dir; `dms audit verify` checks every anchor."""
    from ..services import audit_log

    made = _run(audit_log.anchor_head, _runtime())
    if json_output:
        sys.stdout.write(json.dumps(made) + "\n")
    else:
        out.print(f"anchored entry #{made['seq']} (hash {made['entry_hash'][:16]}) in {made['path']}")


def _day_bound(value: Optional[str], option: str, end: bool) -> datetime | None:
    if not value:
        return None
    return datetime.combine(_parse_day(value, option), time.max if end else time.min, tzinfo=timezone.utc)


@audit_app.command("report")
def audit_report(case: str = typer.Option(..., "--case", help="The case number (Aktenzeichen)."),
                 since: Optional[str] = typer.Option(None, "--from"), until: Optional[str] = typer.Option(None, "--to"),
                 json_output: bool = typer.Option(False, "--json")) -> None:
    """Every access to a person's file (GDPR Art. 15): who, when, from where, what, with what outcome."""
    from ..services import audit_log

    report = _run(audit_log.report, _runtime(), case, since=_day_bound(since, "--from", False),
                  until=_day_bound(until, "--to", True))
    if json_output:
        sys.stdout.write(json.dumps(report, ensure_ascii=False) + "\n")
        return
    person = report["person"]
    out.print(f"case {case}" + (f" ({person['given_names']} {person['surname']})" if person else "")
              + f": {report['total']} accesses")
    _emit([{**r, "at": r["at"][:19].replace("T", " ")} for r in report["accesses"]],
          ("at", "login", "role", "client", "action", "object_id", "outcome"), "accesses", False)


@audit_app.command("list")
def audit_list(user: Optional[str] = typer.Option(None, "--user"), case: Optional[str] = typer.Option(None, "--case"),
               since: Optional[str] = typer.Option(None, "--from"), until: Optional[str] = typer.Option(None, "--to"),
               limit: int = typer.Option(200, "--limit", "-n"), json_output: bool = typer.Option(False, "--json")) -> None:
    """Entries of the access log, oldest first, filtered by user, case and dates."""
    from ..services import audit_log

    rows = _run(audit_log.entries, _runtime(), case_number=case, login=user,
                since=_day_bound(since, "--from", False), until=_day_bound(until, "--to", True), limit=limit)
    _emit([{**r, "at": r["at"][:19].replace("T", " ")} for r in rows] if not json_output else rows,
          ("seq", "at", "login", "role", "client", "action", "object_id", "case_number", "outcome"),
          f"{len(rows)} entries", json_output)


@audit_app.command("prune")
def audit_prune(days: Optional[int] = typer.Option(None, "--days", min=1,
                                                   help="Keep this many days (default access.audit_retention_days).")) -> None:
    """Retention: remove older entries; the rest stays verifiable."""
    from ..services import audit_log

    removed = _run(audit_log.prune, _runtime(), days)
    out.print(f"{removed} entries removed")


# --- serve -----------------------------------------------------------------------------------

@command()
def serve(host: Optional[str] = typer.Option(None, "--host", help="Address to listen on (default web.host)."),
          port: Optional[int] = typer.Option(None, "--port", help="Port (default web.port, 8080)."),
          workers: Optional[int] = typer.Option(None, "--workers", help="Server processes (default web.workers)."),
          certfile: Optional[Path] = typer.Option(None, "--certfile", help="TLS certificate (PEM)."),
          keyfile: Optional[Path] = typer.Option(None, "--keyfile", help="TLS key (PEM).")) -> None:
    """Run the web application and REST API (uvicorn). Several processes share sessions and the
    access log through the index database."""
    import uvicorn

    cfg = settings()
    web = cfg.web
    if bool(certfile) != bool(keyfile):
        fail("--certfile and --keyfile go together")
    # Worker processes build their app from the environment: the same config and home as this one.
    if state.get("config"):
        os.environ["DMS_CONFIG"] = str(Path(state["config"]).resolve())
    os.environ["DMS_HOME"] = str(cfg.home)
    from ..access.audit import ensure_tables

    ensure_tables(_runtime().catalog)  # create tables once, before several processes race to
    uvicorn.run("dms_ingest.web.app:create_app_from_env", factory=True, host=host or web.host,
                port=port or web.port, workers=workers or web.workers, proxy_headers=bool(web.forwarded_allow_ips),
                forwarded_allow_ips=web.forwarded_allow_ips or None, ssl_certfile=str(certfile) if certfile else None,
                ssl_keyfile=str(keyfile) if keyfile else None, server_header=False, access_log=False,
                log_level="info")
