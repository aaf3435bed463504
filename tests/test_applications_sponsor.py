"""Family reunification end to end on born-digital documents (no OCR, fast): the registered sponsor's
payslips and tenancy reach the applicant's file while the application is open; anyone else's do not."""

from __future__ import annotations

import datetime as dt
import json
import random

from .paths import REPO
from dms_datagen import applications as gen
from dms_datagen.pdf import born_digital_pdf
from dms_datagen.people import Person
from dms_ingest.classifiers.matching import SPONSOR_WAITING
from dms_ingest.classifiers.registry import CaseRecord, write_registry_csv
from dms_ingest.config import load_settings
from dms_ingest.ingest.persist import read_record
from dms_ingest.services import applications, cases, documents
from dms_ingest.services.actor import Actor
from dms_ingest.services.runtime import Runtime

TODAY = dt.date(2025, 6, 30)
APPLICANT = Person("Okafor", "Folake", dt.date(1979, 8, 9), "NGA", "F", "Lagos")
SPONSOR = Person("Okafor", "Chinedu", dt.date(1976, 10, 24), "NGA", "M", "Lagos")
STRANGER = Person("Becker", "Jonas", dt.date(1982, 1, 15), "DEU", "M", "Kiel")
CASE, SPONSOR_CASE, STRANGER_CASE = "ABH-2024-01001", "ABH-2016-02002", "ABH-2015-03003"
SYSTEM = Actor.system("test")


def pdf(tmp_path, name: str, doc: gen.GenDoc, case_number: str):
    lines = [f"Aktenzeichen: {case_number}"] + [line.as_text() for line in doc.lines]
    return born_digital_pdf([lines], tmp_path / name)


def family_runtime(tmp_path) -> Runtime:
    """A DMS with the applicant (sponsor recorded by case), the sponsor and a stranger registered."""
    runtime = Runtime(load_settings(REPO / "config.yaml", home=tmp_path / "home"))
    registry = tmp_path / "registry.csv"
    write_registry_csv([CaseRecord(CASE, APPLICANT.surname, APPLICANT.given_names, APPLICANT.date_of_birth, "NGA",
                                   sponsor_case_number=SPONSOR_CASE),
                        CaseRecord(SPONSOR_CASE, SPONSOR.surname, SPONSOR.given_names, SPONSOR.date_of_birth, "NGA"),
                        CaseRecord(STRANGER_CASE, STRANGER.surname, STRANGER.given_names, STRANGER.date_of_birth,
                                   "DEU")], registry)
    cases.import_cases(SYSTEM, runtime, registry)
    return runtime


def test_registered_sponsors_income_and_housing_complete_the_reunification_file(tmp_path):
    runtime = family_runtime(tmp_path)
    rng = random.Random(7)
    hh = gen.Household(APPLICANT, SPONSOR, "Gartenstraße 14", "21904 Elbhausen")
    payslips = [gen.payslip(rng, SPONSOR, 2025, month, "Logistik Nord GmbH", 3100.0) for month in (3, 4, 5)]
    before = pdf(tmp_path, "early_payslip.pdf", gen.payslip(rng, SPONSOR, 2025, 2, "Logistik Nord GmbH", 3100.0), CASE)
    # Before the application is open, the sponsor's payslip waits in review (and so does the stranger's) ...
    stranger_before = pdf(tmp_path, "stranger_early.pdf",
                          gen.payslip(rng, STRANGER, 2025, 2, "Logistik Nord GmbH", 3100.0), CASE)
    early, stranger_early = documents.ingest(SYSTEM, runtime, [before, stranger_before], workers=1)
    assert runtime.catalog.get(early.id).review and runtime.catalog.get(early.id).case_number is None
    assert any(r.startswith(SPONSOR_WAITING + CASE) for r in json.loads(runtime.catalog.get(early.id).review_reasons))
    # ... until the form opens the application: then the sponsor's goes into the case, the stranger's does not.
    files = [pdf(tmp_path, "antrag.pdf", gen.antrag(rng, hh, "familiennachzug", CASE, TODAY), CASE)]
    [form] = documents.ingest(SYSTEM, runtime, files, workers=1)
    assert runtime.catalog.get(form.id).case_number == CASE
    filed = runtime.catalog.get(early.id)
    assert filed.case_number == CASE and not filed.review and filed.case_method == "sponsor"
    assert any("Referenzperson Chinedu Okafor" in line for line in read_record(filed, runtime.store).case_evidence)
    assert runtime.catalog.get(stranger_early.id).review
    named = {f"payslip_{k}.pdf": doc for k, doc in enumerate(payslips)}
    named["tenancy.pdf"] = gen.tenancy(rng, hh, SPONSOR, dt.date(2019, 9, 1))
    named["sponsor_passport.pdf"] = gen.passport(rng, SPONSOR, dt.date(2030, 1, 31))       # not the applicant's
    named["stranger_payslip.pdf"] = gen.payslip(rng, STRANGER, 2025, 5, "Logistik Nord GmbH", 3100.0)
    results = documents.ingest(SYSTEM, runtime, [pdf(tmp_path, n, d, CASE) for n, d in named.items()], workers=1)
    by_name = {r.source.rsplit("/", 1)[-1]: runtime.catalog.get(r.id) for r in results}
    for name in ("payslip_0.pdf", "payslip_1.pdf", "payslip_2.pdf", "tenancy.pdf"):
        doc = by_name[name]
        assert doc.case_number == CASE and not doc.review, (name, doc.review_reasons)
        evidence = read_record(doc, runtime.store).case_evidence
        assert any("Referenzperson Chinedu Okafor" in line for line in evidence), evidence
    for name in ("sponsor_passport.pdf", "stranger_payslip.pdf"):
        assert by_name[name].review and by_name[name].case_number is None, name
    status = applications.case_status(SYSTEM, runtime, CASE, today=TODAY)
    [app] = status["applications"]
    states = {r["key"]: r["state"] for r in app["status"]["requirements"]}
    assert states["gehaltsnachweise"] == "satisfied" and states["mietvertrag"] == "satisfied", states
    # The sponsor's passport is not the applicant's: nothing else was sent, so the file is not complete.
    assert states["pass"] == "missing" and not app["complete"]


