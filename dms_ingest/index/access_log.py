"""The access log's storage: a hash chain in the index database (what to log is `access/audit.py`'s).

Each entry carries the SHA-256 of the previous entry and its own hash over (previous hash + its
fields), so `verify` finds any altered, deleted or reordered entry. Entries are numbered without
gaps under a database lock (an advisory lock on PostgreSQL; a file lock and BEGIN IMMEDIATE on
SQLite), so several server processes on several machines append to one chain.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import threading
import weakref
from collections.abc import Collection
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import text
from sqlmodel import Session, select

from .access_models import AccessLogAnchor, AccessLogRow, ensure_tables
from .schema import engine_of

GENESIS = "0" * 64
_ADVISORY_LOCK = 0x444D5341  # "DMSA": one chain per database
def _naive_utc(at: datetime) -> datetime:
    if at.tzinfo is not None:
        at = at.astimezone(timezone.utc).replace(tzinfo=None)
    return at


def entry_hash(prev_hash: str, seq: int, at: datetime, login: str, role: str, client: str, action: str,
               object_type: str, object_id: str, case_number: str | None, outcome: str, detail: str) -> str:
    """SHA-256 over the previous hash and a canonical form of the entry's fields."""
    payload = json.dumps([seq, _naive_utc(at).isoformat(timespec="microseconds"), login, role, client, action,
                          object_type, object_id, case_number, outcome, detail],
                         ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev_hash + payload).encode("utf-8")).hexdigest()


@dataclass
class Entry:
    """What happened, before it gets its place in the chain."""

    login: str
    role: str
    client: str
    action: str
    object_type: str = ""
    object_id: str = ""
    case_number: str | None = None
    outcome: str = "ok"
    detail: dict = field(default_factory=dict)


def append(db, entry: Entry) -> Appended:
    """Append one entry to the chain and return once it is committed.

    Group commit without a thread of its own: the first caller of a process writes its entry and
    every entry that queues up meanwhile in one transaction; the others wait for that commit (and
    write the next batch if theirs came too late for it). Alone, a caller simply writes its own
    entry; processes and machines serialise on the database lock."""
    return _appender(engine_of(db)).append(entry)


@contextmanager
def _chain_lock(engine):
    """A connection in a transaction that alone may change the chain: a PostgreSQL advisory lock
    (machines), or for SQLite a file lock beside the database (the kernel wakes the next process at
    once, where SQLite's own busy wait would sleep) and then BEGIN IMMEDIATE."""
    if engine.dialect.name != "sqlite":
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _ADVISORY_LOCK})
            yield conn
        return
    database = engine.url.database
    handle = open(f"{database}.access-log-lock", "a") if database and database != ":memory:" else None
    try:
        if handle is not None:
            fcntl.flock(handle, fcntl.LOCK_EX)
        with engine.connect() as conn:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            yield conn
    finally:
        if handle is not None:
            handle.close()                       # closing releases the lock


@dataclass(frozen=True)
class Appended:
    """An entry's place in the chain, once committed."""

    seq: int
    entry_hash: str


def _write_batch(engine, entries: list[Entry]) -> list[Appended]:
    """Chain *entries* after the current head and commit them in one transaction, under the lock.
    Plain rows, no ORM objects: this runs once per request."""
    rows = []
    with _chain_lock(engine) as conn:
        last = conn.execute(text("SELECT seq, entry_hash FROM access_log ORDER BY seq DESC LIMIT 1")).first()
        if last is None:
            anchor = conn.execute(text("SELECT first_seq, prev_hash FROM access_log_anchor "
                                       "ORDER BY id DESC LIMIT 1")).first()
            seq, prev = (anchor[0], anchor[1]) if anchor else (1, GENESIS)
        else:
            seq, prev = last[0] + 1, last[1]
        for entry in entries:
            detail = json.dumps(entry.detail, ensure_ascii=False, sort_keys=True, default=str)
            at = datetime.now(timezone.utc)
            digest = entry_hash(prev, seq, at, entry.login, entry.role, entry.client, entry.action,
                                entry.object_type, entry.object_id, entry.case_number, entry.outcome, detail)
            rows.append({"seq": seq, "at": at, "login": entry.login, "role": entry.role, "client": entry.client,
                         "action": entry.action, "object_type": entry.object_type, "object_id": entry.object_id,
                         "case_number": entry.case_number, "outcome": entry.outcome, "detail": detail,
                         "prev_hash": prev, "entry_hash": digest})
            seq, prev = seq + 1, digest
        conn.execute(AccessLogRow.__table__.insert(), rows)
        conn.commit()
    return [Appended(r["seq"], r["entry_hash"]) for r in rows]


