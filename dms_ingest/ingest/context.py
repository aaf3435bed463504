"""What a pipeline run needs, opened once: settings, store, catalog, page workers, classifiers."""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..config import Settings
from ..index.catalog import Catalog
from ..storage import ObjectStore, open_store
from .pages import PageOptions, PageResult, process_page
from .sources import Container


def _single_thread_ocr() -> None:
    # One Tesseract thread per process: on 2 cores this is 3-5x faster than OpenMP's default.
    os.environ["OMP_THREAD_LIMIT"] = "1"


def _worker_init() -> None:
    _single_thread_ocr()
    _die_with_parent()


def _die_with_parent() -> None:
    """A page worker must not outlive a runner killed with SIGKILL (Linux prctl PR_SET_PDEATHSIG)."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)


class Context:
    def __init__(self, settings: Settings, *, workers: int | None = None, store: ObjectStore | None = None,
                 catalog: Catalog | None = None):
        self.settings = settings
        settings.home.mkdir(parents=True, exist_ok=True)
        self.store = store or open_store(settings)
        self.catalog = catalog or Catalog(settings.index_url)
        self.workers = workers if workers is not None else (settings.ocr.workers or default_workers())
        self._pool: Executor | None = None
        self._claims: dict[str, threading.Lock] = {}
        self._claims_lock = threading.Lock()
        self._lazy: dict[str, object] = {}
        self._lazy_lock = threading.Lock()
        imaging = settings.imaging
        self.page_options = PageOptions(settings.ocr.languages, imaging.orientation, imaging.deskew,
                                        imaging.blank_ink_ratio, imaging.jpeg_quality, imaging.max_archive_dpi,
                                        settings.classification.case_number)
        self._executor()

    def work_dir(self) -> Path:
        """Scratch space of this process (swept after a kill -9 by the next process to start)."""
        from .workdirs import process_work_dir

        return process_work_dir(self.settings.work_dir)

    def _executor(self) -> Executor | None:
        if self.workers <= 1:
            return None
        if self._pool is None:
            # fork: workers inherit the imported modules, so they start in milliseconds.
            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("fork"),
                                             initializer=_worker_init)
            # Fork every worker now, while this is the only thread: forking later from a
            # busy multi-threaded runner could copy a lock held by another thread.
            self._pool.submit(_worker_init).result()
        return self._pool

    def run_pages(self, container: Container) -> list[PageResult]:
        """Process every page of a container, in parallel worker processes when configured."""
        pool = self._executor()
        args = [(container.path, container.media_type, spec, self.page_options) for spec in container.pages]
        if pool is None:
            _single_thread_ocr()
            return [process_page(*a) for a in args]
        futures = [pool.submit(process_page, *a) for a in args]
        return [f.result() for f in futures]

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
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> "Context":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
