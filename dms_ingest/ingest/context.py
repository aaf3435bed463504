"""What a pipeline run needs, opened once: settings, store, catalog, page workers, classifiers."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..config import Settings
from ..index.catalog import Catalog
from ..storage import ObjectStore, open_store
from .pagepool import PagePool, worker_count
from .pages import PageOptions, PageResult
from .sources import Container


class Context:
    def __init__(self, settings: Settings, *, workers: int | None = None, store: ObjectStore | None = None,
                 catalog: Catalog | None = None):
        self.settings = settings
        settings.home.mkdir(parents=True, exist_ok=True)
        self.store = store or open_store(settings)
        self.catalog = catalog or Catalog(settings.index_url)
        self.workers = workers if workers is not None else worker_count(settings.ocr.workers)
        self.page_options = PageOptions.of(settings)
        self.pages = PagePool(self.workers)
        self._claims: dict[str, threading.Lock] = {}
        self._claims_lock = threading.Lock()
        self._lazy: dict[str, object] = {}
        self._lazy_lock = threading.Lock()

    def work_dir(self) -> Path:
        """Scratch space of this process (swept after a kill -9 by the next process to start)."""
        from .workdirs import process_work_dir

        return process_work_dir(self.settings.work_dir)

    def run_pages(self, container: Container) -> list[PageResult]:
        """Process every page of a container, in parallel worker processes when configured."""
        return self.pages.run(container, self.page_options)

    @contextmanager
    def claim(self, sha256: str) -> Iterator[None]:
        """Serialise work on the same original, so a file dropped twice is archived once.

        Threads of this process queue on a lock; processes (here or on other machines) on the
        claim row in the index, which is what makes "once" hold for any number of workers.
        """
        with self._claims_lock:
            lock = self._claims.setdefault(sha256, threading.Lock())
        with lock, self.catalog.claim_original(sha256):
            yield

    def lazy(self, name: str, factory):
        """A heavy resource (classifier model, case registry) built once per process on first use."""
        with self._lazy_lock:
            if name not in self._lazy:
                self._lazy[name] = factory()
            return self._lazy[name]

    def cached(self, name: str, version, factory):
        """Like lazy(), but rebuilt whenever *version* changes (e.g. the case registry was re-imported)."""
        with self._lazy_lock:
            entry = self._lazy.get(name)
            if entry is None or entry[0] != version:
                entry = (version, factory())
                self._lazy[name] = entry
            return entry[1]

    def forget(self, name: str) -> None:
        with self._lazy_lock:
            self._lazy.pop(name, None)

    def close(self) -> None:
        self.pages.close()

    def __enter__(self) -> "Context":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
