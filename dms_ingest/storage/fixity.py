"""Fixity: prove that every stored byte is still the byte that was ingested."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from .base import ObjectStore, StoreError


@dataclass(frozen=True)
class ExpectedObject:
    document_id: str
    role: str          # original | archive | metadata
    key: str
    sha256: str | None  # None: existence is all that is recorded (metadata versions)


@dataclass
class FixityReport:
    checked: int = 0
    ok: int = 0
    missing: list[dict] = field(default_factory=list)
    mismatched: list[dict] = field(default_factory=list)
    orphaned: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not (self.missing or self.mismatched or self.errors)

    def to_json(self) -> dict:
        return {"checked": self.checked, "ok": self.ok, "missing": self.missing, "mismatched": self.mismatched,
                "orphaned": self.orphaned, "errors": self.errors, "passed": self.passed}


def verify_objects(store: ObjectStore, expected: list[ExpectedObject], *, sample: int | None = None,
                   find_orphans: bool = True, known_keys: set[str] | None = None) -> FixityReport:
    """Re-read stored objects and compare their SHA-256 with the index; list objects nobody knows."""
    report = FixityReport()
    chosen = expected
    if sample is not None and sample < len(expected):
        # A sample draws whole documents, so every role of a drawn document is checked.
        documents = sorted({e.document_id for e in expected})
        drawn = set(random.SystemRandom().sample(documents, min(sample, len(documents))))
        chosen = [e for e in expected if e.document_id in drawn]
    for item in chosen:
        report.checked += 1
        entry = {"id": item.document_id, "role": item.role, "key": item.key}
        try:
            actual = store.hash_object(item.key)
        except StoreError as exc:
            report.errors.append(f"{item.key}: {exc}")
            continue
        if actual is None:
            report.missing.append(entry)
        elif item.sha256 is not None and actual != item.sha256:
            report.mismatched.append({**entry, "expected": item.sha256, "actual": actual})
        else:
            report.ok += 1
    if find_orphans and sample is None:
        known = {e.key for e in expected} | (known_keys or set())
        try:
            report.orphaned = sorted(k for k in store.keys() if k not in known)
        except StoreError as exc:
            report.errors.append(f"listing the store failed: {exc}")
    return report
