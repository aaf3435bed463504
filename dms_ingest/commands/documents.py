"""`dms ingest`, `dms search`, `dms show`, `dms get`: documents in, found, shown, handed out."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Optional

import typer
from typer.core import TyperCommand
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from ..errors import Unavailable
from ..services import documents
from .console import actor, command, err, fail, out, runtime, service_errors, settings


@command()
def ingest(paths: list[Path] = typer.Argument(..., help="Files or folders (recursively)."),
           json_output: bool = typer.Option(False, "--json", help="One JSON object per document per line."),
           workers: Optional[int] = typer.Option(None, "--workers", "-w", help="Worker processes for pages.")) -> None:
    """Archive files: OCR, classify, PDF/A, store and index each one."""
    skipped: list = []
    with service_errors():
        files = documents.input_files(paths, skipped)
    if json_output:
        for result in skipped:
            sys.stdout.write(json.dumps(result.to_json(), ensure_ascii=False) + "\n")
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TimeRemainingColumn(), console=err, transient=True,
                        disable=json_output or not err.is_terminal)

    def done(_path: Path, results: list) -> None:
        if json_output:
            for result in results:
                sys.stdout.write(json.dumps(result.to_json(), ensure_ascii=False) + "\n")
            sys.stdout.flush()
        progress.advance(task)

    with progress:
        task = progress.add_task("ingesting", total=len(files))
        try:
            results = documents.ingest(actor(), runtime(), files, workers=workers, on_file=done)
        except Unavailable as exc:
            fail(str(exc))
    if not json_output:
        _print_results(results + skipped)
    failed = [r for r in results if r.status == "failed"]
    if failed:
        fail(f"{len(failed)} file(s) could not be stored and stay where they are: {failed[0].error}", 1)


def _print_results(results) -> None:
    table = Table(title="dms ingest", show_lines=False)
    for column in ("source", "status", "id", "pages", "type", "case", "review", "seconds"):
        table.add_column(column)
    for r in sorted(results, key=lambda r: r.source):
        status = {"archived": "[green]archived[/green]", "duplicate": "[yellow]duplicate[/yellow]",
                  "rejected": "[red]rejected[/red]", "failed": "[red]failed[/red]",
                  "skipped": "[dim]skipped[/dim]"}[r.status]
        detail = (r.error if r.status in ("rejected", "skipped")
                  else (", ".join(r.review_reasons[:1]) if r.review else ""))
        table.add_row(Path(r.source).name, status, r.id or "", str(r.pages), r.doc_type or "",
                      r.case_number or "", ("yes: " + detail) if r.review else (detail or "no"), f"{r.seconds:.1f}")
    out.print(table)
    counts = {s: sum(1 for r in results if r.status == s)
              for s in ("archived", "duplicate", "rejected", "failed", "skipped")}
    pages = sum(r.pages for r in results if r.status == "archived")
    review = sum(1 for r in results if r.review and r.status == "archived")
    out.print(f"{len(results)} results: {counts['archived']} archived ({pages} pages), "
              f"{counts['duplicate']} duplicate, {counts['rejected']} rejected, {review} for review"
              + (f", {counts['skipped']} skipped (links, hidden files)" if counts["skipped"] else "") + ". "
              f"Data in {settings().home}")


class _QueryCommand(TyperCommand):
    """A command whose words may start with "-": `dms search -Bescheid` excludes, it is no option.

    Click would read "-Bescheid" as the options -B -e -s ...; here every token that is not one of
    the command's own options is a query word (as if it stood after "--").
    """

    def parse_args(self, ctx, args: list[str]) -> list[str]:
        takes_value, flags = set(), set(ctx.help_option_names)
        for param in self.params:
            if param.param_type_name == "option":
                for name in param.opts + param.secondary_opts:
                    (flags if param.is_flag else takes_value).add(name)
        options, words, tokens = [], [], iter(args)
        for token in tokens:
            name = token.split("=", 1)[0]
            if token == "--":
                words.extend(tokens)
            elif token in flags:
                options.append(token)
            elif token in takes_value:
                options.extend([token, next(tokens, "")])
            elif name in takes_value and name.startswith("--"):
                options.append(token)
            elif any(token.startswith(short) and token[len(short):].isdigit()
                     for short in takes_value if len(short) == 2):
                options.append(token)            # -n5
            else:
                words.append(token)
        return super().parse_args(ctx, options + ["--"] + words)


@command(cls=_QueryCommand)
def search(query: list[str] = typer.Argument(..., help="Words to find; umlauts and ß may be spelled ae/oe/ue/ss; "
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
    from ..index.query import SearchQuery

    request = SearchQuery(" ".join(query), case_numbers=tuple(case) if case else None,
                          doc_types=tuple(doc_type) if doc_type else None,
                          received_from=received_from.date() if received_from else None,
                          received_to=received_to.date() if received_to else None,
                          review=review, limit=max(1, limit), offset=max(0, offset))
    with service_errors():
        result = documents.find(actor(), runtime(), request)
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
    total = f"{result.total}" if result.total_exact else f"more than {result.total} (about {result.total_estimate or result.total})"
    out.print(f"{total} documents ({facets}); showing {offset + 1}-{offset + len(result.hits)}", highlight=False)


@command()
def show(doc_id: str = typer.Argument(..., metavar="ID"), json_output: bool = typer.Option(False, "--json"),
         text: bool = typer.Option(False, "--text", help="Print the full text of every page.")) -> None:
    """Show a document's metadata, pages and history."""
    with service_errors():
        data = documents.show(actor(), runtime(), doc_id, text=text or json_output)
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
    for f in data.get("fields", []):
        shown = f["value"] if f["status"] == "read" else "unread"
        out.print(f"field {f['name']}: {shown} (confidence {f['confidence']:.2f}, page {f['page'] or '-'}: "
                  f"{f['text'][:80]})", highlight=False, markup=False)
    for event in data["audit"]:
        out.print(f"{event['at']} {event['actor']}: {event['action']}")


@command()
def get(doc_id: str = typer.Argument(..., metavar="ID"),
        output: Path = typer.Option(..., "-o", "--output", help="Where to write the file."),
        original: bool = typer.Option(False, "--original", help="The original instead of the PDF/A copy."),
        force: bool = typer.Option(False, "--force", help="Replace an existing file.")) -> None:
    """Write a document's archival PDF/A (or original) to a file or folder, verifying its checksum first."""
    into = output.is_dir()
    with service_errors():
        sha = documents.get(actor(), runtime(), doc_id, output, original=original, overwrite=force)
    out.print(f"wrote {'into ' if into else ''}{output} (sha256 {sha[:16]}… verified)", highlight=False)
