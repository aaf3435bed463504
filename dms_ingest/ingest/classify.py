"""Stage: repair known OCR slips, classify the document type, match the case.

The work lives in dms_ingest.classifiers; this stage only feeds it and records the outcome.
Anything doubtful sends the document to review: filing into the wrong case is the worst error.
"""

from __future__ import annotations

from pathlib import Path

from ..classifiers import CaseDecision, CaseHints, CaseRegistry, find_mrz, match_case, restore_paragraph_signs
from ..classifiers.registry import record_of
from ..fields.stage import read_fields
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
        records = [record_of(c) for c in ctx.catalog.cases()]
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
    read_fields(doc, ctx)


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
    decision, notes = decide_case(doc, text, registry(ctx), ctx.settings, _sponsor_accepted(doc, ctx))
    doc.candidates = decision.candidates
    if decision.review:
        doc.review = True
        doc.review_reasons.extend(notes + decision.reasons)
        return
    doc.case_number, doc.case_method = decision.case_number, decision.method
    doc.case_evidence = decision.reasons


def decide_case(doc: Document, text: str, cases: CaseRegistry, settings,
                sponsor_accepted=None) -> tuple[CaseDecision, list[str]]:
    """The case decision for a document with its hints (cover sheet, mail), and notes for the clerk."""
    inherited, notes = doc.hint_case_number, []
    confidence = ocr_confidence(doc)
    minimum = settings.classification.inherit_min_ocr_confidence
    if inherited and doc.part == "attachment" and confidence is not None and confidence < minimum:
        # Unreadable text cannot show that the attachment is about someone else (a relative's papers).
        notes.append(f"Text kaum lesbar (OCR-Sicherheit {confidence:.0f} %): die Akte der E-Mail "
                     f"({inherited}) wird nicht ungeprüft übernommen.")
        inherited = None
    hints = CaseHints(barcode_case_number=doc.cover_case_number, email_case_number=inherited,
                      email_evidence=_HINT_SOURCES.get(doc.part, _HINT_SOURCES[None]),
                      birth_rereads=tuple(pair for page in doc.pages for pair in page.birth_rereads))
    return match_case(text, cases, pattern=settings.classification.case_number, hints=hints,
                      sponsor_accepted=sponsor_accepted), notes


def _sponsor_accepted(doc: Document, ctx: Context):
    """For a document certainly of a type some application accepts from the applicant's sponsor: the
    test whether a case has such an application open (None: the sponsor's papers are not accepted)."""
    if doc.review or not doc.doc_type:
        return None
    kinds = {key for key, app in ctx.settings.applications.types.items()
             if any(r.from_sponsor and r.doc_type == doc.doc_type for r in app.requirements)}
    if not kinds:
        return None
    from ..index.applications import OPEN, applications

    return lambda case_number: any(a.application_type in kinds
                                   for a in applications(ctx.catalog, case_number, state=OPEN))


def ocr_confidence(doc: Document) -> float | None:
    """Mean OCR word confidence of the document's scanned, non-blank pages (None if nothing was OCR'd)."""
    values = [p.ocr_confidence for p in doc.pages if p.ocr_confidence is not None and not p.blank]
    return sum(values) / len(values) if values else None


# How the case hint of a document was found, in the clerk's words.
_HINT_SOURCES = {"attachment": "Akte der E-Mail, mit der das Dokument kam", "body": "Akte der E-Mail",
                 None: "Vorgabe der Quelle, z. B. der Migrationsliste"}


def resolve_mail_case(mail_text: str, ctx: Context) -> str | None:
    """The case a whole mail belongs to (sender, subject and text), to be passed on to its attachments.

    Only a mail that resolves to exactly one case by the same rules as a document (a registered
    case number, or name and date of birth) passes a case on; a doubtful mail passes nothing and its
    attachments are judged on their own evidence.
    """
    return mail_case(mail_text, registry(ctx), ctx.settings)


def mail_case(mail_text: str, cases: CaseRegistry, settings) -> str | None:
    """resolve_mail_case on a given registry."""
    decision = match_case(mail_text, cases, pattern=settings.classification.case_number)
    return None if decision.review else decision.case_number


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
