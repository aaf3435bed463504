"""Case registry, cover and separator sheets, case matching in the pipeline, review queue, training."""

from __future__ import annotations

import json

import numpy as np
import pytest
import zxingcpp
from PIL import Image

from dms_datagen.letters import render_text_page
from dms_datagen.scan import scan_damage

DPI = 200
REGISTRY = """case_number,surname,given_names,date_of_birth,nationality
ABH-2019-04711,Yılmaz,Mehmet,03.04.1987,türkisch
ABH-2020-01234,Okonkwo,Chinedu Emmanuel,1987-04-03,nigerianisch
ABH-2021-00815,Yılmaz,Ayşe,1990-11-02,türkisch
"""


def page(lines, qr: str | None = None) -> Image.Image:
    img = render_text_page(lines, size_px=31, dpi=DPI).convert("L")
    if qr:
        code = np.asarray(zxingcpp.create_barcode(qr, zxingcpp.BarcodeFormat.QRCode).to_image(scale=6))
        img.paste(Image.fromarray(code), (900, 900))
    return scan_damage(img, seed=len(lines), noise=1.0)


def tiff(path, pages):
    pages[0].save(path, save_all=True, append_images=pages[1:], dpi=(DPI, DPI), compression="tiff_lzw")
    return path


@pytest.fixture
def registry_loaded(tmp_path, dms):
    csv = tmp_path / "register.csv"
    csv.write_text(REGISTRY, encoding="utf-8")
    result = dms("cases", "import", csv, "--json")
    assert json.loads(result.stdout) == {"cases": 3, "added": 3, "changed": 0, "removed": 0}
    return csv


def test_reimport_reports_changes(tmp_path, dms, registry_loaded):
    changed = REGISTRY.replace("türkisch\nABH-2020", "deutsch\nABH-2020").replace(
        "ABH-2021-00815,Yılmaz,Ayşe,1990-11-02,türkisch\n", "ABH-2022-00001,Kaya,Elif,2001-01-01,türkisch\n")
    registry_loaded.write_text(changed, encoding="utf-8")
    result = json.loads(dms("cases", "import", registry_loaded, "--json").stdout)
    assert result == {"cases": 3, "added": 1, "changed": 1, "removed": 1}


def test_bad_registry_is_refused_with_line(tmp_path, dms):
    csv = tmp_path / "kaputt.csv"
    csv.write_text("case_number,surname,given_names,date_of_birth,nationality\nABH-2019-04711,X,Y,31.02.1987,z\n")
    result = dms("cases", "import", csv)
    assert result.exit_code == 2 and "2" in result.output


def test_case_number_in_text_assigns_only_registry_cases(tmp_path, dms, registry_loaded):
    inbox = tmp_path / "in"
    inbox.mkdir()
    page(["Ausländerbehörde Musterstadt", "Ihr Zeichen: ABH-2019-04711",
          "Sehr geehrter Herr Yılmaz,", "Ihr Antrag auf Verlängerung ist eingegangen."]).save(inbox / "bekannt.png", dpi=(DPI, DPI))
    page(["Ausländerbehörde Musterstadt", "Ihr Zeichen: ABH-2019-04717",
          "Sehr geehrter Herr Yılmaz,", "Ihr Antrag auf Verlängerung ist eingegangen."]).save(inbox / "unbekannt.png", dpi=(DPI, DPI))
    results = {r["source"].rsplit("/", 1)[1]: r for r in dms.json_lines("ingest", inbox)}
    assert results["bekannt.png"]["case_number"] == "ABH-2019-04711" and not results["bekannt.png"]["review"]
    # A similar-looking, unknown number goes to review, never to the neighbouring case.
    assert results["unbekannt.png"]["case_number"] is None and results["unbekannt.png"]["review"]
    assert any("nicht im Register" in r for r in results["unbekannt.png"]["review_reasons"])


def test_name_and_birthday_assign_but_name_alone_does_not(tmp_path, dms, registry_loaded):
    inbox = tmp_path / "in"
    inbox.mkdir()
    page(["Arbeitsvertrag", "zwischen der Firma Beispiel GmbH und", "Herrn Chinedu Emmanuel Okonkwo, geb. 03.04.1987",
          "wird folgender Arbeitsvertrag geschlossen."]).save(inbox / "mit-datum.png", dpi=(DPI, DPI))
    page(["Arbeitsvertrag", "zwischen der Firma Beispiel GmbH und", "Herrn Chinedu Emmanuel Okonkwo",
          "wird folgender Arbeitsvertrag geschlossen."]).save(inbox / "ohne-datum.png", dpi=(DPI, DPI))
    results = {r["source"].rsplit("/", 1)[1]: r for r in dms.json_lines("ingest", inbox)}
    assert results["mit-datum.png"]["case_number"] == "ABH-2020-01234"
    assert results["ohne-datum.png"]["case_number"] is None and results["ohne-datum.png"]["review"]


