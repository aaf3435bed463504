"""`dms eval DIR` on an application set (python -m dms_datagen.applications): field accuracy and status.

The set's files go through the whole pipeline (OCR and all) in a throwaway DMS_HOME; then every
case's application (detected from its form, else opened as a clerk would) is checked as of the
set's day. Measured:

- per field: read correctly, read wrongly, unread (accuracy = correct / all); fields on a smudged
  line are not in the accuracy but counted when a value was read from them ("guessed");
- status: per scenario how many cases were reported complete; false "complete" (any case that is
  not complete but reported so) and the share of complete cases reported complete;
- application forms: the ticked purpose detected correctly, wrongly or not at all.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

MRZ_FIELDS = {("pass", "document_number"), ("pass", "nationality"), ("pass", "expiry_date")}
PAYSLIP_MONTH = {("gehaltsnachweis", "period")}
TARGETS = {"mrz": 0.95, "payslip_month": 0.95, "other": 0.90}


@dataclass
class FieldScore:
    total: int = 0
    correct: int = 0
    wrong: int = 0
    unread: int = 0

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 1.0

    def add(self, outcome: str) -> None:
        self.total += 1
        setattr(self, outcome, getattr(self, outcome) + 1)


@dataclass
class ApplicationReport:
    today: str
    cases: int = 0
    documents: int = 0
    fields: dict[str, FieldScore] = field(default_factory=dict)       # "doc_type.field"
    groups: dict[str, FieldScore] = field(default_factory=dict)       # mrz | payslip_month | other
    guessed_smudged: int = 0                                          # a value read from a destroyed line
    smudged: int = 0
    scenarios: dict[str, dict[str, int]] = field(default_factory=dict)  # scenario -> cases, reported_complete
    false_complete: list[str] = field(default_factory=list)
    complete_cases: int = 0
    complete_reported: int = 0
    forms: dict[str, int] = field(default_factory=lambda: {"right": 0, "wrong": 0, "none": 0})
    # The same after a clerk settled the review queue (each reviewed document filed as labelled).
    settled: int = 0                                                  # documents a clerk had to settle
    false_complete_settled: list[str] = field(default_factory=list)
    complete_reported_settled: int = 0
    doc_type_right: int = 0
    in_case: int = 0                                                  # documents filed into their case
    wrong_case: int = 0
    case_outcomes: list[dict] = field(default_factory=list)
    wrong_fields: list[dict] = field(default_factory=list)

    @property
    def complete_recall(self) -> float:
        return self.complete_reported / self.complete_cases if self.complete_cases else 1.0

    @property
    def complete_recall_settled(self) -> float:
        return self.complete_reported_settled / self.complete_cases if self.complete_cases else 1.0

    def to_json(self) -> dict:
        data = asdict(self)
        for key in ("fields", "groups"):
            for name, score in getattr(self, key).items():
                data[key][name]["accuracy"] = round(score.accuracy, 4)
        data["complete_recall"] = round(self.complete_recall, 4)
        data["complete_recall_settled"] = round(self.complete_recall_settled, 4)
        data["false_complete_count"] = len(self.false_complete)
        data["targets_met"] = self.targets_met()
        return data

    def targets_met(self) -> dict[str, bool]:
        met = {f"{group}>={target:.0%}": self.groups.get(group, FieldScore()).accuracy >= target
               for group, target in TARGETS.items()}
        met["zero_false_complete"] = not self.false_complete and not self.false_complete_settled
        met["complete_recall>=90%"] = self.complete_recall >= 0.9
        return met

    def add_case(self, case_number: str, case: dict, complete: bool, requirements: list[dict],
                 not_filed: list[str]) -> None:
        """One case's status outcome (*requirements*: key, state, reason each) against its label *case*."""
        counts = self.scenarios.setdefault(case["scenario"], {"cases": 0, "reported_complete": 0})
        counts["cases"] += 1
        counts["reported_complete"] += complete
        if complete and not case["complete"]:
            self.false_complete.append(case_number)
        if case["complete"]:
            self.complete_cases += 1
            self.complete_reported += complete
        self.case_outcomes.append({
            "case_number": case_number, "application_type": case["application_type"],
            "scenario": case["scenario"], "change": case["change"], "reported_complete": complete,
            "requirements": {r["key"]: r["state"] for r in requirements},
            "documents_not_filed_or_mistyped": not_filed,
            "reasons": {r["key"]: r["reason"] for r in requirements if r["state"] != "satisfied"}})

    def summary(self) -> str:
        lines = [f"application set: {self.cases} cases, {self.documents} documents, as of {self.today}",
                 f"documents: type right {self.doc_type_right}/{self.documents}, filed into their case "
                 f"{self.in_case}/{self.documents}, wrong case {self.wrong_case}",
                 "field accuracy (correct / wrong / unread of all):"]
        for name, score in sorted(self.fields.items()):
            lines.append(f"  {name:36} {score.accuracy:6.1%}  ({score.correct}/{score.wrong}/{score.unread} of "
                         f"{score.total})")
        for group, score in self.groups.items():
            lines.append(f"  {'[' + group + ']':36} {score.accuracy:6.1%}  (target {TARGETS[group]:.0%})")
        lines.append(f"smudged fields: {self.smudged}, of which read as a value anyway: {self.guessed_smudged}")
        lines.append("status by scenario (reported complete / cases):")
        for scenario, counts in sorted(self.scenarios.items()):
            lines.append(f"  {scenario:12} {counts['reported_complete']}/{counts['cases']}")
        lines.append(f"false 'complete': {len(self.false_complete)}"
                     + (f" ({', '.join(self.false_complete)})" if self.false_complete else ""))
        lines.append(f"complete cases reported complete: {self.complete_reported}/{self.complete_cases} "
                     f"({self.complete_recall:.1%})")
        for outcome in self.case_outcomes:
            if outcome["scenario"] == "complete" and not outcome["reported_complete"]:
                why = "; ".join(f"{k}: {v}" for k, v in outcome["reasons"].items())
                lines.append(f"  complete but not reported: {outcome['case_number']} ({outcome['application_type']}): "
                             f"{why[:300]}; not filed/mistyped: {', '.join(outcome['documents_not_filed_or_mistyped'])}")
        lines.append(f"after a clerk settled the review queue ({self.settled} documents filed as labelled): "
                     f"false 'complete' {len(self.false_complete_settled)}, complete cases reported complete "
                     f"{self.complete_reported_settled}/{self.complete_cases} ({self.complete_recall_settled:.1%})")
        lines.append(f"application forms: purpose right {self.forms['right']}, wrong {self.forms['wrong']}, "
                     f"not detected {self.forms['none']}")
        lines.append("targets: " + ", ".join(f"{k} {'met' if v else 'MISSED'}" for k, v in self.targets_met().items()))
        return "\n".join(lines)


