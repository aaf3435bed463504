"""The access log: what the service layer records about every read and change.

The entries go to a hash chain kept in the index database (`index/access_log.py`: the chain, its
lock, verification and retention); this module decides what an entry says. The chain's functions
are named here too, so callers keep one import for the access log.
"""

from __future__ import annotations

from ..index.access_log import (GENESIS, Entry, VerifyResult, append, entry_hash, prune, query,  # noqa: F401
                                row_to_json, stored_entries, verify)
from ..index.access_models import ensure_tables  # noqa: F401

# Reads that `access.log_reads: false` leaves out (for measurements only); refusals are always logged.
READ_ACTIONS = frozenset({"search", "show", "get", "page_image", "case_view", "review_list", "audit_read"})
log_reads = True  # set from the configuration by the server at start-up


def record(catalog, actor, action: str, target: str | None = None, outcome: str = "ok", **detail) -> None:
    """The service layer's one call: append what *actor* did or tried (*outcome* ok, denied, refused,
    failed). *catalog* is a Catalog (or an engine). The entry's case is `case_number` if given, else
    the case of the document *target* names, so an Art. 15 report finds every read of a file."""
    if not log_reads and outcome == "ok" and action in READ_ACTIONS:
        return
    object_type = detail.pop("object_type", None)
    given = "case_number" in detail
    case_number = detail.pop("case_number", None)
    if target and object_type in (None, "document") and hasattr(catalog, "get"):
        doc = catalog.get(target)      # a document: named as one, and its case unless the caller gave it
        if doc is not None:
            object_type = "document"
            if not given:
                case_number = doc.case_number
    append(catalog, Entry(login=actor.login, role=actor.role, client=actor.client, action=action,
                          object_type=object_type or "", object_id=str(target or ""), case_number=case_number,
                          outcome=outcome, detail=detail))
