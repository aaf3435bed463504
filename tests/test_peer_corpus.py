"""Real files from peer projects (../shared/peer-corpus), handled as its MANIFEST.tsv says.

Skips cleanly when ../shared is absent. OCR-heavy files are few; the rest are cheap.
"""

from __future__ import annotations

import csv
import json

import pikepdf
import pytest

from dms_ingest.index.folding import fold_plain
from dms_ingest.ingest import imaging
from dms_ingest.ingest.pdfa import validate
from dms_ingest.ingest.pipeline import ingest_file

from .paths import PEER_CORPUS

REJECT = {
    "ocrmypdf/invalid.pdf": "corrupt",
    "ocrmypdf/livecycle.pdf": "dynamic_form",
    "ocrmypdf/hugemono.pdf": "too_large",
    "paperless-ngx/documents/password-is-test.pdf": "encrypted",
    "paperless-ngx/parsers/tesseract/encrypted.pdf": "encrypted",
    "paperless-ngx/documents/simple.zip": "unsupported_type",
    "paperless-ngx/parsers/tesseract/simple.heic": "unsupported_type",
}

# file → words the archive's text must contain (from the manifest's oracle column)
ARCHIVE = {
    "ocrmypdf/francais.pdf": ["Portez ce vieux whisky au juge blond"],
    "ocrmypdf/skew.pdf": ["LinnSequencer"],
    "ocrmypdf/rotated_skew.pdf": ["LinnSequencer"],
    "ocrmypdf/3small.pdf": ["Covfefe is a perfectly cromulent word"],
    "ocrmypdf/blank.pdf": [],
    "ocrmypdf/trivial.pdf": [],
    "ocrmypdf/enormous.pdf": [],
    "ocrmypdf/baiona_alpha.png": [],
    "ocrmypdf/baiona_cmyk.jpg": [],
    "ocrmypdf/docinfo_latin1_key.pdf": [],
    "paperless-ngx/documents/invalid_pdf.pdf": [],
    "paperless-ngx/documents/test_with_bom.pdf": [],
    "paperless-ngx/parsers/tesseract/simple-digital.pdf": ["This is a test document."],
    "paperless-ngx/parsers/tesseract/multi-page-mixed.pdf": ["page 1", "page 4", "page 6"],
    "paperless-ngx/parsers/tesseract/simple-alpha.png": ["This is a test document"],
    "paperless-ngx/parsers/tesseract/document.webp": ["webp document"],
    "paperless-ngx/parsers/tesseract/signed.pdf": ["digitally signed"],
}


@pytest.fixture(scope="module")
def manifest(request):
    if not (PEER_CORPUS / "MANIFEST.tsv").exists():
        pytest.skip("../shared/peer-corpus is not present")
    with open(PEER_CORPUS / "MANIFEST.tsv", newline="", encoding="utf-8") as handle:
        return {row["path"]: row for row in csv.DictReader(handle, delimiter="\t")}


def test_manifest_lists_the_files_used_here(manifest):
    assert set(REJECT) | set(ARCHIVE) <= set(manifest)


@pytest.mark.parametrize("name", sorted(REJECT))
def test_broken_and_encrypted_files_rejected_and_quarantined(manifest, peer_corpus, ctx, name):
    path = peer_corpus / name
    [result] = ingest_file(path, ctx)
    assert result.status == "rejected" and result.reason_code == REJECT[name], result
    kept = ctx.settings.quarantine_dir / path.name
    assert kept.read_bytes() == path.read_bytes()
    reason = (ctx.settings.quarantine_dir / f"{path.name}.reason.txt").read_text().splitlines()[0]
    assert reason == result.error and str(path) not in reason


@pytest.mark.parametrize("name", sorted(ARCHIVE))
def test_files_become_valid_pdfa(manifest, peer_corpus, ctx, tmp_path, name):
    results = ingest_file(peer_corpus / name, ctx)
    assert [r.status for r in results] == ["archived"], results[0].error
    doc = ctx.catalog.get(results[0].id)
    out = tmp_path / "archive.pdf"
    ctx.store.download(doc.archive_key, out, doc.archive_sha256)
    assert validate(out) == []
    text = fold_plain(" ".join(" ".join(p.text.split()) for p in ctx.catalog.pages(doc.id)))
    for phrase in ARCHIVE[name]:
        assert fold_plain(phrase) in text, phrase
    with pikepdf.open(out) as pdf:
        assert len(pdf.pages) == int(manifest[name]["pages"] or 1) or name.endswith("mixed.pdf")


def test_skewed_scan_residual_under_half_a_degree(peer_corpus, ctx, tmp_path):
    import pypdfium2 as pdfium
    import numpy as np

    [result] = ingest_file(peer_corpus / "ocrmypdf/skew.pdf", ctx)
    doc = ctx.catalog.get(result.id)
    out = tmp_path / "a.pdf"
    ctx.store.download(doc.archive_key, out, doc.archive_sha256)
    pdf = pdfium.PdfDocument(str(out))
    pixels = np.asarray(pdf[0].render(scale=150 / 72).to_pil().convert("L"))
    pdf.close()
    assert abs(imaging.measure_skew(pixels)) < 0.5


def test_rotated_pages_of_cardinal_come_out_upright(peer_corpus, settings):
    from dms_ingest.ingest.context import Context

    with Context(settings, workers=2) as ctx:
        [result] = ingest_file(peer_corpus / "ocrmypdf/cardinal.pdf", ctx)
        pages = ctx.catalog.pages(result.id)
    assert len(pages) == 4
    for page in pages:
        assert "LinnSequencer" in page.text.replace(" ", ""), page.number
    assert any(p.rotation for p in pages[1:])


def test_patch_t_separator_splits_the_batch(peer_corpus, ctx):
    results = ingest_file(peer_corpus / "paperless-ngx/documents/barcodes/patch-code-t-middle.pdf", ctx)
    assert [r.status for r in results] == ["archived", "archived"]
    assert [r.pages for r in results] == [1, 1] and results[0].sheets == [2]


def test_oracle_json_is_readable(peer_corpus):
    oracles = json.loads((peer_corpus / "oracles.json").read_text())
    assert oracles["ocrmypdf/hugemono.pdf"]["outcome"].startswith("refuse")
