"""The `dms` command line (Typer). Thin: every command calls the library and prints.

`--json` output is a public contract that scripts depend on: field names are kept, fields are
only ever added.
"""

from __future__ import annotations

import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import datetime
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from .config import ConfigError, Settings, load_settings

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="dms-ingest: scans and mail in, searchable PDF/A out, for the e-Akte.")
# Wide enough for the result table when output goes to a file or a pipe.
out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True)

_state: dict = {}


def fail(message: str, code: int = 2) -> None:
    err.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@app.callback()
def main(config: Optional[Path] = typer.Option(None, "--config", help="Configuration file instead of config.yaml."),
         home: Optional[Path] = typer.Option(None, "--home", envvar="DMS_HOME",
                                             help="Where data lives (default ./var).")) -> None:
    _state.clear()
    _state["config"] = config
    _state["home"] = home


def settings() -> Settings:
    if "settings" not in _state:
        try:
            _state["settings"] = load_settings(_state.get("config"), _state.get("home"))
        except ConfigError as exc:
            fail(str(exc))
    return _state["settings"]


def context(workers: int | None = None):
    from .ingest.context import Context
    from .storage import StoreError

    try:
        return Context(settings(), workers=workers)
    except StoreError as exc:
        fail(f"object store unavailable: {exc}")


def _inputs(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")))
        elif path.is_file():
            files.append(path)
        else:
            fail(f"no such file or folder: {path}")
    return files


def _source_name(path: Path, given: list[Path]) -> str:
    return str(path)


@app.command()
def ingest(paths: list[Path] = typer.Argument(..., help="Files or folders (recursively)."),
           json_output: bool = typer.Option(False, "--json", help="One JSON object per document per line."),
           workers: Optional[int] = typer.Option(None, "--workers", "-w", help="Worker processes for pages.")) -> None:
    """Archive files: OCR, classify, PDF/A, store and index each one."""
    from .ingest.pipeline import ingest_file

    files = _inputs(paths)
    results = []
    with context(workers) as ctx:
        parallel = max(1, ctx.workers)
        progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TimeRemainingColumn(), console=err, transient=True,
                            disable=json_output or not err.is_terminal)
        with progress, ThreadPoolExecutor(parallel) as threads:
            task = progress.add_task("ingesting", total=len(files))
            futures = {threads.submit(ingest_file, f, ctx, source=str(f)): f for f in files}
            for future in as_completed(futures):
                for result in future.result():
                    results.append(result)
                    if json_output:
                        sys.stdout.write(json.dumps(result.to_json(), ensure_ascii=False) + "\n")
                        sys.stdout.flush()
                progress.advance(task)
    if not json_output:
        _print_results(results)
    failed = [r for r in results if r.status == "failed"]
    if failed:
        fail(f"{len(failed)} file(s) could not be stored and stay where they are: {failed[0].error}", 1)


def _print_results(results) -> None:
    table = Table(title="dms ingest", show_lines=False)
    for column in ("source", "status", "id", "pages", "type", "case", "review", "seconds"):
        table.add_column(column)
    for r in sorted(results, key=lambda r: r.source):
        status = {"archived": "[green]archived[/green]", "duplicate": "[yellow]duplicate[/yellow]",
                  "rejected": "[red]rejected[/red]", "failed": "[red]failed[/red]"}[r.status]
        detail = r.error if r.status == "rejected" else (", ".join(r.review_reasons[:1]) if r.review else "")
        table.add_row(Path(r.source).name, status, r.id or "", str(r.pages), r.doc_type or "",
                      r.case_number or "", ("yes: " + detail) if r.review else (detail or "no"), f"{r.seconds:.1f}")
    out.print(table)
    counts = {s: sum(1 for r in results if r.status == s) for s in ("archived", "duplicate", "rejected", "failed")}
    pages = sum(r.pages for r in results if r.status == "archived")
    review = sum(1 for r in results if r.review and r.status == "archived")
    out.print(f"{len(results)} results: {counts['archived']} archived ({pages} pages), "
              f"{counts['duplicate']} duplicate, {counts['rejected']} rejected, {review} for review. "
              f"Data in {settings().home}")


