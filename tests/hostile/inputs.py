"""Hostile inputs, built on the fly (nothing large is kept in the repository).

Each builder writes one file and returns its path. They are shared by tests/hostile and
benchmarks/bench_memory.py.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name


def zlib_repeated(unit: bytes, count: int) -> bytes:
    """zlib data of *unit* repeated *count* times, made in milliseconds: after a full flush deflate
    forgets its history, so the compressed block of *unit* can itself be repeated."""
    raw = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = raw.compress(unit) + raw.flush(zlib.Z_FULL_FLUSH)
    again = raw.compress(unit) + raw.flush(zlib.Z_FULL_FLUSH)
    assert block == again
    end = raw.flush(zlib.Z_FINISH)
    checksum = 1
    for _ in range(count):
        checksum = zlib.adler32(unit, checksum)
    return b"\x78\xda" + block * count + end + struct.pack(">I", checksum)


def _text_page(pdf: pikepdf.Pdf, text: str, size=(420.0, 595.0)) -> pikepdf.Page:
    font = pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica,
                                        Encoding=Name.WinAnsiEncoding))
    lines = [b"BT /F1 11 Tf 14 TL 36 %d Td" % int(size[1] - 50)]
    for line in text.splitlines():
        escaped = line.encode("cp1252", "replace").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
        lines.append(b"(" + escaped + b") Tj T*")
    lines.append(b"ET")
    page = Dictionary(Type=Name.Page, MediaBox=Array([0, 0, size[0], size[1]]),
                      Resources=Dictionary(Font=Dictionary(F1=font)),
                      Contents=pdf.make_stream(b"\n".join(lines)))
    return pikepdf.Page(page)


def text_pdf(path: Path, pages: list[str], size=(420.0, 595.0)) -> Path:
    """A born-digital PDF (Helvetica text), one page per string: no OCR needed to read it."""
    with pikepdf.new() as pdf:
        for text in pages:
            pdf.pages.append(_text_page(pdf, text, size))
        pdf.save(path, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    return path


def letter(n: int, words: str = "Bescheid über die Verlängerung der Aufenthaltserlaubnis") -> str:
    return (f"Landkreis Musterstadt - Ausländerbehörde\nSchreiben Nummer {n}\n{words}\n"
            f"Dieses Schreiben ist das Original mit der laufenden Nummer {n}.\n")


def image_pdf(path: Path, pages: int, *, pixels=(620, 877), seed: int = 1) -> Path:
    """A scan-like PDF: each page one greyscale image with noise, Flate-compressed."""
    import numpy as np

    rng = np.random.default_rng(seed)
    with pikepdf.new() as pdf:
        for number in range(pages):
            w, h = pixels
            data = rng.integers(180, 256, size=(h, w), dtype=np.uint8)
            data[100 + 40 * number: 140 + 40 * number, 50: w - 50] = 0   # a bar that differs per page
            image = pdf.make_stream(zlib.compress(data.tobytes()), Type=Name.XObject, Subtype=Name.Image,
                                    Width=w, Height=h, ColorSpace=Name.DeviceGray, BitsPerComponent=8,
                                    Filter=Name.FlateDecode)
            content = pdf.make_stream(b"q %d 0 0 %d 0 0 cm /Im0 Do Q" % (w * 72 // 100, h * 72 // 100))
            page = Dictionary(Type=Name.Page, MediaBox=Array([0, 0, w * 72 // 100, h * 72 // 100]),
                              Resources=Dictionary(XObject=Dictionary(Im0=image)), Contents=content)
            pdf.pages.append(pikepdf.Page(page))
        pdf.save(path, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    return path


def truncated(source: Path, path: Path, keep: int | float) -> Path:
    """The first *keep* bytes (or that share) of *source*: a file cut off while being written."""
    data = source.read_bytes()
    count = int(len(data) * keep) if isinstance(keep, float) else keep
    path.write_bytes(data[:count])
    return path


def png_rgba(path: Path, width: int, height: int) -> Path:
    """A valid RGBA PNG of the given size that compresses to almost nothing (one flat colour)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    idat = zlib_repeated(b"\x00" + b"\xff\xff\xff\xff" * width, height)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b""))
    return path


