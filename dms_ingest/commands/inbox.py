"""`dms watch` and `dms mail fetch`: the mailroom inbox and digital mail."""

from __future__ import annotations

import json
import logging
import signal
import sys
import threading
from pathlib import Path
from typing import Optional

import typer

from ..errors import ServiceError
from ..services import runners
from .console import actor, command, err, fail, group, out, runtime, settings

mail_app = group("mail", "Digital mail from an IMAP mailbox.")

_print_lock = threading.Lock()


def _printer(json_output: bool):
    def show(handled) -> None:
        with _print_lock:
            if json_output:
                for line in handled.json_lines():
                    sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
            else:
                sys.stdout.write(handled.summary() + "\n")
            sys.stdout.flush()
    return show


@command()
def watch(inbox: Optional[Path] = typer.Argument(None, help="The folder to watch (default: inbox.path)."),
          once: bool = typer.Option(False, "--once", help="Process what is in the inbox now, then exit."),
          json_output: bool = typer.Option(False, "--json", help="One JSON object per document per line."),
          workers: Optional[int] = typer.Option(None, "--workers", "-w",
                                                help="Documents in parallel and page processes (default inbox.workers)."),
          stable_seconds: Optional[float] = typer.Option(None, "--stable-seconds",
                                                         help="Override inbox.stable_seconds."),
          polling: Optional[bool] = typer.Option(None, "--polling/--no-polling",
                                                 help="Override inbox.polling (network shares need polling)."),
          imap: Optional[bool] = typer.Option(None, "--imap/--no-imap", help="Override mail.imap.enabled."),
          verbose: bool = typer.Option(False, "--verbose", "-v", help="Log to stderr.")) -> None:
    """Watch the inbox folder: archive every stable file dropped there, move it to done/ or quarantine/."""
    from ..ingest.pagepool import worker_count

    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    cfg = settings()
    folder = (inbox or cfg.inbox_dir).resolve()
    if folder.exists() and not folder.is_dir():
        fail(f"not a folder: {folder}")
    count = worker_count(workers if workers is not None else cfg.inbox.workers)
    previous: dict = {}

    def started(watcher) -> None:
        def stop(signum, _frame):
            err.print(f"{signal.Signals(signum).name}: finishing the documents in hand, then exiting",
                      highlight=False)
            watcher.stop()

        previous.update({sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)})
        if not once and not json_output:
            err.print(f"watching {folder} ({'polling' if watcher.polling else 'inotify'}, "
                      f"{count} workers, stable after {watcher.stable_seconds:g} s)", highlight=False)

    try:
        handled = runners.watch(actor(), runtime(), folder, workers=count, once=once, stable_seconds=stable_seconds,
                                polling=polling, imap=imap, on_handled=_printer(json_output), on_start=started)
    except ServiceError as exc:          # the object store is unreachable: nothing to do without it
        fail(str(exc))
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if not json_output:
        err.print(f"{handled} file(s) handled", highlight=False)


@mail_app.command("fetch")
def mail_fetch(json_output: bool = typer.Option(False, "--json", help="One JSON object per document per line."),
               unseen: bool = typer.Option(False, "--unseen", help="Only messages not yet marked seen."),
               limit: Optional[int] = typer.Option(None, "--limit", "-n", help="At most this many messages."),
               workers: Optional[int] = typer.Option(None, "--workers", "-w", help="Page worker processes.")) -> None:
    """Archive the messages of the IMAP folder; each goes to processed_folder once archived."""
    from ..ingest.imap import ImapError
    from ..ingest.results import ImapOutcome

    def show(mail) -> None:
        with _print_lock:
            if json_output:
                for r in mail.results or [None]:
                    line = r.to_json() if r is not None else {"source": mail.source, "status": "failed",
                                                              "error": mail.error}
                    line.update(imap_uid=mail.uid, imap_outcome=mail.outcome, moved_to=mail.moved_to)
                    sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
                sys.stdout.flush()
            else:
                states = ", ".join(f"{r.part or 'mail'} {r.status}" for r in mail.results)
                where = f" → {mail.moved_to}" if mail.moved_to else ""
                detail = f": {mail.error}" if mail.error else ""
                out.print(f"{mail.outcome:<7} message {mail.uid}{where} ({states}){detail}", highlight=False)

    try:
        mails = runners.fetch_mail(actor(), runtime(), workers=workers, unseen=unseen, limit=limit, on_mail=show)
    except ImapError as exc:
        fail(str(exc), 1)
    except ServiceError as exc:
        fail(str(exc))
    failed = sum(1 for m in mails if m.outcome is ImapOutcome.FAILED)
    retry = sum(1 for m in mails if m.outcome is ImapOutcome.RETRY)
    if not json_output:
        out.print(f"{len(mails)} message(s): {len(mails) - failed - retry} archived, {failed} refused, "
                  f"{retry} left for the next run", highlight=False)
    if retry:
        raise typer.Exit(1)
