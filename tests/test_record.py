"""The archive record: typed, versioned, version n+1 built from stored version n (never from index rows)."""

from __future__ import annotations

import json

import pytest

from dms_ingest.ingest.persist import read_record
from dms_ingest.services import cases, documents, review
from dms_ingest.services.actor import Actor
from dms_ingest.services.runtime import Runtime

from dms_datagen.pdf import born_digital_pdf

REGISTRY = """case_number,surname,given_names,date_of_birth,nationality
ABH-2019-04711,Müller,Hans,1987-04-03,deutsch
ABH-2020-01234,Okonkwo,Chinedu,1990-01-01,nigerianisch
"""
# What a change may alter; every other field of version 1 must come through unchanged.
CHANGED = {"review", "review_reasons", "case_number", "case_method", "doc_type", "doc_type_confidence",
           "legal_hold", "metadata_version", "changed_by", "change", "changed_at", "changed_fields", "previous"}


@pytest.fixture
def runtime(settings, s3_store):
    """Legal holds need S3 Object Lock: a real SeaweedFS bucket."""
    return Runtime(settings, store=s3_store)


def _damaged_letter(tmp_path):
    """A born-digital letter naming a registry case, with its cross-reference table cut off (repaired)."""
    good = born_digital_pdf([[
        "Ausländerbehörde Musterstadt", "Aktenzeichen: ABH-2019-04711",
        "Herr Hans Müller, geboren am 03.04.1987", "Bescheinigung über die Meldung der Wohnung."]],
        tmp_path / "good.pdf")
    data = good.read_bytes()
    damaged = tmp_path / "brief.pdf"
    damaged.write_bytes(data[: data.rindex(b"xref")])
    return damaged


def test_every_field_of_version_1_survives_decision_hold_reimport_and_rebuild(tmp_path, runtime):
    system = Actor.system()
    csv = tmp_path / "register.csv"
    csv.write_text(REGISTRY, encoding="utf-8")
    cases.import_cases(system, runtime, csv)
    [result] = documents.ingest(system, runtime, [_damaged_letter(tmp_path)], workers=1)
    assert result.status == "archived", result.error
    catalog, store = runtime.catalog, runtime.store
    first = read_record(catalog.get(result.id), store).model_dump(mode="json")
    # The fields that index rows cannot carry are there to be lost:
    assert first["case_evidence"] and any("repaired" in w for w in first["warnings"])
    assert all(p["born_digital"] and p["archived"] for p in first["pages"])

    review.review_assign(Actor.system("schulz"), runtime, result.id, case="ABH-2020-01234", doc_type="sonstiges")
    documents.hold(Actor.system("meier"), runtime, result.id, True)
    csv.write_text(REGISTRY.replace("deutsch", "österreichisch"), encoding="utf-8")
    assert cases.import_cases(system, runtime, csv)["changed"] == 1
    rows_before = catalog.get(result.id).model_dump()
    documents.rebuild(system, runtime, [result.id])

    doc = catalog.get(result.id)
    current = read_record(doc, store).model_dump(mode="json")
    for field, value in first.items():
        if field not in CHANGED:
            assert current[field] == value, field
    assert current["metadata_version"] == 3 and doc.metadata_version == 3
    assert (current["case_number"], current["case_method"], current["legal_hold"]) == ("ABH-2020-01234", "manual", True)
    assert (current["changed_by"], current["change"], current["changed_fields"]) == ("meier", "legal_hold_on",
                                                                                   {"legal_hold": True})
    # The chain: each version names its predecessor; the index lists them all, none overwritten.
    previous = json.loads(doc.previous_metadata_keys)
    assert len(previous) == 2 and current["previous"]["key"] == previous[-1]
    second = read_record(doc, store, previous[1], current["previous"]["sha256"]).model_dump(mode="json")
    assert second["changed_by"] == "schulz" and second["previous"]["key"] == previous[0]
    # The rebuild made the very same row from the stored record alone.
    rows_after = doc.model_dump()
    assert {k: v for k, v in rows_after.items() if k != "updated_at"} == \
           {k: v for k, v in rows_before.items() if k != "updated_at"}


def test_a_changed_stored_record_is_refused_not_built_upon(tmp_path, runtime):
    from dms_ingest.errors import Unavailable

    [result] = documents.ingest(Actor.system(), runtime, [born_digital_pdf(
        [["Mietvertrag über die Wohnung"]], tmp_path / "m.pdf")], workers=1)
    doc = runtime.catalog.get(result.id)
    # The index's checksum of version 1 no longer matches what is stored: do not write version 2 on it.
    runtime.catalog.update_document(doc.id, "test", "tamper", metadata_sha256="0" * 64)
    with pytest.raises(Unavailable, match="damaged|checksum"):
        documents.hold(Actor.system(), runtime, result.id, True)
    assert runtime.catalog.get(result.id).metadata_version == 1
