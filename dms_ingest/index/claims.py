"""Exclusive claims on an original's SHA-256, held in the index so they bind every process.

A claim is a row in ``original_claims``; inserting it is atomic (primary key), so of several
processes (on one machine or many) exactly one gets it. The holder refreshes a heartbeat while
it works; a claim whose holder died (kill -9, reboot) is taken over: on the same host as soon as
/proc says the process is gone, from another host once the heartbeat is older than STALE_SECONDS.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from contextlib import contextmanager
from datetime import timedelta
from typing import Iterator

from sqlalchemy import delete, select, update

from ..processes import holder_alive, worker_id
from .models import OriginalClaim, utcnow

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 15.0
STALE_SECONDS = 120.0


def _aware(value):
    from datetime import timezone

    return value if value is None or value.tzinfo else value.replace(tzinfo=timezone.utc)


def _insert(engine, sha256: str, holder: str) -> bool:
    """Try to create the claim row; True if this call created it."""
    if engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    now = utcnow()
    statement = insert(OriginalClaim).values(sha256=sha256, holder=holder, claimed_at=now, heartbeat_at=now)
    with engine.begin() as conn:
        return conn.execute(statement.on_conflict_do_nothing(index_elements=["sha256"])).rowcount == 1


def _holder_gone(row) -> bool:
    alive = holder_alive(row.holder)
    if alive is not None:
        return not alive
    beat = _aware(row.heartbeat_at) or _aware(row.claimed_at)
    return beat is None or utcnow() - beat > timedelta(seconds=STALE_SECONDS)


def _take_over_if_abandoned(engine, sha256: str) -> None:
    with engine.begin() as conn:
        row = conn.execute(select(OriginalClaim).where(OriginalClaim.sha256 == sha256)).first()
        if row is not None and _holder_gone(row):
            log.warning("claim on %s… of %s abandoned: taken over", sha256[:12], row.holder)
            # Conditional on the same holder, so two waiters cannot both delete a fresh claim.
            conn.execute(delete(OriginalClaim).where(OriginalClaim.sha256 == sha256,
                                                     OriginalClaim.holder == row.holder))


class _Heartbeat(threading.Thread):
    def __init__(self, engine, sha256: str, holder: str):
        super().__init__(name=f"claim-{sha256[:8]}", daemon=True)
        self.engine, self.sha256, self.holder = engine, sha256, holder
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(HEARTBEAT_SECONDS):
            try:
                with self.engine.begin() as conn:
                    conn.execute(update(OriginalClaim).where(OriginalClaim.sha256 == self.sha256,
                                                             OriginalClaim.holder == self.holder)
                                 .values(heartbeat_at=utcnow()))
            except Exception:  # the index may be briefly unreachable; the claim holds meanwhile
                log.debug("claim heartbeat failed", exc_info=True)


@contextmanager
def claim_original(engine, sha256: str, *, poll: float = 0.25) -> Iterator[None]:
    """Hold the index-wide claim on *sha256*; waits while another live process holds it."""
    holder = worker_id()
    wait = poll
    while not _insert(engine, sha256, holder):
        _take_over_if_abandoned(engine, sha256)
        time.sleep(wait * (0.5 + random.random()))
        wait = min(wait * 1.5, 2.0)
    beat = _Heartbeat(engine, sha256, holder)
    beat.start()
    try:
        yield
    finally:
        beat.stopped.set()
        for attempt in range(5):
            try:
                with engine.begin() as conn:
                    conn.execute(delete(OriginalClaim).where(OriginalClaim.sha256 == sha256,
                                                             OriginalClaim.holder == holder))
                break
            except Exception:  # a lost release is repaired by the takeover rule; try a few times first
                log.warning("releasing the claim on %s… failed (attempt %d)", sha256[:12], attempt + 1,
                            exc_info=True)
                time.sleep(0.5)
