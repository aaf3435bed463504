"""Deciding cases again on the OCR text an evaluation run stored (`dms eval DIR --keep-pages FILE`).

A full `dms eval` on a mailroom set spends its 15-20 minutes in OCR. A change to case matching
alone can be measured in seconds on the text of an earlier run (`dms eval DIR --rescore FILE`): the
stored page texts (after the run's re-reads), the cover sheets and the parts of mails go through the
same decision as in the pipeline (classify.decide_case); the document types are those of the run.
The page images are not kept, so a change to OCR or to the re-reads needs a full run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..classifiers.registry import CaseRegistry
from .classify import decide_case, mail_case
from .document import Document, Page
from .mailplan import find_case_number
from .results import Status

FORMAT = "dms-eval-text/1"


@dataclass
class ReplayedResult:
    """What predictions_from_results reads of an IngestResult."""

    source: str
    status: str
    doc_type: str | None
    case_number: str | None
    review: bool
    review_reasons: list[str]


def stored_document(result, shown: dict) -> dict:
    """One archived document as kept for a replay: the result's routing fields and the page texts."""
    return {"source": result.source, "status": Status(result.status).value, "part": result.part, "doc_type": result.doc_type,
            "review": result.review, "case_number": result.case_number, "cover_case_number": result.cover_case_number,
            "review_reasons": result.review_reasons,
            "pages": [{"text": p.get("text", ""), "ocr_confidence": p["ocr_confidence"], "blank": p["blank"]}
                      for p in shown["page_details"]]}


def write_kept_text(path: Path, documents_by_file: dict[str, list[dict]]) -> None:
    path.write_text(json.dumps({"format": FORMAT, "files": documents_by_file}, ensure_ascii=False, indent=1),
                    encoding="utf-8")


def _document(stored: dict, hint: str | None) -> Document:
    pages = [Page(number=k, text=p["text"], ocr_confidence=p["ocr_confidence"], blank=p["blank"])
             for k, p in enumerate(stored["pages"], start=1)]
    return Document(source=stored["source"], original_path=Path(stored["source"]), sha256="", pages=pages,
                    part=stored["part"], cover_case_number=stored["cover_case_number"], hint_case_number=hint,
                    doc_type=stored["doc_type"])


def replay(path: Path, cases: CaseRegistry, settings) -> dict[str, list[ReplayedResult]]:
    """Results per input file, with the cases decided anew on the stored text."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("format") != FORMAT:
        raise ValueError(f"{path}: not a file written by `dms eval --keep-pages` on a case set")
    pattern = settings.classification.case_number
    out: dict[str, list[ReplayedResult]] = {}
    for file, stored_docs in data["files"].items():
        body = next((d for d in stored_docs if d["part"] == "body"), None)
        # The pipeline resolves the mail from its header and text lines; the body document holds them.
        body_text = "\n\f".join(p["text"] for p in body["pages"]) if body else ""
        mail = mail_case(body_text, cases, settings) if body else None
        results = []
        for stored in stored_docs:
            if stored["status"] != "archived":
                results.append(ReplayedResult(stored["source"], stored["status"], None, None, True, []))
                continue
            hint = None
            if stored["part"] == "attachment":
                hint = mail
            elif stored["part"] == "body":
                hint = mail or find_case_number(body_text, pattern)
            doc = _document(stored, hint)
            decision, notes = decide_case(doc, doc.text, cases, settings)
            type_review = any(r.startswith("Dokumenttyp unsicher") or r.startswith("Kein Text erkannt")
                              for r in stored["review_reasons"])
            results.append(ReplayedResult(stored["source"], "archived", stored["doc_type"],
                                          None if decision.review else decision.case_number,
                                          decision.review or type_review, notes + decision.reasons))
        out[file] = results
    return out
