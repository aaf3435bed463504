"""The long-running jobs of a server: the inbox watcher, the IMAP fetch, a migration, a Celery
worker, the nightly batch and a search reindex.

Each asks the policy before it starts, and the access log shows when it started and how it ended
(one entry each, action = the policy action, `phase` start or stop): who ran the intake or a
migration over which span is part of the record, not only the documents it produced.
"""

from __future__ import annotations

from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any, Callable, Iterator

from ..access import audit
from ..errors import Invalid, Unavailable
from .actor import Actor
from .runtime import Runtime, operation, policy


@contextmanager
def _runner(actor: Actor, runtime: Runtime, action: str, **detail: Any) -> Iterator[dict]:
    """Policy check, a start entry, and (through `operation`) a stop entry with the outcome; the
    yielded dict's contents go into the stop entry."""
    with operation(runtime, actor, action, None, object_type="runner", **detail) as note:
        note["phase"] = "start"          # a refusal is logged as a refused start
        policy.require(actor, action)
        audit.record(runtime.catalog, actor, action, None, "ok", **note)
        note["phase"] = "stop"
        yield note


def watch(actor: Actor, runtime: Runtime, folder: Path, *, workers: int, once: bool = False,
          stable_seconds: float | None = None, polling: bool | None = None, imap: bool | None = None,
          on_handled: Callable | None = None, on_start: Callable | None = None) -> int:
    """Watch *folder* until the watcher is stopped (or, with *once*, until it is empty); returns how
    many files were handled. *on_start* receives the Watcher before it runs (to stop it on a signal)."""
    from ..ingest.watcher import Watcher

    with _runner(actor, runtime, "run_intake", runner="watch", folder=str(folder), once=once) as note:
        # The pipeline forks its page workers now, before any thread of the watcher exists.
        with runtime.pipeline(workers) as ctx:
            watcher = Watcher(runtime.settings, ctx, folder, threads=workers, once=once,
                              stable_seconds=stable_seconds, polling=polling, imap=imap, on_handled=on_handled)
            if on_start is not None:
                on_start(watcher)
            note["handled"] = watcher.run()
        return note["handled"]


def fetch_mail(actor: Actor, runtime: Runtime, *, workers: int | None = None, unseen: bool = False,
               limit: int | None = None, on_mail: Callable | None = None) -> list:
    """Archive the messages of the IMAP folder (ImapError when the mailbox cannot be used)."""
    from ..ingest.imap import MailFetcher
    from ..ingest.results import ImapOutcome

    with _runner(actor, runtime, "run_intake", runner="mail_fetch", unseen=unseen, limit=limit) as note:
        with runtime.pipeline(workers) as ctx:
            mails = MailFetcher(runtime.settings, ctx).fetch(unseen_only=unseen, limit=limit, on_mail=on_mail)
        note.update(messages=len(mails), refused=sum(1 for m in mails if m.outcome is ImapOutcome.FAILED),
                    retry=sum(1 for m in mails if m.outcome is ImapOutcome.RETRY))
        return mails