def _group(doc_type: str, name: str) -> str:
    if (doc_type, name) in MRZ_FIELDS:
        return "mrz"
    if (doc_type, name) in PAYSLIP_MONTH:
        return "payslip_month"
    return "other"


PERSON_FIELDS = {"insured_person"}


def _same(expected: str, value: str | None, *, person: bool = False) -> bool:
    """Equal up to spacing and case; a person's name also up to transliteration (Yıldız = Yildiz)."""
    if value is None:
        return False
    if person:
        from ..classifiers.persons import fold_name

        return fold_name(expected) == fold_name(value)
    fold = lambda s: " ".join(s.replace("ß", "ss").split()).casefold()  # noqa: E731
    return fold(expected) == fold(value)


def score_fields(report: ApplicationReport, labels: dict, read: dict[str, tuple[str | None, dict]]) -> None:
    """*read*: file name → (doc_type it was archived as, {field name: field dict})."""
    for name, truth in labels["documents"].items():
        doc_type, fields = read.get(name, (None, {}))
        for field_name, expected in truth["fields"].items():
            if field_name == "purpose":
                continue  # scored with the forms
            got = fields.get(field_name) if doc_type == truth["doc_type"] else None
            value = got["value"] if got and got["status"] == "read" else None
            if field_name in (truth.get("smudged") or ()):
                report.smudged += 1
                report.guessed_smudged += value is not None
                continue
            same = _same(str(expected), value, person=field_name in PERSON_FIELDS)
            outcome = "correct" if same else ("unread" if value is None else "wrong")
            key = f"{truth['doc_type']}.{field_name}"
            report.fields.setdefault(key, FieldScore()).add(outcome)
            report.groups.setdefault(_group(truth["doc_type"], field_name), FieldScore()).add(outcome)
            if outcome == "wrong":
                report.wrong_fields.append({"file": name, "field": key, "expected": expected, "read": value,
                                            "source": got.get("text") if got else None})


