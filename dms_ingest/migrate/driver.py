"""Runs of `dms migrate`: the manifest, local worker processes or Celery tasks, progress, report.

Local: N forked worker processes, each with its own pipeline context (one page at a time, so a
worker is one CPU), take pending items of the run from the index until none is left. The parent
only watches: it shows progress, replaces a worker that crashed, forwards Ctrl-C.

Distributed: the items are sent as Celery tasks (one per paper file) to the workers of all
machines; the parent follows the shared index, and puts an item whose worker died back in the queue
(the broker's late acknowledgement would redeliver it too, after the visibility timeout).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import secrets
import signal
import socket
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from ..index import work_items
from ..index.schema import release_connections
from . import manifest
from .models import DONE, FAILED, PENDING, RUNNING, MigrationRun, aware, ensure_tables, utcnow
from .work import BUSY, SKIPPED, process_item

log = logging.getLogger(__name__)


def new_run_id(mode: str) -> str:
    return f"{mode}-" + datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(3)


def open_catalog(settings):
    from ..index.catalog import Catalog

    return migration_catalog(Catalog(settings.index_url))


def migration_catalog(catalog):
    """*catalog* with the migration's tables in its database."""
    ensure_tables(catalog)
    return catalog


def start_run(catalog, source: str, mode: str, workers: int) -> MigrationRun:
    run = MigrationRun(id=new_run_id(mode), source=source, mode=mode, host=socket.gethostname(), pid=os.getpid(),
                       workers=workers)
    return work_items.start_run(catalog, run)


def end_run(catalog, run: MigrationRun, state: str, *, items: int | None = None, report: str | None = None) -> None:
    run.state, run.finished_at = state, utcnow()
    values = dict(state=state, finished_at=run.finished_at)
    if items is not None:
        run.items = values["items"] = items
    if report is not None:
        run.report = values["report"] = report
    work_items.end_run(catalog, run.id, **values)


# --- local worker processes --------------------------------------------------------------


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


def local_worker(settings, run_id: str) -> None:
    """Body of one local worker process: take the run's pending items one by one until none is left."""
    from ..ingest.context import Context

    signal.signal(signal.SIGTERM, _raise_interrupt)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    os.environ["OMP_THREAD_LIMIT"] = "1"
    try:
        with Context(settings, workers=1) as ctx:
            ensure_tables(ctx.catalog)
            while True:
                item_id, wait = manifest.next_pending(ctx.catalog, run_id)
                if item_id is None:
                    if wait is None:
                        return
                    time.sleep(min(wait, 5.0))
                    continue
                if process_item(item_id, ctx, run_id=run_id) in (BUSY, SKIPPED):
                    time.sleep(0.2)
    except KeyboardInterrupt:
        sys.exit(130)


@dataclass
class LocalOutcome:
    state: str          # finished | interrupted
    crashed: int = 0    # worker processes that died and were replaced


