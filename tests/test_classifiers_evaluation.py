import json
import random

import pytest

from dms_ingest.classifiers.evaluation import evaluate, predict_text_directory
from dms_datagen.evaluation_set import build_registry, generate_samples, write_evaluation_set
from dms_ingest.classifiers.persons import loose_name
from dms_ingest.classifiers.registry import parse_registry_csv

LABELS = {
    "a.png": {"doc_type": "pass", "case_number": "ABH-2019-00001", "assignable": True},
    "b.png": {"doc_type": "pass", "case_number": "ABH-2019-00002", "assignable": True},
    "c.png": {"doc_type": "bescheid", "case_number": None, "assignable": False},
    "d.png": {"doc_type": "bescheid", "case_number": "ABH-2019-00004", "assignable": True},
    "e.png": {"doc_type": "mietvertrag", "case_number": None, "assignable": False},
}
PREDICTIONS = {
    "a.png": ("pass", "ABH-2019-00001", False),      # right
    "b.png": ("bescheid", None, True),                # wrong type, sent to review
    "c.png": ("bescheid", "ABH-2019-00009", False),   # filed although nothing should be: wrong
    "d.png": ("bescheid", "ABH-2019-00005", False),   # filed into the wrong case
    "e.png": ("mietvertrag", None, True),
}


def test_metrics_on_hand_made_example():
    report = evaluate(PREDICTIONS, LABELS)
    assert report.documents == 5
    assert report.doc_type_accuracy == pytest.approx(4 / 5)
    # F1: pass 2/3 (tp1 fn1), bescheid 0.8 (tp2 fp1), mietvertrag 1.0
    assert report.per_type_f1 == pytest.approx({"pass": 2 / 3, "bescheid": 0.8, "mietvertrag": 1.0})
    assert report.macro_f1 == pytest.approx((2 / 3 + 0.8 + 1.0) / 3)
    assert report.confusion["pass"] == {"pass": 1, "bescheid": 1}
    assert report.wrong_assignment_count == 2
    assert {w[0] for w in report.wrong_assignments} == {"c.png", "d.png"}
    assert report.assignable == 3 and report.assigned_among_assignable == 1
    assert report.automatic_share == pytest.approx(1 / 3)
    assert report.review_share == pytest.approx(2 / 5)
    table = report.confusion_table()
    assert "mietvertrag" in table and table.count("\n") == 4
    assert "WRONG c.png" in report.summary()


def test_missing_predictions_are_listed():
    report = evaluate({"a.png": PREDICTIONS["a.png"]}, LABELS)
    assert report.documents == 1 and len(report.missing) == 4


def test_trap_registry_has_its_traps():
    trap = build_registry(random.Random(3), size=120)
    assert len(trap.twins) >= 5 and len(trap.same_name_pairs) >= 10 and trap.lookalike_same_dob
    for a, b in trap.twins:
        assert (a.surname, a.given_names, a.date_of_birth) == (b.surname, b.given_names, b.date_of_birth)
        assert a.case_number != b.case_number
    for a, b in trap.lookalike_same_dob:
        assert a.date_of_birth == b.date_of_birth and loose_name(a.surname) != loose_name(b.surname)
    assert len({r.case_number for r in trap.records}) == len(trap.records)


def test_samples_cover_every_type_and_both_outcomes():
    _, samples = generate_samples(48, seed=5)
    assert {s.doc_type for s in samples} == {
        "antrag", "pass", "meldebescheinigung", "arbeitsvertrag", "gehaltsnachweis", "mietvertrag",
        "krankenversicherung", "anwaltsschreiben", "bescheid", "urkunde", "sprachzertifikat", "sonstiges"}
    assert any(s.assignable for s in samples) and any(not s.assignable for s in samples)
    assert all((s.case_number is None) == (not s.assignable) for s in samples)


def test_text_mode_set_end_to_end(tmp_path):
    labels = write_evaluation_set(tmp_path, count=60, seed=21, text_mode=True)
    assert json.loads((tmp_path / "labels.json").read_text()) == labels
    assert len(list(tmp_path.glob("*.txt"))) == 60
    assert len(parse_registry_csv(tmp_path / "registry.csv")) > 200
    report = evaluate(predict_text_directory(tmp_path), labels)
    assert report.wrong_assignment_count == 0, report.summary()
    assert report.automatic_share >= 0.9
    assert report.macro_f1 >= 0.9


def test_image_mode_writes_300_dpi_pages(tmp_path):
    from PIL import Image

    labels = write_evaluation_set(tmp_path, count=2, seed=1)
    for name in labels:
        with Image.open(tmp_path / name) as image:
            assert image.mode == "L" and image.width == 2480 and image.height <= 3508
            assert round(image.info["dpi"][0]) == 300


def test_documents_of_mails_and_batches_are_matched_and_scored_per_evidence_class():
    from types import SimpleNamespace as R

    from dms_ingest.classifiers.evaluation import input_files, predictions_from_results

    labels = {
        "m.eml#Scan_1.jpg": {"file": "m.eml", "doc_type": "gehaltsnachweis", "case_number": "ABH-2019-00001",
                             "assignable": True, "evidence": "mail_attachment", "owner": "ABH-2019-00001"},
        "m.eml#body": {"file": "m.eml", "doc_type": "sonstiges", "case_number": "ABH-2019-00001", "assignable": True,
                       "evidence": "mail_body", "owner": "ABH-2019-00001"},
        "b.pdf#1": {"file": "b.pdf", "doc_type": "urkunde", "case_number": "ABH-2019-00002", "assignable": True,
                    "evidence": "cover_sheet", "owner": "ABH-2019-00002"},
        "b.pdf#2": {"file": "b.pdf", "doc_type": "urkunde", "case_number": None, "assignable": False,
                    "evidence": "trap", "owner": "ABH-2019-00003"},
        "s.png": {"file": "s.png", "doc_type": "bescheid", "case_number": None, "assignable": False,
                  "evidence": "trap", "owner": "ABH-2019-00004"},
    }
    assert input_files(labels) == ["m.eml", "b.pdf", "s.png"]
    results = {
        "m.eml": [R(source="/x/m.eml#body", status="archived", doc_type="sonstiges", case_number="ABH-2019-00001", review=False),
                  R(source="/x/m.eml#Scan_1.jpg", status="archived", doc_type="gehaltsnachweis", case_number=None, review=True)],
        "b.pdf": [R(source="/x/b.pdf", status="archived", doc_type="urkunde", case_number="ABH-2019-00002", review=False),
                  R(source="/x/b.pdf", status="archived", doc_type="urkunde", case_number=None, review=True)],
        # a not-assignable scan filed into its own person's case: wrong, and marked lucky
        "s.png": [R(source="/x/s.png", status="archived", doc_type="bescheid", case_number="ABH-2019-00004", review=False)],
    }
    predictions = predictions_from_results(labels, results)
    assert predictions["m.eml#Scan_1.jpg"] == ("gehaltsnachweis", None, True)
    assert predictions["b.pdf#2"] == ("urkunde", None, True)
    report = evaluate(predictions, labels)
    assert report.wrong_assignment_count == 1 and report.lucky == ["s.png"]
    assert report.per_class["mail_attachment"].assigned == 0 and report.per_class["mail_body"].assigned == 1
    assert report.per_class["cover_sheet"].automatic_share == 1.0
    assert (report.per_class["trap"].unassignable, report.per_class["trap"].unassignable_reviewed) == (2, 1)
    assert report.unassignable_review_share == pytest.approx(0.5)
    assert "mail_attachment" in report.summary() and "lucky" in report.summary()
