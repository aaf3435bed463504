"""The watched inbox: files dropped into a folder (local or a mounted SMB/NFS share) are archived.

The folder layout and the moves between its parts are in `inbox_folder.py`.

A file is taken only when it is stable (size and mtime unchanged for ``stable_seconds``) and
opens for reading; temp and hidden files are ignored. Taking is one ``os.rename`` within the
inbox's file system, so a file is either still in the inbox or in ``processing/``: never in two
places, never in none. A file leaves ``processing/`` only after the catalog holds a document
with its SHA-256 (the pipeline returns 'archived' only after verified storage), or, refused,
into ``quarantine/``. Whatever a crash left in ``processing/`` is taken up again on start, after
the interrupted store writes have been completed or rolled back (``reconcile``); duplicates are
recognised by SHA-256, so a file is archived exactly once however often it is handled.

Concurrency: worker *threads* that share one Context (and so one pool of page-worker processes
for rendering and OCR). One Context means one claim registry: the pipeline serialises work on
the same SHA-256 only within a Context, so two copies of one file (or one attachment in two
mails) handled at the same moment are archived once; with separate worker processes each with
its own Context, that guarantee would need a lock across processes. The heavy per-page work
still runs in parallel processes, one per core.
"""

from __future__ import annotations

import logging
import os
import stat
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..config import Settings
from ..storage import StoreError, environment_error, sha256_file
from .completeness import incomplete_reason
from .context import Context
from .inbox_folder import Inbox
from .names import readable
from .pipeline import ingest_file
from .results import InboxOutcome, Status, outcome_of

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


@dataclass
class Handled:
    """What became of one inbox file: one line of `dms watch` output."""

    inbox_file: str                # path relative to the inbox, as dropped
    outcome: InboxOutcome          # skipped: a link or special file, reported, never followed
    results: list = field(default_factory=list)   # IngestResult
    moved_to: str | None = None
    error: str | None = None

    def summary(self) -> str:
        if self.error:
            return f"{self.outcome:<11} {readable(self.inbox_file)}: {self.error}"
        parts = []
        for r in self.results:
            tag = f"#{r.source.split('#', 1)[1]} " if "#" in r.source else ""
            if r.status == "archived":
                extra = ", ".join(x for x in (r.doc_type, r.case_number, "review" if r.review else None) if x)
                parts.append(f"{tag}archived {r.id} ({r.pages} p{', ' + extra if extra else ''})")
            elif r.status == "duplicate":
                parts.append(f"{tag}duplicate of {r.id}")
            else:
                parts.append(f"{tag}{r.status}: {r.error}")
        return f"{self.outcome:<11} {readable(self.inbox_file)}: " + "; ".join(parts)

    def json_lines(self) -> list[dict]:
        extra = {"inbox_file": readable(self.inbox_file), "inbox_outcome": self.outcome,
                 "moved_to": readable(self.moved_to) if self.moved_to else None}
        if not self.results:
            status = "skipped" if self.outcome is InboxOutcome.SKIPPED else "failed"
            return [{"source": extra["inbox_file"], "status": status, "error": self.error, **extra}]
        return [{**r.to_json(), **extra} for r in self.results]


@dataclass
class _Tracked:
    size: int
    mtime_ns: int
    since: float


