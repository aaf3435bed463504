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

from ..services import cases, review
from .console import actor, command, group, out, runtime, service_errors, state

cases_app = group("cases", "The case registry (Aktenzeichen with the person they belong to).")
review_app = group("review", "Documents that could not be assigned with certainty.")


@cases_app.command("import")
def cases_import(csv_file: Path = typer.Argument(..., exists=True, dir_okay=False, metavar="FILE.csv"),
                 json_output: bool = typer.Option(False, "--json")) -> None:
    """Import the registry (case_number,surname,given_names,date_of_birth,nationality); re-import updates it."""
    with service_errors():
        summary = cases.import_cases(actor("registry"), runtime(), csv_file)
    if json_output:
        sys.stdout.write(json.dumps(summary) + "\n")
    else:
        out.print(f"{summary['cases']} cases: {summary['added']} added, {summary['changed']} changed, "
                  f"{summary['removed']} removed")


@review_app.command("list")
def review_list(json_output: bool = typer.Option(False, "--json")) -> None:
    """The review queue with the reasons and candidate cases."""
    with service_errors():
        rows = review.review_list(actor(), runtime())
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
                  by: str = typer.Option(..., "--by", envvar="USER", help="Who decides (audit log)."),
                  json_output: bool = typer.Option(False, "--json")) -> None:
    """Decide a reviewed document: its case and/or type. Recorded with who and when; feeds training."""
    with service_errors():
        result = review.review_assign(actor(by), runtime(), doc_id, case=case, doc_type=doc_type)
    if json_output:
        sys.stdout.write(json.dumps(result) + "\n")
    else:
        out.print(f"{result['id']}: case {result['case_number']}, type {result['doc_type']} (by {result['by']}, "
                  f"metadata version {result['metadata_version']})")


@review_app.command("return")
def review_return(doc_id: str = typer.Argument(..., metavar="ID"),
                  note: str = typer.Option(..., "--note", help="Why it goes back (for the mailroom)."),
                  by: str = typer.Option(..., "--by", envvar="USER", help="Who gives it back (audit log)."),
                  json_output: bool = typer.Option(False, "--json")) -> None:
    """Give a document back to the mailroom's review queue: it leaves its case, the note first among its reasons."""
    with service_errors():
        result = review.review_return(actor(by), runtime(), doc_id, note=note)
    if json_output:
        sys.stdout.write(json.dumps(result) + "\n")
    else:
        out.print(f"{result['id']}: back to the mailroom from case {result['returned_from']} (by {result['by']}, "
                  f"metadata version {result['metadata_version']})")


@command()
def train(json_output: bool = typer.Option(False, "--json")) -> None:
    """Retrain the document-type classifier from reviewed documents plus the shipped corpus."""
    with service_errors():
        result = review.train(actor("train"), runtime())
    if json_output:
        sys.stdout.write(json.dumps(result) + "\n")
    else:
        out.print(f"trained on {result['reviewed']} reviewed documents and {result['corpus']} corpus texts "
                  f"→ {result['model']}")


@command(name="eval")
def evaluate(directory: Path = typer.Argument(..., exists=True, file_okay=False, metavar="DIR"),
             json_output: bool = typer.Option(False, "--json"),
             workers: Optional[int] = typer.Option(None, "--workers", "-w"),
             keep_pages: Optional[Path] = typer.Option(
                 None, "--keep-pages", dir_okay=False,
                 help="write the OCR'd page texts to this JSON file (application set: the texts the fields were "
                      "read from; case set: each document's pages and routing), for --rescore"),
             rescore: Optional[Path] = typer.Option(
                 None, "--rescore", exists=True, dir_okay=False,
                 help="no OCR: score again on a --keep-pages file (application set: the fields; case set: the "
                      "cases, decided anew, with the document types of that run)")) -> None:
    """Evaluate type and case decisions on a labelled set (python -m dms_datagen.evaluation_set), or fields
    and application status on an application set (python -m dms_datagen.applications)."""
    from ..classifiers.evaluation import evaluate as score, predict_text_directory

    labels = json.loads((directory / "labels.json").read_text(encoding="utf-8"))
    if labels.get("kind") == "applications":  # python -m dms_datagen.applications: fields and status
        return evaluate_applications(directory, labels, json_output, workers, keep_pages, rescore)
    if any(directory.glob("*.txt")):
        predictions = predict_text_directory(directory)
    elif rescore is not None:
        predictions = _predict_by_replay(directory, labels, rescore)
    else:
        predictions = _predict_by_pipeline(directory, labels, workers, keep_pages)
    report = score(predictions, labels)
    if json_output:
        data = dataclasses.asdict(report) | {"automatic_share": report.automatic_share,
                                             "review_share": report.review_share,
                                             "wrong_assignment_count": report.wrong_assignment_count,
                                             "unassignable_review_share": report.unassignable_review_share}
        sys.stdout.write(json.dumps(data, default=str) + "\n")
    else:
        out.print(report.summary(), highlight=False)
    if report.wrong_assignment_count:
        raise typer.Exit(1)