def flate_bomb_pdf(path: Path, expanded_mb: int = 1024) -> Path:
    """One page whose content stream inflates to *expanded_mb* of (harmless) PDF operators."""
    unit = b"0 0 m 1 1 l S\n" * 4096
    data = zlib_repeated(unit, expanded_mb * 1024 * 1024 // len(unit))
    with pikepdf.new() as pdf:
        content = pdf.make_stream(b"")
        content.write(data, filter=Name.FlateDecode)
        page = Dictionary(Type=Name.Page, MediaBox=Array([0, 0, 595, 842]), Contents=content)
        pdf.pages.append(pikepdf.Page(page))
        pdf.save(path)
    return path


def huge_page_pdf(path: Path, inches: float = 190) -> Path:
    """A tiny PDF whose one page measures inches x inches (200 is the PDF maximum)."""
    side = inches * 72
    with pikepdf.new() as pdf:
        page = _text_page(pdf, "Riesige Seite mit wenig Text darauf, aber sehr gross.", (side, side))
        pdf.pages.append(page)
        pdf.save(path)
    return path


def nested_forms_pdf(path: Path, depth: int = 3000) -> Path:
    """A page drawing a form XObject that draws a form XObject ... *depth* levels deep."""
    with pikepdf.new() as pdf:
        inner = pdf.make_stream(b"0 0 m 10 10 l S", Type=Name.XObject, Subtype=Name.Form,
                                BBox=Array([0, 0, 100, 100]))
        for _ in range(depth):
            inner = pdf.make_stream(b"/X Do", Type=Name.XObject, Subtype=Name.Form, BBox=Array([0, 0, 100, 100]),
                                    Resources=Dictionary(XObject=Dictionary(X=inner)))
        page = Dictionary(Type=Name.Page, MediaBox=Array([0, 0, 595, 842]), Contents=pdf.make_stream(b"/X Do"),
                          Resources=Dictionary(XObject=Dictionary(X=inner)))
        pdf.pages.append(pikepdf.Page(page))
        pdf.save(path)
    return path


def stored_zip(path: Path, members: dict[str, bytes]) -> Path:
    """An uncompressed (stored) ZIP: its members' bytes, %PDF- included, stand in the clear."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def big_mail(path: Path, megabytes: int) -> Path:
    """An e-mail with a base64 attachment of about *megabytes* MB."""
    import base64

    block = base64.encodebytes(b"\x00" * 57 * 1000)
    count = megabytes * 1024 * 1024 // len(block)
    with open(path, "wb") as handle:
        handle.write(b"From: a@example.org\r\nTo: b@example.org\r\nSubject: gross\r\nMessage-ID: <big@x>\r\n"
                     b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\n"
                     b"Content-Type: text/plain\r\n\r\nAnbei.\r\n--XX\r\nContent-Type: application/octet-stream\r\n"
                     b"Content-Disposition: attachment; filename=daten.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n")
        for _ in range(count):
            handle.write(block)
        handle.write(b"\r\n--XX--\r\n")
    return path


def wrong_charset_mail(path: Path) -> Path:
    """A mail that declares UTF-8 but is written in Windows-1252 ("Straße" as b"Stra\\xdfe")."""
    path.write_bytes(b"From: amt@example.org\r\nTo: b@example.org\r\nSubject: Adresse\r\nMessage-ID: <cs@x>\r\n"
                     b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
                     b"Content-Transfer-Encoding: 8bit\r\n\r\n"
                     b"Neue Anschrift: Hauptstra\xdfe 5, 12345 M\xfcnchen. Gr\xfc\xdfe\r\n")
    return path
