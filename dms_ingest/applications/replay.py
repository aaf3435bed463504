"""Case decisions and checklists again on the page texts an application-set run kept (`dms eval DIR
--rescore FILE`): seconds instead of a run, for work on the matching and the checklist rules.

Each kept document goes through the pipeline's own case decision (classify.decide_case) on its stored
text, its fields are read again, and every case's application is checked as the run would (applications
as labelled, so a sponsor's papers are judged with the application open). Not kept, so not replayed:
the birth dates re-read enlarged during the run, and the type's certainty in files kept before it was
stored (those types count as certain).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..classifiers import CaseRegistry, parse_registry_csv
from ..fields import extract_fields
from ..fields.model import PageText
from ..fields.stage import purposes
from ..ingest.classify import decide_case
from ..ingest.document import Document, Page
from .checklist import applicant_of
from .evaluation import ApplicationReport
from .status import CaseDocument, evaluate


class _Registry:
    """The registry CSV as applicant_of reads a catalog (a case row by number)."""

    def __init__(self, registry: CaseRegistry):
        self.registry = registry

    def case(self, case_number: str):
        return self.registry.get(case_number)


def replay_cases(report: ApplicationReport, directory: Path, labels: dict, kept: dict, settings) -> None:
    """Fill *report*'s filing and status counts from the kept texts of a run on *directory*."""
    registry = CaseRegistry(parse_registry_csv(directory / "registry.csv"), settings.classification.case_number)
    today = dt.date.fromisoformat(labels["today"])
    sponsor_types = {key for key, app in settings.applications.types.items()
                     if any(r.from_sponsor for r in app.requirements)}
    filed: dict[str, list[CaseDocument]] = {}
    not_filed: dict[str, list[str]] = {}
    for name, truth in labels["documents"].items():
        entry = kept["documents"].get(name)
        if entry is None:
            not_filed.setdefault(truth["case_number"], []).append(f"{truth['doc_type']} (not kept)")
            continue
        texts = [PageText.from_json(p) for p in entry["pages"]]
        doc = Document(source=name, original_path=Path(name), sha256="", doc_type=entry["doc_type"],
                       pages=[Page(number=t.number, text=t.text, ocr_confidence=t.mean_confidence) for t in texts])
        doc.review = entry.get("doc_type_confidence", 1.0) < settings.classification.review_threshold
        opened = lambda case: labels["cases"].get(case, {}).get("application_type") in sponsor_types  # noqa: E731
        decision, _ = decide_case(doc, doc.text, registry, settings, None if doc.review else opened)
        case_number = None if decision.review or doc.review else decision.case_number
        report.doc_type_right += doc.doc_type == truth["doc_type"]
        report.in_case += case_number == truth["case_number"]
        report.wrong_case += case_number not in (None, truth["case_number"])
        if case_number != truth["case_number"]:
            why = "review" if case_number is None else "wrong case"
            not_filed.setdefault(truth["case_number"], []).append(f"{truth['doc_type']} ({why})")
        elif doc.doc_type != truth["doc_type"]:
            not_filed.setdefault(truth["case_number"], []).append(f"{truth['doc_type']} (typed {doc.doc_type})")
        if case_number is not None:
            fields = extract_fields(doc.doc_type, texts, min_confidence=settings.applications.min_field_confidence,
                                    today=today, purposes=purposes(settings))
            filed.setdefault(case_number, []).append(CaseDocument(
                id=name, doc_type=doc.doc_type, fields={f.name: f for f in fields}, text=doc.text))
    lookup = _Registry(registry)
    for case_number, case in labels["cases"].items():
        record = registry.get(case_number)
        app_type = settings.applications.types[case["application_type"]]
        status = evaluate(case["application_type"], app_type, filed.get(case_number, []),
                          applicant_of(record, lookup), today,
                          name_threshold=settings.applications.name_match_threshold)
        report.add_case(case_number, case, status.complete,
                        [{"key": r.key, "state": r.state, "reason": r.reason} for r in status.requirements],
                        not_filed.get(case_number, []))
