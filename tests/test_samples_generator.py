"""Checks of the committed sample inbox and of its generator (dms_datagen.samples, run by samples/make_samples.py).

Fast: no OCR, no regeneration (the regeneration check is marked slow).
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from pathlib import Path

import numpy as np
import pdfplumber
import pikepdf
import pytest
from PIL import Image, ImageSequence

from dms_datagen import samples
from dms_datagen.letters import render_text_page
from dms_datagen.pdf import born_digital_pdf
from dms_datagen.scan import scan_damage

from .paths import SAMPLES

INBOX = SAMPLES / "inbox"

DOC_TYPES = {"antrag", "pass", "meldebescheinigung", "arbeitsvertrag", "gehaltsnachweis",
             "mietvertrag", "krankenversicherung", "anwaltsschreiben", "bescheid", "urkunde",
             "sprachzertifikat", "sonstiges"}
MAGIC = {
    "pdf": (b"%PDF-",),
    "tiff": (b"II*\x00", b"MM\x00*"),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}
EXTENSIONS = {"pdf": {".pdf"}, "tiff": {".tif", ".tiff"}, "jpeg": {".jpg", ".jpeg"}, "png": {".png"}}


@pytest.fixture(scope="module")
def expected() -> list[dict]:
    return json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def cases() -> list[dict]:
    with open(SAMPLES / "cases.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def by_type(expected: list[dict], doc_type: str) -> list[dict]:
    return [e for e in expected if e["doc_type"] == doc_type]


def page_count(path: Path, fmt: str) -> int:
    if fmt == "pdf":
        with pikepdf.open(path) as pdf:
            return len(pdf.pages)
    with Image.open(path) as im:
        return getattr(im, "n_frames", 1)


# --------------------------------------------------------------------------
# the committed files agree with expected.json
# --------------------------------------------------------------------------


def test_inbox_and_expected_list_the_same_files(expected):
    listed = [e["file"] for e in expected]
    assert len(listed) == len(set(listed))
    present = sorted(p.name for p in INBOX.iterdir() if p.is_file())
    assert sorted(listed) == present
    assert 12 <= len(listed) <= 16


def test_total_size_is_small():
    total = sum(p.stat().st_size for p in SAMPLES.rglob("*") if p.is_file()
                and "__pycache__" not in p.parts)
    assert total < 4.5 * 1024 * 1024


def test_magic_bytes_and_page_counts(expected):
    for e in expected:
        path = INBOX / e["file"]
        head = path.read_bytes()[:16]
        assert head.startswith(MAGIC[e["format"]]), e["file"]
        assert page_count(path, e["format"]) == e["pages"] == len(e["per_page"]), e["file"]
        assert [p["page"] for p in e["per_page"]] == list(range(1, e["pages"] + 1))


def test_some_files_have_a_misleading_extension(expected):
    wrong = [e for e in expected if Path(e["file"]).suffix.lower() not in EXTENSIONS[e["format"]]]
    assert wrong, "at least one file must need magic-byte detection"
    assert all(e.get("extension_mismatch") for e in wrong)
    assert any(e["format"] == "jpeg" and e["file"].endswith(".png") for e in wrong)
    # PIL does not trust the name either
    for e in wrong:
        with Image.open(INBOX / e["file"]) as im:
            assert im.format.lower() == e["format"]


def test_entry_fields(expected, cases):
    known_cases = {c["case_number"] for c in cases}
    for e in expected:
        assert e["doc_type"] in DOC_TYPES
        assert e["case_number"] is None or e["case_number"] in known_cases
        assert 3 <= len(e["phrases"]) <= 5
        text = "\n".join(p["text"] for p in e["per_page"])
        for phrase in e["phrases"]:
            assert phrase in text, (e["file"], phrase)
        for p in e["per_page"]:
            assert p["rotation"] in (0, 90, 180, 270)
            assert isinstance(p["skew_deg"], (int, float)) and abs(p["skew_deg"]) < 5
            assert isinstance(p["blank"], bool) and isinstance(p["born_digital"], bool)
            assert isinstance(p["text"], str)
            assert (p["text"] == "") == p["blank"]
            if p["born_digital"]:
                assert p["rotation"] == 0 and p["skew_deg"] == 0


def test_raster_sizes_match(expected):
    for e in expected:
        path = INBOX / e["file"]
        if e["format"] == "pdf":
            with pikepdf.open(path) as pdf:
                for page, info in zip(pdf.pages, e["per_page"]):
                    imgs = list(page.get_images().values())
                    if info["born_digital"]:
                        assert not imgs, "born-digital pages carry no images"
                        continue
                    assert len(imgs) == 1
                    assert [int(imgs[0].Width), int(imgs[0].Height)] == info["size_px"]
        else:
            with Image.open(path) as im:
                for frame, info in zip(ImageSequence.Iterator(im), e["per_page"]):
                    assert list(frame.size) == info["size_px"]
                    dpi = frame.info.get("dpi")
                    assert dpi and round(float(dpi[0])) == 300


def test_document_specific_facts(expected):
    (antrag,) = by_type(expected, "antrag")
    assert antrag["format"] == "pdf" and antrag["pages"] == 2
    assert [p["skew_deg"] for p in antrag["per_page"]] == [1.5, -2.5]
    t = antrag["per_page"][0]["text"]
    for s in ("geb. 03.04.1987", "Straße", "Aktenzeichen: ABH-2019-04711"):
        assert s in t

    (miete,) = by_type(expected, "mietvertrag")
    assert miete["format"] == "tiff" and miete["pages"] == 3
    assert [p["rotation"] for p in miete["per_page"]] == [0, 180, 0]
    assert [p["blank"] for p in miete["per_page"]] == [False, False, True]
    with Image.open(INBOX / miete["file"]) as im:
        assert im.info.get("compression") == "group4"
        ink = []
        for frame in ImageSequence.Iterator(im):
            assert frame.mode == "1"
            ink.append(1.0 - np.asarray(frame, dtype=bool).mean())
    assert ink[2] < 0.001 < ink[0] and ink[1] > 0.001

    (anwalt,) = by_type(expected, "anwaltsschreiben")
    (p,) = anwalt["per_page"]
    assert p["rotation"] == 90 and p["size_px"][0] > p["size_px"][1]
    assert "§ 81 Abs. 4 AufenthG" in p["text"] and "Ihr Zeichen: ABH-2021-00815" in p["text"]

    (bescheid,) = by_type(expected, "bescheid")
    assert all(p["born_digital"] for p in bescheid["per_page"])

    (mixed,) = by_type(expected, "meldebescheinigung")
    assert [p["born_digital"] for p in mixed["per_page"]] == [True, False]


# --------------------------------------------------------------------------
# MRZ and text layer
# --------------------------------------------------------------------------

def _check_digit(s: str) -> int:
    val = {**{str(d): d for d in range(10)}, **{chr(65 + i): 10 + i for i in range(26)}, "<": 0}
    return sum(val[c] * w for c, w in zip(s, [7, 3, 1] * 20)) % 10


def test_mrz_check_digits(expected, cases):
    (passport,) = by_type(expected, "pass")
    text = passport["per_page"][0]["text"]
    mrz = [ln for ln in text.split("\n") if re.fullmatch(r"[A-Z0-9<]{44}", ln)]
    assert len(mrz) == 2
    l1, l2 = mrz
    assert l1.startswith("P<")
    assert _check_digit(l2[0:9]) == int(l2[9])
    assert _check_digit(l2[13:19]) == int(l2[19])
    assert _check_digit(l2[21:27]) == int(l2[27])
    assert _check_digit(l2[28:42]) == int(l2[42])
    assert _check_digit(l2[0:10] + l2[13:20] + l2[21:43]) == int(l2[43])
    # the holder is in the registry under the expected case
    (case,) = [c for c in cases if c["case_number"] == passport["case_number"]]
    dob = case["date_of_birth"]
    yymmdd = dob[2:4] + dob[5:7] + dob[8:10] if "-" in dob else dob[8:10] + dob[3:5] + dob[0:2]
    assert l2[13:19] == yymmdd
    assert passport["mrz"] == mrz


def test_born_digital_pdf_has_text_layer(expected):
    (bescheid,) = by_type(expected, "bescheid")
    with pdfplumber.open(INBOX / bescheid["file"]) as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
        fonts = {c["fontname"] for page in pdf.pages for c in page.chars}
    for s in ("Änderung", "Straße", "Aufenthaltserlaubnis", "Geschäftszeichen: ABH-2020-01234", "€"):
        assert s in text
    assert fonts <= {"Helvetica", "Helvetica-Bold"}
    with pikepdf.open(INBOX / bescheid["file"]) as pdf:
        for page in pdf.pages:
            for font in page.Resources.Font.values():
                assert font.Encoding == pikepdf.Name.WinAnsiEncoding


def test_scanned_pages_have_no_text_layer(expected):
    for e in expected:
        if e["format"] != "pdf":
            continue
        with pdfplumber.open(INBOX / e["file"]) as pdf:
            for page, info in zip(pdf.pages, e["per_page"]):
                assert bool(page.chars) == info["born_digital"], (e["file"], info["page"])


# --------------------------------------------------------------------------
# case registry
# --------------------------------------------------------------------------


def test_cases_csv(cases, expected):
    with open(SAMPLES / "cases.csv", encoding="utf-8") as fh:
        assert fh.readline().strip() == "case_number,surname,given_names,date_of_birth,nationality"
    assert len(cases) >= 15
    assert len({c["case_number"] for c in cases}) == len(cases)
    dobs = [c["date_of_birth"] for c in cases]
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}|\d{2}\.\d{2}\.\d{4}", d) for d in dobs)
    assert any("-" in d for d in dobs) and any("." in d for d in dobs)
    surnames = [c["surname"] for c in cases]
    assert any(surnames.count(s) > 1 for s in surnames)  # same surname, other person
    names = [(c["surname"], c["given_names"]) for c in cases]
    assert any(names.count(n) > 1 for n in names)  # same name, other birthday
    for e in expected:
        assert e["case_number"] is not None


# --------------------------------------------------------------------------
# the reusable helpers
# --------------------------------------------------------------------------


def test_render_text_page():
    img = render_text_page(["Aufenthaltserlaubnis", "Straße 12"])
    assert img.mode == "L" and img.size == (2480, 3508)
    a = np.asarray(img)
    assert a.min() < 50 and (a < 128).mean() < 0.01
    small = render_text_page(["x"], dpi=150, size_px=23)
    assert small.size == (1240, 1754)


def test_scan_damage_is_deterministic_and_rotates():
    img = Image.new("L", (300, 200), 255)
    a = scan_damage(img, skew_deg=1.5, noise=4.0, seed=7)
    b = scan_damage(img, skew_deg=1.5, noise=4.0, seed=7)
    c = scan_damage(img, skew_deg=1.5, noise=4.0, seed=8)
    assert a.mode == "L" and a.size == (300, 200)
    assert a.tobytes() == b.tobytes() != c.tobytes()
    assert scan_damage(img, rotate=90, seed=1).size == (200, 300)
    rgb = scan_damage(Image.new("RGB", (64, 48), "white"), rotate=180, seed=1)
    assert rgb.mode == "RGB" and rgb.size == (64, 48)
    # rotate=90 turns the content clockwise: a mark at the top left ends at the top right
    mark = Image.new("L", (300, 200), 255)
    mark.paste(0, (0, 0, 40, 40))
    r = np.asarray(scan_damage(mark, rotate=90, noise=0, blur=0, background=0,
                                            speckles=0, seed=1))
    assert r[:40, -40:].mean() < 100 and r[:40, :40].mean() > 200
    # positive skew is clockwise: a horizontal bar's right end moves down
    bar = Image.new("L", (400, 400), 255)
    bar.paste(0, (20, 195, 380, 205))
    s = np.asarray(scan_damage(bar, skew_deg=3, noise=0, blur=0, background=0,
                                            speckles=0, seed=1))
    ys_left = np.nonzero(s[:, 40] < 128)[0].mean()
    ys_right = np.nonzero(s[:, 360] < 128)[0].mean()
    assert ys_right > ys_left + 10


def test_born_digital_pdf_helper(tmp_path):
    out = born_digital_pdf([["Änderung der Straße", "Gebühr 50,00 €"], ["§ 81"]],
                                        tmp_path / "x.pdf")
    with pdfplumber.open(out) as pdf:
        assert len(pdf.pages) == 2
        assert "Änderung der Straße" in pdf.pages[0].extract_text()
        assert "€" in pdf.pages[0].extract_text()
        assert "§ 81" in pdf.pages[1].extract_text()


def test_importing_has_no_side_effects():
    # importing (done above) must not have written anything: the module only
    # defines functions and constants; generation runs under __main__ only
    assert callable(samples.generate) and callable(samples.main)
    assert samples.PASS_MRZ[1][-1].isdigit() and len(samples.PASS_MRZ[1]) == 44


@pytest.mark.slow
def test_regeneration_is_byte_identical(tmp_path):
    samples.generate(tmp_path)
    for rel in ["expected.json", "cases.csv"] + [f"inbox/{p.name}" for p in INBOX.iterdir()]:
        new = hashlib.sha256((tmp_path / rel).read_bytes()).hexdigest()
        old = hashlib.sha256((SAMPLES / rel).read_bytes()).hexdigest()
        assert new == old, f"{rel} differs from the committed file: rerun samples/make_samples.py"
