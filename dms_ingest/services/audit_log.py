"""The access log as the data-protection officer uses it: filtered entries, the Art. 15 report for a
person's file, verification of the hash chain, retention. Only `datenschutz` (and `system`) read it;
reading it is logged too."""

from __future__ import annotations

from datetime import datetime

from ..access import anchor, audit, policy
from ..errors import Invalid, Refused, Unavailable
from .actor import Actor
from .runtime import Runtime, operation


def entries(actor: Actor, runtime: Runtime, *, case_number: str | None = None, login: str | None = None,
            since: datetime | None = None, until: datetime | None = None, limit: int = 500,
            offset: int = 0, outcome: str | None = None, newest_first: bool = False) -> list[dict]:
    """Log entries matching the filters, oldest first unless *newest_first* (a case matches reads
    of its documents and searches that showed it)."""
    with operation(runtime, actor, "audit_read", case_number or login, object_type="audit",
                   filter_case=case_number, filter_user=login) as note:
        policy.require(actor, "audit_read")
        documents = [d.id for d in runtime.catalog.documents_of_case(case_number)] if case_number else []
        rows = audit.query(runtime.catalog, case_number=case_number, login=login, since=since, until=until,
                           limit=limit, offset=offset, outcome=outcome, newest_first=newest_first,
                           case_documents=documents)
        note.update(entries=len(rows))
        return [audit.row_to_json(r) for r in rows]


def report(actor: Actor, runtime: Runtime, case_number: str, *, since: datetime | None = None,
           until: datetime | None = None) -> dict:
    """Art. 15 GDPR: every access to a person's file, with who, when, from where and the outcome."""
    rows = entries(actor, runtime, case_number=case_number, since=since, until=until, limit=1_000_000)
    case = runtime.catalog.case(case_number)
    by_user: dict[str, int] = {}
    for row in rows:
        by_user[row["login"]] = by_user.get(row["login"], 0) + 1
    return {"case_number": case_number, "person": ({"surname": case.surname, "given_names": case.given_names}
                                                  if case else None),
            "accesses": rows, "by_user": by_user, "total": len(rows)}


def verify(actor: Actor, runtime: Runtime) -> audit.VerifyResult:
    """The chain recomputed, and checked against the external anchors (access/anchor.py)."""
    with operation(runtime, actor, "audit_verify", None, object_type="audit") as note:
        policy.require(actor, "audit_verify")
        result = _verified(runtime)
        note.update(ok=result.ok, entries=result.entries, anchors=result.anchors)
        return result


def _verified(runtime: Runtime) -> audit.VerifyResult:
    db = runtime.catalog
    result = audit.verify(db)
    result.anchors, problems = anchor.check(
        anchor.anchor_folder(runtime.settings), anchor.key_from_env(),
        lambda seqs: {seq: found[0] for seq, found in audit.stored_entries(db, seqs).items()},
        result.first_seq, result.last_seq, runtime.settings.access.audit_retention_days)
    result.problems += problems
    result.ok = not result.problems
    return result


def anchor_head(actor: Actor, runtime: Runtime) -> dict:
    """Verify the chain (and the anchors so far), then write its head as a new signed anchor."""
    with operation(runtime, actor, "audit_anchor", None, object_type="audit") as note:
        policy.require(actor, "audit_anchor")
        key = anchor.key_from_env()
        if key is None:
            raise Invalid(f"Set {anchor.KEY_VARIABLE} (the anchor key, kept away from the database) to anchor the log.")
        result = _verified(runtime)
        if not result.ok:
            raise Refused("The access log does not verify, so its head is not anchored: " + result.problems[0])
        if result.last_seq is None:
            raise Invalid("The access log is empty: nothing to anchor.")
        _, at = audit.stored_entries(runtime.catalog, [result.last_seq])[result.last_seq]
        try:
            made = anchor.write_anchor(anchor.anchor_folder(runtime.settings), key, result.last_seq,
                                       result.head_hash, at)
        except (OSError, anchor.AnchorError) as exc:
            raise Unavailable(f"The anchor could not be written: {exc}") from None
        note.update(seq=made.seq, entry_hash=made.entry_hash)
        return made.to_json()


def prune(actor: Actor, runtime: Runtime, older_than_days: int | None = None) -> int:
    """Retention: remove entries older than `access.audit_retention_days` (the chain stays verifiable)."""
    days = older_than_days or runtime.settings.access.audit_retention_days
    with operation(runtime, actor, "audit_prune", None, object_type="audit", days=days) as note:
        policy.require(actor, "audit_prune")
        removed = audit.prune(runtime.catalog, days)
        note.update(removed=removed)
        return removed
