"""The migration's locks live in the index (dms_ingest/index/work_locks.py); names kept here."""

from ..index.work_locks import (HEARTBEAT_SECONDS, STALE_SECONDS, Heartbeat, holder_alive,  # noqa: F401
                                holder_gone, item_lock, original_lock, uses_advisory_locks, worker_id)