def _complete(services, actor, runtime, case_number: str, case: dict, today: dt.date) -> tuple[bool, dict]:
    status = services.case_status(actor, runtime, case_number, today=today)
    entry = next(a for a in status["applications"] if a["application_type"] == case["application_type"])
    return entry["complete"], entry


def rescore_fields(labels: dict, kept: dict, *, config: Path | None = None) -> ApplicationReport:
    """Field accuracy only, read again from the page texts a run kept (``--keep-pages``): no OCR, the
    extractors of this checkout on the same readings - for working on the extractors."""
    from ..config import load_settings
    from ..fields import extract_fields
    from ..fields.model import PageText
    from ..fields.stage import purposes

    settings = load_settings(config)
    report = ApplicationReport(labels["today"], cases=len(labels["cases"]), documents=len(labels["documents"]))
    read: dict[str, tuple[str | None, dict]] = {}
    for name, entry in kept["documents"].items():
        pages = [PageText.from_json(p) for p in entry["pages"]]
        fields = extract_fields(entry["doc_type"], pages, min_confidence=settings.applications.min_field_confidence,
                                purposes=purposes(settings))
        read[name] = (entry["doc_type"], {f.name: f.to_json() for f in fields})
    score_fields(report, labels, read)
    _score_form_purposes(report, labels, read)
    return report


def _score_form_purposes(report: ApplicationReport, labels: dict, read: dict[str, tuple[str | None, dict]]) -> None:
    """Forms by the purpose read from their text alone (a run counts the applications the forms opened)."""
    for name, truth in labels["documents"].items():
        if "purpose" not in truth["fields"]:
            continue
        doc_type, fields = read.get(name, (None, {}))
        got = fields.get("purpose") if doc_type == truth["doc_type"] else None
        value = got["value"] if got and got["status"] == "read" else None
        report.forms["none" if value is None else "right" if value == truth["fields"]["purpose"] else "wrong"] += 1


def _kept_pages(catalog, ids: dict, heard: dict[str, list]) -> dict:
    """Each archived document's page texts as the fields stage saw them (for `rescore_fields`)."""
    documents = {}
    for name, result in ids.items():
        doc = catalog.get(result.id) if result is not None else None
        if doc is None:
            continue
        numbers = sorted(p.number for p in catalog.pages(doc.id))
        for texts in heard.get(name, []):
            if sorted(t.number for t in texts) == numbers:
                documents[name] = {"doc_type": doc.doc_type, "doc_type_confidence": doc.doc_type_confidence,
                                   "pages": [t.to_json() for t in texts]}
                break
    return {"documents": documents}


