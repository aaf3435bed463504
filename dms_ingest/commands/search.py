"""`dms reindex`: rebuild the full-text index from the stored page texts (both backends)."""

from __future__ import annotations

import json
import sys

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

from ..services import runners
from .console import actor, command, err, out, runtime, service_errors


@command()
def reindex(batch: int = typer.Option(2000, "--batch", min=1, help="Pages per transaction."),
            json_output: bool = typer.Option(False, "--json", help="A JSON summary instead of text.")) -> None:
    """Rebuild the search index from the stored text (after an analyser change or a restore).

    Resumable: an interrupted run continues where it stopped when started again. Searches keep
    working meanwhile, finding the pages rebuilt so far."""
    progress = Progress(TextColumn("reindexing"), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
                        TimeRemainingColumn(), console=err, disable=json_output)
    with progress, service_errors():
        task = progress.add_task("reindex", total=None)
        summary = runners.reindex(actor(), runtime(), batch=batch,
                                  progress=lambda done, total: progress.update(task, completed=done, total=total))
    if json_output:
        sys.stdout.write(json.dumps(summary) + "\n")
    else:
        out.print(f"reindexed {summary['pages']} pages in {summary['seconds']:.1f} s ({summary['pages_per_second']} "
                  f"pages/s); {summary['bytes_per_page']} bytes per page of "
                  f"{summary['text_chars'] // max(summary['pages'], 1)} characters", highlight=False)
