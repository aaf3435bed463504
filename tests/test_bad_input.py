"""Every kind of bad input is refused with one clerk-readable line, and the original is kept."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from dms_ingest.ingest.pipeline import ingest_file


def _png_header_only(path: Path, width: int, height: int) -> None:
    """A PNG that claims a huge size but holds a few bytes: decoding it would need gigabytes."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1000)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b""))


def _small_pdf(path: Path) -> None:
    Image.new("L", (200, 100), 255).save(path, "PDF", resolution=100)


def _assert_rejected(results, ctx, name: str, reason_code: str, words: str) -> None:
    assert len(results) == 1
    result = results[0]
    assert result.status == "rejected"
    assert result.reason_code == reason_code
    assert words in result.error
    assert "\n" not in result.error
    kept = ctx.settings.quarantine_dir / name
    assert kept.exists(), "the original must be kept in quarantine"
    reason = (ctx.settings.quarantine_dir / f"{name}.reason.txt").read_text()
    assert reason.splitlines()[0] == result.error
    assert ctx.catalog.documents() == []


def test_zero_byte_file(tmp_path, ctx):
    path = tmp_path / "leer.pdf"
    path.write_bytes(b"")
    _assert_rejected(ingest_file(path, ctx), ctx, "leer.pdf", "empty", "empty")


def test_garbage_pdf_is_corrupt(tmp_path, ctx):
    path = tmp_path / "kaputt.pdf"
    path.write_bytes(b"%PDF-1.4\n" + b"\x00garbage" * 50)
    _assert_rejected(ingest_file(path, ctx), ctx, "kaputt.pdf", "corrupt", "damaged")


def test_truncated_pdf_is_repaired_and_archived(tmp_path, ctx):
    good = tmp_path / "good.pdf"
    _small_pdf(good)
    data = good.read_bytes()
    cut = data[: data.rindex(b"xref")]  # lose the cross-reference table and trailer
    path = tmp_path / "abgeschnitten.pdf"
    path.write_bytes(cut)
    [result] = ingest_file(path, ctx)
    assert result.status == "archived", result.error
    assert any("repaired" in w for w in result.warnings)


def test_truncated_pdf_whose_repair_loses_pages_is_refused_not_archived_blank(tmp_path, ctx):
    import numpy as np

    rng = np.random.default_rng(7)
    scans = [Image.fromarray((rng.random((300, 220)) * 255).astype("uint8")) for _ in range(5)]
    scans[0].save(tmp_path / "pil.pdf", save_all=True, append_images=scans[1:], resolution=50)
    with pikepdf.open(tmp_path / "pil.pdf") as pdf:   # page tree first, page images after it
        pdf.save(tmp_path / "five.pdf")
    data = (tmp_path / "five.pdf").read_bytes()
    path = tmp_path / "halb.pdf"
    path.write_bytes(data[: int(len(data) * 0.7)])   # a writer stopped (or a copy broke) at 70 %
    _assert_rejected(ingest_file(path, ctx), ctx, "halb.pdf", "content_lost", "damaged: content lost in repair")
    assert ctx.catalog.documents() == []


def test_encrypted_pdf_is_rejected(tmp_path, ctx):
    path = tmp_path / "geheim.pdf"
    _small_pdf(tmp_path / "plain.pdf")
    with pikepdf.open(tmp_path / "plain.pdf") as pdf:
        pdf.save(path, encryption=pikepdf.Encryption(user="geheim", owner="geheim"))
    _assert_rejected(ingest_file(path, ctx), ctx, "geheim.pdf", "encrypted", "encrypted, no password")


def test_decompression_bomb_refused_before_decoding(tmp_path, ctx):
    path = tmp_path / "bombe.png"
    _png_header_only(path, 20000, 20000)  # 400 megapixels
    assert path.stat().st_size < 10_000
    _assert_rejected(ingest_file(path, ctx), ctx, "bombe.png", "too_large", "400 megapixels")


def test_unreadable_image(tmp_path, ctx):
    path = tmp_path / "foto.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0" + b"\x13" * 300)
    _assert_rejected(ingest_file(path, ctx), ctx, "foto.jpg", "unreadable_image", "cannot be read")


def test_unsupported_type(tmp_path, ctx):
    path = tmp_path / "notiz.txt"
    path.write_text("Bitte Akte anlegen.")
    _assert_rejected(ingest_file(path, ctx), ctx, "notiz.txt", "unsupported_type", "not supported")


def test_wrong_extension_is_recognised_by_content(tmp_path, ctx):
    path = tmp_path / "scan_0042.pdf"  # really a PNG
    Image.new("L", (850, 1100), 255).save(path, "PNG", dpi=(100, 100))
    [result] = ingest_file(path, ctx)
    assert result.status == "archived", result.error
    assert ctx.catalog.get(result.id).media_type == "image/png"
    assert ctx.catalog.get(result.id).original_ext == "png"


def test_one_bad_file_does_not_stop_a_batch(tmp_path, dms):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a-leer.pdf").write_bytes(b"")
    Image.new("L", (850, 1100), 255).save(tmp_path / "in" / "b-weiss.png", dpi=(100, 100))
    lines = dms.json_lines("ingest", tmp_path / "in")
    assert sorted(line["status"] for line in lines) == ["archived", "rejected"]
    assert dms("ingest", tmp_path / "in").exit_code == 0


@pytest.mark.parametrize("name", ["leer.pdf"])
def test_quarantine_names_do_not_collide(tmp_path, ctx, name):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / name).write_bytes(b"")
        ingest_file(tmp_path / folder / name, ctx)
    kept = sorted(p.name for p in ctx.settings.quarantine_dir.iterdir())
    assert kept == ["leer.1.pdf", "leer.1.pdf.reason.txt", "leer.pdf", "leer.pdf.reason.txt"]
