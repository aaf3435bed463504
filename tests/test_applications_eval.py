"""The application evaluation set and its scoring (fast: no drawing, no OCR)."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from dms_datagen import applications as gen
from dms_ingest.applications.evaluation import ApplicationReport, score_fields

TODAY = gen.TODAY


def case(scenario: str, app_type: str = "verlaengerung", seed: int = 3):
    rng = random.Random(seed)
    hh = gen._household(rng)
    docs, change = gen.build_case(rng, hh, app_type, scenario, "ABH-2024-00001", TODAY)
    return hh, [d for d in docs if d.doc_type != "bescheid"], change


def test_complete_case_has_every_required_document_valid():
    hh, docs, change = case("complete")
    assert sorted({d.doc_type for d in docs}) == sorted(gen.DOCUMENTS["verlaengerung"]) and change == ""
    payslips = sorted(d.fields["period"] for d in docs if d.doc_type == "gehaltsnachweis")
    assert payslips == ["2025-03", "2025-04", "2025-05"]
    passport = next(d for d in docs if d.doc_type == "pass")
    assert dt.date.fromisoformat(passport.fields["expiry_date"]) > TODAY + dt.timedelta(days=183)


@pytest.mark.parametrize("seed", range(6))
def test_each_scenario_breaks_exactly_one_requirement(seed):
    _, complete, _ = case("complete", seed=seed)
    _, missing, change = case("missing", seed=seed)
    assert len(missing) == len(complete) - 1 and change.startswith("ohne ")
    _, relative, change = case("relative", seed=seed)
    assert [d.owner for d in relative].count("relative") == 1
    _, smudged, change = case("unreadable", seed=seed)
    assert sum(bool(d.smudged) for d in smudged) == 1
    assert any(line.key == d.smudged[0] for d in smudged if d.smudged for line in d.lines)


def test_scoring_counts_correct_wrong_unread_and_guesses_on_smudged_lines():
    labels = {"documents": {
        "a.png": {"doc_type": "pass", "fields": {"expiry_date": "2030-01-31", "document_number": "C1",
                                                  "nationality": "TUR"}, "smudged": []},
        "b.png": {"doc_type": "gehaltsnachweis", "fields": {"period": "2025-05", "employer": "X GmbH"},
                  "smudged": ["period"]},
    }}
    read = {"a.png": ("pass", {"expiry_date": {"value": "2030-01-31", "status": "read", "text": ""},
                               "document_number": {"value": "CI", "status": "read", "text": ""},
                               "nationality": {"value": None, "status": "unread", "text": ""}}),
            "b.png": ("gehaltsnachweis", {"period": {"value": "2025-05", "status": "read", "text": ""},
                                          "employer": {"value": "X  GmbH", "status": "read", "text": ""}})}
    report = ApplicationReport("2025-06-30")
    score_fields(report, labels, read)
    mrz = report.groups["mrz"]
    assert (mrz.correct, mrz.wrong, mrz.unread) == (1, 1, 1)
    assert report.smudged == 1 and report.guessed_smudged == 1
    assert report.fields["gehaltsnachweis.employer"].correct == 1


def test_kept_page_texts_are_read_again_without_ocr():
    """`dms eval --rescore`: the page texts a run kept (with OCR's word confidences) give the fields
    the extractors of this checkout read from them."""
    from dms_ingest.applications.evaluation import rescore_fields
    from dms_ingest.fields.model import PageText

    sure = PageText(1, "Autohaus Brandt KG\nEntgeltabrechnung für April 2025", {"Brandt": 96.0, "KG": 96.0},
                    90.0, {"Autohaus": [96.0], "Brandt": [96.0], "KG": [96.0]})
    unsure = PageText.from_json(sure.to_json() | {"occurrences": {"Autohaus": [96.0], "Brandt": [60.0], "KG": [60.0]},
                                                  "word_confidence": {"Brandt": 60.0, "KG": 60.0}})
    assert PageText.from_json(sure.to_json()) == sure
    labels = {"today": "2025-06-30", "cases": {}, "documents": {
        name: {"doc_type": "gehaltsnachweis", "case_number": "ABH-2024-00001",
               "fields": {"employer": "Autohaus Brandt KG", "period": "2025-04"}} for name in ("a.pdf", "b.pdf")}}
    kept = {"documents": {"a.pdf": {"doc_type": "gehaltsnachweis", "pages": [sure.to_json()]},
                          "b.pdf": {"doc_type": "gehaltsnachweis", "pages": [unsure.to_json()]}}}
    report = rescore_fields(labels, kept)
    employer = report.fields["gehaltsnachweis.employer"]
    assert (employer.correct, employer.unread, employer.wrong) == (1, 1, 0)
    assert report.fields["gehaltsnachweis.period"].correct == 2


def test_rescore_counts_the_forms_by_their_purpose():
    """`dms eval --rescore` on an application set: each form right, wrong or without a purpose."""
    from dms_ingest.applications.evaluation import rescore_fields
    from dms_ingest.fields.model import PageText

    options = "Beantragt wird:\n{} Niederlassungserlaubnis (§ 9 AufenthG)\n{} Blaue Karte EU (§ 18g AufenthG)\n" \
              "{} Familiennachzug (§§ 27 ff. AufenthG)\n{} Verlängerung der Aufenthaltserlaubnis"
    forms = {"right.pdf": ("[x]", "[ ]", "[ ]", "[ ]"), "wrong.pdf": ("[ ]", "[x]", "[ ]", "[ ]"),
             "none.pdf": ("[x]", "[x]", "[ ]", "[ ]")}
    labels = {"today": "2025-06-30", "cases": {}, "documents": {
        name: {"doc_type": "antrag", "case_number": "ABH-2024-00001", "fields": {"purpose": "niederlassungserlaubnis"}}
        for name in forms}}
    kept = {"documents": {name: {"doc_type": "antrag", "pages": [PageText(1, options.format(*boxes)).to_json()]}
                          for name, boxes in forms.items()}}
    assert rescore_fields(labels, kept).forms == {"right": 1, "wrong": 1, "none": 1}


def test_rescore_decides_the_cases_again_on_the_kept_text(tmp_path):
    """`dms eval DIR --rescore FILE` on an application set: the pipeline's case decision and the checklist
    on the kept page texts. A complete case is reported complete; the same case whose passport is a
    registered stranger's is not, and the stranger's passport is filed nowhere."""
    from dms_ingest.applications.evaluation import rescore_fields
    from dms_ingest.applications.replay import replay_cases
    from dms_ingest.classifiers.registry import CaseRecord, write_registry_csv
    from dms_ingest.config import load_settings
    from dms_ingest.fields.model import PageText

    from .paths import REPO

    hh, docs, _ = case("complete")
    stranger = gen.people.Person("Becker", "Jonas", dt.date(1982, 1, 15), "DEU", "M", "Kiel")
    write_registry_csv([CaseRecord("ABH-2024-00001", hh.applicant.surname, hh.applicant.given_names,
                                   hh.applicant.date_of_birth, hh.applicant.nationality),
                        CaseRecord("ABH-2015-03003", stranger.surname, stranger.given_names, stranger.date_of_birth,
                                   "DEU")], tmp_path / "registry.csv")
    settings = load_settings(REPO / "config.yaml")

    def replayed(documents):
        names = {f"{k:02d}_{d.doc_type}.png": d for k, d in enumerate(documents)}
        labels = {"today": TODAY.isoformat(), "documents": {
            name: {"doc_type": d.doc_type, "case_number": "ABH-2024-00001", "fields": d.fields, "smudged": []}
            for name, d in names.items()}, "cases": {"ABH-2024-00001": {
                "application_type": "verlaengerung", "scenario": "complete", "change": "", "complete": True}}}
        kept = {"documents": {name: {"doc_type": d.doc_type, "doc_type_confidence": 0.95, "pages": [PageText(
            1, "\n".join(["Aktenzeichen: ABH-2024-00001"] + [line.as_text() for line in d.lines])).to_json()]}
            for name, d in names.items()}}
        report = rescore_fields(labels, kept, config=REPO / "config.yaml")
        replay_cases(report, tmp_path, labels, kept, settings)
        return report

    report = replayed(docs)
    assert (report.complete_cases, report.complete_reported, report.in_case, report.wrong_case) == (1, 1, len(docs), 0)
    foreign = [gen.passport(random.Random(1), stranger, dt.date(2031, 1, 31)) if d.doc_type == "pass" else d
               for d in docs]
    report = replayed(foreign)
    assert report.complete_reported == 0 and report.wrong_case == 0 and report.in_case == len(docs) - 1
    assert report.case_outcomes[0]["documents_not_filed_or_mistyped"] == ["pass (review)"]


@pytest.mark.parametrize("seed", range(12))
def test_an_unreadable_case_smudges_a_field_its_application_checks(seed):
    """A contract's salary counts for the Blue Card only: smudged in an extension's file, the file would be
    complete though labelled incomplete (seed 51's set with --scenarios missing expired unreadable relative)."""
    for app_type in ("verlaengerung", "niederlassungserlaubnis"):
        rng = random.Random(seed)
        docs, change = gen.build_case(rng, gen._household(rng), app_type, "unreadable", "ABH-2024-00001", TODAY)
        assert not any(d.smudged for d in docs if d.doc_type == "arbeitsvertrag"), change
