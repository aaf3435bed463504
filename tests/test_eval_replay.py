"""`dms eval --rescore` on a case set: cases decided again on stored OCR text, with the pipeline's own routing."""

import json

from dms_ingest.classifiers.evaluation import evaluate, predictions_from_results
from dms_ingest.classifiers.registry import CaseRegistry, parse_registry_text
from dms_ingest.config import load_settings
from dms_ingest.ingest.replay import FORMAT, replay

REGISTRY = CaseRegistry(parse_registry_text(
    "case_number,surname,given_names,date_of_birth,nationality\n"
    "ABH-2019-04711,Yılmaz,Mehmet,1987-04-03,TUR\n"
    "ABH-2020-00012,Demir,Ayşe,1990-05-05,TUR\n"))


def _doc(source, part, text, *, confidence=90.0, cover=None):
    return {"source": source, "status": "archived", "part": part, "doc_type": "sonstiges", "review": True,
            "case_number": None, "cover_case_number": cover, "review_reasons": [],
            "pages": [{"text": text, "ocr_confidence": confidence, "blank": False}]}


def test_replay_routes_mails_covers_and_unreadable_attachments_like_the_pipeline(tmp_path):
    kept = tmp_path / "kept.json"
    kept.write_text(json.dumps({"format": FORMAT, "files": {
        "scan.png": [_doc("d/scan.png", None, "Herr Mehmet Yilmaz, geb. 03.04.1987")],
        "mail.eml": [_doc("d/mail.eml#body", "body", "Betreff: Unterlagen Az. ABH-2020-00012\nAnbei die Papiere."),
                     _doc("d/mail.eml#a.pdf", "attachment", "Bescheinigung ohne Namen"),
                     _doc("d/mail.eml#b.pdf", "attachment", "kaum lesbar", confidence=30.0)],
        "batch.pdf": [_doc("d/batch.pdf", None, "Lohnabrechnung Mai", cover="ABH-2019-04711")],
    }}), encoding="utf-8")
    labels = {
        "scan.png": {"doc_type": "sonstiges", "case_number": "ABH-2019-04711", "assignable": True},
        "mail.eml#body": {"file": "mail.eml", "doc_type": "sonstiges", "case_number": "ABH-2020-00012", "assignable": True},
        "mail.eml#a.pdf": {"file": "mail.eml", "doc_type": "sonstiges", "case_number": "ABH-2020-00012", "assignable": True},
        "mail.eml#b.pdf": {"file": "mail.eml", "doc_type": "sonstiges", "case_number": None, "assignable": False},
        "batch.pdf": {"doc_type": "sonstiges", "case_number": "ABH-2019-04711", "assignable": True},
    }
    outcomes = replay(kept, REGISTRY, load_settings(None, home=tmp_path))
    predictions = predictions_from_results(labels, outcomes)
    assert predictions["mail.eml#b.pdf"][1:] == (None, True)   # below the inherit confidence: not taken over
    report = evaluate(predictions, labels)
    assert (report.assigned_among_assignable, report.assignable, report.wrong_assignment_count) == (4, 4, 0)
    assert report.unassignable_reviewed == 1


def test_replay_refuses_other_files(tmp_path):
    import pytest

    other = tmp_path / "x.json"
    other.write_text("{}", encoding="utf-8")
    with pytest.raises(ValueError):
        replay(other, REGISTRY, load_settings(None, home=tmp_path))
