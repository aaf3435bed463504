"""Item 3: small files that would take gigabytes are refused (or processed smaller) within the budget.

Refusals happen before decoding, so these tests are fast; benchmarks/bench_memory.py measures
the peak RSS of each input in a process of its own.
"""

from __future__ import annotations

import pikepdf
import pytest

from dms_ingest.config import LimitsConfig
from dms_ingest.ingest import sources
from dms_ingest.ingest.budget import MemoryBudget
from dms_ingest.ingest.context import Context
from dms_ingest.ingest.pipeline import ingest_file

from .inputs import big_mail, flate_bomb_pdf, huge_page_pdf, nested_forms_pdf, png_rgba


def _refused(results, code: str, *words: str):
    [result] = results
    assert result.status == "rejected" and result.reason_code == code, result
    assert "\n" not in result.error and all(w in result.error for w in words), result.error
    return result


def test_rgba_png_counts_its_channels(tmp_path, ctx):
    """The probe's 787 KB PNG of 14000x14000 RGBA (under the megapixel limit) took 4.18 GB."""
    png = png_rgba(tmp_path / "leer.png", 14000, 14000)
    assert png.stat().st_size < 1_100_000
    _refused(ingest_file(png, ctx), "memory_limit", "14000x14000", "RGBA", "MB")


def test_channels_decide_at_the_same_pixel_count(tmp_path):
    budget = MemoryBudget(memory_mb=300, reserve_mb=100)
    rgba = png_rgba(tmp_path / "rgba.png", 3500, 3500)
    with pytest.raises(sources.Rejected):
        sources._inspect_image(rgba, sources.PNG, 200, 300, budget)
    from PIL import Image

    Image.new("L", (3500, 3500), 255).save(tmp_path / "grau.png")
    assert len(sources._inspect_image(tmp_path / "grau.png", sources.PNG, 200, 300, budget).pages) == 1


def test_flate_bomb_in_a_content_stream_is_refused_unopened(tmp_path, ctx):
    """1.5 MB in the probe, 3.1 GB in pdfplumber; here 2 GB of drawing instructions in 5 MB."""
    bomb = flate_bomb_pdf(tmp_path / "bombe.pdf", 2048)
    _refused(ingest_file(bomb, ctx), "memory_limit", "page 1", "inflate to more than")


def test_page_of_200_inches_is_archived_smaller_within_pdfa_limits(tmp_path, ctx):
    """190 inches took 1.65 GB; 200 inches (the PDF maximum) was refused by the product's own PDF/A check."""
    page = huge_page_pdf(tmp_path / "riesig.pdf", 200)
    assert page.stat().st_size < 2000
    [result] = ingest_file(page, ctx)
    assert result.status == "archived", result.error
    assert any("dpi to stay within the memory limit" in w for w in result.warnings)
    archive = tmp_path / "archiv.pdf"
    ctx.store.download(ctx.catalog.get(result.id).archive_key, archive, result.archive_sha256)
    with pikepdf.open(archive) as pdf:
        box = [float(v) for v in pdf.pages[0].mediabox]
        assert max(box[2] - box[0], box[3] - box[1]) <= 14400


def test_3000_nested_forms_give_a_reason_not_a_recursion_error(tmp_path, ctx):
    nested = nested_forms_pdf(tmp_path / "verschachtelt.pdf", 3000)
    result = _refused(ingest_file(nested, ctx), "corrupt", "levels deep")
    assert "Recursion" not in result.error


def test_mail_larger_than_the_budget_allows_is_refused_before_parsing(tmp_path, settings):
    settings.limits = LimitsConfig(memory_mb=256, reserve_mb=0)     # mails up to ~25 MB
    mail = big_mail(tmp_path / "gross.eml", 30)
    with Context(settings, workers=1) as small:
        _refused(ingest_file(mail, small), "memory_limit", "e-mail")
