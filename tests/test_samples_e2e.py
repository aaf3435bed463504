"""The committed samples through the whole pipeline once: what a demo run shows, asserted."""

from __future__ import annotations

import json
import os

import pikepdf
import pytest

from dms_ingest.index.folding import fold_plain
from dms_ingest.ingest.pdfa import validate

from .paths import SAMPLES
from .plugins.cli import Dms

EXPECTED = {entry["file"]: entry for entry in json.loads((SAMPLES / "expected.json").read_text())}


@pytest.fixture(scope="module")
def ingested(tmp_path_factory):
    home = tmp_path_factory.mktemp("samples-home")
    dms = Dms(home)
    lines = dms.json_lines("ingest", SAMPLES / "inbox")
    by_file = {os.path.basename(line["source"]): line for line in lines}
    return dms, by_file


def test_every_sample_is_archived(ingested):
    _, results = ingested
    assert set(results) == set(EXPECTED)
    for name, result in results.items():
        assert result["status"] == "archived", (name, result["error"])
        assert result["pages"] == EXPECTED[name]["pages"], name


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_known_phrases_found_by_ocr_and_search(ingested, name):
    dms, results = ingested
    doc_id = results[name]["id"]
    shown = json.loads(dms("show", doc_id, "--json").stdout)
    text = fold_plain("\n".join(p["text"] for p in shown["page_details"]))
    for phrase in EXPECTED[name]["phrases"]:
        # OCR sometimes drops an umlaut ("Staatsangehorigkeit"); search folds both sides the same way.
        assert fold_plain(phrase) in text, (name, phrase)
    # Search finds the document by its most distinctive phrase.
    hits = dms.json_lines("search", f'"{EXPECTED[name]["phrases"][0]}"', "--limit", "50")
    assert doc_id in [h["id"] for h in hits], (name, EXPECTED[name]["phrases"][0])


def test_page_geometry_matches_the_scans(ingested):
    dms, results = ingested
    for name, entry in EXPECTED.items():
        shown = json.loads(dms("show", results[name]["id"], "--json").stdout)
        for expected, page in zip(entry["per_page"], shown["page_details"]):
            assert page["blank"] == expected["blank"], (name, expected["page"])
            if expected.get("born_digital"):
                assert page["ocr_confidence"] is None, (name, expected["page"])
                continue
            if not expected["blank"]:
                assert page["rotation"] == (360 - expected["rotation"]) % 360, (name, expected["page"])
                # skew_deg is clockwise; the correction is the opposite turn in OpenCV's sense
                assert page["skew"] == pytest.approx(expected["skew_deg"], abs=0.3), (name, expected["page"])


def test_archives_are_valid_pdfa_and_small(ingested, tmp_path):
    dms, results = ingested
    for name, result in results.items():
        out = tmp_path / f"{result['id']}.pdf"
        assert dms("get", result["id"], "-o", out).exit_code == 0
        assert validate(out) == [], name
        with pikepdf.open(out) as pdf:
            assert len(pdf.pages) == EXPECTED[name]["pages"]
        assert out.stat().st_size / EXPECTED[name]["pages"] < 400_000, name


def test_wrong_extensions_recognised_by_content(ingested):
    dms, results = ingested
    shown = json.loads(dms("show", results["scan_0042.dat"]["id"], "--json").stdout)
    assert shown["media_type"] == "image/png"
    shown = json.loads(dms("show", results["Wohnungsgeberbestaetigung.png"]["id"], "--json").stdout)
    assert shown["media_type"] == "image/jpeg"
