"""`dms reindex`: rebuild the full-text index from the stored page texts (both backends)."""

from __future__ import annotations

import json
import sys
import time

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

from .console import command, err, out, runtime


@command()
def reindex(batch: int = typer.Option(2000, "--batch", min=1, help="Pages per transaction."),
            json_output: bool = typer.Option(False, "--json", help="A JSON summary instead of text.")) -> None:
    """Rebuild the search index from the stored text (after an analyser change or a restore).

    Resumable: an interrupted run continues where it stopped when started again. Searches keep
    working meanwhile, finding the pages rebuilt so far."""
    catalog = runtime().catalog
    progress = Progress(TextColumn("reindexing"), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
                        TimeRemainingColumn(), console=err, disable=json_output)
    started = time.monotonic()
    with progress:
        task = progress.add_task("reindex", total=None)
        pages = catalog.reindex(progress=lambda done, total: progress.update(task, completed=done, total=total),
                                batch=batch)
    seconds = time.monotonic() - started
    stats = catalog.index_stats()
    summary = {"pages": pages, "seconds": round(seconds, 1),
               "pages_per_second": round(pages / seconds) if seconds else 0, **stats}
    if json_output:
        sys.stdout.write(json.dumps(summary) + "\n")
    else:
        out.print(f"reindexed {pages} pages in {seconds:.1f} s ({summary['pages_per_second']} pages/s); "
                  f"{stats['bytes_per_page']} bytes per page of {stats['text_chars'] // max(stats['pages'], 1)} "
                  "characters", highlight=False)
