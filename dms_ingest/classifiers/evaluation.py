"""Scoring predictions against an evaluation set: document types and case assignment.

Usage (text-mode sets): python -m dms_ingest.classifiers.evaluation DIR
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

Prediction = tuple[str, "str | None", bool]  # (doc_type, case_number, review)


@dataclass
class EvalReport:
    """Evaluation results; ``wrong_assignments`` lists (file, assigned, expected)."""

    documents: int
    doc_type_accuracy: float
    macro_f1: float
    per_type_f1: dict[str, float]
    confusion: dict[str, dict[str, int]]
    wrong_assignments: list[tuple[str, str, str | None]]
    assignable: int
    assigned_among_assignable: int
    review_count: int
    missing: list[str] = field(default_factory=list)
    # Per evidence class (the label's "evidence", else its "scenario"): counts as in ClassScore.
    per_class: dict[str, "ClassScore"] = field(default_factory=dict)
    unassignable: int = 0
    unassignable_reviewed: int = 0
    # Not-assignable documents filed into the case of the person they are about: wrong all the same.
    lucky: list[str] = field(default_factory=list)
    # Assignable documents that went to review: (file, evidence class).
    missed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def wrong_assignment_count(self) -> int:
        """Documents filed into a case other than the expected one (or filed at all when none was expected)."""
        return len(self.wrong_assignments)

    @property
    def automatic_share(self) -> float:
        """Share of assignable documents that were filed correctly without review."""
        return self.assigned_among_assignable / self.assignable if self.assignable else 0.0

    @property
    def review_share(self) -> float:
        """Share of all documents sent to review."""
        return self.review_count / self.documents if self.documents else 0.0

    @property
    def unassignable_review_share(self) -> float:
        """Share of the not-assignable documents that went to review (must be 100%)."""
        return self.unassignable_reviewed / self.unassignable if self.unassignable else 1.0

    def confusion_table(self) -> str:
        """The confusion matrix as a fixed-width text table (rows: true type, columns: predicted)."""
        labels = sorted(set(self.confusion) | {p for row in self.confusion.values() for p in row})
        short = {label: label[:6] for label in labels}
        width = max(len(label) for label in labels) if labels else 4
        head = " " * width + " | " + " ".join(f"{short[label]:>6}" for label in labels)
        rows = [head, "-" * len(head)]
        for true in labels:
            counts = self.confusion.get(true, {})
            rows.append(f"{true:<{width}} | " + " ".join(f"{counts.get(p, 0) or '.':>6}" for p in labels))
        return "\n".join(rows)

    def summary(self) -> str:
        """A short human-readable report."""
        lines = [
            f"documents:                       {self.documents}",
            f"doc-type accuracy:               {self.doc_type_accuracy:.3f}",
            f"doc-type macro-F1:               {self.macro_f1:.3f}",
            f"wrong case assignments:          {self.wrong_assignment_count}",
            f"assigned automatically:          {self.assigned_among_assignable}/{self.assignable} assignable ({self.automatic_share:.1%})",
            f"sent to review:                  {self.review_count}/{self.documents} ({self.review_share:.1%})",
        ]
        if self.unassignable:
            lines.append(f"review among unassignable:       {self.unassignable_reviewed}/{self.unassignable} "
                         f"({self.unassignable_review_share:.1%})")
        for file, got, expected in self.wrong_assignments:
            lucky = " (lucky: the document's own person, but not assignable)" if file in self.lucky else ""
            lines.append(f"  WRONG {file}: assigned {got}, expected {expected}{lucky}")
        for file, evidence in self.missed:
            lines.append(f"  to review, though assignable ({evidence}): {file}")
        if self.per_class:
            lines.append("")
            lines.append(f"{'evidence class':<26} {'docs':>5} {'assigned':>15} {'wrong':>6} {'review (unassignable)':>22}")
            for name, c in sorted(self.per_class.items()):
                auto = f"{c.assigned}/{c.assignable} ({c.automatic_share:.0%})" if c.assignable else "-"
                rev = f"{c.unassignable_reviewed}/{c.unassignable}" if c.unassignable else "-"
                lines.append(f"{name:<26} {c.documents:>5} {auto:>15} {c.wrong:>6} {rev:>22}")
        if self.missing:
            lines.append(f"missing predictions: {len(self.missing)}")
        return "\n".join(lines) + "\n\n" + self.confusion_table()


@dataclass
class ClassScore:
    """Case-assignment counts of one evidence class."""

    documents: int = 0
    assignable: int = 0
    assigned: int = 0            # filed into the expected case without review
    wrong: int = 0
    unassignable: int = 0
    unassignable_reviewed: int = 0

    @property
    def automatic_share(self) -> float:
        return self.assigned / self.assignable if self.assignable else 0.0


def _f1_scores(pairs: list[tuple[str, str]]) -> dict[str, float]:
    labels = sorted({t for t, _ in pairs} | {p for _, p in pairs})
    scores = {}
    for label in labels:
        tp = sum(1 for t, p in pairs if t == label and p == label)
        fp = sum(1 for t, p in pairs if t != label and p == label)
        fn = sum(1 for t, p in pairs if t == label and p != label)
        scores[label] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return scores


def evaluate(predictions: Mapping[str, Prediction], labels: Mapping[str, Mapping]) -> EvalReport:
    """Compare predictions {file: (doc_type, case_number, review)} with labels {file: {doc_type, case_number, assignable}}."""
    pairs: list[tuple[str, str]] = []
    confusion: dict[str, Counter] = {}
    wrong: list[tuple[str, str, str | None]] = []
    missing: list[str] = []
    lucky: list[str] = []
    missed: list[tuple[str, str]] = []
    per_class: dict[str, ClassScore] = {}
    assignable = assigned_ok = reviews = unassignable = unassignable_reviewed = 0
    for file, truth in sorted(labels.items()):
        if file not in predictions:
            missing.append(file)
            continue
        doc_type, case_number, review = predictions[file]
        pairs.append((truth["doc_type"], doc_type))
        confusion.setdefault(truth["doc_type"], Counter())[doc_type] += 1
        score = per_class.setdefault(truth.get("evidence") or truth.get("scenario") or "all", ClassScore())
        score.documents += 1
        # A case number is set only when the case was decided without doubt; the document may still be
        # reviewed for its type alone, which does not make the case assignment less automatic.
        filed = case_number or None
        expected = truth.get("case_number")
        if review:
            reviews += 1
        if filed is not None and (filed != expected or not truth.get("assignable")):
            wrong.append((file, filed, expected))
            score.wrong += 1
            if filed == truth.get("owner"):
                lucky.append(file)
        if truth.get("assignable"):
            assignable += 1
            score.assignable += 1
            if filed is not None and filed == expected:
                assigned_ok += 1
                score.assigned += 1
            elif filed is None:
                missed.append((file, truth.get("evidence") or truth.get("scenario") or "all"))
        else:
            unassignable += 1
            score.unassignable += 1
            if review:
                unassignable_reviewed += 1
                score.unassignable_reviewed += 1
    f1 = _f1_scores(pairs)
    # Macro-F1 over the true types present, so a type that never occurs does not count as zero.
    true_types = sorted({t for t, _ in pairs})
    return EvalReport(
        documents=len(pairs),
        doc_type_accuracy=sum(t == p for t, p in pairs) / len(pairs) if pairs else 0.0,
        macro_f1=sum(f1[t] for t in true_types) / len(true_types) if true_types else 0.0,
        per_type_f1={t: f1[t] for t in true_types},
        confusion={t: dict(c) for t, c in confusion.items()},
        wrong_assignments=wrong,
        assignable=assignable,
        assigned_among_assignable=assigned_ok,
        review_count=reviews,
        missing=missing,
        per_class=per_class,
        unassignable=unassignable,
        unassignable_reviewed=unassignable_reviewed,
        lucky=lucky,
        missed=missed,
    )


def input_files(labels: Mapping[str, Mapping]) -> list[str]:
    """The input files of a labelled set, in order (a mail or batch yields several labelled documents)."""
    return list(dict.fromkeys(truth.get("file") or key for key, truth in labels.items()))


def predictions_from_results(labels: Mapping[str, Mapping], results_by_file: Mapping[str, list]) -> dict[str, Prediction]:
    """Match pipeline results ({input file: [IngestResult...]}) to the labelled documents.

    A label "FILE" takes the file's first archived document; "FILE#N" the N-th archived document of a
    batch; "FILE#NAME" the document whose source ends in "#NAME" (a mail's attachment, or "body").
    A labelled document without an archived result counts as sent to review.
    """
    predictions: dict[str, Prediction] = {}
    for key, truth in labels.items():
        file = truth.get("file") or key
        archived = [r for r in results_by_file.get(file, []) if r.status == "archived"]
        part = key[len(file) + 1:] if key.startswith(file + "#") else None
        if part is None:
            found = archived[0] if archived else None
        elif part.isdigit():
            found = archived[int(part) - 1] if 0 < int(part) <= len(archived) else None
        else:
            found = next((r for r in archived if r.source.endswith("#" + part)), None)
        predictions[key] = ((found.doc_type or "sonstiges", found.case_number, found.review) if found
                            else ("sonstiges", None, True))
    return predictions


def predict_text_directory(directory: str | Path) -> dict[str, Prediction]:
    """Run the shipped classifier and the case matcher on every .txt file of a text-mode evaluation set."""
    from .case_numbers import CaseNumberPattern
    from .doctype import load_default_classifier
    from .matching import match_case
    from .registry import CaseRegistry
    from .textfix import restore_paragraph_signs

    directory = Path(directory)
    pattern = CaseNumberPattern()
    registry = CaseRegistry.from_csv(directory / "registry.csv", pattern)
    classifier = load_default_classifier()
    predictions: dict[str, Prediction] = {}
    for path in sorted(directory.glob("*.txt")):
        text = restore_paragraph_signs(path.read_text(encoding="utf-8"))
        doc_type, _, _ = classifier.predict(text)
        decision = match_case(text, registry, pattern=pattern)
        predictions[path.name] = (doc_type, decision.case_number, decision.review)
    return predictions


def main(argv: list[str] | None = None) -> int:
    """Evaluate the shipped models on a text-mode evaluation set and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path)
    args = parser.parse_args(argv)
    labels = json.loads((args.dir / "labels.json").read_text(encoding="utf-8"))
    report = evaluate(predict_text_directory(args.dir), labels)
    print(report.summary())
    return 0 if report.wrong_assignment_count == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