def run_local(settings, catalog, run: MigrationRun, *, workers: int, view=None) -> LocalOutcome:
    """Work off the run's items with *workers* processes; Ctrl-C stops them cleanly.

    *view* (a ProgressView) is entered only after the workers are forked: no display thread
    exists at fork time.
    """
    release_connections(catalog)   # no pooled connection crosses the fork
    context = multiprocessing.get_context("fork")
    processes: list = []

    def spawn() -> None:
        process = context.Process(target=local_worker, args=(settings, run.id), name=f"dms-migrate-{len(processes)}")
        process.start()
        processes.append(process)

    for _ in range(max(1, workers)):
        spawn()
    view = view or _NoView()
    try:
        with view:
            return _watch_local(settings, catalog, run, processes, spawn, view, workers)
    except KeyboardInterrupt:
        for process in processes:
            if process.is_alive():
                try:
                    os.kill(process.pid, signal.SIGINT)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + 120
        for process in processes:
            process.join(max(0.1, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()
        manifest.recover_orphans(catalog, max_attempts=settings.migration.max_attempts)
        return LocalOutcome("interrupted")


class _NoView:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None

    def tick(self) -> None:
        return None


def _watch_local(settings, catalog, run, processes, spawn, view, workers) -> LocalOutcome:
    crashed = 0
    while processes:
        time.sleep(0.5)
        for process in list(processes):
            if process.is_alive():
                continue
            process.join()
            processes.remove(process)
            if process.exitcode not in (0, None):
                crashed += 1
                log.warning("worker process %s died (exit code %s)", process.pid, process.exitcode)
                manifest.recover_orphans(catalog, max_attempts=settings.migration.max_attempts)
                left = manifest.counts(catalog, run_id=run.id)[PENDING]["items"]
                if left and crashed <= 3 * max(1, workers):
                    spawn()
        view.tick()
    return LocalOutcome("finished", crashed)


# --- Celery ---------------------------------------------------------------------------------


def enqueue(settings, ids: list[int], run_id: str) -> int:
    """One task per paper file, to the queue of settings.celery."""
    from .tasks import configure, migrate_item

    app = configure(settings)
    # A connection of its own (not the app's pool): the broker is the one configured now.
    with app.connection_for_write(settings.celery.broker_url) as conn, conn.Producer() as producer:
        for item_id in ids:
            migrate_item.apply_async(args=(item_id, run_id), queue=settings.celery.queue, producer=producer)
    return len(ids)


IDLE_REQUEUE_SECONDS = 30.0


def queued_messages(settings) -> int | None:
    """Messages waiting in the Celery queue (None if the broker cannot tell)."""
    from .tasks import configure

    try:
        with configure(settings).connection_for_write(settings.celery.broker_url) as conn:
            return int(conn.default_channel.queue_declare(settings.celery.queue).message_count)
    except Exception:
        return None


def _due_pending(catalog, source: str) -> list[int]:
    now = utcnow()
    return [i.id for i in manifest.items(catalog, source=source, states=(PENDING,))
            if i.not_before is None or aware(i.not_before) <= now]


def follow_distributed(settings, catalog, run: MigrationRun, source: str, *, tick=None, poll: float = 2.0,
                       timeout: float | None = None) -> str:
    """Wait until no item of the source is pending or running; requeue what a dead worker held.

    Two cases: an item 'running' whose advisory lock is gone (the worker died while on it) is sent
    again at once; items still pending while nothing runs and the queue is empty (a worker died
    holding a task it had not started, or the broker lost it) are sent again after
    IDLE_REQUEUE_SECONDS. A duplicate task is harmless: it finds the item done or busy.
    """
    started = time.monotonic()
    last_check = 0.0
    idle_since: float | None = None
    try:
        while True:
            counts = manifest.counts(catalog, source=source)
            if tick:
                tick()
            if counts[PENDING]["items"] == 0 and counts[RUNNING]["items"] == 0:
                return "finished"
            if time.monotonic() - last_check > 5 * poll:
                last_check = time.monotonic()
                recovered = manifest.recover_orphans(catalog, source=source,
                                                     max_attempts=settings.migration.max_attempts)
                again = [i.id for i in manifest.items(catalog, ids=recovered, states=(PENDING,))] if recovered else []
                if again:
                    log.warning("requeueing %d item(s) whose worker died: %s", len(again), again)
                    enqueue(settings, again, run.id)
                stuck = counts[RUNNING]["items"] == 0 and not again and queued_messages(settings) == 0
                idle_since = (idle_since or time.monotonic()) if stuck else None
                if idle_since is not None and time.monotonic() - idle_since > IDLE_REQUEUE_SECONDS:
                    due = _due_pending(catalog, source)
                    if due:
                        log.warning("requeueing %d pending item(s): the queue is empty and no worker is busy", len(due))
                        enqueue(settings, due, run.id)
                    idle_since = None
            if timeout is not None and time.monotonic() - started > timeout:
                return "timeout"
            time.sleep(poll)
    except KeyboardInterrupt:
        return "interrupted"   # the workers go on; following again later picks up the state


# --- progress -------------------------------------------------------------------------------


class ProgressView:
    """Files, pages per minute and ETA on stderr: a rich bar on a terminal, a line a minute otherwise."""

    def __init__(self, catalog, source: str, run_id: str, console, *, enabled: bool = True):
        self.catalog, self.source, self.run_id, self.console = catalog, source, run_id, console
        self.enabled = enabled
        self.interactive = enabled and console.is_terminal
        self.started = time.monotonic()
        self._last_line = 0.0
        self._progress = None
        self._task = None
        self._base_pages: int | None = None

    def __enter__(self) -> "ProgressView":
        if self.interactive:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self._progress = Progress(TextColumn("[bold]migrating[/bold]"), BarColumn(), MofNCompleteColumn(),
                                      TextColumn("files"), TextColumn("{task.fields[pages]}"),
                                      TextColumn("{task.fields[rate]}"), TextColumn("{task.fields[eta]}"),
                                      console=self.console, transient=False)
            self._progress.__enter__()
            self._task = self._progress.add_task("migrate", total=None, pages="", rate="", eta="")
        self.tick()
        return self

    def __exit__(self, *exc) -> None:
        self.tick()
        if self._progress is not None:
            self._progress.__exit__(*exc)

    def tick(self) -> None:
        if not self.enabled:
            return
        try:
            counts = manifest.counts(self.catalog, source=self.source)
            mine = manifest.finished_since(self.catalog, self.run_id)
        except Exception:   # the index briefly unreachable: the display waits
            return
        total = sum(c["items"] for c in counts.values())
        finished = counts[DONE]["items"] + counts[FAILED]["items"]
        pages_total = sum(c["pages"] for c in counts.values())
        pages_finished = counts[DONE]["pages"] + counts[FAILED]["pages"]
        elapsed = max(1e-6, time.monotonic() - self.started)
        rate = mine["pages"] / elapsed * 60
        remaining = counts[PENDING]["pages"] + counts[RUNNING]["pages"]
        eta = remaining / rate * 60 if rate > 0 else None
        pages = f"{pages_finished}/{pages_total} pages"
        rate_text = f"{rate:.0f} pages/min" if mine["pages"] else "… pages/min"
        eta_text = "ETA " + (_duration(eta) if eta is not None else "…")
        if self._progress is not None:
            self._progress.update(self._task, total=total, completed=finished, pages=pages, rate=rate_text,
                                  eta=eta_text)
        elif time.monotonic() - self._last_line >= 60 or finished == total:
            self._last_line = time.monotonic()
            self.console.print(f"migrating: {finished}/{total} files, {pages}, {rate_text}, {eta_text}",
                               highlight=False)


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    return (f"{days}d " if days else "") + f"{hours:d}:{minutes:02d}:{secs:02d}"


def default_report_path(settings, run: MigrationRun) -> Path:
    return settings.report_dir / f"migrate-{run.id}.csv"