def migrate(actor: Actor, runtime: Runtime, source: Path, *, workers: int, report: Path | None = None,
            distributed: bool = False, wait: bool = True, retry_failed: bool = False,
            on_plan: Callable | None = None, view_factory: Callable | None = None) -> dict:
    """Migrate a legacy archive (see `dms migrate`). Returns {"state": finished | interrupted |
    enqueued, "run_id", "enqueued"} plus, unless only enqueued, the "summary" and "files_written".
    *on_plan*(source, total, added, todo, recovered) is called before the work starts;
    *view_factory*(catalog, source, run_id) makes the progress view."""
    from ..migrate import manifest
    from ..migrate import report as reports
    from ..migrate.driver import (default_report_path, end_run, enqueue, follow_distributed, migration_catalog,
                                  run_local, start_run)

    cfg = runtime.settings
    with _runner(actor, runtime, "run_migration", source=str(source), distributed=distributed) as note:
        if distributed and cfg.index_url.startswith("sqlite"):
            raise Invalid("--distributed needs an index every machine shares: set index.url to PostgreSQL "
                          "(e.g. postgresql+psycopg2://dms@db-host/dms)")
        try:
            papers = manifest.discover(source)
        except manifest.SourceError as exc:
            raise Invalid(str(exc)) from None
        key = manifest.source_key(source)
        catalog = migration_catalog(runtime.catalog)
        added, total = manifest.sync(catalog, key, papers)
        if not total:
            raise Invalid(f"no paper files found in {key}")
        recovered = manifest.recover_orphans(catalog, source=key, max_attempts=cfg.migration.max_attempts)
        if retry_failed:
            manifest.retry_failed(catalog, source=key, include_permanent=True)
        run = start_run(catalog, key, "distributed" if distributed else "local", 0 if distributed else workers)
        ids = manifest.adopt(catalog, run.id, source=key)
        note.update(run_id=run.id, items=len(ids))
        if on_plan is not None:
            on_plan(key, total, added, len(ids), len(recovered))
        view = view_factory(catalog, key, run.id) if view_factory else None
        if distributed:
            try:
                enqueue(cfg, ids, run.id)
            except Exception as exc:
                end_run(catalog, run, "failed", items=len(ids))
                raise Unavailable(f"cannot reach the Celery broker {cfg.celery.broker_url}: {exc}") from None
            if not wait:
                end_run(catalog, run, "enqueued", items=len(ids))
                note["state"] = "enqueued"
                return {"state": "enqueued", "run_id": run.id, "enqueued": len(ids), "queue": cfg.celery.queue}
            with view or nullcontext():
                state = follow_distributed(cfg, catalog, run, key, tick=view.tick if view else None)
        elif ids:
            state = run_local(cfg, catalog, run, workers=workers, view=view).state
        else:
            state = "finished"
        end_run(catalog, run, "interrupted" if state == "interrupted" else "finished", items=len(ids))
        work = manifest.items(catalog, source=key)
        summary = reports.summarise(work, source=key, run=run)
        written = reports.write(report or default_report_path(cfg, run), work, summary)
        summary["report"] = written["csv"]
        end_run(catalog, run, run.state, report=written["csv"])
        note.update(state=state, complete=summary["complete"])
        return {"state": state, "run_id": run.id, "enqueued": len(ids) if distributed else 0,
                "summary": summary, "files_written": written}


def worker(actor: Actor, runtime: Runtime, *, concurrency: int, loglevel: str = "INFO") -> int:
    """Run a Celery worker for distributed migrations until it is stopped; returns its exit code."""
    from ..index.schema import release_connections
    from ..migrate.tasks import run_worker

    with _runner(actor, runtime, "run_worker", concurrency=concurrency) as note:
        release_connections(runtime.catalog)     # no pooled connection crosses the worker pool's fork
        note["exit_code"] = run_worker(runtime.settings, concurrency=concurrency, loglevel=loglevel)
        return note["exit_code"]


def nightly(actor: Actor, runtime: Runtime, *, sample: int, workers: int, retry: bool = True, train: bool = True,
            force_train: bool = False, view_factory: Callable | None = None) -> dict:
    """The nightly batch (retries, retraining, fixity sample, applications, access log); its report."""
    from ..migrate import nightly as batch

    with _runner(actor, runtime, "run_nightly", sample=sample, retry=retry, train=train) as note:
        result = batch.run_nightly(runtime.settings, runtime.catalog, sample=sample, workers=workers, retry=retry,
                                   train=train, force_train=force_train, view_factory=view_factory)
        note["passed"] = result["passed"]
        return result


def reindex(actor: Actor, runtime: Runtime, *, batch: int = 2000, progress: Callable | None = None) -> dict:
    """Rebuild the search index from the stored page texts (resumable); pages, time and index size."""
    import time

    with _runner(actor, runtime, "reindex", batch=batch) as note:
        catalog = runtime.catalog
        started = time.monotonic()
        pages = catalog.reindex(progress=progress, batch=batch)
        seconds = time.monotonic() - started
        note.update(pages=pages)
        return {"pages": pages, "seconds": round(seconds, 1),
                "pages_per_second": round(pages / seconds) if seconds else 0, **catalog.index_stats()}


__all__ = ["fetch_mail", "migrate", "nightly", "reindex", "watch", "worker"]
