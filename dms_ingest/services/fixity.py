"""Fixity of the archive: re-read every stored object and compare it with the index."""

from __future__ import annotations

import json
from dataclasses import dataclass

from ..access import policy
from ..storage.fixity import FixityReport
from .actor import Actor
from .runtime import Runtime, operation


@dataclass
class Verification:
    report: FixityReport
    reconciled: object | None       # persist.ReconcileReport when asked to reconcile first
    pending_writes: int

    def to_json(self) -> dict:
        result = self.report.to_json()
        if self.reconciled is not None:
            result["reconciled"] = {"completed": self.reconciled.completed,
                                    "rolled_back": self.reconciled.rolled_back,
                                    "problems": self.reconciled.problems}
        result["pending_writes"] = self.pending_writes
        return result


def verify(actor: Actor, runtime: Runtime, *, sample: int | None = None, reconcile: bool = False) -> Verification:
    """Check stored objects (all, or a random sample); *reconcile* first settles half-done writes."""
    from ..ingest.persist import expected_objects, reconcile as settle
    from ..storage.fixity import verify_objects

    with operation(runtime, actor, "verify", None, sample=sample, reconcile=reconcile) as note:
        policy.require(actor, "verify")
        store, catalog = runtime.store, runtime.catalog
        repaired = settle(store, catalog) if reconcile else None
        pending = {key for p in catalog.pending_writes() for key in json.loads(p.keys)}
        report = verify_objects(store, expected_objects(catalog), sample=sample, known_keys=pending)
        note.update(checked=report.checked, passed=report.passed)
        return Verification(report, repaired, len(catalog.pending_writes()))
