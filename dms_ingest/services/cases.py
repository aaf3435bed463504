"""The case registry: import (and re-import) from the office's CSV export."""

from __future__ import annotations

from pathlib import Path

from ..access import policy
from ..errors import Invalid
from .actor import Actor
from .runtime import Runtime, operation


def import_cases(actor: Actor, runtime: Runtime, csv_file: Path) -> dict:
    """Replace the registry with the file's cases; reports how many were added, changed, removed."""
    from ..classifiers import RegistryError, parse_registry_csv

    with operation(runtime, actor, "cases_import", None, file=str(csv_file)) as note:
        policy.require(actor, "cases_import")
        try:
            records = parse_registry_csv(csv_file)
        except RegistryError as exc:
            raise Invalid(str(exc)) from None
        diff = replace_registry(runtime.catalog, records)
        summary = {"cases": len(records), "added": len(diff.added), "changed": len(diff.changed),
                   "removed": len(diff.removed)}
        runtime.catalog.record_event(actor.login, "cases_imported", None, file=str(csv_file),
                                     added=summary["added"], changed=summary["changed"], removed=summary["removed"])
        note.update(summary)
        return summary


def replace_registry(catalog, records):
    """Store *records* as the registry; returns the difference to the one before."""
    from ..classifiers import diff_registry
    from ..classifiers.registry import record_of
    from ..index.models import CaseRow

    from ..access.teams import apply_rules

    old = [record_of(c, team=c.team if c.team_source == "registry" else "") for c in catalog.cases()]
    diff = diff_registry(old, records)
    # The registry's `team` column names a case's team; other cases get theirs by surname letter.
    catalog.replace_cases([CaseRow(case_number=r.case_number, surname=r.surname, given_names=r.given_names,
                                   date_of_birth=r.date_of_birth, nationality=r.nationality, team=r.team or None,
                                   team_source="registry" if r.team else None,
                                   sponsor_case_number=r.sponsor_case_number or None,
                                   sponsor_surname=r.sponsor_surname or None,
                                   sponsor_given_names=r.sponsor_given_names or None,
                                   sponsor_date_of_birth=r.sponsor_date_of_birth) for r in records])
    apply_rules(catalog)
    return diff
