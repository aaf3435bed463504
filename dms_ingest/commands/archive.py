"""`dms verify`, `dms hold`, `dms delete`: fixity, legal holds and guarded deletion."""

from __future__ import annotations

import json
import sys
from typing import Optional

import typer

from ..cli import app, fail, out, settings


def _open():
    from ..index.catalog import Catalog
    from ..storage import StoreError, open_store

    try:
        return open_store(settings()), Catalog(settings().index_url)
    except StoreError as exc:
        fail(f"object store unavailable: {exc}", 1)


@app.command()
def verify(sample: Optional[int] = typer.Option(None, "--sample", help="Check this many random documents."),
           reconcile_first: bool = typer.Option(False, "--reconcile",
                                                help="First complete or roll back writes a crash left half-done."),
           json_output: bool = typer.Option(False, "--json")) -> None:
    """Re-read stored objects and compare their SHA-256 with the index; non-zero exit on any mismatch."""
    from ..ingest.persist import expected_objects, reconcile
    from ..storage.fixity import verify_objects

    store, catalog = _open()
    repaired = None
    if reconcile_first:
        repaired = reconcile(store, catalog)
    pending = {key for p in catalog.pending_writes() for key in json.loads(p.keys)}
    report = verify_objects(store, expected_objects(catalog), sample=sample, known_keys=pending)
    result = report.to_json()
    if repaired is not None:
        result["reconciled"] = {"completed": repaired.completed, "rolled_back": repaired.rolled_back,
                                "problems": repaired.problems}
    result["pending_writes"] = len(catalog.pending_writes())
    if json_output:
        sys.stdout.write(json.dumps(result) + "\n")
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
    if not report.passed:
        raise typer.Exit(1)


@app.command()
def hold(doc_id: str = typer.Argument(..., metavar="ID"),
         state: str = typer.Argument(..., metavar="on|off"),
         actor: str = typer.Option("clerk", "--by", help="Who sets the hold (recorded in the audit log).")) -> None:
    """Set or clear a legal hold on all objects of a document."""
    from ..storage import StoreError

    if state not in ("on", "off"):
        fail("state must be 'on' or 'off'")
    store, catalog = _open()
    doc = catalog.get(doc_id)
    if doc is None:
        fail(f"no document with id {doc_id}", 1)
    try:
        for key in (doc.original_key, doc.archive_key, doc.metadata_key):
            store.set_legal_hold(key, state == "on")
    except StoreError as exc:
        fail(str(exc), 1)
    catalog.update_document(doc_id, actor, f"legal_hold_{state}", legal_hold=state == "on")
    out.print(f"legal hold {state} for {doc_id}")


@app.command()
def delete(doc_id: str = typer.Argument(..., metavar="ID"),
           reason: str = typer.Option(..., "--reason", help="Why (recorded in the audit log)."),
           actor: str = typer.Option("clerk", "--by")) -> None:
    """Delete a document whose retention has ended; refused while retention or a legal hold applies."""
    from ..storage import RetentionError, StoreError

    store, catalog = _open()
    doc = catalog.get(doc_id)
    if doc is None:
        fail(f"no document with id {doc_id}", 1)
    if doc.legal_hold:
        fail(f"refused: document {doc_id} is under legal hold", 1)
    shared = {k for d in catalog.documents() if d.id != doc_id for k in (d.original_key, d.archive_key)}
    try:
        for key in [doc.archive_key, doc.metadata_key, *json.loads(doc.previous_metadata_keys), doc.original_key]:
            if key not in shared:
                store.delete(key)
    except RetentionError as exc:
        fail(f"refused: {exc}", 1)
    except StoreError as exc:
        fail(str(exc), 1)
    catalog.delete_document(doc_id, actor, reason)
    out.print(f"deleted {doc_id}")
