"""`dms cases`, `dms review`, `dms train`, `dms eval`: the case registry and the review queue."""

from __future__ import annotations

import dataclasses
import json
import sys
import tempfile
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from ..cli import app, context, fail, out, settings

cases_app = typer.Typer(help="The case registry (Aktenzeichen with the person they belong to).", no_args_is_help=True)
review_app = typer.Typer(help="Documents that could not be assigned with certainty.", no_args_is_help=True)
app.add_typer(cases_app, name="cases")
app.add_typer(review_app, name="review")


def _catalog():
    from ..index.catalog import Catalog

    return Catalog(settings().index_url)


@cases_app.command("import")
def cases_import(csv_file: Path = typer.Argument(..., exists=True, dir_okay=False, metavar="FILE.csv"),
                 json_output: bool = typer.Option(False, "--json")) -> None:
    """Import the registry (case_number,surname,given_names,date_of_birth,nationality); re-import updates it."""
    from ..classifiers import CaseRecord, RegistryError, diff_registry, parse_registry_csv
    from ..index.models import CaseRow

    try:
        records = parse_registry_csv(csv_file)
    except RegistryError as exc:
        fail(str(exc))
    catalog = _catalog()
    old = [CaseRecord(c.case_number, c.surname, c.given_names, c.date_of_birth, c.nationality,
                      c.team if c.team_source == "registry" else "") for c in catalog.cases()]
    diff = diff_registry(old, records)
    catalog.replace_cases([CaseRow(case_number=r.case_number, surname=r.surname, given_names=r.given_names,
                                   date_of_birth=r.date_of_birth, nationality=r.nationality, team=r.team or None,
                                   team_source="registry" if r.team else None) for r in records])
    from ..access.teams import apply_rules

    apply_rules(catalog.engine)
    catalog.record_event("registry", "cases_imported", None, file=str(csv_file), added=len(diff.added),
                         changed=len(diff.changed), removed=len(diff.removed))
    summary = {"cases": len(records), "added": len(diff.added), "changed": len(diff.changed),
               "removed": len(diff.removed)}
    if json_output:
        sys.stdout.write(json.dumps(summary) + "\n")
    else:
        out.print(f"{summary['cases']} cases: {summary['added']} added, {summary['changed']} changed, "
                  f"{summary['removed']} removed")


@review_app.command("list")
def review_list(json_output: bool = typer.Option(False, "--json")) -> None:
    """The review queue with the reasons and candidate cases."""
    queue = _catalog().review_queue()
    rows = [{"id": d.id, "source": d.source, "doc_type": d.doc_type, "doc_type_confidence": d.doc_type_confidence,
             "case_number": d.case_number, "reasons": json.loads(d.review_reasons),
             "candidates": json.loads(d.candidates), "created_at": d.created_at.isoformat()} for d in queue]
    if json_output:
        for row in rows:
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
        return
    table = Table(title=f"review queue: {len(rows)} documents")
    for column in ("id", "source", "type", "candidates", "reasons"):
        table.add_column(column)
    for row in rows:
        table.add_row(row["id"], Path(row["source"]).name, row["doc_type"] or "", ", ".join(row["candidates"]),
                      " ".join(row["reasons"]))
    out.print(table)


