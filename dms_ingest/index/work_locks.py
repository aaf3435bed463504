"""Who works on a paper file, and is that process still alive?

On PostgreSQL a worker holds a session advisory lock on the work item for as long as it works
on it: the server drops the lock the moment the worker's connection dies (kill -9, crash, reboot),
so "running, but nobody holds the lock" means the worker is gone. SQLite (one machine) has no
such locks: there the worker id (host, pid, process start time) is checked against /proc, and a
worker on another host counts as gone when its heartbeat is older than STALE_SECONDS.
"""

from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from datetime import timedelta
from typing import ContextManager, Iterator

from sqlalchemy import text, update

from ..processes import holder_alive, worker_id  # noqa: F401 - re-exported for the migration
from .work_models import WorkItem, aware, utcnow

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 15.0
STALE_SECONDS = 120.0          # SQLite only: no heartbeat for this long = the worker is gone
_LOCK_ITEM = 0x444D            # advisory lock namespaces ("DM", "DN")
_LOCK_ORIGINAL = 0x444E


def uses_advisory_locks(catalog) -> bool:
    return catalog.engine.dialect.name == "postgresql"


@contextmanager
def _advisory(catalog, namespace: int, key_sql: str, params: dict, *, wait: bool) -> Iterator[bool]:
    if not uses_advisory_locks(catalog):
        yield True
        return
    conn = catalog.engine.connect()
    try:
        call = "pg_advisory_lock" if wait else "pg_try_advisory_lock"
        got = conn.execute(text(f"SELECT {call}(:ns, {key_sql})"), {"ns": namespace, **params}).scalar()
        got = True if wait else bool(got)
        conn.commit()
        try:
            yield got
        finally:
            if got:
                try:
                    conn.execute(text(f"SELECT pg_advisory_unlock(:ns, {key_sql})"), {"ns": namespace, **params})
                    conn.commit()
                except Exception:  # a connection we cannot unlock must not go back to the pool
                    log.warning("advisory unlock failed; dropping the connection", exc_info=True)
                    conn.invalidate()
    finally:
        conn.close()


def item_lock(catalog, item_id: int) -> ContextManager[bool]:
    """Try to become the only process working on this item (always True on SQLite)."""
    return _advisory(catalog, _LOCK_ITEM, ":key", {"key": int(item_id) % 2**31}, wait=False)


def original_lock(catalog, sha256: str) -> ContextManager[bool]:
    """Wait until no other process archives the same bytes (two items holding identical files)."""
    return _advisory(catalog, _LOCK_ORIGINAL, "hashtext(:sha)", {"sha": sha256}, wait=True)


def holder_gone(catalog, item: WorkItem) -> bool:
    """Is the process recorded as working on this running item dead? (SQLite rule; see module doc)."""
    alive = holder_alive(item.worker)
    if alive is not None:
        return not alive
    beat = aware(item.heartbeat_at) or aware(item.started_at)
    return beat is None or utcnow() - beat > timedelta(seconds=STALE_SECONDS)


class Heartbeat:
    """Refreshes heartbeat_at of the item while a worker works on it (for progress and liveness)."""

    def __init__(self, catalog, item_id: int, worker: str, interval: float = HEARTBEAT_SECONDS):
        self.catalog, self.item_id, self.worker, self.interval = catalog, item_id, worker, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{item_id}", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                with self.catalog.engine.begin() as conn:
                    conn.execute(update(WorkItem).where(WorkItem.id == self.item_id, WorkItem.worker == self.worker)
                                 .values(heartbeat_at=utcnow()))
            except Exception:  # the index may be briefly unreachable; the work itself decides
                log.debug("heartbeat of item %s failed", self.item_id, exc_info=True)

    def __enter__(self) -> "Heartbeat":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
