"""`dms cases apply/close/status/ready/request`: applications on a case and their required documents."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from ..services import applications, documents
from .cases import cases_app
from .console import actor, fail, out, runtime, service_errors

STATE_STYLE = {"satisfied": "[green]erfüllt[/green]", "missing": "[red]fehlt[/red]",
               "expired": "[red]abgelaufen[/red]", "insufficient": "[red]nicht ausreichend[/red]",
               "unread": "[yellow]unlesbar – prüfen[/yellow]"}
TODAY_HELP = "Evaluate as of this day (YYYY-MM-DD) instead of today."


def _today(value: Optional[str]) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail(f"--today must be a date YYYY-MM-DD, not {value!r}")


def _types_help() -> str:
    return "Application type (see applications.types in config.yaml)."


@cases_app.command("apply")
def apply(case_number: str = typer.Argument(..., metavar="AZ"),
          application_type: str = typer.Option(..., "--type", help=_types_help()),
          by: str = typer.Option("system", "--by", envvar="USER", help="Who opens it (audit log)."),
          json_output: bool = typer.Option(False, "--json")) -> None:
    """Open an application on a case; its required documents are then checked (dms cases status)."""
    with service_errors():
        result = applications.open_application(actor(by), runtime(), case_number, application_type)
    if json_output:
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        return
    verb = "opened" if result["created"] else "already open"
    out.print(f"{result['case_number']}: {result['title']} ({result['application_type']}) {verb}, "
              f"application {result['id']}", highlight=False)


@cases_app.command("close")
def close(case_number: str = typer.Argument(..., metavar="AZ"),
          application_type: str = typer.Option(..., "--type", help=_types_help()),
          reason: str = typer.Option("", "--reason", help="Decided, withdrawn, ..."),
          by: str = typer.Option("system", "--by", envvar="USER"),
          json_output: bool = typer.Option(False, "--json")) -> None:
    """Close an open application (decided or withdrawn): it leaves the ready list."""
    with service_errors():
        result = applications.close_application(actor(by), runtime(), case_number, application_type, reason=reason)
    if json_output:
        sys.stdout.write(json.dumps(result) + "\n")
    else:
        out.print(f"{result['case_number']}: application {result['id']} ({result['application_type']}) closed")


@cases_app.command("status")
def status(case_number: str = typer.Argument(..., metavar="AZ"),
           json_output: bool = typer.Option(False, "--json"),
           include_closed: bool = typer.Option(False, "--all", help="Closed applications too."),
           today: Optional[str] = typer.Option(None, "--today", help=TODAY_HELP)) -> None:
    """Each requirement of the case's open applications: satisfied (by which documents and fields),
    missing, expired, insufficient or unread."""
    with service_errors():
        result = applications.case_status(actor(), runtime(), case_number, today=_today(today),
                                          include_closed=include_closed)
    if json_output:
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        return
    out.print(f"[bold]{result['case_number']}[/bold] {result['applicant']} (Stand {result['today']})",
              highlight=False)
    if not result["applications"]:
        out.print(f"no open application; open one with: dms cases apply {result['case_number']} --type TYPE")
    for app in result["applications"]:
        st = app["status"]
        head = "[green]vollständig[/green]" if app["complete"] else "[red]unvollständig[/red]"
        table = Table(title=f"{st['title']} ({st['legal_basis']}), application {app['id']}: {head}",
                      title_justify="left")
        for column in ("requirement", "state", "documents", "details"):
            table.add_column(column)
        for req in st["requirements"]:
            used = []
            for check in req["documents"]:
                values = ", ".join(f"{k}={v if v is not None else '?'}" for k, v in check["fields"].items())
                mark = "✓" if check["outcome"] == "ok" else check["outcome"]
                used.append(f"{check['id']} {mark}" + (f" ({values})" if values else ""))
            table.add_row(req["label"], STATE_STYLE.get(req["state"], req["state"]), "\n".join(used) or "—",
                          req["reason"])
        out.print(table)


@cases_app.command("ready")
def ready(json_output: bool = typer.Option(False, "--json"),
          today: Optional[str] = typer.Option(None, "--today", help=TODAY_HELP)) -> None:
    """Cases whose open applications are complete: every required document on file (for an appointment)."""
    with service_errors():
        rows = applications.ready_cases(actor(), runtime(), today=_today(today))
    if json_output:
        for row in rows:
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
        return
    if not rows:
        out.print("no application is complete")
        return
    table = Table(title=f"{len(rows)} applications complete")
    for column in ("case", "applicant", "application", "complete since"):
        table.add_column(column)
    for row in rows:
        table.add_row(row["case_number"], row["applicant"], f"{row['title']} ({row['legal_basis']})",
                      (row["complete_since"] or "")[:16])
    out.print(table)


@cases_app.command("request")
def request(case_number: str = typer.Argument(..., metavar="AZ"),
            application_type: Optional[str] = typer.Option(None, "--type", help="Only this application."),
            output: Optional[Path] = typer.Option(None, "-o", "--output", help="Also write the PDF/A here."),
            address: Optional[list[str]] = typer.Option(
                None, "--address", metavar="LINE",
                help="The recipient's address, instead of the one the case file's documents give: one line "
                     "per option, or lines separated by commas (\"Gartenstraße 14, 21904 Elbhausen\"). "
                     "Logged as typed by --by."),
            by: str = typer.Option("system", "--by", envvar="USER"),
            json_output: bool = typer.Option(False, "--json"),
            today: Optional[str] = typer.Option(None, "--today", help=TODAY_HELP)) -> None:
    """Write the letter asking for missing and expired documents (German PDF/A) and file it into the case."""
    with service_errors():
        letters = applications.request_letter(actor(by), runtime(), case_number, application_type=application_type,
                                              today=_today(today), address=address or None)
        if output is not None:
            for k, letter in enumerate(letters):
                target = output if k == 0 else output.with_name(f"{output.stem}-{k + 1}{output.suffix}")
                documents.get(actor(by), runtime(), letter["id"], target)
                letter["output"] = str(target)
    if json_output:
        for letter in letters:
            sys.stdout.write(json.dumps(letter, ensure_ascii=False) + "\n")
        return
    for letter in letters:
        out.print(f"{letter['case_number']}: letter {letter['id']} filed ({letter['subject']})", highlight=False)
        for item in letter["items"]:
            out.print(f"  – {item}", highlight=False)
        if letter["unread_to_check"]:
            out.print("  still to check by the office (unread): " + ", ".join(letter["unread_to_check"]))
        if not letter["address_known"]:
            out.print("  [yellow]no address on file: write the letter again with --address before sending[/yellow]")
        elif letter["address_source"] == "typed":
            out.print("  to the address typed: " + " / ".join(letter["address"]), highlight=False, markup=False)
        if letter.get("output"):
            out.print(f"  written to {letter['output']}")
