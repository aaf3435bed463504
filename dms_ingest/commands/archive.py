"""`dms verify`, `dms hold`, `dms delete`: fixity, legal holds and guarded deletion."""

from __future__ import annotations

import json
import sys
from typing import Optional

import typer

from ..services import documents, fixity
from .console import actor, command, fail, out, runtime, service_errors


@command()
def verify(sample: Optional[int] = typer.Option(None, "--sample", help="Check this many random documents."),
           reconcile_first: bool = typer.Option(False, "--reconcile",
                                                help="First complete or roll back writes a crash left half-done."),
           json_output: bool = typer.Option(False, "--json")) -> None:
    """Re-read stored objects and compare their SHA-256 with the index; non-zero exit on any mismatch."""
    with service_errors():
        checked = fixity.verify(actor(), runtime(), sample=sample, reconcile=reconcile_first)
    report, repaired = checked.report, checked.reconciled
    if json_output:
        sys.stdout.write(json.dumps(checked.to_json()) + "\n")
    else:
        if repaired is not None:
            out.print(f"reconcile: {len(repaired.completed)} completed, {len(repaired.rolled_back)} rolled back")
        out.print(f"checked {report.checked} objects: {report.ok} ok, {len(report.missing)} missing, "
                  f"{len(report.mismatched)} mismatched, {len(report.orphaned)} orphaned")
        for item in report.missing:
            out.print(f"[red]missing[/red] {item['id']} {item['role']} {item['key']}")
        for item in report.mismatched:
            out.print(f"[red]mismatch[/red] {item['id']} {item['role']} {item['key']}: "
                      f"expected {item['expected'][:16]}…, found {item['actual'][:16]}…")
        for key in report.orphaned[:50]:
            out.print(f"[yellow]orphaned[/yellow] {key}")
        for error in report.errors:
            out.print(f"[red]error[/red] {error}")
        for item in checked.doubled:
            out.print(f"[red]archived more than once[/red] original {item['sha256'][:16]}…: "
                      f"{', '.join(item['documents'])}")
    if not checked.passed:
        raise typer.Exit(1)


@command()
def hold(doc_id: str = typer.Argument(..., metavar="ID"),
         state: str = typer.Argument(..., metavar="on|off"),
         by: str = typer.Option("clerk", "--by", help="Who sets the hold (recorded in the audit log).")) -> None:
    """Set or clear a legal hold on all objects of a document."""
    if state not in ("on", "off"):
        fail("state must be 'on' or 'off'")
    with service_errors():
        documents.hold(actor(by), runtime(), doc_id, state == "on")
    out.print(f"legal hold {state} for {doc_id}")


@command()
def delete(doc_id: str = typer.Argument(..., metavar="ID"),
           reason: str = typer.Option(..., "--reason", help="Why (recorded in the audit log)."),
           by: str = typer.Option("clerk", "--by")) -> None:
    """Delete a document whose retention has ended; refused while retention or a legal hold applies."""
    with service_errors():
        documents.delete(actor(by), runtime(), doc_id, reason=reason)
    out.print(f"deleted {doc_id}")


@command()
def rebuild(doc_ids: Optional[list[str]] = typer.Argument(None, metavar="[ID]...", help="Documents (default: all)."),
            json_output: bool = typer.Option(False, "--json")) -> None:
    """Rebuild documents' index rows from their stored metadata records (read back and verified)."""
    with service_errors():
        ids = documents.rebuild(actor(), runtime(), doc_ids or None)
    if json_output:
        sys.stdout.write(json.dumps({"rebuilt": len(ids), "ids": ids}) + "\n")
    else:
        out.print(f"rebuilt {len(ids)} document(s) from their stored records")
