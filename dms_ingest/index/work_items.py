"""Work items of the migration in the index: adding, handing to runs, claiming, recording, counting.

The only place (with `work_locks`) where the migration reads and writes its tables.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Callable

from sqlalchemy import func, or_, select, update
from sqlmodel import Session

from .work_locks import holder_gone, item_lock, uses_advisory_locks
from .work_models import DONE, FAILED, PENDING, RUNNING, MigrationRun, WorkItem, aware, utcnow

log = logging.getLogger(__name__)

# Reasons a work item fails that no retry can cure: the file itself is the problem.
PERMANENT_REASONS = {"empty", "corrupt", "encrypted", "too_large", "unsupported_type", "unreadable_image",
                     "no_pages", "dynamic_form", "not_email", "office_document", "archive_invalid", "content_lost"}


def add_paper_files(catalog, source: str, papers: list, count_pages: Callable) -> tuple[int, int]:
    """Add the paper files the index does not know yet; (added, total items of the source).

    *count_pages(path, kind)* counts a new item's pages in the source itself.
    """
    with Session(catalog.engine) as s:
        known = {row[0]: row[1] for row in s.execute(
            select(WorkItem.path, WorkItem.id).where(WorkItem.source == source))}
        added = 0
        for paper in papers:
            key = str(paper.path)
            if key in known:
                if paper.case_number:   # a corrected CSV may fix a hint of an item not yet done
                    s.execute(update(WorkItem).where(WorkItem.id == known[key], WorkItem.state == PENDING)
                              .values(case_number=paper.case_number))
                continue
            item = WorkItem(source=source, path=key, kind=paper.kind, case_number=paper.case_number)
            if paper.missing:
                item.state, item.reason_code = FAILED, "missing"
                item.last_error = "the file or folder named in the manifest does not exist"
            else:
                item.pages_in = count_pages(paper.path, paper.kind)
            s.add(item)
            known[key] = None
            added += 1
            if added % 500 == 0:
                s.commit()
        s.commit()
        total = s.execute(select(func.count()).select_from(WorkItem).where(WorkItem.source == source)).scalar()
    return added, int(total or 0)


def items(catalog, *, source: str | None = None, ids: list[int] | None = None,
          states: tuple[str, ...] | None = None) -> list[WorkItem]:
    with Session(catalog.engine) as s:
        query = select(WorkItem).order_by(WorkItem.id)
        if source is not None:
            query = query.where(WorkItem.source == source)
        if ids is not None:
            query = query.where(WorkItem.id.in_(ids))
        if states:
            query = query.where(WorkItem.state.in_(states))
        return list(s.scalars(query))


def get(catalog, item_id: int) -> WorkItem | None:
    with Session(catalog.engine) as s:
        return s.get(WorkItem, item_id)


def adopt(catalog, run_id: str, *, source: str | None = None, ids: list[int] | None = None) -> list[int]:
    """Hand the pending items of a source (or the given ids) to a run; their ids."""
    with catalog.engine.begin() as conn:
        query = select(WorkItem.id).where(WorkItem.state == PENDING)
        if source is not None:
            query = query.where(WorkItem.source == source)
        if ids is not None:
            query = query.where(WorkItem.id.in_(ids))
        chosen = [row[0] for row in conn.execute(query.order_by(WorkItem.id))]
        for start in range(0, len(chosen), 500):
            conn.execute(update(WorkItem).where(WorkItem.id.in_(chosen[start:start + 500]))
                         .values(run_id=run_id))
    return chosen


def retry_failed(catalog, *, source: str | None = None, include_permanent: bool = False) -> list[int]:
    """Put failed items back to pending (attempts reset); permanent refusals only if asked."""
    with catalog.engine.begin() as conn:
        query = select(WorkItem.id, WorkItem.reason_code).where(WorkItem.state == FAILED)
        if source is not None:
            query = query.where(WorkItem.source == source)
        chosen = [i for i, reason in conn.execute(query.order_by(WorkItem.id))
                  if include_permanent or reason not in PERMANENT_REASONS]
        for start in range(0, len(chosen), 500):
            conn.execute(update(WorkItem).where(WorkItem.id.in_(chosen[start:start + 500]))
                         .values(state=PENDING, attempts=0, not_before=None))
    return chosen


def next_pending(catalog, run_id: str) -> tuple[int | None, float | None]:
    """(an item of the run that may start now, or None; seconds until the next retry is due)."""
    now = utcnow()
    with Session(catalog.engine) as s:
        ready = s.execute(select(WorkItem.id).where(
            WorkItem.run_id == run_id, WorkItem.state == PENDING,
            or_(WorkItem.not_before.is_(None), WorkItem.not_before <= now)).order_by(WorkItem.id).limit(1)).first()
        if ready:
            return ready[0], None
        later = s.execute(select(func.min(WorkItem.not_before)).where(
            WorkItem.run_id == run_id, WorkItem.state == PENDING)).scalar()
    if later is None:
        return None, None
    return None, max(0.0, (aware(later) - now).total_seconds())


def claim(catalog, item_id: int, worker: str, run_id: str | None, *, locked: bool) -> WorkItem | None:
    """Mark the item running for *worker*; None if it is done, failed or held by a live worker.

    *locked*: the caller holds the item's advisory lock (PostgreSQL), so a 'running' state can
    only be left over from a dead worker and may be taken over.
    """
    item = get(catalog, item_id)
    if item is None or item.state not in (PENDING, RUNNING):
        return None
    condition = [WorkItem.id == item_id, WorkItem.state == item.state]
    if item.state == RUNNING:
        if not locked and not holder_gone(catalog, item):
            return None
        condition.append(WorkItem.worker == item.worker)
    now = utcnow()
    values = dict(state=RUNNING, worker=worker, attempts=item.attempts + 1, started_at=now, heartbeat_at=now,
                  finished_at=None, not_before=None)
    if run_id:
        values["run_id"] = run_id
    with catalog.engine.begin() as conn:
        if conn.execute(update(WorkItem).where(*condition).values(**values)).rowcount != 1:
            return None
    return get(catalog, item_id)


def record(catalog, item_id: int, worker: str, **values) -> bool:
    """Write fields of an item this worker holds (never over another worker's claim)."""
    with catalog.engine.begin() as conn:
        return conn.execute(update(WorkItem).where(WorkItem.id == item_id, WorkItem.worker == worker)
                            .values(**values)).rowcount == 1


def release(catalog, item_id: int, worker: str) -> None:
    """Give an item back untouched (Ctrl-C, shutdown): pending again, the attempt not counted."""
    item = get(catalog, item_id)
    if item is not None and item.worker == worker and item.state == RUNNING:
        record(catalog, item_id, worker, state=PENDING, attempts=max(0, item.attempts - 1), worker=None,
               heartbeat_at=None)


def recover_orphans(catalog, *, source: str | None = None, max_attempts: int = 3) -> list[int]:
    """Items left 'running' by a dead worker go back to pending (or fail after max_attempts)."""
    recovered = []
    for item in items(catalog, source=source, states=(RUNNING,)):
        if uses_advisory_locks(catalog):
            with item_lock(catalog, item.id) as got:
                if not got:
                    continue            # a live worker holds it
                current = get(catalog, item.id)
                if current is None or current.state != RUNNING:
                    continue
                _orphaned(catalog, current, max_attempts)
        elif holder_gone(catalog, item):
            _orphaned(catalog, item, max_attempts)
        else:
            continue
        recovered.append(item.id)
    return recovered


def _orphaned(catalog, item: WorkItem, max_attempts: int) -> None:
    values: dict = dict(worker=None, heartbeat_at=None)
    if item.attempts >= max_attempts:
        values.update(state=FAILED, reason_code="worker_lost", finished_at=utcnow(),
                      last_error=f"the worker died during each of {item.attempts} attempts ({item.worker})")
    else:
        values.update(state=PENDING, not_before=None,
                      last_error=f"worker {item.worker} died during attempt {item.attempts}; retried")
    with catalog.engine.begin() as conn:
        conn.execute(update(WorkItem).where(WorkItem.id == item.id, WorkItem.state == RUNNING,
                                            WorkItem.worker == item.worker).values(**values))
    log.warning("work item %s (%s): worker %s is gone; %s", item.id, item.path, item.worker, values.get("state"))


def counts(catalog, source: str | None = None, run_id: str | None = None) -> dict:
    """Items and pages by state."""
    with Session(catalog.engine) as s:
        query = select(WorkItem.state, func.count(), func.coalesce(func.sum(WorkItem.pages_in), 0)).group_by(
            WorkItem.state)
        if source is not None:
            query = query.where(WorkItem.source == source)
        if run_id is not None:
            query = query.where(WorkItem.run_id == run_id)
        rows = s.execute(query).all()
    result = {state: {"items": 0, "pages": 0} for state in (PENDING, RUNNING, DONE, FAILED)}
    for state, n, pages in rows:
        result[state] = {"items": int(n), "pages": int(pages or 0)}
    return result


def finished_since(catalog, run_id: str) -> dict:
    """What this run finished: items, pages in, CPU seconds."""
    with Session(catalog.engine) as s:
        row = s.execute(select(func.count(), func.coalesce(func.sum(WorkItem.pages_in), 0),
                               func.coalesce(func.sum(WorkItem.cpu_seconds), 0.0))
                        .where(WorkItem.run_id == run_id, WorkItem.state.in_((DONE, FAILED)),
                               WorkItem.worker.is_not(None))).one()
    return {"items": int(row[0]), "pages": int(row[1] or 0), "cpu_seconds": float(row[2] or 0.0)}


def start_run(catalog, run: MigrationRun) -> MigrationRun:
    with Session(catalog.engine, expire_on_commit=False) as s:
        s.add(run)
        s.commit()
    return run


def end_run(catalog, run_id: str, **values) -> None:
    with catalog.engine.begin() as conn:
        conn.execute(update(MigrationRun).where(MigrationRun.id == run_id).values(**values))


def retry_delay(attempts: int) -> timedelta:
    """Transient failures wait a little longer each time (30 s, 60 s, 120 s …, at most 10 min)."""
    return timedelta(seconds=min(600, 30 * 2 ** max(0, attempts - 1)))
