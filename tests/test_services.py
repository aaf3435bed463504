"""The service layer: every operation takes the acting user, asks the policy, writes the access log."""

from __future__ import annotations

import pytest

from dms_ingest.access import audit
from dms_ingest.errors import Forbidden, NotFound
from dms_ingest.services import documents, review
from dms_ingest.services.actor import Actor
from dms_ingest.services.runtime import Runtime

from dms_datagen.pdf import born_digital_pdf


@pytest.fixture
def runtime(settings):
    return Runtime(settings)


def access_log(runtime) -> list[dict]:
    return [{**e.pop("detail"), **e, "operation": e["action"], "actor": e["login"], "target": e["object_id"]}
            for e in map(audit.row_to_json, audit.query(runtime.catalog.engine))]


def test_system_actor_ingests_shows_and_is_logged(tmp_path, runtime):
    pdf = born_digital_pdf([["Aufenthaltserlaubnis für Frau Muster"]], tmp_path / "brief.pdf")
    [result] = documents.ingest(Actor.system("schulz"), runtime, [pdf], workers=1)
    assert result.status == "archived"
    shown = documents.show(Actor.system("schulz"), runtime, result.id, text=True)
    assert "Aufenthaltserlaubnis" in shown["page_details"][0]["text"]
    log = access_log(runtime)
    assert [(e["operation"], e["outcome"], e["actor"]) for e in log] == [("ingest", "ok", "schulz"),
                                                                       ("show", "ok", "schulz")]
    assert log[1]["target"] == result.id and log[1]["client"] == "cli"


def test_a_caseworker_may_not_touch_the_intake_and_the_refusal_is_logged(tmp_path, runtime):
    pdf = born_digital_pdf([["Mietvertrag"]], tmp_path / "m.pdf")
    [result] = documents.ingest(Actor.system(), runtime, [pdf], workers=1)
    clerk = Actor("meier", role="sachbearbeitung", teams=frozenset({"A-K"}), client="web")
    for call in (lambda: documents.show(clerk, runtime, result.id),
                 lambda: review.review_list(clerk, runtime),
                 lambda: documents.hold(clerk, runtime, result.id, True)):
        with pytest.raises(Forbidden):
            call()
    denied = [e for e in access_log(runtime) if e["outcome"] == "denied"]
    assert [e["operation"] for e in denied] == ["show", "review_list", "hold"]
    assert all(e["actor"] == "meier" and e["role"] == "sachbearbeitung" for e in denied)
    assert not runtime.catalog.get(result.id).legal_hold


def test_unknown_document_is_not_found(runtime):
    with pytest.raises(NotFound, match="no document with id nope"):
        documents.show(Actor.system(), runtime, "nope")
    assert access_log(runtime)[-1]["outcome"] == "refused"


def test_one_process_opens_the_inbox_of_several_indexes(tmp_path):
    """The inbox's time indexes are made once: opening it for a second database must not leave a
    duplicate index behind for the next new database to trip over."""
    from dms_ingest.index import inbox
    from dms_ingest.index.catalog import Catalog

    for name in ("a", "b", "c"):
        catalog = Catalog(f"sqlite:///{tmp_path / name}.sqlite")
        inbox.ensure_tables(catalog.engine)
        inbox.ensure_tables(catalog.engine)
    assert Catalog(f"sqlite:///{tmp_path / 'd'}.sqlite").documents() == []


def test_review_evidence_tells_a_name_read_only_similar_from_one_read_as_written():
    """Farida's case must not show "Vorname „Farida“ steht im Dokument" for a page that says Farid:
    the clerk decides between the two on this list."""
    from datetime import date

    from dms_ingest.index.models import CaseRow
    from dms_ingest.services.review_item import _candidate

    text = "Meldepflichtige Person\nFamilienname Vorname Geburtsdatum\nAhmadi | | Farid 01.01.1998"
    farida = _candidate(CaseRow(case_number="ABH-2024-00077", surname="Ahmadi", given_names="Farida",
                                date_of_birth=date(2001, 8, 15)), text, [], [])
    farid = _candidate(CaseRow(case_number="ABH-2022-06060", surname="Ahmadi", given_names="Farid",
                               date_of_birth=date(1998, 1, 1)), text, [], [])
    assert {"found": True, "text": "Nachname „Ahmadi“ steht im Dokument"} in farida["evidence"]
    assert {"found": True, "text": "Vorname „Farid“ steht im Dokument"} in farid["evidence"]
    [given] = [e for e in farida["evidence"] if e["text"].startswith("Vorname")]
    assert given == {"found": False, "near": True, "text": "Vorname „Farida“ nur ähnlich gelesen: „Farid“"}
    ocr = _candidate(CaseRow(case_number="X", surname="Ahmadi", given_names=""), "Herrn Ahrnadi", [], [])
    assert ocr["evidence"][0]["found"] is True             # OCR look-alikes (rn/m) count as read
