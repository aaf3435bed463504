"""The Celery app of the distributed migration: one task per paper file.

Delivery is at-least-once and the work is idempotent (see work.py):
* late acknowledgement: a task is acknowledged when it has finished, so the task of a worker that
  is killed (kill -9, power cut) goes back to the queue after ``celery.visibility_timeout``;
* ``task_reject_on_worker_lost``: a pool process that dies takes its task back to the queue at once;
* prefetch multiplier 1: a worker holds no more tasks than it works on, nothing waits behind a long file;
* a task that arrives twice finds the item done (nothing to do) or locked by a live worker (dropped).
"""

from __future__ import annotations

import logging
import os
import socket

from celery import Celery
from celery.signals import worker_process_init

log = logging.getLogger(__name__)

app = Celery("dms_ingest.migrate")
_state: dict = {}


def configure(settings) -> Celery:
    """Point the app at settings.celery (broker, queue, visibility timeout)."""
    cfg = settings.celery
    visibility = int(cfg.visibility_timeout)
    app.conf.update(
        broker_url=cfg.broker_url,
        result_backend=cfg.result_backend,
        task_ignore_result=True,
        task_default_queue=cfg.queue,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        worker_max_tasks_per_child=200,        # bounds memory growth of long-lived OCR processes
        worker_hijack_root_logger=False,
        broker_connection_retry_on_startup=True,
        task_serializer="json", accept_content=["json"],
        broker_transport_options={
            "visibility_timeout": visibility,
            # Look for unacknowledged tasks of dead workers often enough to notice within the timeout.
            "unacked_restore_interval": max(1, min(10, visibility // 6)),
            "unacked_restore_throttle": 1,
        },
    )
    _state["settings"] = settings
    return app


@worker_process_init.connect
def _fresh_process(**_kwargs) -> None:
    # A forked pool process must not reuse the parent's pipeline context or index connections.
    _state.pop("context", None)
    os.environ["OMP_THREAD_LIMIT"] = "1"


def _context():
    from ..ingest.context import Context
    from .models import ensure_tables

    if "context" not in _state:
        ctx = Context(_state["settings"], workers=1)
        ensure_tables(ctx.catalog)
        _state["context"] = ctx
    return _state["context"]


@app.task(bind=True, name="dms_ingest.migrate_item", acks_late=True, reject_on_worker_lost=True,
          ignore_result=True, max_retries=None)
def migrate_item(self, item_id: int, run_id: str | None = None) -> str:
    from sqlalchemy.exc import DBAPIError

    from . import manifest
    from .models import PENDING, aware, utcnow
    from .work import process_item

    try:
        ctx = _context()
        state = process_item(item_id, ctx, run_id=run_id)
    except DBAPIError as exc:  # the index is unreachable: try again later, the item is untouched or orphaned
        _state.pop("context", None)
        log.warning("index unavailable for item %s: %s", item_id, exc)
        raise self.retry(countdown=30)
    if state == PENDING:      # a transient failure: retry once the item's delay has passed
        item = manifest.get(ctx.catalog, item_id)
        wait = (aware(item.not_before) - utcnow()).total_seconds() if item and item.not_before else 30
        raise self.retry(countdown=max(1, min(int(wait), 600)))
    return state


def run_worker(settings, *, concurrency: int, loglevel: str = "INFO") -> int:
    """`dms worker`: consume settings.celery.queue with *concurrency* processes (prefork)."""
    configure(settings)
    worker = app.Worker(
        hostname=f"dms-{os.getpid()}@{socket.gethostname()}",
        concurrency=max(1, concurrency), queues=[settings.celery.queue], loglevel=loglevel,
        pool_cls="prefork", without_gossip=True, without_mingle=True, optimization="fair",
    )
    worker.start()
    return int(worker.exitcode or 0)