def evaluate_application_set(directory: Path, labels: dict, *, config: Path | None = None,
                             workers: int | None = None, keep_pages: Path | None = None) -> ApplicationReport:
    """Run the set through the pipeline and the checklist; return the report. With *keep_pages*, the page
    texts (and OCR's word confidences) the fields were read from are written there as JSON."""
    import json
    import threading
    from contextlib import nullcontext

    from ..fields.stage import listening
    from ..classifiers import parse_registry_csv
    from ..config import load_settings
    from ..index import applications as store
    from ..services import applications as services, review
    from ..services.actor import Actor
    from ..services.cases import replace_registry
    from ..services.documents import ingest
    from ..services.runtime import Runtime

    today = dt.date.fromisoformat(labels["today"])
    report = ApplicationReport(today.isoformat(), cases=len(labels["cases"]), documents=len(labels["documents"]))
    actor = Actor.system("eval")
    outcomes: dict[str, list] = {}
    with tempfile.TemporaryDirectory() as tmp:
        runtime = Runtime(load_settings(config, home=Path(tmp)))
        replace_registry(runtime.catalog, parse_registry_csv(directory / "registry.csv"))
        heard: dict[str, list] = {}
        lock = threading.Lock()

        def hear(source: str, texts: list) -> None:
            with lock:
                heard.setdefault(Path(source).name, []).append(texts)

        with listening(hear) if keep_pages else nullcontext():
            ingest(actor, runtime, [directory / name for name in labels["documents"]], workers=workers,
                   on_file=lambda path, results: outcomes.__setitem__(path.name, results))
        ids = {name: next((r for r in results if r.status == "archived"), None) for name, results in outcomes.items()}
        if keep_pages:
            kept = _kept_pages(runtime.catalog, ids, heard) | {"today": labels["today"]}
            Path(keep_pages).write_text(json.dumps(kept, ensure_ascii=False), encoding="utf-8")
        stored = store.fields_of(runtime.catalog, [r.id for r in ids.values() if r is not None])
        read: dict[str, tuple[str | None, dict]] = {}
        not_filed: dict[str, list[str]] = {}          # case -> its documents that did not reach it
        for name, truth in labels["documents"].items():
            result = ids.get(name)
            doc = runtime.catalog.get(result.id) if result is not None else None
            if doc is None or doc.case_number != truth["case_number"] or doc.review:
                why = "review" if doc is not None and doc.review else ("wrong case" if doc else "not archived")
                not_filed.setdefault(truth["case_number"], []).append(f"{truth['doc_type']} ({why})")
            elif doc.doc_type != truth["doc_type"]:
                not_filed.setdefault(truth["case_number"], []).append(f"{truth['doc_type']} (typed {doc.doc_type})")
            if doc is None:
                continue
            report.doc_type_right += doc.doc_type == truth["doc_type"]
            report.in_case += doc.case_number == truth["case_number"]
            report.wrong_case += doc.case_number not in (None, truth["case_number"])
            _, fields = stored.get(result.id, (None, []))
            read[name] = (doc.doc_type, {f["name"]: f for f in fields})
        score_fields(report, labels, read)
        for case_number, case in labels["cases"].items():
            detected = [a for a in store.applications(runtime.catalog, case_number) if a.source == "form"]
            if not detected:
                report.forms["none"] += 1
                services.open_application(actor, runtime, case_number, case["application_type"], source="eval")
            elif any(a.application_type == case["application_type"] for a in detected):
                report.forms["right"] += 1
            else:
                report.forms["wrong"] += 1
                services.open_application(actor, runtime, case_number, case["application_type"], source="eval")
            complete, entry = _complete(services, actor, runtime, case_number, case, today)
            report.add_case(case_number, case, complete, entry["status"]["requirements"], not_filed.get(case_number, []))
        # A clerk settles the review queue: every document that did not reach its case (or its type)
        # is filed as the label says - also a relative's document sent with the applicant's number.
        for name, truth in labels["documents"].items():
            result = ids.get(name)
            doc = runtime.catalog.get(result.id) if result is not None else None
            if doc is not None and (doc.review or doc.case_number != truth["case_number"]
                                    or doc.doc_type != truth["doc_type"]):
                review.review_assign(actor, runtime, doc.id, case=truth["case_number"], doc_type=truth["doc_type"])
                report.settled += 1
        for outcome in report.case_outcomes:
            case = labels["cases"][outcome["case_number"]]
            complete, entry = _complete(services, actor, runtime, outcome["case_number"], case, today)
            outcome["reported_complete_settled"] = complete
            if complete and not case["complete"]:
                report.false_complete_settled.append(outcome["case_number"])
            if case["complete"]:
                report.complete_reported_settled += complete
            if not complete:
                outcome["reasons_settled"] = {r["key"]: r["reason"] for r in entry["status"]["requirements"]
                                              if r["state"] != "satisfied"}
    return report