def _predict_by_replay(directory: Path, labels: dict, kept: Path) -> dict:
    """Cases decided anew on the text an earlier run kept (ingest/replay.py)."""
    from ..classifiers import CaseRegistry
    from ..classifiers.evaluation import predictions_from_results
    from ..config import load_settings
    from ..ingest.replay import replay

    settings = load_settings(state.get("config"))
    registry = CaseRegistry.from_csv(directory / "registry.csv", settings.classification.case_number)
    with service_errors():
        try:
            outcomes = replay(kept, registry, settings)
        except (ValueError, KeyError) as exc:
            raise typer.BadParameter(f"--rescore: {exc}") from None
    return predictions_from_results(labels, outcomes)


def _predict_by_pipeline(directory: Path, labels: dict, workers: int | None, keep_pages: Path | None = None) -> dict:
    """Run the real pipeline (OCR and all) on the set's images, in a throwaway DMS_HOME."""
    from ..classifiers import parse_registry_csv
    from ..config import load_settings
    from ..services.actor import Actor
    from ..services.documents import ingest
    from ..services.runtime import Runtime

    from ..classifiers.evaluation import input_files, predictions_from_results

    outcomes: dict[str, list] = {}
    with tempfile.TemporaryDirectory() as tmp:
        evaluation = Runtime(load_settings(state.get("config"), home=Path(tmp)))
        cases.replace_registry(evaluation.catalog, parse_registry_csv(directory / "registry.csv"))
        ingest(Actor.system("eval"), evaluation, [directory / name for name in input_files(labels)], workers=workers,
               on_file=lambda path, results: outcomes.__setitem__(path.name, results))
        if keep_pages is not None:
            _keep_text(evaluation, outcomes, keep_pages)
    return predictions_from_results(labels, outcomes)


def _keep_text(evaluation, outcomes: dict, target: Path) -> None:
    """Store each archived document's page text and routing for `dms eval --rescore`."""
    from ..ingest.replay import stored_document, write_kept_text
    from ..services import documents
    from ..services.actor import Actor

    reader = Actor.system("eval")
    write_kept_text(target, {
        name: [stored_document(r, documents.show(reader, evaluation, r.id, text=True) if r.id else {"page_details": []})
               for r in results]
        for name, results in outcomes.items()})


def evaluate_applications(directory: Path, labels: dict, json_output: bool, workers: int | None,
                          keep_pages: Path | None = None, rescore: Path | None = None) -> None:
    """`dms eval DIR` on an application set: field accuracy, status outcome; exit 1 on a false "complete"."""
    from ..applications.evaluation import evaluate_application_set, rescore_fields

    if rescore is not None:
        kept = json.loads(rescore.read_text(encoding="utf-8"))
        report = rescore_fields(labels, kept, config=state.get("config"))
        if (directory / "registry.csv").exists():
            from ..applications.replay import replay_cases
            from ..config import load_settings

            replay_cases(report, directory, labels, kept, load_settings(state.get("config")))
    else:
        report = evaluate_application_set(directory, labels, config=state.get("config"), workers=workers,
                                          keep_pages=keep_pages)
    if json_output:
        sys.stdout.write(json.dumps(report.to_json(), ensure_ascii=False, default=str) + "\n")
    else:
        out.print(report.summary(), highlight=False, markup=False)
    if report.false_complete or report.false_complete_settled:
        raise typer.Exit(1)
