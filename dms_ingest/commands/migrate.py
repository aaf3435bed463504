"""`dms migrate`, `dms worker`, `dms nightly`: the legacy archive in bulk, and the nightly batch."""

from __future__ import annotations

import json
import logging
import signal
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Optional

import typer

from ..errors import ServiceError
from ..services import runners
from .console import actor, command, err, fail, out, runtime, service_errors, settings


def _logging(verbose: bool) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(processName)s %(name)s: %(message)s")


@contextmanager
def _stop_on_sigterm():
    """SIGTERM (systemctl stop, kill) stops a run like Ctrl-C: files in hand go back, the report is written."""
    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _workers(value: Optional[int]) -> int:
    from ..ingest.pagepool import worker_count

    return worker_count(value if value is not None else settings().migration.workers)


@command()
def migrate(source: Path = typer.Argument(..., help="Folder tree of scanned paper files, or a CSV manifest "
                                                     "(path,case_number)."),
            workers: Optional[int] = typer.Option(None, "--workers", "-w",
                                                  help="Local worker processes (default migration.workers)."),
            report: Optional[Path] = typer.Option(None, "--report", help="CSV report (default: "
                                                  "DMS_HOME/reports/migrate-RUN.csv); the summary goes next to it."),
            json_output: bool = typer.Option(False, "--json", help="Print the summary as one JSON object."),
            distributed: bool = typer.Option(False, "--distributed",
                                             help="Send the paper files to `dms worker`s (Celery) and follow them."),
            wait: bool = typer.Option(True, "--wait/--no-wait",
                                      help="With --distributed: follow until done (default) or only enqueue."),
            retry_failed: bool = typer.Option(False, "--retry-failed",
                                              help="Also try failed paper files again (permanent refusals too)."),
            verbose: bool = typer.Option(False, "--verbose", "-v", help="Log to stderr.")) -> None:
    """Migrate a legacy archive: one work item per paper file, resumable, with a completeness report.

    Exit code 0: every paper file is archived and every page accounted for; 1: some failed (see
    the report); 130: interrupted (run the same command again to resume).
    """
    _logging(verbose)
    with _stop_on_sigterm():
        _migrate(source, workers, report, json_output, distributed, wait, retry_failed)


def _migrate(source: Path, workers: Optional[int], report: Optional[Path], json_output: bool, distributed: bool,
             wait: bool, retry_failed: bool) -> None:
    from ..migrate import report as reports
    from ..migrate.driver import ProgressView

    def plan(key: str, total: int, added: int, todo: int, recovered: int) -> None:
        if not json_output:
            err.print(f"{key}: {total} paper files ({added} new), {todo} to do"
                      + (f", {recovered} taken back from dead workers" if recovered else ""), highlight=False)

    def view(catalog, key: str, run_id: str):
        return ProgressView(catalog, key, run_id, err, enabled=not json_output or err.is_terminal)

    try:
        done = runners.migrate(actor(), runtime(), source, workers=_workers(workers), report=report,
                               distributed=distributed, wait=wait, retry_failed=retry_failed, on_plan=plan,
                               view_factory=view)
    except ServiceError as exc:
        fail(str(exc), exc.exit_code)
    if done["state"] == "enqueued":
        out.print(f"enqueued {done['enqueued']} paper files on {done['queue']} (run {done['run_id']})")
        return
    summary = done["summary"]
    if json_output:
        sys.stdout.write(json.dumps({**summary, "files_written": done["files_written"]}, ensure_ascii=False) + "\n")
    else:
        out.print(reports.text(summary), highlight=False, end="")
    if done["state"] == "interrupted":
        err.print("interrupted: run the same command again to resume", highlight=False)
        raise typer.Exit(130)
    if not summary["complete"]:
        raise typer.Exit(1)


@command()
def worker(concurrency: Optional[int] = typer.Option(None, "--concurrency", "-c",
                                                     help="Paper files in parallel (default migration.workers)."),
           loglevel: str = typer.Option("INFO", "--loglevel")) -> None:
    """Run a Celery worker for `dms migrate --distributed` (one per machine; shared PostgreSQL, S3, Redis)."""
    cfg = settings()
    if cfg.index_url.startswith("sqlite"):
        err.print("[yellow]warning:[/yellow] the index is SQLite on this machine; workers on other machines "
                  "cannot share it (set index.url to PostgreSQL)", highlight=False)
    with service_errors():
        code = runners.worker(actor(), runtime(), concurrency=_workers(concurrency), loglevel=loglevel.upper())
    raise typer.Exit(code)


@command()
def nightly(report: Optional[Path] = typer.Option(None, "--report", help="Report path (FILE.json and FILE.txt; "
                                                  "default DMS_HOME/reports/nightly-DATE)."),
            json_output: bool = typer.Option(False, "--json", help="Print the report as one JSON object."),
            sample: int = typer.Option(200, "--sample", min=0, help="Documents in the fixity sample."),
            workers: Optional[int] = typer.Option(None, "--workers", "-w",
                                                  help="Worker processes for retried items."),
            retry: bool = typer.Option(True, "--retry/--no-retry", help="Retry failed work items."),
            train: bool = typer.Option(True, "--train/--no-train",
                                       help="Retrain the classifier if documents were reviewed since the last time."),
            force_train: bool = typer.Option(False, "--force-train", help="Retrain even without new reviews."),
            verbose: bool = typer.Option(False, "--verbose", "-v")) -> None:
    """The nightly batch: retry failed work items, retrain the classifier, fixity sample, report."""
    from datetime import datetime

    from ..migrate import nightly as batch
    from ..migrate.driver import ProgressView

    _logging(verbose)
    cfg = settings()

    def view(catalog, run):
        return ProgressView(catalog, None, run.id, err, enabled=not json_output and err.is_terminal)

    with _stop_on_sigterm(), service_errors():
        result = runners.nightly(actor(), runtime(), sample=sample, workers=_workers(workers), retry=retry,
                                 train=train, force_train=force_train, view_factory=view)
    target = report or cfg.report_dir / f"nightly-{datetime.now().strftime('%Y%m%d-%H%M%S')}"
    result["files_written"] = batch.write(result, target)
    if json_output:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, default=str) + "\n")
    else:
        out.print(batch.text(result), highlight=False, end="")
    if not result["passed"]:
        raise typer.Exit(1)
