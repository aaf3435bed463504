"""Page workers: the processes that render and OCR pages, forked once per runner.

Rendering and OCR are CPU-bound and Tesseract is not thread-safe per handle, so pages go to
processes; documents may still be handled by several threads that share one pool.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Executor, ProcessPoolExecutor

from .pages import PageOptions, PageResult, process_page
from .sources import Container


def worker_count(configured: int | None = None) -> int:
    """The number of workers: as configured, or one per CPU core when 0 / not given."""
    return max(1, configured or os.cpu_count() or 1)


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


class PagePool:
    """*workers* page processes (none for 1: pages are then processed in the calling thread)."""

    def __init__(self, workers: int):
        self.workers = workers
        self._pool: Executor | None = None
        if workers > 1:
            # fork: workers inherit the imported modules, so they start in milliseconds.
            self._pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                             initializer=_worker_init)
            # Fork every worker now, while this is the only thread: forking later from a
            # busy multi-threaded runner could copy a lock held by another thread.
            self._pool.submit(_worker_init).result()

    def run(self, container: Container, options: PageOptions) -> list[PageResult]:
        """Process every page of a container, in page order."""
        args = [(container.path, container.media_type, spec, options) for spec in container.pages]
        if self._pool is None:
            _single_thread_ocr()
            return [process_page(*a) for a in args]
        futures = [self._pool.submit(process_page, *a) for a in args]
        return [f.result() for f in futures]

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
