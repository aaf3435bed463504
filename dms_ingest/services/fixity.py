"""Fixity of the archive: re-read every stored object and compare it with the index."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from ..access import policy
from ..storage.fixity import FixityReport
from .actor import Actor
from .runtime import Runtime, operation


@dataclass
class Verification:
    report: FixityReport
    reconciled: object | None       # persist.ReconcileReport when asked to reconcile first
    pending_writes: int
    doubled: list[dict] = field(default_factory=list)   # one original archived more than once

    @property
    def passed(self) -> bool:
        return self.report.passed and not self.doubled

    def to_json(self) -> dict:
        result = self.report.to_json()
        if self.reconciled is not None:
            result["reconciled"] = {"completed": self.reconciled.completed,
                                    "rolled_back": self.reconciled.rolled_back,
                                    "problems": self.reconciled.problems}
        result["pending_writes"] = self.pending_writes
        result["doubled"] = self.doubled
        result["passed"] = self.passed
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
        doubled = doubled_originals(catalog)
        note.update(checked=report.checked, passed=report.passed, doubled=len(doubled))
        return Verification(report, repaired, len(catalog.pending_writes()), doubled)


def doubled_originals(catalog) -> list[dict]:
    """Originals archived more than once: documents of one original whose page numbers overlap.

    Documents split from one scan share its original too, but each holds other pages of it.
    """
    by_original: dict[str, list] = {}
    for doc in catalog.documents():
        by_original.setdefault(doc.original_sha256, []).append(doc)
    doubled = []
    for sha, docs in by_original.items():
        if len(docs) < 2:
            continue
        seen: dict[int, str] = {}
        twice: set[str] = set()
        for doc in docs:
            for page in catalog.pages(doc.id):
                if page.number in seen and seen[page.number] != doc.id:
                    twice.update((seen[page.number], doc.id))
                seen.setdefault(page.number, doc.id)
        if twice:
            doubled.append({"sha256": sha, "documents": sorted(twice)})
    return doubled
