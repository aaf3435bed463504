"""The migration's tables live in the index (dms_ingest/index/work_models.py); names kept here."""

from ..index.work_models import (DONE, FAILED, PENDING, RUNNING, STATES, MigrationRun, WorkItem,  # noqa: F401
                                 aware, ensure_tables, utcnow)