def test_opening_an_application_files_only_the_documents_waiting_for_that_case_and_type(tmp_path):
    from dms_ingest.services import applications as services

    runtime = Runtime(load_settings(REPO / "config.yaml", home=tmp_path / "home"))
    registry = tmp_path / "registry.csv"
    write_registry_csv([CaseRecord(CASE, APPLICANT.surname, APPLICANT.given_names, APPLICANT.date_of_birth, "NGA",
                                   sponsor_case_number=SPONSOR_CASE),
                        CaseRecord(SPONSOR_CASE, SPONSOR.surname, SPONSOR.given_names, SPONSOR.date_of_birth, "NGA")],
                       registry)
    cases.import_cases(SYSTEM, runtime, registry)
    rng = random.Random(8)
    [waiting] = documents.ingest(SYSTEM, runtime, [pdf(tmp_path, "p.pdf", gen.payslip(
        rng, SPONSOR, 2025, 4, "Logistik Nord GmbH", 3100.0), CASE)], workers=1)
    assert runtime.catalog.get(waiting.id).review
    # An application that takes nothing from the sponsor leaves it waiting; family reunification files it.
    assert services.open_application(SYSTEM, runtime, CASE, "verlaengerung")["sponsor_documents_filed"] == []
    assert runtime.catalog.get(waiting.id).review
    opened = services.open_application(SYSTEM, runtime, CASE, "familiennachzug")
    assert opened["sponsor_documents_filed"] == [waiting.id]
    assert runtime.catalog.get(waiting.id).case_number == CASE


def test_a_sponsor_document_judged_before_the_form_opened_the_application_is_filed_once_archived(
        tmp_path, monkeypatch):
    """Two documents in the pipeline at once (`dms eval --workers 2`, two scanners): the sponsor's payslip
    is judged while the case has no open application, the form opens one before the payslip is archived,
    and finds nothing waiting yet. The payslip must not wait in review for ever."""
    from dms_ingest.index import applications as store
    from dms_ingest.ingest import pipeline

    runtime = family_runtime(tmp_path)
    judged = pipeline.classify_document

    def form_archived_meanwhile(doc, ctx):
        judged(doc, ctx)
        store.open_application(ctx.catalog, CASE, "familiennachzug", by="pipeline", source="form")

    monkeypatch.setattr(pipeline, "classify_document", form_archived_meanwhile)
    rng = random.Random(9)
    sponsors = pdf(tmp_path, "p.pdf", gen.payslip(rng, SPONSOR, 2025, 4, "Logistik Nord GmbH", 3100.0), CASE)
    strangers = pdf(tmp_path, "s.pdf", gen.payslip(rng, STRANGER, 2025, 4, "Logistik Nord GmbH", 3100.0), CASE)
    [payslip] = documents.ingest(SYSTEM, runtime, [sponsors], workers=1)
    filed = runtime.catalog.get(payslip.id)
    assert filed.case_number == CASE and not filed.review and filed.case_method == "sponsor"
    # A stranger's payslip with the applicant's number still waits for a clerk.
    [stranger] = documents.ingest(SYSTEM, runtime, [strangers], workers=1)
    assert runtime.catalog.get(stranger.id).review and runtime.catalog.get(stranger.id).case_number is None