@review_app.command("assign")
def review_assign(doc_id: str = typer.Argument(..., metavar="ID"),
                  case: Optional[str] = typer.Option(None, "--case", help="The case number to file under."),
                  doc_type: Optional[str] = typer.Option(None, "--type", help="The document type."),
                  actor: str = typer.Option(..., "--by", envvar="USER", help="Who decides (audit log)."),
                  json_output: bool = typer.Option(False, "--json")) -> None:
    """Decide a reviewed document: its case and/or type. Recorded with who and when; feeds training."""
    from ..ingest.persist import update_metadata
    from ..storage import StoreError, open_store

    catalog = _catalog()
    doc = catalog.get(doc_id)
    if doc is None:
        fail(f"no document with id {doc_id}", 1)
    changes: dict = {"review": False, "review_reasons": "[]"}
    if case:
        row = next((c for c in catalog.cases() if c.case_number == case.strip().upper()), None)
        if row is None:
            fail(f"case {case} is not in the registry; import it first (dms cases import)")
        changes.update(case_number=row.case_number, case_method="manual")
    elif not doc.case_number:
        fail("the document has no case yet: give --case")
    if doc_type:
        taxonomy = settings().classification.doc_types
        if doc_type not in taxonomy:
            fail(f"unknown document type {doc_type!r}; one of: {', '.join(taxonomy)}")
        changes.update(doc_type=doc_type, doc_type_confidence=1.0)
    elif not doc.doc_type:
        fail("the document has no type yet: give --type")
    try:
        row = update_metadata(doc_id, changes, actor=actor, action="review_assigned",
                              store=open_store(settings()), catalog=catalog)
    except StoreError as exc:
        fail(f"object store unavailable: {exc}", 1)
    result = {"id": row.id, "case_number": row.case_number, "doc_type": row.doc_type, "review": row.review,
              "metadata_version": row.metadata_version, "by": actor}
    if json_output:
        sys.stdout.write(json.dumps(result) + "\n")
    else:
        out.print(f"{row.id}: case {row.case_number}, type {row.doc_type} (by {actor}, "
                  f"metadata version {row.metadata_version})")


@app.command()
def train(json_output: bool = typer.Option(False, "--json")) -> None:
    """Retrain the document-type classifier from reviewed documents plus the shipped corpus."""
    from ..ingest.classify import retrain_from_reviews

    result = retrain_from_reviews(settings(), _catalog())
    if json_output:
        sys.stdout.write(json.dumps(result) + "\n")
    else:
        out.print(f"trained on {result['reviewed']} reviewed documents and {result['corpus']} corpus texts "
                  f"→ {result['model']}")


@app.command(name="eval")
def evaluate(directory: Path = typer.Argument(..., exists=True, file_okay=False, metavar="DIR"),
             json_output: bool = typer.Option(False, "--json"),
             workers: Optional[int] = typer.Option(None, "--workers", "-w")) -> None:
    """Evaluate type and case decisions on a labelled set (python -m dms_ingest.classifiers.evaluation_set)."""
    from ..classifiers.evaluation import evaluate as score, predict_text_directory

    labels = json.loads((directory / "labels.json").read_text(encoding="utf-8"))
    if any(directory.glob("*.txt")):
        predictions = predict_text_directory(directory)
    else:
        predictions = _predict_by_pipeline(directory, labels, workers)
    report = score(predictions, labels)
    if json_output:
        data = dataclasses.asdict(report) | {"automatic_share": report.automatic_share,
                                             "review_share": report.review_share,
                                             "wrong_assignment_count": report.wrong_assignment_count}
        sys.stdout.write(json.dumps(data, default=str) + "\n")
    else:
        out.print(report.summary(), highlight=False)
    if report.wrong_assignment_count:
        raise typer.Exit(1)


def _predict_by_pipeline(directory: Path, labels: dict, workers: int | None) -> dict:
    """Run the real pipeline (OCR and all) on the set's images, in a throwaway DMS_HOME."""
    from concurrent.futures import ThreadPoolExecutor

    from ..config import load_settings
    from ..ingest.context import Context
    from ..ingest.pipeline import ingest_file

    with tempfile.TemporaryDirectory() as tmp:
        eval_settings = load_settings(_config_path(), home=Path(tmp))
        with Context(eval_settings, workers=workers) as ctx:
            _import_registry(directory / "registry.csv", ctx.catalog)
            files = [directory / name for name in labels]
            with ThreadPoolExecutor(max(1, ctx.workers)) as threads:
                outcomes = list(threads.map(lambda f: (f.name, ingest_file(f, ctx)), files))
    predictions = {}
    for name, results in outcomes:
        archived = [r for r in results if r.status == "archived"]
        first = archived[0] if archived else None
        predictions[name] = (first.doc_type if first else "sonstiges", first.case_number if first else None,
                             first.review if first else True)
    return predictions


def _config_path():
    from ..cli import _state

    return _state.get("config")


def _import_registry(path: Path, catalog) -> None:
    from ..classifiers import parse_registry_csv
    from ..index.models import CaseRow

    catalog.replace_cases([CaseRow(case_number=r.case_number, surname=r.surname, given_names=r.given_names,
                                   date_of_birth=r.date_of_birth, nationality=r.nationality)
                           for r in parse_registry_csv(path)])