class _Appender:
    """The entries of one process waiting for one database (see `append`)."""

    def __init__(self, engine):
        self.engine = weakref.ref(engine)        # weak: the registry of appenders must not keep engines alive
        self.pid = os.getpid()
        self.writing = threading.Lock()          # held by the caller that is writing a batch
        self.queue_lock = threading.Lock()
        self.queue: list[tuple[Entry, Future]] = []

    def append(self, entry: Entry) -> Appended:
        done: Future = Future()
        with self.queue_lock:
            self.queue.append((entry, done))
        while not done.done():
            if self.writing.acquire(blocking=False):
                try:
                    with self.queue_lock:
                        batch, self.queue = self.queue, []
                    if batch:
                        self._write(batch)
                finally:
                    self.writing.release()
            else:
                with self.writing:               # wait for the batch being written; ours may be in it
                    pass
        return done.result()

    def _write(self, batch: list[tuple[Entry, Future]]) -> None:
        try:
            rows = _write_batch(self.engine(), [entry for entry, _ in batch])
        except BaseException as exc:             # every waiting caller hears it; nothing is written
            for _, done in batch:
                done.set_exception(exc)
            return
        for (_, done), row in zip(batch, rows):
            done.set_result(row)


_appenders: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_appenders_lock = threading.Lock()


def _appender(engine) -> _Appender:
    ensure_tables(engine)
    with _appenders_lock:
        appender = _appenders.get(engine)
        if appender is None or appender.pid != os.getpid():   # a forked child starts afresh
            appender = _appenders[engine] = _Appender(engine)
        return appender


# --- verification ------------------------------------------------------------------------

@dataclass
class VerifyResult:
    ok: bool
    entries: int
    first_seq: int | None
    last_seq: int | None
    head_hash: str
    problems: list[str]
    anchors: int = 0            # external anchors checked against the chain (access/anchor.py)

    def to_json(self) -> dict:
        return {"ok": self.ok, "entries": self.entries, "first_seq": self.first_seq, "last_seq": self.last_seq,
                "head_hash": self.head_hash, "problems": self.problems, "anchors": self.anchors}


def verify(db, max_problems: int = 20) -> VerifyResult:
    """Recompute the chain: any altered, deleted, inserted or reordered entry breaks it."""
    engine = ensure_tables(db)
    problems: list[str] = []
    with Session(engine, expire_on_commit=False) as s:
        anchor = s.exec(select(AccessLogAnchor).order_by(AccessLogAnchor.id.desc())).first()
        expected_seq, prev = (anchor.first_seq, anchor.prev_hash) if anchor else (1, GENESIS)
        count, first, last = 0, None, None
        for row in s.exec(select(AccessLogRow).order_by(AccessLogRow.seq).execution_options(yield_per=2000)):
            count += 1
            first = row.seq if first is None else first
            last = row.seq
            if row.seq != expected_seq:
                problems.append(f"entry {expected_seq}" + (f" to {row.seq - 1}" if row.seq - 1 > expected_seq else "")
                                + f" missing before entry {row.seq} (deleted or reordered)")
            elif row.prev_hash != prev:
                problems.append(f"entry {row.seq} does not follow entry {row.seq - 1} (its predecessor was altered, "
                                "deleted or reordered)")
            recomputed = entry_hash(row.prev_hash, row.seq, row.at, row.login, row.role, row.client, row.action,
                                    row.object_type, row.object_id, row.case_number, row.outcome, row.detail)
            if recomputed != row.entry_hash:
                problems.append(f"entry {row.seq} was altered (its content no longer matches its hash)")
            prev = row.entry_hash
            expected_seq = row.seq + 1
            if len(problems) >= max_problems:
                break
    return VerifyResult(not problems, count, first, last, prev, problems)