class Watcher:
    """Watch an inbox folder and archive what is dropped into it, until stop() (or, with once, until empty)."""

    def __init__(self, settings: Settings, ctx: Context, inbox: Path | None = None, *,
                 threads: int | None = None, once: bool = False, stable_seconds: float | None = None,
                 polling: bool | None = None, on_handled: Callable[[Handled], None] | None = None,
                 imap: bool | None = None, reconcile: bool = True):
        cfg = settings.inbox
        self.settings = settings
        self.ctx = ctx
        self.inbox = Inbox(inbox or settings.inbox_dir, cfg.ignore_patterns)
        self.threads = max(1, threads or ctx.workers or 1)
        self.once = once
        self.stable_seconds = cfg.stable_seconds if stable_seconds is None else stable_seconds
        self.polling = cfg.polling if polling is None else polling
        self.on_handled = on_handled or (lambda handled: None)
        self.imap_enabled = settings.mail.imap.enabled if imap is None else imap
        self.reconcile_on_start = reconcile
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._dirty: set[str] = set()
        self._tracked: dict[str, _Tracked] = {}
        self._waiting: set[str] = set()          # files whose format says they are cut off
        self._skipped: set[str] = set()          # links and special files, reported once
        self._retry: dict[Path, tuple[float, int, str]] = {}   # path → (due, attempts, rel)
        self._inflight: dict[Future, Path] = {}
        self._imap_future: Future | None = None
        self._rescan_soon = False
        self.handled = 0

    # -- control

    def stop(self) -> None:
        """Finish the documents in hand, take no new ones, return from run()."""
        self._stop.set()
        self._wake.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def notice(self, path: str | os.PathLike) -> None:
        """A file system event: look at this path soon."""
        rel = self.inbox.relative(Path(path))
        if rel is not None:
            with self._lock:
                self._dirty.add(rel)
            self._wake.set()

    # -- main loop

    def run(self) -> int:
        """Run until stopped (or the inbox is empty, with once); returns the number of files handled."""
        cfg = self.settings.inbox
        if self.reconcile_on_start:
            from .persist import reconcile

            report = reconcile(self.ctx.store, self.ctx.catalog)
            if report.completed or report.rolled_back:
                log.warning("interrupted writes: %d completed, %d rolled back",
                            len(report.completed), len(report.rolled_back))
        observer = None if self.once else self._start_observer()
        executor = ThreadPoolExecutor(self.threads, thread_name_prefix="inbox")
        mail_thread = ThreadPoolExecutor(1, thread_name_prefix="imap")
        for path, rel in self.inbox.in_processing():
            self._retry[path] = (0.0, 0, rel)   # crash leftovers first
        tick = max(0.05, min(0.5, self.stable_seconds / 4 if self.stable_seconds else 0.25))
        next_rescan = 0.0
        next_expiry = time.monotonic() + 5
        next_imap = time.monotonic() if self.imap_enabled else float("inf")
        try:
            while not self._stop.is_set():
                now = time.monotonic()
                if now >= next_rescan:
                    self._add(self.inbox.scan(), now)
                    next_rescan = now + (tick if self.once else cfg.rescan_interval)
                with self._lock:
                    dirty, self._dirty = self._dirty, set()
                self._add(dirty, now)
                self._reap()
                self._submit_retries(executor, now)
                self._take_stable(executor, now)
                if cfg.keep_done_days is not None and now >= next_expiry:
                    self._expire_done(cfg.keep_done_days)
                    next_expiry = now + 3600
                if now >= next_imap and (self._imap_future is None or self._imap_future.done()):
                    self._imap_future = mail_thread.submit(self._fetch_mail)
                    self._imap_future.add_done_callback(lambda _: self._wake.set())
                    next_imap = float("inf") if self.once else now + self.settings.mail.imap.poll_interval
                if self.once and self._idle():
                    break
                self._wake.wait(tick)
                self._wake.clear()
        finally:
            if observer is not None:
                observer.stop()
            executor.shutdown(wait=True)   # the documents in hand are finished, nothing new is taken
            mail_thread.shutdown(wait=True)
            self._reap()
            if observer is not None:
                observer.join(timeout=10)
        return self.handled

    def _idle(self) -> bool:
        # With once, a file that failed stays in processing/ for the next run instead of being retried now.
        return (not self._tracked and not self._inflight and not self._dirty
                and not any(attempts == 0 for _, attempts, _ in self._retry.values())
                and (self._imap_future is None or self._imap_future.done()))

    def _start_observer(self):
        from watchdog.events import FileSystemEventHandler

        watcher = self

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event):
                if event.event_type not in ("created", "modified", "moved", "closed"):
                    return
                if event.is_directory:
                    if event.event_type in ("created", "moved"):
                        watcher._wake.set()
                        watcher._rescan_soon = True
                    return
                for attr in ("dest_path", "src_path"):
                    value = getattr(event, attr, "")
                    if value and (attr == "dest_path" or event.event_type != "moved"):
                        watcher.notice(os.fsdecode(value))

        if self.polling:
            from watchdog.observers.polling import PollingObserver

            observer = PollingObserver(timeout=self.settings.inbox.poll_interval)
            recursive = False   # a share's done/ may hold years of files: subfolders come with the rescan
        else:
            from watchdog.observers import Observer

            observer = Observer()
            recursive = True
        observer.schedule(Handler(), str(self.inbox.root), recursive=recursive)
        observer.daemon = True
        observer.start()
        return observer

    def _add(self, rels, now: float) -> None:
        if self._rescan_soon:
            self._rescan_soon = False
            rels = set(rels) | set(self.inbox.scan())
        for rel in rels:
            if rel not in self._tracked:
                self._tracked[rel] = _Tracked(-1, -1, now)

    def _take_stable(self, executor: ThreadPoolExecutor, now: float) -> None:
        for rel in list(self._tracked):
            if len(self._inflight) >= self.threads or self._stop.is_set():
                return
            state = self._tracked[rel]
            path = self.inbox.root / rel
            try:
                st = path.lstat()
            except (FileNotFoundError, NotADirectoryError):
                del self._tracked[rel]
                continue
            if not stat.S_ISREG(st.st_mode):   # symlinks, fifos, sockets: never taken, but said once
                del self._tracked[rel]
                if rel not in self._skipped:
                    self._skipped.add(rel)
                    kind = "symbolic link" if stat.S_ISLNK(st.st_mode) else "not a regular file"
                    self._emit(Handled(rel, InboxOutcome.SKIPPED, [], None,
                                       error=f"{kind}: not followed; put the file itself into the inbox"))
                continue
            if (st.st_size, st.st_mtime_ns) != (state.size, state.mtime_ns):
                self._tracked[rel] = _Tracked(st.st_size, st.st_mtime_ns, now)
                if self.stable_seconds > 0:
                    continue
            elif now - state.since < self.stable_seconds:
                continue
            if not _readable(path):
                self._tracked[rel] = _Tracked(-1, -1, now)
                continue
            if self._still_written(rel, path, st):
                if self.once:
                    del self._tracked[rel]      # the next run looks again
                else:
                    self._tracked[rel] = _Tracked(st.st_size, st.st_mtime_ns, now)
                continue
            del self._tracked[rel]
            taken = self.inbox.take(rel)
            if taken is not None:
                self._submit(executor, taken, rel)

    def _still_written(self, rel: str, path: Path, st: os.stat_result) -> bool:
        """Stable, but its format says it is cut off: wait for the writer, up to incomplete_wait_seconds."""
        reason = incomplete_reason(path)
        if reason is None or time.time() - st.st_mtime >= self.settings.inbox.incomplete_wait_seconds:
            self._waiting.discard(rel)
            return False
        if rel not in self._waiting:
            self._waiting.add(rel)
            log.warning("%s looks incomplete (%s): waiting for the writer", rel, reason)
        return True

    def _submit(self, executor: ThreadPoolExecutor, path: Path, rel: str, attempts: int = 0) -> None:
        future = executor.submit(self._handle, path, rel, attempts)
        self._inflight[future] = path
        future.add_done_callback(lambda _: self._wake.set())

    def _submit_retries(self, executor: ThreadPoolExecutor, now: float) -> None:
        for path, (due, attempts, rel) in list(self._retry.items()):
            if len(self._inflight) >= self.threads or self._stop.is_set():
                return
            if due <= now and not (self.once and attempts):
                del self._retry[path]
                if path.exists():
                    self._submit(executor, path, rel, attempts)

    def _reap(self) -> None:
        for future in [f for f in self._inflight if f.done()]:
            path = self._inflight.pop(future)
            outcome = future.result()
            if isinstance(outcome, tuple):       # retry later: (attempts, rel)
                attempts, rel = outcome
                self._retry[path] = (time.monotonic() + min(300.0, 5.0 * 2 ** attempts), attempts, rel)

    # -- one file

    def _handle(self, path: Path, rel: str, attempts: int):
        source = str(self.inbox.root / rel)
        try:
            sha = sha256_file(path)
            # A refused file goes to quarantine/ once: the pipeline moves it there with its reason.
            results = ingest_file(path, self.ctx, source=source, display_name=rel,
                                  quarantine_dir=self.inbox.quarantine, take_original=True)
            outcome = InboxOutcome.of(outcome_of(results, original_archived=bool(self.ctx.catalog.find_by_original(sha))))
            if outcome is InboxOutcome.RETRY:
                raise _Retry(next(r.error for r in results if r.status == Status.FAILED))
            if outcome is InboxOutcome.DONE:
                target = self.inbox.to_done(path, rel)
            elif path.exists():   # not archived, yet not refused as a whole: keep it with what is known
                reasons = [f"{r.error} ({r.reason_code})" for r in results if r.status == Status.REJECTED]
                target = self.inbox.to_quarantine(path, rel, "\n".join(reasons) or "not archived")
            else:
                target = self.inbox.quarantined_by_pipeline(path, next(r.quarantined for r in results if r.quarantined))
            handled = Handled(rel, outcome, results, str(target.relative_to(self.inbox.root)))
        except Exception as exc:  # store outage, disk full, a bug: the file stays in processing/
            attempts += 1
            detail = str(exc) if isinstance(exc, _Retry) else f"{type(exc).__name__}: {exc}"
            if not isinstance(exc, _Retry):
                log.exception("handling %s failed", rel)
            # An unreachable store is waited for as long as it takes; anything else is given up on
            # (quarantined with its reason) after MAX_ATTEMPTS.
            waits = isinstance(exc, (_Retry, StoreError)) or environment_error(exc)   # store down, disk full
            if not waits and attempts >= MAX_ATTEMPTS and path.exists():
                target = self.inbox.to_quarantine(
                    path, rel, f"could not be archived after {attempts} attempts: {detail}\n"
                               f"move it back into the inbox to try again")
                self._emit(Handled(rel, InboxOutcome.QUARANTINED, [], str(target.relative_to(self.inbox.root)),
                                   error=detail))
                return None
            self._emit(Handled(rel, InboxOutcome.RETRY, [], None, error=f"{detail} (attempt {attempts}, will retry)"))
            return (attempts, rel)
        self._emit(handled)
        return None

    def _emit(self, handled: Handled) -> None:
        with self._lock:
            self.handled += 1 if handled.outcome not in (InboxOutcome.RETRY, InboxOutcome.SKIPPED) else 0
            try:
                self.on_handled(handled)
            except Exception:
                log.exception("reporting %s failed", handled.inbox_file)

    def _expire_done(self, keep_days: int) -> None:
        def archived(path: Path) -> bool:
            return bool(self.ctx.catalog.find_by_original(sha256_file(path)))

        try:
            removed = self.inbox.expire_done(keep_days, archived)
            if removed:
                log.info("removed %d originals older than %d days from done/", removed, keep_days)
        except Exception:
            log.exception("cleaning done/ failed")

    def _fetch_mail(self) -> None:
        from .imap import ImapError, MailFetcher

        try:
            MailFetcher(self.settings, self.ctx).fetch(on_mail=self._emit_mail, should_stop=self._stop.is_set)
        except ImapError as exc:
            log.error("IMAP: %s", exc)
            self._emit(Handled(f"imap:{self.settings.mail.imap.folder}", InboxOutcome.RETRY, [], error=str(exc)))

    def _emit_mail(self, mail) -> None:
        self._emit(Handled(mail.source, InboxOutcome.of(mail.decision), mail.results, mail.moved_to, mail.error))


class _Retry(Exception):
    pass


def _readable(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            handle.read(1)
        return True
    except OSError:
        return False