def test_cover_sheet_assigns_and_separator_splits(tmp_path, dms, registry_loaded):
    batch = tiff(tmp_path / "stapel.tif", [
        page(["Deckblatt Akte"], qr="AZ:ABH-2021-00815"),
        page(["Mietvertrag über die Wohnung", "Mieterin: Frau Ayşe Yılmaz", "Miete monatlich 640,00 EUR"]),
        page([], qr="DMS-SEPARATOR"),
        page(["Entgeltabrechnung Februar", "Arbeitnehmerin: Ayşe Yılmaz", "Auszahlungsbetrag 2.104,17 EUR"]),
    ])
    lines = dms.json_lines("ingest", batch)
    assert [l["status"] for l in lines] == ["archived", "archived"]
    assert [l["pages"] for l in lines] == [1, 1]
    assert all(l["case_number"] == "ABH-2021-00815" for l in lines)
    assert all(l["sheets"] == [1, 3] for l in lines)
    texts = [json.loads(dms("show", l["id"], "--json").stdout)["page_details"][0]["text"] for l in lines]
    assert "Mietvertrag" in texts[0] and "Entgeltabrechnung" in texts[1]


def test_cover_sheet_with_unknown_case_goes_to_review(tmp_path, dms, registry_loaded):
    batch = tiff(tmp_path / "stapel.tif", [page(["Deckblatt"], qr="AZ:ABH-2099-99999"),
                                           page(["Meldebescheinigung", "Wohnhaft seit 01.02.2020"])])
    [line] = dms.json_lines("ingest", batch)
    assert line["review"] and line["case_number"] is None


def test_paragraph_sign_restored_in_text_and_search(tmp_path, dms, registry_loaded):
    path = tmp_path / "anwalt.png"
    page(["Rechtsanwältin Dr. Hoffmann", "Ihr Zeichen: ABH-2019-04711",
          "beantragen wir die Erteilung nach 8 81 Abs. 4 AufenthG.", "Die Frist von 8 Wochen ist gewahrt."]
         ).save(path, dpi=(DPI, DPI))
    [line] = dms.json_lines("ingest", path)
    text = json.loads(dms("show", line["id"], "--json").stdout)["page_details"][0]["text"]
    assert "§ 81 Abs. 4 AufenthG" in text
    assert "8 Wochen" in text
    hits = dms.json_lines("search", '"§ 81"')
    assert [h["id"] for h in hits] == [line["id"]]


def test_review_assign_is_audited_versioned_and_feeds_training(tmp_path, dms, registry_loaded):
    path = tmp_path / "brief.png"
    page(["Schreiben an die Ausländerbehörde", "Herr Mehmet Yılmaz bittet um einen Termin."]).save(path, dpi=(DPI, DPI))
    [line] = dms.json_lines("ingest", path)
    assert line["review"]
    queue = dms.json_lines("review", "list")
    assert [q["id"] for q in queue] == [line["id"]] and "ABH-2019-04711" in queue[0]["candidates"]

    refused = dms("review", "assign", line["id"], "--case", "ABH-2019-99999", "--type", "sonstiges", "--by", "schulz")
    assert refused.exit_code == 2 and "not in the registry" in refused.output
    done = json.loads(dms("review", "assign", line["id"], "--case", "ABH-2019-04711", "--type", "sonstiges",
                          "--by", "schulz", "--json").stdout)
    assert done["metadata_version"] == 2 and not done["review"]
    assert dms.json_lines("review", "list") == []
    shown = json.loads(dms("show", line["id"], "--json").stdout)
    assert shown["case_number"] == "ABH-2019-04711" and shown["case_method"] == "manual"
    event = shown["audit"][-1]
    assert event["actor"] == "schulz" and event["action"] == "review_assigned"
    assert json.loads(dms("verify", "--json").stdout)["passed"]  # both metadata versions stored

    trained = json.loads(dms("train", "--json").stdout)
    assert trained["reviewed"] == 1 and (dms.home / "models" / "doctype.joblib").exists()


def test_eval_reports_metrics_on_a_labelled_set(tmp_path, dms):
    from dms_datagen.evaluation_set import write_evaluation_set

    write_evaluation_set(tmp_path / "eval", 24, 3, text_mode=True)
    result = dms("eval", tmp_path / "eval", "--json")
    report = json.loads(result.stdout)
    assert report["documents"] == 24 and report["wrong_assignment_count"] == 0
    assert "macro_f1" in report and "confusion" in report
