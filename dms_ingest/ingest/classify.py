"""Stage: repair known OCR slips, classify the document type, match the case.

The work lives in dms_ingest.classifiers; this stage only feeds it and records the outcome.
Anything doubtful sends the document to review: filing into the wrong case is the worst error.
"""

from __future__ import annotations

from pathlib import Path

from ..classifiers import CaseHints, CaseRecord, CaseRegistry, find_mrz, match_case, restore_paragraph_signs
from .context import Context
from .document import Document


def trained_model_path(ctx: Context) -> Path:
    """Where `dms train` puts a model retrained from reviewed documents."""
    return ctx.settings.home / "models" / "doctype.joblib"


def load_classifier(ctx: Context):
    """The retrained model if `dms train` made one, else the shipped model; config rules on top."""
    from ..classifiers.doctype import DocTypeClassifier, load_default_classifier

    path = trained_model_path(ctx)
    model = DocTypeClassifier.load(path) if path.exists() else load_default_classifier()
    rules = ctx.settings.classification.rules
    return model.with_rules(rules) if rules else model


def registry(ctx: Context) -> CaseRegistry:
    def build() -> CaseRegistry:
        records = [CaseRecord(c.case_number, c.surname, c.given_names, c.date_of_birth, c.nationality)
                   for c in ctx.catalog.cases()]
        return CaseRegistry(records, ctx.settings.classification.case_number)

    return ctx.cached("registry", ctx.catalog.cases_version(), build)


def classify_document(doc: Document, ctx: Context) -> None:
    """Set doc_type, case_number and the review flag with clerk-readable reasons."""
    for page in doc.pages:
        page.text = restore_paragraph_signs(page.text)
    text = doc.text
    if not text.strip():
        doc.review = True
        doc.review_reasons.append("Kein Text erkannt: Dokumenttyp und Akte bitte manuell bestimmen.")
    else:
        _classify_type(doc, text, ctx)
    _match_case(doc, text, ctx)


def _classify_type(doc: Document, text: str, ctx: Context) -> None:
    classifier = ctx.cached("doctype", _model_version(ctx), lambda: load_classifier(ctx))
    label, probability, top = classifier.predict(text)
    if len(doc.pages) <= 2 and "pass" in ctx.settings.classification.doc_types \
            and any(m.valid for m in find_mrz(text)):
        # A machine-readable zone with valid check digits is a passport (copy), whatever the wording.
        label, probability = "pass", max(float(probability), 0.99) if label == "pass" else 0.99
    doc.doc_type, doc.doc_type_confidence = label, round(float(probability), 4)
    threshold = ctx.settings.classification.review_threshold
    if probability < threshold:
        shown = ", ".join(f"{name} {p:.0%}" for name, p in top[:3])
        doc.review = True
        doc.review_reasons.append(f"Dokumenttyp unsicher ({shown}; Schwelle {threshold:.0%}).")


def _model_version(ctx: Context) -> float:
    path = trained_model_path(ctx)
    return path.stat().st_mtime if path.exists() else 0.0


def _match_case(doc: Document, text: str, ctx: Context) -> None:
    hints = CaseHints(barcode_case_number=doc.cover_case_number, email_case_number=doc.hint_case_number)
    decision = match_case(text, registry(ctx), pattern=ctx.settings.classification.case_number, hints=hints)
    doc.candidates = decision.candidates
    if decision.review:
        doc.review = True
        doc.review_reasons.extend(decision.reasons)
        return
    doc.case_number, doc.case_method = decision.case_number, decision.method
    doc.case_evidence = decision.reasons


def retrain_from_reviews(settings, catalog) -> dict:
    """Retrain the type classifier on the shipped corpus plus every document a person reviewed.

    Reviewed documents are real OCR text from this office, so they count three times.
    The model is written next to the data (DMS_HOME/models) and used from then on.
    """
    import os

    from ..classifiers.doctype import CORPUS_FILE, DocTypeClassifier, read_corpus

    texts, labels = read_corpus(CORPUS_FILE)  # shipped with the package, like the model
    reviewed = [(doc, "\n\f".join(p.text for p in catalog.pages(doc.id))) for doc in catalog.reviewed_documents()]
    reviewed = [(doc, text) for doc, text in reviewed if text.strip()]
    for doc, text in reviewed:
        texts.extend([text] * 3)
        labels.extend([doc.doc_type] * 3)
    model = DocTypeClassifier.train(texts, labels, taxonomy=settings.classification.doc_types)
    path = settings.home / "models" / "doctype.joblib"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    model.save(tmp)
    os.replace(tmp, path)
    catalog.record_event("train", "classifier_retrained", None, reviewed=len(reviewed), corpus=len(texts))
    return {"reviewed": len(reviewed), "corpus": len(texts) - 3 * len(reviewed), "model": str(path)}