@app.command()
def search(query: str = typer.Argument(..., help="Words to find; umlauts and ß may be spelled ae/oe/ue/ss. "
                                       '"a phrase", prefix*, fuzzy~, a OR b, -without, NOT without.'),
           limit: int = typer.Option(20, "--limit", "-n"),
           offset: int = typer.Option(0, "--offset", help="Skip this many documents (paging)."),
           case: Optional[list[str]] = typer.Option(None, "--case", help="Only this case number (repeatable)."),
           doc_type: Optional[list[str]] = typer.Option(None, "--type", help="Only this document type (repeatable)."),
           received_from: Optional[datetime] = typer.Option(None, "--from", formats=["%Y-%m-%d"],
                                                            help="Received on or after this day."),
           received_to: Optional[datetime] = typer.Option(None, "--to", formats=["%Y-%m-%d"],
                                                          help="Received on or before this day."),
           review: Optional[bool] = typer.Option(None, "--review/--no-review", help="Only documents in / not in review."),
           json_output: bool = typer.Option(False, "--json", help="One JSON object per hit per line.")) -> None:
    """Full-text search over the archived documents, best first."""
    from .index.catalog import Catalog, SearchIndexOutdated, SearchQuery

    request = SearchQuery(query, case_numbers=tuple(case) if case else None,
                          doc_types=tuple(doc_type) if doc_type else None,
                          received_from=received_from.date() if received_from else None,
                          received_to=received_to.date() if received_to else None,
                          review=review, limit=max(1, limit), offset=max(0, offset))
    try:
        result = Catalog(settings().index_url).find(request)
    except SearchIndexOutdated as exc:
        fail(str(exc))
    if json_output:
        for hit in result.hits:
            sys.stdout.write(json.dumps(hit.to_json(), ensure_ascii=False) + "\n")
        return
    if not result.hits:
        out.print("no documents found")
        return
    table = Table()
    for column in ("id", "score", "page", "type", "case", "snippet"):
        table.add_column(column)
    for hit in result.hits:
        table.add_row(hit.id, f"{hit.score:.2f}", str(hit.page), hit.doc_type or "", hit.case_number or "",
                      hit.snippet)
    out.print(table)
    facets = ", ".join(f"{name or 'no type'} {count}" for name, count in result.facets.items())
    total = f"{result.total}" if result.total_exact else f"more than {result.total}"
    out.print(f"{total} documents ({facets}); showing {offset + 1}-{offset + len(result.hits)}", highlight=False)


def _document_or_fail(doc_id: str):
    from .index.catalog import Catalog

    catalog = Catalog(settings().index_url)
    doc = catalog.get(doc_id)
    if doc is None:
        fail(f"no document with id {doc_id}", 1)
    return catalog, doc


@app.command()
def show(doc_id: str = typer.Argument(..., metavar="ID"), json_output: bool = typer.Option(False, "--json"),
         text: bool = typer.Option(False, "--text", help="Print the full text of every page.")) -> None:
    """Show a document's metadata, pages and history."""
    catalog, doc = _document_or_fail(doc_id)
    pages = catalog.pages(doc_id)
    events = catalog.audit(doc_id)
    data = doc.model_dump(mode="json")
    data["review_reasons"] = json.loads(doc.review_reasons)
    data["candidates"] = json.loads(doc.candidates)
    data["page_details"] = [{"number": p.number, "ocr_confidence": p.ocr_confidence, "blank": p.blank,
                             "rotation": p.rotation, "skew": p.skew, "colour": p.colour,
                             **({"text": p.text} if text or json_output else {})} for p in pages]
    data["audit"] = [{"at": e.at.isoformat(), "actor": e.actor, "action": e.action,
                      "detail": json.loads(e.detail)} for e in events]
    if json_output:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=1) + "\n")
        return
    table = Table(show_header=False, title=f"document {doc_id}")
    for key in ("source", "status", "doc_type", "doc_type_confidence", "case_number", "case_method", "review",
                "review_reasons", "candidates", "pages", "blank_pages", "ocr_confidence", "original_sha256",
                "archive_sha256", "created_at", "updated_at"):
        table.add_row(key, str(data.get(key)))
    out.print(table)
    for page in data["page_details"]:
        line = (f"page {page['number']}: confidence {page['ocr_confidence'] or '-'}, rotation {page['rotation']}°, "
                f"skew {page['skew']:.2f}°, {page['colour']}{', blank' if page['blank'] else ''}")
        out.print(line)
        if text:
            out.print(page.get("text", ""), highlight=False)
    for event in data["audit"]:
        out.print(f"{event['at']} {event['actor']}: {event['action']}")


@app.command()
def get(doc_id: str = typer.Argument(..., metavar="ID"),
        output: Path = typer.Option(..., "-o", "--output", help="Where to write the file."),
        original: bool = typer.Option(False, "--original", help="The original instead of the PDF/A copy.")) -> None:
    """Write a document's archival PDF/A (or original) to a file, verifying its checksum first."""
    from .storage import StoreError, open_store

    _, doc = _document_or_fail(doc_id)
    key, sha = (doc.original_key, doc.original_sha256) if original else (doc.archive_key, doc.archive_sha256)
    try:
        open_store(settings()).download(key, output, sha)
    except StoreError as exc:
        fail(str(exc), 1)
    out.print(f"wrote {output} (sha256 {sha[:16]}… verified)")


def run() -> None:  # pragma: no cover - console entry for `python -m dms_ingest`
    app()


if __name__ == "__main__":  # pragma: no cover
    run()


# Further command groups live in dms_ingest/commands/; importing them registers their commands.
from .commands import archive, cases, inbox, migrate  # noqa: E402,F401
from .commands import search as _search_commands  # noqa: E402,F401
