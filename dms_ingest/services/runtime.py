"""What the services work on, opened once per process: settings, catalog, object store, pipeline."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Any, Iterator

from ..access import audit, policy
from ..config import Settings
from ..errors import Forbidden, ServiceError, Unavailable
from ..index.catalog import Catalog
from ..storage import ObjectStore, StoreError
from .actor import Actor


class Runtime:
    """Settings plus the catalog and store they name, each opened on first use and then shared."""

    def __init__(self, settings: Settings, *, catalog: Catalog | None = None, store: ObjectStore | None = None):
        self.settings = settings
        self._catalog = catalog
        self._store = store
        self._lock = threading.Lock()

    @property
    def catalog(self) -> Catalog:
        with self._lock:
            if self._catalog is None:
                self.settings.home.mkdir(parents=True, exist_ok=True)
                self._catalog = Catalog(self.settings.index_url)
            return self._catalog

    @property
    def store(self) -> ObjectStore:
        from ..storage import open_store

        with self._lock:
            if self._store is None:
                try:
                    self._store = open_store(self.settings)
                except StoreError as exc:
                    raise Unavailable(f"object store unavailable: {exc}") from None
            return self._store

    def pipeline(self, workers: int | None = None):
        """A pipeline context (page workers, classifiers) sharing this runtime's catalog and store."""
        from ..ingest.context import Context

        return Context(self.settings, workers=workers, store=self.store, catalog=self.catalog)


@contextmanager
def operation(runtime: Runtime, actor: Actor, action: str, target: str | None = None,
              **detail: Any) -> Iterator[dict]:
    """Run one operation under the access log: one entry with its outcome, however it ends.

    The body calls `policy.require` (once it knows the document, for per-document rights) and may
    add details to the yielded dict.
    """
    note: dict = dict(detail)
    try:
        yield note
    except Forbidden as exc:
        audit.record(runtime.catalog, actor, action, target, "denied", **{**note, "error": str(exc)})
        raise
    except ServiceError as exc:
        audit.record(runtime.catalog, actor, action, target, "refused", **{**note, "error": str(exc)})
        raise
    except BaseException as exc:
        audit.record(runtime.catalog, actor, action, target, "failed", **{**note, "error": type(exc).__name__})
        raise
    audit.record(runtime.catalog, actor, action, target, "ok", **note)


__all__ = ["Runtime", "operation", "policy"]