# --- reading (data protection only; the caller checks the right) --------------------------

def query(db, *, case_number: str | None = None, login: str | None = None, since: datetime | None = None,
          until: datetime | None = None, limit: int = 1000, offset: int = 0, outcome: str | None = None,
          newest_first: bool = False, case_documents: Collection[str] = ()) -> list[AccessLogRow]:
    """Entries matching the filters, oldest first (or newest first). A case matches entries about
    the case itself, its documents, and searches whose hits showed it; *case_documents* (the ids of
    the documents now in the case) adds what was done to them before they were filed there (in the
    intake, in another case)."""
    engine = ensure_tables(db)
    with Session(engine, expire_on_commit=False) as s:
        q = select(AccessLogRow)
        if case_number:
            about_case = ((AccessLogRow.case_number == case_number)
                          | ((AccessLogRow.action == "search")
                             & AccessLogRow.detail.like("%" + json.dumps(case_number) + "%")))
            if case_documents:
                about_case = about_case | AccessLogRow.object_id.in_(sorted(case_documents))
            q = q.where(about_case)
        if login:
            q = q.where(AccessLogRow.login == login)
        if since:
            q = q.where(AccessLogRow.at >= since)
        if until:
            q = q.where(AccessLogRow.at < until)
        if outcome:
            q = q.where(AccessLogRow.outcome == outcome)
        order = AccessLogRow.seq.desc() if newest_first else AccessLogRow.seq
        return list(s.exec(q.order_by(order).offset(offset).limit(limit)))


def row_to_json(row: AccessLogRow) -> dict:
    return {"seq": row.seq, "at": row.at.astimezone(timezone.utc).isoformat(), "login": row.login,
            "role": row.role, "client": row.client, "action": row.action, "object_type": row.object_type,
            "object_id": row.object_id, "case_number": row.case_number, "outcome": row.outcome,
            "detail": json.loads(row.detail), "hash": row.entry_hash}


def prune(db, older_than_days: int) -> int:
    """Retention: drop entries older than the period, keeping the rest verifiable through an anchor
    (the first kept entry and its predecessor's hash). Returns the number of entries removed."""
    engine = ensure_tables(db)
    cutoff = datetime.now(timezone.utc) - timedelta(days=older_than_days)
    with _chain_lock(engine) as conn:
        old = conn.execute(text("SELECT max(seq), count(*) FROM access_log WHERE at < :c"), {"c": cutoff}).one()
        if not old[1]:
            conn.rollback()
            return 0
        last_old = old[0]
        keep = conn.execute(text("SELECT seq, prev_hash FROM access_log WHERE seq > :s ORDER BY seq LIMIT 1"),
                            {"s": last_old}).first()
        if keep is None:  # everything is old: the chain continues after the last removed entry
            head = conn.execute(text("SELECT entry_hash FROM access_log WHERE seq = :s"), {"s": last_old}).one()
            keep = (last_old + 1, head[0])
        conn.execute(text("DELETE FROM access_log WHERE seq <= :s"), {"s": last_old})
        conn.execute(AccessLogAnchor.__table__.insert().values(first_seq=keep[0], prev_hash=keep[1],
                                                               pruned=old[1],
                                                               at=datetime.now(timezone.utc)))
        conn.commit()
        return int(old[1])


def stored_entries(db, seqs) -> dict[int, tuple[str, datetime]]:
    """(hash, time) of each entry numbered in *seqs* that is still in the log."""
    wanted = sorted(set(seqs))
    if not wanted:
        return {}
    table = AccessLogRow.__table__
    with ensure_tables(db).connect() as conn:
        return {int(seq): (digest, at) for seq, digest, at in conn.execute(
            select(table.c.seq, table.c.entry_hash, table.c.at).where(table.c.seq.in_(wanted)))}
